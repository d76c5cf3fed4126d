"""The operator's default express schedule (purpose "single"), published v1."""

from django.db import migrations
from django.utils import timezone

from contact_schedule.defaults import EXPRESS_STEPS, EXPRESS_TEMPLATE_NAME


def create_express_default(apps, schema_editor):
    template_model = apps.get_model("contact_schedule", "ScheduleTemplate")
    version_model = apps.get_model("contact_schedule", "ScheduleVersion")
    step_model = apps.get_model("contact_schedule", "ScheduleStep")
    template, _created = template_model.objects.get_or_create(
        tenant=None, purpose="single", defaults={"name": EXPRESS_TEMPLATE_NAME}
    )
    if version_model.objects.filter(template=template).exists():
        return
    version = version_model.objects.create(
        template=template, number=1, note="Default express schedule", published_at=timezone.now()
    )
    step_model.objects.bulk_create(
        step_model(
            version=version,
            position=position,
            offset_days=offset,
            day_kind=day_kind,
            channel=channel,
            message_template=message_template,
            attempts=attempts,
            retry_interval_minutes=retry_minutes,
            only_if_no_response=only_if_no_response,
        )
        for position, (
            offset,
            day_kind,
            channel,
            message_template,
            attempts,
            retry_minutes,
            only_if_no_response,
        ) in enumerate(EXPRESS_STEPS, start=1)
    )


class Migration(migrations.Migration):
    dependencies = [("contact_schedule", "0005_task_limits_deferral")]

    operations = [migrations.RunPython(create_express_default, migrations.RunPython.noop)]
