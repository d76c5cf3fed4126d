"""Writes of the contact schedule: versions (draft, publish), client copies, the nightly plan."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from contact_schedule.models import PlannerRun, ScheduleStep, ScheduleTemplate, ScheduleVersion
from contact_schedule.planner import PlanResult, plan_day
from contact_schedule.selectors import published_version
from invoices.models import Invoice
from tenants.models import Tenant, User

# Fields of a step copied into a new version (everything but the version itself and the id).
STEP_FIELDS = [
    f.name for f in ScheduleStep._meta.concrete_fields if f.name not in ("id", "version")
]


def _copy_steps(*, source: ScheduleVersion | None, target: ScheduleVersion) -> None:
    if source is None:
        return
    ScheduleStep.objects.bulk_create(
        ScheduleStep(version=target, **{name: getattr(step, name) for name in STEP_FIELDS})
        for step in source.steps.all()
    )


@transaction.atomic
def draft_next_version(*, template: ScheduleTemplate, note: str = "") -> ScheduleVersion:
    """A new draft version holding the steps of the newest version; an open draft is reused.

    Published versions are never edited: a change is a new version, published when ready.
    """
    # Lock the template: two account managers drafting at once get the same draft.
    list(
        ScheduleTemplate.objects.select_for_update().filter(pk=template.pk).order_by().values("pk")
    )
    draft = template.versions.filter(published_at__isnull=True).order_by("-number").first()
    if draft is not None:
        return draft
    latest = template.versions.order_by("-number").first()
    number = (template.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = ScheduleVersion.objects.create(template=template, number=number, note=note)
    _copy_steps(source=latest, target=version)
    return version


@transaction.atomic
def publish_version(*, version: ScheduleVersion, user: User | None = None) -> ScheduleVersion:
    """Publish a draft: from now on the planner uses it and it can no longer change."""
    already_published = ValidationError(
        _("Version %(number)s is already published.") % {"number": version.number}
    )
    if version.is_published:
        raise already_published
    if not version.steps.exists():
        raise ValidationError(_("A version without steps cannot be published; add steps first."))
    now = timezone.now()
    # Conditional update: of two account managers publishing at once, one wins.
    published = ScheduleVersion.objects.filter(pk=version.pk, published_at__isnull=True).update(
        published_at=now, published_by=user
    )
    if not published:
        raise already_published
    version.refresh_from_db()
    return version


@transaction.atomic
def copy_template_for_client(
    *, tenant: Tenant, purpose: str = Invoice.MonitoringMode.PROGRAM
) -> ScheduleTemplate:
    """The client's own schedule, started as a draft copy of the operator's default.

    Until its first version is published the client keeps following the operator's default.
    """
    existing = ScheduleTemplate.objects.for_tenant(tenant).filter(purpose=purpose).first()
    if existing is not None:
        raise ValidationError(
            _("%(client)s already has its own schedule (%(name)s).")
            % {"client": tenant, "name": existing}
        )
    default = ScheduleTemplate.objects.operator_defaults().filter(purpose=purpose).first()
    template = ScheduleTemplate.objects.create(
        tenant=tenant,
        purpose=purpose,
        name=f"{default.name if default else _('Schedule')} – {tenant.name}"[:120],
        based_on=default,
    )
    version = ScheduleVersion.objects.create(
        template=template, number=1, note=_("Copy of the operator's default")
    )
    _copy_steps(source=published_version(default) if default else None, target=version)
    return template


def plan_scheduled_day(*, tenant: Tenant, day: datetime.date) -> PlanResult | None:
    """Beat's nightly plan: claims the client's day and plans it; None when already claimed.

    Claim and plan share one transaction, so a failed plan leaves the day unclaimed for the next
    beat tick; a concurrent second run waits on the claim and then finds it taken.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                run = PlannerRun.objects.create(tenant=tenant, planned_date=day)
        except IntegrityError:
            return None
        result = plan_day(tenant=tenant, day=day)
        run.finished_at = timezone.now()
        run.tasks_created = result.tasks_created
        run.save(update_fields=["finished_at", "tasks_created"])
    return result


def plan_express_invoice(*, tenant: Tenant, invoice: Invoice) -> PlanResult:
    """Plan today (the client's zone) for the payer of an express invoice, outside the nightly
    cycle. Only that payer is planned; the nightly plan still plans the others (idempotent)."""
    return plan_day(tenant=tenant, payer_ids=[invoice.payer_id])
