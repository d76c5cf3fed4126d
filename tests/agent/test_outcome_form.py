"""Each outcome posted on the agent screen changes the schedule as `record_outcome` defines."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from agent import services
from agent.models import CallClaim
from agent.selectors import Band, worklist
from contact_schedule.models import CollectionCase, ContactTask, Hold, Outcome
from contact_schedule.windows import window_at_or_after
from payers.models import PayerContact
from tenants.selectors import tenant_today
from tests.agent.helpers import call_task, logged_in, owing_payer
from tests.factories import PayerContactFactory


@pytest.fixture
def held(tenant, consultant):
    """The consultant's call: a payer with two overdue invoices and one phone."""
    payer, invoices = owing_payer(tenant, amount="2460.00", invoices=2)
    task = call_task(tenant, payer, invoices)
    claim = services.claim_next_call(consultant=consultant)
    assert claim.task == task
    return claim


def post_outcome(client, claim, **data):
    return client.post(reverse("agent:outcome", args=[claim.tenant_id, claim.pk]), data)


def local_input(moment: datetime.datetime, tenant) -> str:
    return timezone.localtime(moment, tenant.zone).strftime("%Y-%m-%dT%H:%M")


def outcome_of(claim) -> Outcome:
    return Outcome.objects.get(task=claim.task)


def assert_done(claim, kind: str) -> None:
    claim.refresh_from_db()
    assert claim.ending == CallClaim.Ending.OUTCOME and claim.outcome_kind == kind
    assert claim.released_at is not None


def test_promise_pauses_the_invoices_until_the_promised_date(tenant, consultant_client, held):
    promised = tenant_today(tenant) + datetime.timedelta(days=5)
    first_invoice = held.task.invoices.order_by("id").first()

    response = post_outcome(
        consultant_client,
        held,
        kind="promise",
        promised_date=promised.isoformat(),
        promised_amount="1230.00",
        invoices=[first_invoice.pk],
        note="Zapłaci przelewem",
    )

    assert response.status_code == 302 and response.url == reverse("agent:worklist")
    outcome = outcome_of(held)
    assert (outcome.kind, outcome.source, outcome.promised_date) == ("promise", "agent", promised)
    assert str(outcome.promised_amount) == "1230.00" and outcome.note == "Zapłaci przelewem"
    assert list(outcome.invoices.all()) == [first_invoice]
    hold = Hold.objects.get(outcome=outcome)
    assert (hold.kind, hold.invoice) == (Hold.Kind.PROMISE, first_invoice)
    assert hold.ends_on > promised
    held.task.refresh_from_db()
    assert held.task.state == ContactTask.State.DONE and held.task.responded_at is not None
    assert_done(held, "promise")
    assert str(CallClaim.objects.get(pk=held.pk).promised_amount) == "1230.00"


def test_a_polish_consultant_types_the_amount_with_a_decimal_comma(tenant, consultant, held):
    client = logged_in(consultant, language="pl")
    promised = tenant_today(tenant) + datetime.timedelta(days=1)

    response = post_outcome(
        client, held, kind="promise", promised_date=promised.isoformat(), promised_amount="1230,50"
    )

    assert response.status_code == 302
    assert str(outcome_of(held).promised_amount) == "1230.50"


def test_dispute_pauses_the_invoices_and_flags_them_to_the_client(consultant_client, held):
    response = post_outcome(
        consultant_client,
        held,
        kind="dispute",
        dispute_category="quality",
        description="Towar uszkodzony w transporcie",
    )

    assert response.status_code == 302
    outcome = outcome_of(held)
    assert outcome.dispute_state == Outcome.DisputeState.OPEN
    assert outcome.description == "Towar uszkodzony w transporcie"
    assert Hold.objects.filter(outcome=outcome, kind=Hold.Kind.DISPUTE).count() == 2
    assert_done(held, "dispute")


def test_already_paid_waits_for_the_payment(tenant, consultant_client, held):
    paid_on = tenant_today(tenant) - datetime.timedelta(days=1)

    post_outcome(
        consultant_client, held, kind="already_paid", claimed_paid_date=paid_on.isoformat()
    )

    outcome = outcome_of(held)
    assert outcome.claimed_paid_date == paid_on
    assert Hold.objects.filter(outcome=outcome, kind=Hold.Kind.ALREADY_PAID).count() == 2
    assert_done(held, "already_paid")


