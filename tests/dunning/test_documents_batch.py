"""A day's letters: contact tasks of the letter channels become render jobs; the batch counts
them, a rerun renders nothing new, a failure is counted with its reason; `render_letters`."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from contact_schedule.letters import letter_jobs, render_day_letters
from contact_schedule.models import ContactTask
from contact_schedule.planner import plan_day
from dunning.models import Document
from tests.contact_schedule.helpers import client_schedule
from tests.dunning import letters
from tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned_day():
    """A client whose schedule sends a second demand 10 days after the due date, and two payers
    with an invoice due on 24 Nov (one of them also owes an older one): two letters on DAY."""
    tenant = letters.client(slug="hurtownia")
    letters.store_nbp_rates()
    client_schedule(
        tenant,
        [
            {
                "offset_days": 10,
                "channel": "demand_letter",
                "message_template": "second_demand",
            }
        ],
    )
    payers = [letters.debtor(tenant, external_id=f"P{n}") for n in (1, 2)]
    for n, payer in enumerate(payers):
        InvoiceFactory(
            payer=payer,
            number=f"FV/3{n}/2026",
            issue_date=datetime.date(2026, 11, 10),
            due_date=datetime.date(2026, 11, 24),
            gross_amount=Decimal("2460.00"),
        )
    InvoiceFactory(
        payer=payers[0],
        number="FV/9/2026",
        issue_date=datetime.date(2026, 9, 1),
        due_date=datetime.date(2026, 9, 15),
        gross_amount=Decimal("500.00"),
    )
    result = plan_day(tenant=tenant, day=letters.DAY)
    assert result.tasks_created == 2
    return tenant, payers


def test_the_days_letter_tasks_become_jobs_with_their_invoices(planned_day):
    tenant, payers = planned_day

    jobs = letter_jobs(tenant=tenant, day=letters.DAY)

    assert sorted(job.payer_id for job in jobs) == sorted(payer.pk for payer in payers)
    assert {job.kind for job in jobs} == {"second_demand"}
    assert all(job.contact_task_id and job.schedule_step_id for job in jobs)
    assert all(len(job.invoice_ids) == 1 for job in jobs)  # the task's invoice, not FV/9/2026


def test_a_letter_the_limits_deferred_waits_for_the_task_that_carries_it(planned_day):
    tenant, payers = planned_day
    ContactTask.objects.for_tenant(tenant).filter(payer=payers[0]).update(
        state=ContactTask.State.DEFERRED,
        deferred_reason=ContactTask.DeferralReason.CONTACTS_PER_WEEK,
    )

    jobs = letter_jobs(tenant=tenant, day=letters.DAY)

    assert [job.payer_id for job in jobs] == [payers[1].pk]


def test_render_here_counts_and_a_rerun_renders_nothing_new(planned_day):
    tenant, _payers = planned_day
    seen = []

    batch = render_day_letters(
        tenant=tenant, day=letters.DAY, enqueue=False, on_progress=lambda b: seen.append(b.done)
    )
    rerun = render_day_letters(tenant=tenant, day=letters.DAY, enqueue=False)

    assert seen == [1, 2]
    assert batch.is_finished and (batch.total, batch.rendered, batch.failed) == (2, 2, 0)
    assert rerun.pk == batch.pk and (rerun.rendered, rerun.already_rendered) == (0, 2)
    documents = Document.objects.for_tenant(tenant)
    assert documents.count() == 2
    assert all(document.contact_task_id for document in documents)
    assert all(document.kind == "second_demand" for document in documents)


def test_an_issued_letter_closes_its_task_so_the_next_day_does_not_send_it_again(planned_day):
    tenant, payers = planned_day
    InvoiceFactory._meta.model.objects.for_tenant(tenant).filter(payer=payers[1]).update(
        outstanding_amount=0, status="paid", paid_on=letters.DAY
    )

    render_day_letters(tenant=tenant, day=letters.DAY, enqueue=False)
    tasks = ContactTask.objects.for_tenant(tenant).filter(planned_date=letters.DAY)
    states = {task.payer_id: task.state for task in tasks}
    next_day = plan_day(tenant=tenant, day=letters.DAY + datetime.timedelta(days=1))

    # P1's letter went out; P2's could not be made (paid), so its contact is still owed.
    assert states == {payers[0].pk: "done", payers[1].pk: "planned"}
    carried = ContactTask.objects.for_tenant(tenant).filter(planned_date__gt=letters.DAY)
    assert next_day.tasks_created == carried.count()
    assert not carried.filter(payer=payers[0]).exists()


def test_a_letter_that_cannot_be_made_is_counted_with_its_reason(planned_day):
    tenant, payers = planned_day
    InvoiceFactory._meta.model.objects.for_tenant(tenant).filter(payer=payers[1]).update(
        outstanding_amount=0, status="paid", paid_on=letters.DAY
    )

    batch = render_day_letters(tenant=tenant, day=letters.DAY, enqueue=False)

    assert batch.is_finished and (batch.rendered, batch.failed) == (1, 1)
    [error] = batch.errors
    assert error["payer_id"] == payers[1].pk
    assert "P2 has no overdue unpaid invoice" in error["error"]


def test_render_letters_command_shows_progress_and_a_summary(planned_day):
    out = io.StringIO()

    call_command("render_letters", tenant="hurtownia", date="2026-12-04", stdout=out)

    text = out.getvalue()
    assert "2/2" in text and "2 letters · rendered 2 · rendered before 0 · failed 0" in text


def test_render_letters_command_refuses_bad_input(planned_day):
    with pytest.raises(CommandError, match="No client with the slug 'nobody'"):
        call_command("render_letters", tenant="nobody", date="2026-12-04")
    with pytest.raises(CommandError, match="expected YYYY-MM-DD"):
        call_command("render_letters", tenant="hurtownia", date="04.12.2026")


def test_the_nightly_hook_queues_the_days_letters_after_commit(
    planned_day, django_capture_on_commit_callbacks
):
    from contact_schedule.tasks import render_client_letters
    from dunning.models import LetterBatch

    tenant, _payers = planned_day

    # Not executed here: the fan-out to the documents queue is the worker test's subject.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        letters_count = render_client_letters(tenant.pk, "2026-12-04")

    assert letters_count == 2 and len(callbacks) == 1
    batch = LetterBatch.objects.for_tenant(tenant).get(day=letters.DAY)
    assert (batch.total, batch.done, batch.is_finished) == (2, 0, False)
