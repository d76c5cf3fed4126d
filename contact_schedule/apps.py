from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactScheduleConfig(AppConfig):
    name = "contact_schedule"
    verbose_name = _("Contact schedule")

    def ready(self) -> None:
        # News from dunning (signals) becomes outcomes; the outbox (dunning, a layer below) asks
        # for contact windows through the hook registered here; `messaging` defines the beat task
        # that queues the day's messages.
        from contact_schedule import messaging, receivers  # noqa: F401
        from contact_schedule.windows import window_at_or_after
        from dunning.windows import register_window_lookup

        receivers.connect()
        register_window_lookup(window_at_or_after)
