from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = _("Clients and users")

    def ready(self) -> None:
        from tenants.services import sync_operator_groups

        # After every migrate, the operator role groups carry exactly the permissions of
        # tenants/roles.py, so a new model's permissions need no data migration.
        post_migrate.connect(sync_operator_groups, dispatch_uid="sync_operator_groups")
