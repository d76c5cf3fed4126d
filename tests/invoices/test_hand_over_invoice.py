"""hand_over_invoice: one invoice in express monitoring, with a new payer or one of the client's."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from invoices.models import Invoice
from invoices.services import hand_over_invoice
from payers.models import Payer
from tests.factories import PayerFactory

INVOICE = {
    "number": "FV/5/2026",
    "issue_date": datetime.date(2026, 10, 1),
    "due_date": datetime.date(2026, 10, 31),
    "gross_amount": Decimal("615.00"),
}
NEW_PAYER = {"external_id": "K-1", "name": "Jan Nowak", "kind": "consumer"}


def test_an_invoice_for_an_existing_payer_is_monitored_singly(tenant, payer):
    invoice = hand_over_invoice(tenant=tenant, payer=payer, **INVOICE)

    assert invoice.monitoring_mode == Invoice.MonitoringMode.SINGLE
    assert invoice.source == "manual"
    assert (invoice.external_id, invoice.outstanding_amount) == ("FV/5/2026", Decimal("615.00"))


def test_a_new_payer_is_created_with_the_invoice(tenant):
    invoice = hand_over_invoice(tenant=tenant, payer_data=NEW_PAYER, external_id="ERP-5", **INVOICE)

    assert invoice.payer.tenant == tenant
    assert (invoice.payer.external_id, invoice.payer.kind) == ("K-1", "consumer")
    assert invoice.external_id == "ERP-5"


def test_nothing_is_saved_when_the_invoice_is_refused(tenant):
    with pytest.raises(ValidationError) as error:
        hand_over_invoice(
            tenant=tenant,
            payer_data=NEW_PAYER,
            **{**INVOICE, "due_date": datetime.date(2026, 9, 1)},
        )

    assert "due_date" in error.value.message_dict
    assert Payer.objects.for_tenant(tenant).count() == 0
    assert Invoice.objects.for_tenant(tenant).count() == 0


def test_errors_about_the_new_payer_name_its_fields(tenant):
    with pytest.raises(ValidationError) as error:
        hand_over_invoice(tenant=tenant, payer_data={**NEW_PAYER, "nip": "5260001247"}, **INVOICE)

    assert list(error.value.message_dict) == ["payer_nip"]


def test_an_invoice_id_already_used_by_the_client_is_refused(tenant, payer):
    hand_over_invoice(tenant=tenant, payer=payer, **INVOICE)

    with pytest.raises(ValidationError) as error:
        hand_over_invoice(tenant=tenant, payer_data=NEW_PAYER, **INVOICE)

    assert list(error.value.message_dict) == ["external_id"]
    assert Payer.objects.for_tenant(tenant).count() == 1


def test_another_clients_payer_is_refused(tenant, other_tenant):
    foreign = PayerFactory(tenant=other_tenant)

    with pytest.raises(ValidationError) as error:
        hand_over_invoice(tenant=tenant, payer=foreign, **INVOICE)

    assert "payer" in error.value.message_dict
    assert not Invoice.objects.filter(payer=foreign).exists()


@pytest.mark.parametrize("both", [True, False])
def test_exactly_one_of_payer_and_new_payer_is_needed(tenant, payer, both):
    chosen = {"payer": payer, "payer_data": NEW_PAYER} if both else {}

    with pytest.raises(ValidationError) as error:
        hand_over_invoice(tenant=tenant, **chosen, **INVOICE)

    assert list(error.value.message_dict) == ["payer"]
