"""Every installation gets the operator's default schedule (published v1), windows and limits."""

from django.db import migrations
from django.utils import timezone

from contact_schedule.defaults import DEFAULT_STEPS, DEFAULT_WINDOWS, OPERATOR_TEMPLATE_NAME


def create_operator_defaults(apps, schema_editor):
    template_model = apps.get_model("contact_schedule", "ScheduleTemplate")
    version_model = apps.get_model("contact_schedule", "ScheduleVersion")
    step_model = apps.get_model("contact_schedule", "ScheduleStep")
    window_model = apps.get_model("contact_schedule", "ContactWindow")
    limits_model = apps.get_model("contact_schedule", "ContactLimits")
    budget_model = apps.get_model("contact_schedule", "OperatorContactBudget")

    template, _created = template_model.objects.get_or_create(
        tenant=None, purpose="program", defaults={"name": OPERATOR_TEMPLATE_NAME}
    )
    if not version_model.objects.filter(template=template).exists():
        version = version_model.objects.create(
            template=template, number=1, note="Default schedule", published_at=timezone.now()
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
            ) in enumerate(DEFAULT_STEPS, start=1)
        )
    for channel, (start, end, saturday_start, saturday_end) in DEFAULT_WINDOWS.items():
        window_model.objects.get_or_create(
            tenant=None,
            channel=channel,
            defaults={
                "weekday_start": start,
                "weekday_end": end,
                "saturday_start": saturday_start,
                "saturday_end": saturday_end,
            },
        )
    if not limits_model.objects.filter(tenant=None).exists():
        limits_model.objects.create(tenant=None)
    budget_model.objects.get_or_create(id=1)


class Migration(migrations.Migration):
    dependencies = [("contact_schedule", "0001_initial")]

    operations = [migrations.RunPython(create_operator_defaults, migrations.RunPython.noop)]
