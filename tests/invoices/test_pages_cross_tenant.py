"""A client's pages never show another client's rows: other ids are a 404, lists are scoped."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from invoices.models import Invoice
from tests.factories import DEFAULT_PASSWORD, InvoiceFactory, MembershipFactory, TenantFactory


def test_another_clients_invoice_is_not_found(other_finance_client, tenant):
    theirs = InvoiceFactory(payer__tenant=tenant)

    response = other_finance_client.get(reverse("invoices:detail", args=[theirs.id]))

    assert response.status_code == 404
    assert theirs.number not in response.text


def test_another_clients_payer_is_not_found(other_finance_client, payer):
    response = other_finance_client.get(reverse("invoices:payer_detail", args=[payer.id]))

    assert response.status_code == 404
    assert payer.name not in response.text


def test_the_invoice_list_shows_only_the_clients_own_invoices(
    other_finance_client, tenant, other_tenant
):
    theirs = InvoiceFactory(payer__tenant=tenant, number="FV/A/1")
    own = InvoiceFactory(payer__tenant=other_tenant, number="FV/B/1")

    page = other_finance_client.get(reverse("invoices:list"))
    searched = other_finance_client.get(reverse("invoices:list"), {"q": "FV/A"})

    assert own.number in page.text
    assert theirs.number not in page.text
    assert theirs.payer.name not in page.text
    assert theirs.number not in searched.text


def test_the_payer_list_shows_only_the_clients_own_payers(other_finance_client, payer):
    response = other_finance_client.get(reverse("invoices:payer_list"))

    assert response.status_code == 200
    assert payer.name not in response.text


def test_the_handover_form_cannot_pick_another_clients_payer(
    other_finance_client, other_tenant, payer, handover_data
):
    response = other_finance_client.post(
        reverse("invoices:handover"), {**handover_data, "payer": payer.id, "payer_name": ""}
    )

    assert response.status_code == 200
    assert "payer" in response.context["form"].errors
    assert payer.name not in response.text
    assert not Invoice.objects.filter(payer=payer).exists()
    assert Invoice.objects.for_tenant(other_tenant).count() == 0


def test_an_anonymous_visitor_is_sent_to_log_in(client, tenant):
    invoice = InvoiceFactory(payer__tenant=tenant)

    for url in (
        reverse("invoices:list"),
        reverse("invoices:detail", args=[invoice.id]),
        reverse("invoices:handover"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_a_user_of_two_clients_switches_between_them(tenant, other_tenant):
    membership = MembershipFactory(tenant=tenant)
    MembershipFactory(user=membership.user, tenant=other_tenant)
    in_a = InvoiceFactory(payer__tenant=tenant, number="FV/A/1")
    in_b = InvoiceFactory(payer__tenant=other_tenant, number="FV/B/1")
    browser = Client()
    assert browser.login(email=membership.user.email, password=DEFAULT_PASSWORD)

    to_b = browser.post(reverse("switch_tenant"), {"tenant": other_tenant.id})
    page_of_b = browser.get(reverse("invoices:list"))
    to_a = browser.post(reverse("switch_tenant"), {"tenant": tenant.id})
    page_of_a = browser.get(reverse("invoices:list"))

    assert to_b.status_code == to_a.status_code == 302
    assert in_b.number in page_of_b.text and in_a.number not in page_of_b.text
    assert in_a.number in page_of_a.text and in_b.number not in page_of_a.text


def test_switching_to_a_client_the_user_is_not_a_member_of_is_not_found(finance_client, tenant):
    stranger = TenantFactory()
    InvoiceFactory(payer__tenant=stranger, number="FV/OBCY/1")

    response = finance_client.post(reverse("switch_tenant"), {"tenant": stranger.id})
    page = finance_client.get(reverse("invoices:list"))

    assert response.status_code == 404
    assert "FV/OBCY/1" not in page.text
