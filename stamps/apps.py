from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StampsConfig(AppConfig):
    name = "stamps"
    verbose_name = _("Prevention stamps")

    def ready(self) -> None:
        from stamps import checks  # noqa: F401 (registers the deployment check)
