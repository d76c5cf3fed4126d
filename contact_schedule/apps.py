from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactScheduleConfig(AppConfig):
    name = "contact_schedule"
    verbose_name = _("Contact schedule")

    def ready(self) -> None:
        from contact_schedule import express, receivers

        express.connect()
        receivers.connect()
