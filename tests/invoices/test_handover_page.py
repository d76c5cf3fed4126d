"""The handover page: one invoice (and maybe a new payer) handed over for express monitoring."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from invoices.models import Invoice
from payers.models import Payer, PayerContact
from tests.factories import InvoiceFactory

URL = reverse("invoices:handover")


def test_the_page_shows_the_form(finance_client, payer):
    response = finance_client.get(URL)

    assert response.status_code == 200
    assert 'name="gross_amount"' in response.text
    assert f'<option value="{payer.id}">{payer.name}</option>' in response.text


def test_a_new_payer_and_its_invoice_are_saved_and_the_user_sees_the_invoice(
    finance_client, tenant, handover_data
):
    response = finance_client.post(URL, handover_data)

    invoice = Invoice.objects.for_tenant(tenant).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("invoices:detail", args=[invoice.id])
    assert invoice.monitoring_mode == Invoice.MonitoringMode.SINGLE
    assert invoice.external_id == "FV/77/2026"
    assert invoice.outstanding_amount == invoice.gross_amount == Decimal("2460.00")
    assert invoice.status == Invoice.Status.OPEN
    payer = invoice.payer
    assert (payer.tenant, payer.external_id, payer.nip) == (tenant, "K-900", "5260001246")
    contacts = set(PayerContact.objects.for_tenant(tenant).values_list("kind", "value"))
    assert contacts == {("phone", "+48601234567"), ("email", "ksiegowosc@nowak.example")}

    detail = finance_client.get(response["Location"])
    assert "FV/77/2026" in detail.text
    assert [m.level_tag for m in detail.context["messages"]] == ["success"]


def test_an_invoice_for_an_existing_payer_creates_no_payer(finance_client, tenant, payer):
    data = {"payer": payer.id, "number": "FV/1/2026", "issue_date": "2026-10-01",
            "due_date": "2026-10-31", "currency": "PLN", "gross_amount": "100.00",
            "outstanding_amount": "40.00"}  # fmt: skip

    response = finance_client.post(URL, data)

    assert response.status_code == 302
    invoice = Invoice.objects.for_tenant(tenant).get()
    assert (invoice.payer, invoice.outstanding_amount) == (payer, Decimal("40.00"))
    assert invoice.status == Invoice.Status.PARTIALLY_PAID
    assert Payer.objects.for_tenant(tenant).count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"gross_amount": "-10.00"}, "gross_amount"),
        ({"outstanding_amount": "3000.00"}, "outstanding_amount"),
        ({"due_date": "2026-09-30"}, "due_date"),
        ({"payer_nip": "526-000-12-47"}, "payer_nip"),
        ({"payer_phone": "12345"}, "payer_phone"),
        ({"payer_name": ""}, "payer_name"),
        ({"currency": "zł"}, "currency"),
    ],
)
def test_an_invalid_handover_shows_the_field_at_fault_and_saves_nothing(
    finance_client, tenant, handover_data, change, field
):
    response = finance_client.post(URL, {**handover_data, **change})

    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert 'class="errorlist' in response.text
    assert Invoice.objects.for_tenant(tenant).count() == 0
    assert Payer.objects.for_tenant(tenant).count() == 0
    assert PayerContact.objects.for_tenant(tenant).count() == 0


def test_an_invoice_id_already_handed_over_is_refused(finance_client, tenant, handover_data):
    InvoiceFactory(payer__tenant=tenant, external_id="FV/77/2026")

    response = finance_client.post(URL, handover_data)

    assert response.status_code == 200
    assert "number" in response.context["form"].errors
    assert Invoice.objects.for_tenant(tenant).count() == 1
    assert Payer.objects.for_tenant(tenant).count() == 1
