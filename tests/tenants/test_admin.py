"""The Django admin as an account manager uses it: lists, searches, and a ledger it cannot break."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from invoices.models import Invoice, Payment
from invoices.services import record_payment, snapshot_aging
from payers.models import PayerContact
from tenants.models import User
from tenants.roles import OperatorRole
from tenants.services import create_operator_user
from tests.factories import (
    DEFAULT_PASSWORD,
    InvoiceFactory,
    MembershipFactory,
    PayerContactFactory,
    PayerFactory,
    TeamFactory,
)


@pytest.fixture
def account_manager(db, settings) -> User:
    settings.REQUIRE_STAFF_MFA = False
    return create_operator_user(
        email="opiekun@example.com",
        role=OperatorRole.ACCOUNT_MANAGER,
        password=DEFAULT_PASSWORD,
        full_name="Ewa Nowak",
    )


@pytest.fixture
def manager_client(client, account_manager):
    client.force_login(account_manager)
    return client


@pytest.fixture
def payer(tenant):
    return PayerFactory(tenant=tenant, name="Hurtownia Malinowski")


@pytest.fixture
def invoice(payer) -> Invoice:
    return InvoiceFactory(payer=payer, number="FV/7/2026", gross_amount=Decimal("1230.00"))


@pytest.fixture
def ledger(tenant, payer, invoice) -> dict[str, Any]:
    """One row of every model the account manager works with, keyed by model name."""
    team = TeamFactory(name="Zespół Północ")
    team.clients.add(tenant)
    return {
        "tenant": tenant,
        "user": MembershipFactory(tenant=tenant).user,
        "membership": MembershipFactory(tenant=tenant),
        "team": team,
        "payer": payer,
        # E-mail: the phone check constraint rejects every number for now (see the report).
        "payercontact": PayerContactFactory(
            payer=payer, kind="email", value="ksiegowosc@malinowski.pl"
        ),
        "invoice": invoice,
        "payment": record_payment(
            tenant=tenant,
            payer=payer,
            amount=Decimal("100.00"),
            paid_on=datetime.date(2026, 10, 20),
            reference="Zapłata FV/7/2026",
        ),
        "agingsnapshot": snapshot_aging(tenant=tenant, on=datetime.date(2026, 10, 31)),
    }


MODELS = {
    **dict.fromkeys(["tenant", "user", "membership", "team"], "tenants"),
    **dict.fromkeys(["payer", "payercontact"], "payers"),
    **dict.fromkeys(["invoice", "payment", "agingsnapshot"], "invoices"),
}

# What an account manager types into each list's search box to find the ledger row.
SEARCHES = {
    "tenant": lambda row: row.nip,
    "user": lambda row: row.email.upper(),
    "membership": lambda row: row.tenant.name,
    "team": lambda row: "Północ",
    "payer": lambda row: "malinowski",
    "payercontact": lambda row: row.value,
    "invoice": lambda row: "FV/7",
    "payment": lambda row: "Malinowski",
}


def admin_url(model: str, view: str, *args: Any) -> str:
    return reverse(f"admin:{MODELS[model]}_{model}_{view}", args=args)


def form_data(response) -> dict[str, Any]:
    """What the browser would post back from a change page, unchanged."""
    bound_fields = list(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        bound_fields += list(inline.formset.management_form)
        for form in inline.formset.forms:
            bound_fields += list(form)
    data = {}
    for bound in bound_fields:
        value = bound.value()
        if value is not None and value is not False:
            data[bound.html_name] = value
    return data


@pytest.mark.parametrize("model", MODELS)
def test_account_manager_opens_every_list(manager_client, ledger, model):
    response = manager_client.get(admin_url(model, "changelist"))

    assert response.status_code == 200
    assert ledger[model] in response.context["cl"].result_list


@pytest.mark.parametrize("model", MODELS)
def test_account_manager_opens_every_detail_page(manager_client, ledger, model):
    response = manager_client.get(admin_url(model, "change", ledger[model].pk))

    assert response.status_code == 200


ADDABLE = [model for model in MODELS if model != "agingsnapshot"]


@pytest.mark.parametrize("model", ADDABLE)
def test_account_manager_opens_every_add_page(manager_client, model):
    response = manager_client.get(admin_url(model, "add"))

    assert response.status_code == 200


@pytest.mark.parametrize("model", ["payer", "invoice", "payment"])
def test_long_lists_cost_no_more_queries_than_short_ones(manager_client, ledger, tenant, model):
    url = admin_url(model, "changelist")
    with CaptureQueriesContext(connection) as short_list:
        manager_client.get(url)
    for _ in range(10):
        payer = PayerFactory(tenant=tenant)
        InvoiceFactory(payer=payer)
        record_payment(
            tenant=tenant, payer=payer, amount=Decimal("10"), paid_on=datetime.date(2026, 10, 1)
        )

    with CaptureQueriesContext(connection) as long_list:
        manager_client.get(url)

    assert len(long_list) == len(short_list)


@pytest.mark.parametrize("model", SEARCHES)
def test_account_manager_finds_a_row_by_searching(manager_client, ledger, model):
    query = SEARCHES[model](ledger[model])

    response = manager_client.get(admin_url(model, "changelist"), {"q": query})

    assert response.status_code == 200
    assert ledger[model] in response.context["cl"].result_list


def test_list_of_invoices_shows_amounts_with_currency(manager_client, invoice):
    response = manager_client.get(admin_url("invoice", "changelist"))

    assert "1\xa0230,00\xa0zł" in response.content.decode()


def test_outstanding_amount_posted_in_the_change_form_is_ignored(manager_client, invoice):
    url = admin_url("invoice", "change", invoice.pk)
    data = form_data(manager_client.get(url))
    data.update(outstanding_amount="1.00", status="paid", number="FV/7/2026-K")

    response = manager_client.post(url, data)

    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.number == "FV/7/2026-K"
    assert invoice.outstanding_amount == Decimal("1230.00")
    assert invoice.status == Invoice.Status.OPEN


def test_invoice_added_in_admin_is_open_for_its_full_amount(manager_client, tenant, payer):
    response = manager_client.post(
        admin_url("invoice", "add"),
        {
            "tenant": tenant.pk,
            "payer": payer.pk,
            "external_id": "ERP-1",
            "number": "FV/99/2026",
            "kind": "instalment",
            "contract_number": "UL/1",
            "instalment_number": "3",
            "issue_date": "2026-10-01",
            "due_date": "2026-10-15",
            "currency": "PLN",
            "gross_amount": "500.00",
            "monitoring_mode": "program",
        },
    )

    assert response.status_code == 302
    invoice = Invoice.objects.for_tenant(tenant).get(external_id="ERP-1")
    assert (invoice.outstanding_amount, invoice.status) == (Decimal("500.00"), "open")
    assert (invoice.kind, invoice.instalment_number) == ("instalment", 3)


def payment_form(tenant, payer, amount: str, **extra: Any) -> dict[str, Any]:
    return {
        "tenant": tenant.pk,
        "payer": payer.pk,
        "amount": amount,
        "currency": "PLN",
        "paid_on": "2026-10-20",
        "reference": "przelew",
        **extra,
    }


def test_part_payment_added_in_admin_lowers_what_the_invoice_owes(
    manager_client, tenant, payer, invoice
):
    response = manager_client.post(admin_url("payment", "add"), payment_form(tenant, payer, "230"))

    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.outstanding_amount == Decimal("1000.00")
    assert invoice.status == Invoice.Status.PARTIALLY_PAID


def test_full_payment_added_in_admin_marks_the_invoice_paid(manager_client, tenant, payer, invoice):
    manager_client.post(
        admin_url("payment", "add"),
        payment_form(tenant, payer, "1230.00", invoice=invoice.pk),
    )

    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert invoice.paid_on == datetime.date(2026, 10, 20)
    assert invoice.allocations.get().amount == Decimal("1230.00")


def test_payer_is_picked_by_typing_its_name_when_adding_a_payment(manager_client, payer):
    response = manager_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "invoices", "model_name": "payment", "field_name": "payer", "term": "Malin"},
    )

    assert [row["id"] for row in response.json()["results"]] == [str(payer.pk)]


def test_payment_for_another_clients_payer_is_refused_with_a_message(
    manager_client, other_tenant, payer
):
    response = manager_client.post(
        admin_url("payment", "add"), payment_form(other_tenant, payer, "100")
    )

    assert response.status_code == 200
    assert "payer" in response.context["adminform"].form.errors
    assert not Payment.objects.exists()


def test_booked_payment_cannot_be_edited(manager_client, ledger):
    payment = ledger["payment"]
    url = admin_url("payment", "change", payment.pk)

    response = manager_client.post(url, {"amount": "999.00", "reference": "zmiana"})

    assert response.status_code == 403
    payment.refresh_from_db()
    assert (payment.amount, payment.reference) == (Decimal("100.00"), "Zapłata FV/7/2026")


def test_payment_cannot_be_deleted(manager_client, ledger):
    payment = ledger["payment"]

    response = manager_client.post(admin_url("payment", "delete", payment.pk), {"post": "yes"})

    assert response.status_code == 403
    assert Payment.objects.filter(pk=payment.pk).exists()


def test_invoice_cannot_be_deleted(manager_client, invoice):
    response = manager_client.post(admin_url("invoice", "delete", invoice.pk), {"post": "yes"})

    assert response.status_code == 403
    assert Invoice.objects.filter(pk=invoice.pk).exists()


def test_aging_snapshots_cannot_be_added(manager_client, ledger):
    response = manager_client.get(admin_url("agingsnapshot", "add"))

    assert response.status_code == 403


def test_cancel_action_cancels_unpaid_invoices_and_records_the_reason(
    manager_client, payer, invoice
):
    paid = InvoiceFactory(payer=payer, outstanding_amount=Decimal("0.00"), status="paid")

    manager_client.post(
        admin_url("invoice", "changelist"),
        {
            "action": "cancel_selected",
            "_selected_action": [invoice.pk, paid.pk],
            "reason": "Korekta do zera",
        },
    )

    invoice.refresh_from_db()
    paid.refresh_from_db()
    assert (invoice.status, paid.status) == ("cancelled", "paid")
    assert "Korekta do zera" in LogEntry.objects.get(object_id=str(invoice.pk)).change_message


def test_cancel_action_without_a_reason_cancels_nothing(manager_client, invoice):
    manager_client.post(
        admin_url("invoice", "changelist"),
        {"action": "cancel_selected", "_selected_action": [invoice.pk], "reason": ""},
    )

    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OPEN


def test_contact_added_on_the_payer_page_belongs_to_the_payers_client(manager_client, payer):
    url = admin_url("payer", "change", payer.pk)
    data = form_data(manager_client.get(url))
    data.update(
        {
            "contacts-TOTAL_FORMS": "1",
            "contacts-0-kind": "email",
            "contacts-0-value": " Biuro@Malinowski.pl ",
        }
    )

    response = manager_client.post(url, data)

    assert response.status_code == 302
    contact = PayerContact.objects.get(payer=payer)
    assert (contact.tenant, contact.value) == (payer.tenant, "biuro@malinowski.pl")


def test_payer_with_flagged_nip_can_be_marked_do_not_contact(manager_client, tenant):
    payer = PayerFactory(tenant=tenant, nip="1234567890", nip_flagged=True)
    url = admin_url("payer", "change", payer.pk)
    data = form_data(manager_client.get(url))
    data.update(do_not_contact="on", do_not_contact_reason="Upadłość")

    response = manager_client.post(url, data)

    assert response.status_code == 302
    payer.refresh_from_db()
    assert payer.do_not_contact


def test_user_added_in_admin_logs_in_with_the_lowercased_email(manager_client):
    response = manager_client.post(
        admin_url("user", "add"),
        {
            "email": "Jan.Kowalski@Example.com",
            "usable_password": "true",
            "password1": DEFAULT_PASSWORD,
            "password2": DEFAULT_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert User.objects.get(email="jan.kowalski@example.com").check_password(DEFAULT_PASSWORD)


def test_account_manager_cannot_grant_superuser_rights(manager_client, account_manager):
    response = manager_client.get(admin_url("user", "change", account_manager.pk))

    form = response.context["adminform"].form
    assert "is_superuser" not in form.fields
    assert "user_permissions" not in form.fields


def test_account_manager_cannot_reset_a_superusers_password(manager_client, db):
    boss = User.objects.create_superuser("szef@example.com", DEFAULT_PASSWORD)

    response = manager_client.post(
        reverse("admin:auth_user_password_change", args=[boss.pk]),
        {"password1": "new-secret-1234!", "password2": "new-secret-1234!"},
    )

    assert response.status_code == 403
    boss.refresh_from_db()
    assert boss.check_password(DEFAULT_PASSWORD)


def test_client_finance_user_is_refused_the_admin_without_a_login_loop(finance_client):
    response = finance_client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))

    refusal = finance_client.get(response["Location"])
    assert refusal.status_code == 403
