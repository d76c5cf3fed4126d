"""Per-step conditions: minimum outstanding amount, payer kind, only if no response."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from contact_schedule.models import ContactTask, ContactTaskInvoice
from contact_schedule.planner import plan_day
from payers.models import Payer
from tests.contact_schedule.helpers import client_schedule
from tests.factories import InvoiceFactory, PayerFactory

pytestmark = pytest.mark.django_db

D = datetime.date
DAY = D(2026, 12, 11)  # Friday
DUE = DAY - datetime.timedelta(days=7)


def test_a_step_with_a_minimum_amount_skips_smaller_invoices(tenant):
    client_schedule(tenant, [{"offset_days": 7, "channel": "call", "min_outstanding": 1000}])
    small = InvoiceFactory(payer__tenant=tenant, due_date=DUE, gross_amount=Decimal("999.99"))
    large = InvoiceFactory(payer__tenant=tenant, due_date=DUE, gross_amount=Decimal("1000.00"))

    plan_day(tenant=tenant, day=DAY)

    planned = set(ContactTask.objects.for_tenant(tenant).values_list("payer_id", flat=True))
    assert planned == {large.payer_id}
    assert small.payer_id not in planned


def test_a_step_for_consumers_only_skips_businesses(tenant):
    client_schedule(
        tenant,
        [
            {"offset_days": 7, "channel": "sms", "payer_kind": Payer.Kind.CONSUMER},
        ],
    )
    consumer = PayerFactory(tenant=tenant, kind=Payer.Kind.CONSUMER, nip="")
    business = PayerFactory(tenant=tenant, kind=Payer.Kind.BUSINESS)
    InvoiceFactory(payer=consumer, due_date=DUE)
    InvoiceFactory(payer=business, due_date=DUE)

    plan_day(tenant=tenant, day=DAY)

    assert list(ContactTask.objects.for_tenant(tenant).values_list("payer_id", flat=True)) == [
        consumer.pk
    ]


def test_a_gentler_step_for_consumers_and_a_firmer_one_for_businesses_on_the_same_day(tenant):
    client_schedule(
        tenant,
        [
            {"offset_days": 7, "channel": "sms", "payer_kind": Payer.Kind.CONSUMER},
            {"offset_days": 7, "channel": "call", "payer_kind": Payer.Kind.BUSINESS},
        ],
    )
    consumer = PayerFactory(tenant=tenant, kind=Payer.Kind.CONSUMER, nip="")
    business = PayerFactory(tenant=tenant, kind=Payer.Kind.BUSINESS)
    InvoiceFactory(payer=consumer, due_date=DUE)
    InvoiceFactory(payer=business, due_date=DUE)

    plan_day(tenant=tenant, day=DAY)

    channels = dict(ContactTask.objects.for_tenant(tenant).values_list("payer_id", "channel"))
    assert channels == {consumer.pk: "sms", business.pk: "call"}


def courtesy_schedule(tenant):
    return client_schedule(
        tenant,
        [
            {"offset_days": -3, "day_kind": "business", "channel": "call"},
            {
                "offset_days": -2,
                "day_kind": "business",
                "channel": "sms",
                "only_if_no_response": True,
            },
        ],
    )


DUE_MONDAY = D(2026, 12, 14)  # courtesy call Wed 9 Dec, SMS Thu 10 Dec


def test_the_sms_after_a_courtesy_call_goes_only_when_the_call_got_no_response(tenant):
    courtesy_schedule(tenant)
    answered = InvoiceFactory(payer__tenant=tenant, due_date=DUE_MONDAY)
    unanswered = InvoiceFactory(payer__tenant=tenant, due_date=DUE_MONDAY)

    plan_day(tenant=tenant, day=D(2026, 12, 9))
    ContactTask.objects.for_tenant(tenant).filter(payer=answered.payer).update(
        responded_at=timezone.now(), state=ContactTask.State.DONE
    )
    plan_day(tenant=tenant, day=D(2026, 12, 10))

    sms = ContactTask.objects.for_tenant(tenant).filter(planned_date=D(2026, 12, 10))
    assert list(sms.values_list("payer_id", "channel")) == [(unanswered.payer_id, "sms")]


def test_the_sms_goes_when_no_courtesy_call_was_made(tenant):
    courtesy_schedule(tenant)
    InvoiceFactory(payer__tenant=tenant, due_date=DUE_MONDAY)

    assert plan_day(tenant=tenant, day=D(2026, 12, 10)).tasks_by_channel == {"sms": 1}


def test_each_covered_invoice_keeps_its_own_stage_for_later_conditions(tenant):
    courtesy_schedule(tenant)
    invoice = InvoiceFactory(payer__tenant=tenant, due_date=DUE_MONDAY)

    plan_day(tenant=tenant, day=D(2026, 12, 9))

    row = ContactTaskInvoice.objects.for_tenant(tenant).get()
    assert (row.invoice_id, row.step.offset_days, row.step.channel) == (invoice.pk, -3, "call")
