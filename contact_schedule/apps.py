from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactScheduleConfig(AppConfig):
    name = "contact_schedule"
    verbose_name = _("Contact schedule")

    def ready(self) -> None:
        from contact_schedule import receivers

        receivers.connect()
        # The outbox (dunning, a layer below) asks for contact windows through this hook; the
        # messaging module also defines the beat task that queues the day's messages.
        from contact_schedule import messaging  # noqa: F401
        from contact_schedule.windows import window_at_or_after
        from dunning.windows import register_window_lookup

        register_window_lookup(window_at_or_after)
