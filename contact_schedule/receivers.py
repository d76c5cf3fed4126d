"""News from dunning (status callbacks, inbound SMS, voice keypresses) turned into outcomes.

Connected in `ContactScheduleConfig.ready()`. The signals carry plain ids; each receiver loads the
rows through the client's scope and calls `record_outcome`. News that no longer fits (a payer
deleted, a number that is not the payer's, a promised date already past) is logged and dropped
rather than failing the webhook that delivered it: the provider would only retry it.
"""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import ValidationError
from django.utils import timezone

from contact_schedule.models import ContactTask, Outcome
from contact_schedule.outcomes import record_outcome
from dunning import signals
from invoices.models import Invoice
from payers.models import Payer
from tenants.models import Tenant

logger = logging.getLogger(__name__)

# A payer who pressed "call me" is called back about an hour later (inside the call window).
CALLBACK_DELAY = datetime.timedelta(hours=1)
RESULT_KINDS = {
    "reached": Outcome.Kind.REACHED,
    "no_answer": Outcome.Kind.NO_ANSWER,
    "voicemail": Outcome.Kind.VOICEMAIL,
    "wrong_number": Outcome.Kind.WRONG_NUMBER,
}


def _load(tenant_id: int, payer_id: int, task_id: int | None):
    tenant = Tenant.objects.filter(pk=tenant_id).first()
    if tenant is None:
        return None
    payer = Payer.objects.for_tenant(tenant).filter(pk=payer_id).first()
    if payer is None:
        return None
    task = None
    if task_id is not None:
        task = ContactTask.objects.for_tenant(tenant).filter(pk=task_id, payer=payer).first()
    return tenant, payer, task


def _record(
    signal_name: str,
    tenant_id: int,
    payer_id: int,
    task_id: int | None,
    *,
    invoice_ids: list[int] | None = None,
    **fields,
) -> Outcome | None:
    loaded = _load(tenant_id, payer_id, task_id)
    if loaded is None:
        logger.warning("%s: no payer %s of client %s", signal_name, payer_id, tenant_id)
        return None
    tenant, payer, task = loaded
    if invoice_ids:
        fields["invoices"] = list(
            Invoice.objects.for_tenant(tenant)
            .filter(payer=payer, pk__in=invoice_ids)
            .order_by("pk")
        )
    try:
        return record_outcome(tenant=tenant, payer=payer, task=task, **fields)
    except ValidationError as error:
        if fields.get("kind") == Outcome.Kind.REFUSED and fields.get("contact_value"):
            # An objection from a number we do not hold for the payer: keep the refusal anyway.
            return _record(
                signal_name, tenant_id, payer_id, task_id, **{**fields, "contact_value": ""}
            )
        logger.warning("%s for payer %s not recorded: %s", signal_name, payer_id, error.messages)
        return None


def on_contact_result(
    sender,
    *,
    tenant_id: int,
    payer_id: int,
    contact_task_id: int | None,
    message_id: int | None,
    channel: str,
    result: str,
    recipient: str,
    occurred_at: datetime.datetime,
    **kwargs,
) -> None:
    kind = RESULT_KINDS.get(result)
    if kind is None:
        logger.warning("contact_result: unknown result %r", result)
        return
    _record(
        "contact_result",
        tenant_id,
        payer_id,
        contact_task_id,
        kind=kind,
        source=Outcome.Source.STATUS,
        contact_value=recipient if kind == Outcome.Kind.WRONG_NUMBER else "",
        message_id=message_id,
        note=f"{channel}: {result}",
    )


def on_inbound_sms(
    sender,
    *,
    tenant_id: int,
    payer_id: int,
    contact_task_id: int | None,
    message_id: int | None,
    intent: str,
    body: str,
    sender_number: str,
    received_at: datetime.datetime,
    **kwargs,
) -> None:
    common = {"source": Outcome.Source.SMS, "message_id": message_id, "note": body}
    if intent == "opt_out":
        # A refusal naming the number blocks it (RODO art. 21 objection): no more SMS to it.
        fields = {"kind": Outcome.Kind.REFUSED, "contact_value": sender_number}
    elif intent == "paid":
        fields = {"kind": Outcome.Kind.ALREADY_PAID}
    else:
        fields = {"kind": Outcome.Kind.NOTE}
    _record("inbound_sms_received", tenant_id, payer_id, contact_task_id, **common, **fields)


def on_voice_answer(
    sender,
    *,
    tenant_id: int,
    payer_id: int,
    contact_task_id: int | None,
    message_id: int | None,
    digit: str,
    meaning: str,
    promise_date: datetime.date | None,
    invoice_ids: list[int],
    occurred_at: datetime.datetime,
    **kwargs,
) -> None:
    common = {"source": Outcome.Source.VOICE, "message_id": message_id, "note": f"digit {digit}"}
    if meaning == "promise":
        fields = {
            "kind": Outcome.Kind.PROMISE,
            "promised_date": promise_date,
            "invoice_ids": invoice_ids,
        }
    elif meaning == "callback":
        fields = {
            "kind": Outcome.Kind.CALLBACK,
            "callback_at": max(occurred_at, timezone.now()) + CALLBACK_DELAY,
        }
    else:
        logger.warning("voice_answer_received: unknown meaning %r", meaning)
        return
    _record("voice_answer_received", tenant_id, payer_id, contact_task_id, **common, **fields)


def on_letter_issued(*, tenant_id: int, contact_task_id: int, **_kwargs) -> None:
    """A letter task's letter is stored: the contact is made, the planner must not carry it on.

    Only a planned task closes; a deferred one was already carried to a later task of the payer,
    which closes when its own letter is issued."""
    ContactTask.objects.filter(
        tenant_id=tenant_id, pk=contact_task_id, state=ContactTask.State.PLANNED
    ).update(state=ContactTask.State.DONE)


def connect() -> None:
    signals.letter_issued.connect(on_letter_issued, dispatch_uid="contact_schedule.letter")
    signals.contact_result.connect(on_contact_result, dispatch_uid="contact_schedule.result")
    signals.inbound_sms_received.connect(on_inbound_sms, dispatch_uid="contact_schedule.sms")
    signals.voice_answer_received.connect(on_voice_answer, dispatch_uid="contact_schedule.voice")
