"""Create the operator role groups with their permissions (tenants/roles.py)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_groups(apps, schema_editor):
    from tenants.roles import OPERATOR_GROUP_PERMISSIONS

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in OPERATOR_GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=str(role))
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def remove_groups(apps, schema_editor):
    from tenants.roles import OPERATOR_GROUP_PERMISSIONS

    apps.get_model("auth", "Group").objects.filter(
        name__in=[str(role) for role in OPERATOR_GROUP_PERMISSIONS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0001_initial"),
        ("payers", "0001_initial"),
        ("invoices", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_groups, remove_groups)]