def test_callback_puts_the_call_back_on_the_list_at_its_time(
    tenant, consultant, consultant_client, held
):
    at = (timezone.now() + datetime.timedelta(minutes=30)).replace(second=0, microsecond=0)
    # Outside the call hours the callback moves to the next window (schedule_callback).
    start, _end = window_at_or_after(tenant=tenant, channel="call", moment=at)
    expected = max(at, start)

    response = post_outcome(
        consultant_client, held, kind="callback", callback_at=local_input(at, tenant)
    )

    assert response.status_code == 302
    task = ContactTask.objects.get(payer=held.payer, callback_at__isnull=False)
    assert task.state == ContactTask.State.PLANNED and task.callback_at == expected
    (row,) = worklist(user=consultant, now=expected - datetime.timedelta(minutes=1))
    assert row.task == task and row.band == Band.LATER and not row.takeable
    (row,) = worklist(user=consultant, now=expected + datetime.timedelta(minutes=1))
    assert row.band == Band.CALLBACK and row.takeable
    assert_done(held, "callback")


def test_wrong_number_is_never_used_again(tenant, consultant_client, held):
    PayerContactFactory(payer=held.payer, value="+48601999888")
    number = PayerContact.objects.filter(payer=held.payer).order_by("id").first()

    post_outcome(consultant_client, held, kind="wrong_number", contact_value=number.value)

    number.refresh_from_db()
    assert number.is_wrong
    assert not CollectionCase.objects.filter(payer=held.payer).exists()  # another number left
    assert_done(held, "wrong_number")


def test_wrong_last_number_sends_the_payer_to_collection(consultant_client, held):
    number = PayerContact.objects.get(payer=held.payer)

    post_outcome(consultant_client, held, kind="wrong_number", contact_value=number.value)

    assert CollectionCase.objects.get(payer=held.payer).reason == "no_contact_data"


@pytest.mark.parametrize("kind", ["no_answer", "voicemail"])
def test_unanswered_call_leaves_the_task_open_for_a_later_attempt(
    consultant, consultant_client, held, kind
):
    response = post_outcome(consultant_client, held, kind=kind)

    assert response.status_code == 302
    assert outcome_of(held).kind == kind
    task = ContactTask.objects.get(pk=held.task.pk)
    assert task.state == ContactTask.State.PLANNED and task.responded_at is None
    assert_done(held, kind)
    (row,) = worklist(user=consultant)
    assert row.band == Band.LATER and not row.takeable
    assert services.claim_next_call(consultant=consultant) is None


def test_refused_closes_the_task_without_blocking_the_number(consultant_client, held):
    number = PayerContact.objects.get(payer=held.payer)

    post_outcome(
        consultant_client, held, kind="refused", contact_value=number.value, note="Nie zapłaci"
    )

    number.refresh_from_db()
    assert number.opted_out_at is None
    assert ContactTask.objects.get(pk=held.task.pk).state == ContactTask.State.DONE
    assert outcome_of(held).note == "Nie zapłaci"
    assert_done(held, "refused")


def test_refused_with_an_objection_opts_the_number_out(consultant_client, held):
    number = PayerContact.objects.get(payer=held.payer)

    post_outcome(
        consultant_client, held, kind="refused", contact_value=number.value, objection="on"
    )

    number.refresh_from_db()
    assert number.opted_out_at is not None
    assert outcome_of(held).contact_value == number.value


def test_a_promise_without_a_date_is_refused_with_a_specific_error(consultant_client, held):
    response = post_outcome(consultant_client, held, kind="promise", promised_amount="100")

    assert response.status_code == 400
    assert "Say when the payer promised to pay." in response.content.decode()
    assert not Outcome.objects.exists()
    held.refresh_from_db()
    assert held.released_at is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "teleport"}, "Select a valid choice"),
        ({"kind": "promise", "promised_date": "jutro"}, "Enter a valid date"),
        ({"kind": "promise", "promised_date": "2026-01-01"}, "has already passed"),
        (
            {"kind": "promise", "promised_date": "", "promised_amount": "-5"},
            "greater than or equal to 0.01",
        ),
        ({"kind": "callback", "callback_at": "2020-01-01T10:00"}, "already passed"),
        ({"kind": "dispute"}, "Choose what the dispute is about."),
        ({"kind": "wrong_number", "contact_value": "+48000"}, "Select a valid choice"),
        (
            {"kind": "promise", "promised_date": "2099-01-01", "invoices": ["999999"]},
            "Select a valid choice",
        ),
    ],
)
def test_bad_input_says_what_is_wrong_and_changes_nothing(consultant_client, held, data, message):
    response = post_outcome(consultant_client, held, **data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Outcome.objects.exists()
    assert ContactTask.objects.get(pk=held.task.pk).state == ContactTask.State.PLANNED


def test_an_expired_lease_cannot_record_an_outcome(tenant, consultant_client, held):
    CallClaim.objects.filter(pk=held.pk).update(lease_until=timezone.now())

    response = post_outcome(consultant_client, held, kind="no_answer")

    assert response.status_code == 400
    assert "no longer yours" in response.content.decode()
    assert not Outcome.objects.exists()
