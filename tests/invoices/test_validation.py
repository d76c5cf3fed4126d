"""Bad NIPs, IBANs, amounts and dates are refused twice: by the form with a message on the field at
fault, and by the database when a path skips validation (a bulk insert, a raw create)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.forms import modelform_factory

from invoices.forms import HandoverForm
from invoices.models import Invoice, Payment
from invoices.services import record_payment
from payers.models import Payer, PayerContact
from tenants.models import Tenant
from tests.factories import PayerFactory

pytestmark = pytest.mark.usefixtures("english")

VALID_NIP = "5260001246"
BAD_NIP = "5260001247"  # the check digit of 526000124 is 6
BAD_IBAN = "PL62109010140000071219812874"  # PL61… is the valid one

TenantForm = modelform_factory(Tenant, fields=["name", "slug", "nip", "iban"])
PaymentForm = modelform_factory(Payment, fields=["amount", "currency", "paid_on"])


def handover_form(tenant: Tenant, handover_data: dict, **change: str) -> HandoverForm:
    form = HandoverForm({**handover_data, **change}, tenant=tenant)
    assert not form.is_valid()
    return form


def messages_of(form, field: str) -> str:
    assert field in form.errors, f"no error on {field}: {form.errors.as_json()}"
    return " ".join(str(message) for message in form.errors[field])


def assert_refused_by_database(create) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


# --- the form says which field is wrong -----------------------------------------------------


def test_form_refuses_a_client_nip_with_a_wrong_check_digit(db):
    form = TenantForm({"name": "Klient", "slug": "klient", "nip": BAD_NIP, "iban": ""})

    assert not form.is_valid()
    assert "wrong check digit" in messages_of(form, "nip")


def test_form_refuses_a_client_iban_with_a_wrong_checksum(db):
    form = TenantForm({"name": "Klient", "slug": "klient", "nip": VALID_NIP, "iban": BAD_IBAN})

    assert not form.is_valid()
    assert list(form.errors) == ["iban"]
    assert "checksum" in messages_of(form, "iban")


def test_form_refuses_a_payer_nip_with_a_wrong_check_digit(tenant, handover_data):
    form = handover_form(tenant, handover_data, payer_nip="526-000-12-47")

    assert "wrong check digit" in messages_of(form, "payer_nip")


def test_form_refuses_a_negative_gross_amount(tenant, handover_data):
    form = handover_form(tenant, handover_data, gross_amount="-1.00")

    assert list(form.errors) == ["gross_amount"]
    assert "cannot be negative" in messages_of(form, "gross_amount")


def test_form_refuses_a_negative_payment_amount(db):
    form = PaymentForm({"amount": "-50.00", "currency": "PLN", "paid_on": "2026-10-20"})

    assert not form.is_valid()
    assert "greater than zero" in messages_of(form, "amount")


def test_record_payment_refuses_a_negative_amount(payer):
    with pytest.raises(ValidationError) as error:
        record_payment(
            tenant=payer.tenant, payer=payer, amount=Decimal("-5"), paid_on=datetime.date.today()
        )

    assert "amount" in error.value.message_dict


def test_form_refuses_more_outstanding_than_gross(tenant, handover_data):
    form = handover_form(tenant, handover_data, gross_amount="100.00", outstanding_amount="100.01")

    assert list(form.errors) == ["outstanding_amount"]
    assert "cannot exceed the gross amount (100.00)" in messages_of(form, "outstanding_amount")


def test_form_refuses_a_due_date_before_the_issue_date(tenant, handover_data):
    form = handover_form(tenant, handover_data, issue_date="2026-10-01", due_date="2026-09-30")

    assert list(form.errors) == ["due_date"]
    assert "cannot be before the issue date" in messages_of(form, "due_date")


def test_form_refuses_an_invoice_id_the_client_already_used(tenant, handover_data, payer):
    Invoice.objects.create(
        tenant=tenant, payer=payer, external_id="ERP-1", number="FV/1", issue_date="2026-10-01",
        due_date="2026-10-15", gross_amount=1, outstanding_amount=1,
    )  # fmt: skip

    form = handover_form(tenant, handover_data, external_id="ERP-1")

    assert "ERP-1 is already being monitored" in messages_of(form, "external_id")


def test_another_clients_invoice_id_is_free_to_use(tenant, other_tenant, handover_data):
    payer_elsewhere = PayerFactory(tenant=other_tenant)
    Invoice.objects.create(
        tenant=other_tenant, payer=payer_elsewhere, external_id="FV/77/2026", number="FV/77/2026",
        issue_date="2026-10-01", due_date="2026-10-15", gross_amount=1, outstanding_amount=1,
    )  # fmt: skip

    assert HandoverForm(handover_data, tenant=tenant).is_valid()


# --- phones are stored in E.164 ---------------------------------------------------------------


def test_a_national_phone_number_is_normalised(tenant, handover_data):
    form = HandoverForm({**handover_data, "payer_phone": "601 234 567"}, tenant=tenant)

    assert form.is_valid(), form.errors.as_json()
    assert form.cleaned_data["payer_phone"] == "+48601234567"


def test_a_contact_normalises_its_national_phone_number(payer):
    contact = PayerContact(tenant=payer.tenant, payer=payer, kind="phone", value="601 234 567")

    contact.clean()

    assert contact.value == "+48601234567"


def test_a_bogus_phone_number_is_refused(tenant, handover_data, payer):
    form = handover_form(tenant, handover_data, payer_phone="12345")
    contact = PayerContact(tenant=payer.tenant, payer=payer, kind="phone", value="12345")

    assert "'12345' is not a valid phone number" in messages_of(form, "payer_phone")
    with pytest.raises(ValidationError, match="12345"):
        contact.full_clean()


# --- the database refuses the same, whatever path the row takes --------------------------------


def test_database_refuses_a_client_nip_with_a_wrong_check_digit(db):
    assert_refused_by_database(lambda: Tenant.objects.create(name="A", slug="a", nip=BAD_NIP))
    Tenant.objects.create(name="B", slug="b", nip=VALID_NIP)  # the same rule lets a good one in


def test_database_refuses_a_client_iban_with_a_wrong_checksum(db):
    assert_refused_by_database(
        lambda: Tenant.objects.create(name="A", slug="a", nip=VALID_NIP, iban=BAD_IBAN)
    )
    Tenant.objects.create(name="B", slug="b", nip=VALID_NIP, iban="PL61109010140000071219812874")


def test_database_refuses_a_payer_nip_with_a_wrong_check_digit(tenant):
    assert_refused_by_database(
        lambda: Payer.objects.create(tenant=tenant, external_id="K1", name="X", nip=BAD_NIP)
    )
    # A NIP received on an imported document is kept as received when it is flagged.
    Payer.objects.create(tenant=tenant, external_id="K1", name="X", nip=BAD_NIP, nip_flagged=True)


def _invoice_fields(payer: Payer, **change) -> dict:
    fields = {
        "tenant": payer.tenant,
        "payer": payer,
        "external_id": "FV/1",
        "number": "FV/1",
        "issue_date": datetime.date(2026, 10, 1),
        "due_date": datetime.date(2026, 10, 15),
        "gross_amount": Decimal("100.00"),
        "outstanding_amount": Decimal("100.00"),
    }
    return {**fields, **change}


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"gross_amount": Decimal("-1.00"), "outstanding_amount": 0}, id="gross<0"),
        pytest.param({"outstanding_amount": Decimal("-0.01")}, id="outstanding<0"),
        pytest.param({"outstanding_amount": Decimal("100.01")}, id="outstanding>gross"),
        pytest.param({"due_date": datetime.date(2026, 9, 30)}, id="due<issue"),
    ],
)
def test_database_refuses_an_invoice_that_breaks_a_rule(payer, change):
    fields = _invoice_fields(payer, **change)

    assert_refused_by_database(lambda: Invoice.objects.bulk_create([Invoice(**fields)]))
    assert_refused_by_database(lambda: Invoice.objects.create(**fields))
    assert Invoice.objects.for_tenant(payer.tenant).count() == 0


def test_database_accepts_the_invoice_those_rules_were_broken_from(payer):
    Invoice.objects.bulk_create([Invoice(**_invoice_fields(payer))])

    assert Invoice.objects.for_tenant(payer.tenant).count() == 1


def test_database_refuses_a_negative_or_zero_payment(payer):
    for amount in (Decimal("-5.00"), Decimal("0.00")):
        assert_refused_by_database(
            lambda amount=amount: Payment.objects.create(
                tenant=payer.tenant, payer=payer, amount=amount, paid_on=datetime.date(2026, 10, 1)
            )
        )


def test_database_refuses_a_phone_not_in_e164(payer):
    assert_refused_by_database(
        lambda: PayerContact.objects.create(
            tenant=payer.tenant, payer=payer, kind="phone", value="601 234 567"
        )
    )


def test_database_accepts_a_phone_in_e164(payer):
    PayerContact.objects.create(
        tenant=payer.tenant, payer=payer, kind="phone", value="+48601234567"
    )

    assert PayerContact.objects.for_tenant(payer.tenant).get().value == "+48601234567"
