"""Builders for the agent-screen tests: operator users, owing payers, today's call tasks."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from contact_schedule.models import (
    Channel,
    ContactTask,
    ContactTaskInvoice,
    ScheduleStep,
    ScheduleTemplate,
    ScheduleVersion,
)
from invoices.models import Invoice
from payers.models import Payer
from tenants.models import Tenant, User
from tenants.roles import OperatorRole
from tenants.selectors import tenant_today
from tests.factories import (
    DEFAULT_PASSWORD,
    InvoiceFactory,
    PayerContactFactory,
    PayerFactory,
    UserFactory,
)


def operator(role: OperatorRole, **fields) -> User:
    user = UserFactory(**fields)
    user.groups.add(Group.objects.get_or_create(name=str(role))[0])
    return user


def logged_in(user: User, language: str = "en") -> Client:
    """A session of `user`; English so the tests can quote Django's own messages."""
    client = Client()
    assert client.login(email=user.email, password=DEFAULT_PASSWORD)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def default_call_step(*, pre_due: bool = False) -> ScheduleStep:
    """A call step of the operator's default schedule (data migration of contact_schedule); made
    again when a transactional test flushed the migration's rows."""
    steps = ScheduleStep.objects.filter(version__template__tenant__isnull=True, channel="call")
    if not steps.exists():
        template = ScheduleTemplate.objects.create(name="Standard monitoring programme")
        version = ScheduleVersion.objects.create(
            template=template, number=1, published_at=timezone.now()
        )
        for position, offset in enumerate((-3, 3), start=1):
            ScheduleStep.objects.create(
                version=version,
                position=position,
                offset_days=offset,
                channel="call",
                message_template="overdue_call" if offset > 0 else "courtesy_call",
                attempts=3,
                retry_interval_minutes=120,
            )
    return (steps.filter(offset_days__lt=0) if pre_due else steps.filter(offset_days__gt=0)).first()


def owing_payer(
    tenant: Tenant,
    *,
    amount: str = "1230.00",
    days_overdue: int = 10,
    invoices: int = 1,
    name: str | None = None,
    phone: bool = True,
) -> tuple[Payer, list[Invoice]]:
    today = tenant_today(tenant)
    payer = PayerFactory(tenant=tenant, **({"name": name} if name else {}))
    if phone:
        PayerContactFactory(payer=payer, is_primary=True)
    due = today - datetime.timedelta(days=days_overdue)
    made = [
        InvoiceFactory(
            payer=payer,
            issue_date=due - datetime.timedelta(days=14),
            due_date=due,
            gross_amount=Decimal(amount),
        )
        for _ in range(invoices)
    ]
    return payer, made


def call_task(
    tenant: Tenant,
    payer: Payer,
    invoices: list[Invoice],
    *,
    pre_due: bool = False,
    now: datetime.datetime | None = None,
) -> ContactTask:
    """Today's call task of the payer, its window open now."""
    now = now or timezone.now()
    step = default_call_step(pre_due=pre_due)
    task = ContactTask.objects.create(
        tenant=tenant,
        payer=payer,
        planned_date=tenant_today(tenant),
        channel=Channel.CALL,
        step=step,
        window_start=now - datetime.timedelta(hours=1),
        window_end=now + datetime.timedelta(hours=2),
        attempts=step.attempts,  # as the planner allows, under no tighter limit
    )
    ContactTaskInvoice.objects.bulk_create(
        ContactTaskInvoice(tenant=tenant, task=task, invoice=invoice, step=step)
        for invoice in invoices
    )
    return task
