"""The payer card: identification and contacts (editable), open invoices with interest to date,
one timeline, the script of the stage."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from agent import services
from agent.models import CallScript
from agent.payer_card import payer_card
from contact_schedule.models import Outcome
from dunning.selectors import invoice_interest
from invoices.models import Invoice
from payers.models import PayerContact
from tenants.selectors import tenant_today
from tests.agent.helpers import call_task, owing_payer
from tests.factories import InvoiceFactory, PaymentFactory


def test_open_invoices_carry_days_overdue_and_interest_to_date(tenant):
    payer, (overdue,) = owing_payer(tenant, amount="4920.00", days_overdue=40)
    today = tenant_today(tenant)
    InvoiceFactory(
        payer=payer, issue_date=today, due_date=today + datetime.timedelta(days=3)
    )  # not due yet
    InvoiceFactory(payer=payer, status=Invoice.Status.PAID, outstanding_amount=Decimal("0"))

    card = payer_card(tenant=tenant, payer=payer)

    assert [line.invoice.due_date for line in card.invoices] == [
        overdue.due_date,
        today + datetime.timedelta(days=3),
    ]
    first, second = card.invoices
    assert first.days_overdue == 40 and second.days_overdue == 0
    expected = invoice_interest(invoice=overdue, until=today).interest_outstanding
    assert first.interest == expected > 0
    assert second.interest == 0
    assert card.total_outstanding == {"PLN": Decimal("4920.00") + second.invoice.outstanding_amount}


def test_the_timeline_puts_tasks_payments_and_outcomes_together_newest_first(tenant):
    payer, invoices = owing_payer(tenant)
    call_task(tenant, payer, invoices)
    PaymentFactory(
        payer=payer,
        amount=Decimal("200.00"),
        paid_on=tenant_today(tenant) - datetime.timedelta(days=3),
    )
    Outcome.objects.create(
        tenant=tenant, payer=payer, kind="note", source="client", note="Klient dzwonił sam"
    )

    kinds = [item.kind for item in payer_card(tenant=tenant, payer=payer).timeline]

    assert sorted(kinds) == ["outcome", "payment", "task"]
    assert kinds[-1] == "payment"


def test_the_overdue_script_is_filled_in_polish(tenant, consultant):
    payer, invoices = owing_payer(tenant, name="Zakład Stolarski Wiśniewski", amount="4920.00")
    task = call_task(tenant, payer, invoices)

    card = payer_card(tenant=tenant, payer=payer, task=task, consultant=consultant)

    assert card.stage == "overdue"
    assert "Zakład Stolarski Wiśniewski" in card.script
    assert "4\u00a0920,00\u00a0zł" in card.script
    assert "Agnieszka Kamińska" in card.script
    assert "{" not in card.script


def test_a_client_of_its_own_script_replaces_the_default_for_its_stage(tenant):
    payer, invoices = owing_payer(tenant, days_overdue=-2)
    task = call_task(tenant, payer, invoices, pre_due=True)
    CallScript.objects.create(
        tenant=tenant,
        stage="pre_due",
        title="Nasz skrypt",
        text="Przypominamy, {payer}. {nieznane}",
    )

    card = payer_card(tenant=tenant, payer=payer, task=task)

    assert card.stage == "pre_due"
    assert card.script == f"Przypominamy, {payer.name}. {{nieznane}}"


def test_the_call_page_shows_invoices_history_and_script(tenant, consultant, consultant_client):
    payer, invoices = owing_payer(tenant, invoices=3)
    call_task(tenant, payer, invoices)
    claim = services.claim_next_call(consultant=consultant)

    page = consultant_client.get(reverse("agent:call", args=[tenant.pk, claim.pk])).content.decode()

    for invoice in invoices:
        assert f'data-invoice="{invoice.number}"' in page
    assert 'id="timeline"' in page and 'id="script"' in page
    assert "Dzień dobry" in page
    # The task in the history says which day of the schedule it is, not a template's code name.
    assert "day +3 of the schedule" in page and "overdue_call" not in page


def card_url(name, payer, *extra):
    return reverse(f"agent:{name}", args=[payer.tenant_id, payer.pk, *extra])


def test_a_consultant_adds_a_phone_in_national_form(tenant, consultant_client):
    payer, _ = owing_payer(tenant, phone=False)

    response = consultant_client.post(
        card_url("add_phone", payer), {"value": "601 234 567", "label": "księgowość"}
    )

    assert response.status_code == 200
    contact = PayerContact.objects.get(payer=payer)
    assert (contact.value, contact.label, contact.is_primary) == (
        "+48601234567",
        "księgowość",
        True,
    )
    assert "+48601234567" in response.content.decode()


def test_a_bad_or_repeated_number_is_refused_with_the_reason(tenant, consultant_client):
    payer, _ = owing_payer(tenant, phone=False)
    consultant_client.post(card_url("add_phone", payer), {"value": "601 234 567"})

    bad = consultant_client.post(card_url("add_phone", payer), {"value": "12"})
    again = consultant_client.post(card_url("add_phone", payer), {"value": "+48 601 234 567"})

    assert 'data-error-for="value"' in bad.content.decode() and "12" in bad.content.decode()
    assert "+48601234567 is already listed." in again.content.decode()
    assert PayerContact.objects.filter(payer=payer).count() == 1


def test_marking_a_number_wrong_and_an_objection(tenant, consultant_client):
    payer, _ = owing_payer(tenant)
    contact = PayerContact.objects.get(payer=payer)

    consultant_client.post(card_url("contact_wrong", payer, contact.pk))
    consultant_client.post(card_url("contact_opt_out", payer, contact.pk))

    contact.refresh_from_db()
    assert contact.is_wrong and contact.opted_out_at is not None
    assert not contact.is_usable


def claimed_on_a_tuesday(tenant, consultant):
    """A Tuesday at 10:00 in the client's zone (inside the call hours whatever day the suite
    runs): a payer's call task of that day, claimed by the consultant, and the payer's number."""
    tuesday = datetime.datetime(2026, 12, 8, 10, 0, tzinfo=tenant.zone)
    payer, invoices = owing_payer(tenant)
    task = call_task(tenant, payer, invoices, now=tuesday)
    task.planned_date = tuesday.date()
    task.save()
    claim = services.claim_next_call(consultant=consultant, now=tuesday)
    return tuesday, payer, task, claim, PayerContact.objects.get(payer=payer).value


def test_dialling_places_a_console_call_and_starts_the_clock(tenant, consultant):
    tuesday, payer, task, claim, number = claimed_on_a_tuesday(tenant, consultant)

    claim = services.start_call(claim=claim, consultant=consultant, number=number, now=tuesday)
    ended = services.end_call(
        claim=claim, consultant=consultant, now=tuesday + datetime.timedelta(seconds=95)
    )

    assert claim.call_reference
    assert ended.talk_seconds == 95
    assert ended.lease_until >= tuesday + datetime.timedelta(minutes=15)
    from dunning.models import Message

    message = Message.objects.get(payer=payer)
    assert (message.channel, message.recipient, message.contact_task_id) == (
        "call",
        number,
        task.pk,
    )
    assert message.consultant == f"client:consultant-{consultant.pk}"


def test_a_call_the_provider_failed_stays_on_record(tenant, consultant, fake_twilio):
    """Twilio answered 500 (the call may ring anyway): the consultant is told, and the call's
    message stays, failed, for the record and for a late status callback."""
    from dunning.models import Message

    tuesday, payer, task, claim, number = claimed_on_a_tuesday(tenant, consultant)
    fake_twilio.fail_next(500)

    with pytest.raises(ValidationError, match="could not be placed"):
        services.start_call(claim=claim, consultant=consultant, number=number, now=tuesday)

    message = Message.objects.get(payer=payer, channel="call")
    assert (message.status, message.contact_task_id) == (Message.Status.FAILED, task.pk)
    claim.refresh_from_db()
    assert claim.call_started_at is None


def test_dialling_a_number_the_payer_objected_to_is_refused(tenant, consultant, consultant_client):
    payer, invoices = owing_payer(tenant)
    call_task(tenant, payer, invoices)
    claim = services.claim_next_call(consultant=consultant)
    contact = PayerContact.objects.get(payer=payer)
    contact.opted_out_at = timezone.now()
    contact.save()

    response = consultant_client.post(
        reverse("agent:dial", args=[tenant.pk, claim.pk]), {"number": contact.value}
    )

    assert response.status_code == 200
    assert 'id="call-error"' in response.content.decode()
    claim.refresh_from_db()
    assert claim.call_started_at is None


def test_only_the_payers_own_usable_numbers_can_be_dialled(tenant, consultant):
    payer, invoices = owing_payer(tenant)
    call_task(tenant, payer, invoices)
    claim = services.claim_next_call(consultant=consultant)

    with pytest.raises(ValidationError) as refused:
        services.start_call(claim=claim, consultant=consultant, number="+48 500 600 700")

    assert "+48500600700 is not a usable number of this payer." in refused.value.messages
    claim.refresh_from_db()
    assert claim.call_started_at is None


def test_totals_and_the_script_keep_currencies_apart(tenant, consultant, consultant_client):
    payer, invoices = owing_payer(tenant, amount="1230.00", invoices=2)
    invoices[1].currency = "EUR"
    invoices[1].gross_amount = invoices[1].outstanding_amount = Decimal("500.00")
    invoices[1].save()

    card = payer_card(tenant=tenant, payer=payer)

    assert card.total_outstanding == {"PLN": Decimal("1230.00"), "EUR": Decimal("500.00")}
    assert "1\xa0230,00\xa0zł + 500,00\xa0EUR" in card.script
    assert "1\xa0730" not in card.script
    page = consultant_client.get(reverse("agent:payer", args=[tenant.pk, payer.pk]))
    assert "PLN\xa01,230.00 + EUR\xa0500.00" in page.content.decode()
