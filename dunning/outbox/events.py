"""What the provider tells us afterwards: delivery statuses, keypress answers, inbound SMS.

Each function is safe to run twice with the same input (Twilio retries webhooks, an attacker may
replay a signed one): statuses only move forward, a keypress and an inbound SMS are stored once,
and each signal up to the contact schedule is sent once per message.
"""

from __future__ import annotations

import contextlib
import logging
import re
import unicodedata

from django.db import IntegrityError, transaction
from django.utils import timezone

from dunning import signals
from dunning.models import Message
from payers.models import PayerContact
from payers.phones import normalize_phone

logger = logging.getLogger("dunning.outbox")
Status = Message.Status

# Twilio's MessageStatus / CallStatus in our states.
STATUS_MAP = {
    "accepted": Status.SENT,
    "scheduled": Status.SENT,
    "queued": Status.SENT,
    "sending": Status.SENT,
    "sent": Status.SENT,
    "initiated": Status.SENT,
    "ringing": Status.SENT,
    "in-progress": Status.SENT,
    "delivered": Status.DELIVERED,
    "read": Status.DELIVERED,
    "completed": Status.DELIVERED,
    "undelivered": Status.UNDELIVERED,
    "busy": Status.UNDELIVERED,
    "no-answer": Status.UNDELIVERED,
    "failed": Status.FAILED,
    "canceled": Status.CANCELED,
}
RANK = {Status.QUEUED: 0, Status.SENDING: 1, Status.SENT: 2}
FINAL_RANK = 3
# Twilio error codes that mean the number itself is wrong (not merely unreachable today).
WRONG_NUMBER_CODES = {
    "21211",
    "21214",
    "21217",
    "21612",
    "21614",
    "30005",
    "30006",
    "13223",
    "13224",
    "recipient_refused",
}

OPT_OUT_WORDS = {
    "STOP", "STOP SMS", "STOPSMS", "STOP ALL", "STOPALL", "NIE", "NIE DZWON", "NIE PISZ",
    "REZYGNUJE", "REZYGNACJA", "WYPISZ", "WYPISZ MNIE", "UNSUBSCRIBE", "CANCEL", "END", "QUIT",
}  # fmt: skip
PAID = re.compile(r"\b(ZAPLACON\w*|ZAPLACIL\w*|OPLACON\w*|OPLACIL\w*|SPLACON\w*|PRZELEW POSZEDL)")
NEGATED_PAID = re.compile(r"\bNIE (ZAPLACIL|OPLACIL|ZAPLACON|OPLACON)")


def _rank(status: str) -> int:
    return RANK.get(status, FINAL_RANK)


def record_status(*, message: Message, params: dict[str, str]) -> Message:
    """A status callback: the message moves forward (never back) and keeps the provider's SID."""
    provider_status = params.get("MessageStatus") or params.get("CallStatus") or ""
    new_status = STATUS_MAP.get(provider_status)
    sid = params.get("MessageSid") or params.get("CallSid") or ""
    fields: dict = {"provider_status": provider_status, "updated_at": timezone.now()}
    if params.get("AnsweredBy"):
        fields["answered_by"] = params["AnsweredBy"][:30]
    if params.get("ErrorCode"):
        fields["error_code"] = params["ErrorCode"][:20]
    if not message.provider_sid and sid:
        fields["provider_sid"] = sid[:64]
    earlier = [
        status
        for status in (*RANK, *Message.FINAL_STATUSES)
        if _rank(status) < _rank(new_status or "")
    ]
    with transaction.atomic():
        moved = 0
        if new_status is not None and earlier:
            moved = Message.objects.filter(pk=message.pk, status__in=earlier).update(
                status=new_status,
                **fields,
                **({"sent_at": timezone.now()} if message.sent_at is None else {}),
                **({"delivered_at": timezone.now()} if new_status == Status.DELIVERED else {}),
            )
        if not moved and "provider_sid" in fields:
            Message.objects.filter(pk=message.pk, provider_sid="").update(
                provider_sid=fields["provider_sid"]
            )
    if moved and new_status in Message.FINAL_STATUSES:
        report_result_if_final(message_id=message.pk)
    message.refresh_from_db()
    return message


def contact_result_of(message: Message) -> str | None:
    """What a final message says about the contact, in the signal's words."""
    if message.status == Status.DELIVERED:
        if message.channel == "voice" and message.answered_by.startswith("machine"):
            return "voicemail"
        return "reached"
    if message.status in (Status.UNDELIVERED, Status.FAILED):
        return "wrong_number" if message.error_code in WRONG_NUMBER_CODES else "no_answer"
    return None  # canceled by us: nothing was tried


def report_result_if_final(*, message_id: int) -> bool:
    """Send `contact_result` once for a message that reached a final state.

    Consultant calls are left out: the consultant records the outcome on the agent screen.
    """
    message = Message.objects.select_related("payer").get(pk=message_id)
    result = contact_result_of(message)
    if result is None or message.channel == "call" or message.direction != "outbound":
        return False
    now = timezone.now()
    try:
        # The mark and the receivers' writes commit together: if a receiver fails, the result is
        # still unreported and the hourly reconciliation (`statuses`) reports it again.
        with transaction.atomic():
            claimed = Message.objects.filter(pk=message_id, result_reported_at__isnull=True).update(
                result_reported_at=now
            )
            if not claimed:
                return False
            signals.contact_result.send(
                sender=__name__,
                tenant_id=message.tenant_id,
                payer_id=message.payer_id,
                contact_task_id=message.contact_task_id,
                message_id=message.pk,
                channel=message.channel,
                result=result,
                recipient=message.recipient,
                occurred_at=now,
            )
    except Exception:
        logger.exception("contact result of message %s not taken; retried hourly", message_id)
        return False
    return True


def record_voice_answer(*, message: Message, digit: str) -> str | None:
    """A keypress after a voice message: 1 confirms payment by the offered date, 2 asks for a
    consultant. Returns the meaning, or None for a key that means nothing (nothing recorded)."""
    meaning = {"1": "promise", "2": "callback"}.get(digit)
    if meaning == "promise" and message.promise_date is None:
        meaning = None
    if meaning is None:
        return None
    with transaction.atomic():
        stored = Message.objects.filter(pk=message.pk, answer_digit="").update(answer_digit=digit)
        if not stored:
            return meaning
        signals.voice_answer_received.send(
            sender=__name__,
            tenant_id=message.tenant_id,
            payer_id=message.payer_id,
            contact_task_id=message.contact_task_id,
            message_id=message.pk,
            digit=digit,
            meaning=meaning,
            promise_date=message.promise_date if meaning == "promise" else None,
            invoice_ids=list(message.invoice_ids),
            occurred_at=timezone.now(),
        )
    return meaning


def normalize_text(text: str) -> str:
    """Upper case, no diacritics (ł too), no punctuation: 'Zapłaciłem!' → 'ZAPLACILEM'."""
    text = text.replace("ł", "l").replace("Ł", "L")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^A-Za-z0-9 ]+", " ", text).upper().split())


def sms_intent(body: str) -> str:
    """opt_out (STOP-type keywords), paid ("zapłaciłem", "ZAPŁACONE"…) or note (anything else)."""
    text = normalize_text(body)
    if text in OPT_OUT_WORDS or text.startswith("STOP "):
        return "opt_out"
    if PAID.search(text) and not NEGATED_PAID.search(text):
        return "paid"
    return "note"


def _our_senders(params: dict[str, str]) -> list[str]:
    """The senders an inbound SMS answers: the number it was sent to (as given and in E.164) and
    the messaging service that number belongs to."""
    senders = {params.get("To", ""), params.get("MessagingServiceSid", "")}
    with contextlib.suppress(Exception):  # not a phone number (a short code, say): as given
        senders.add(normalize_phone(params.get("To", "")))
    return [sender for sender in senders if sender]


def record_inbound_sms(*, params: dict[str, str]) -> Message | None:
    """Store an inbound SMS once (by its SID) and announce it with its intent.

    It belongs to the payer we last wrote to from the number (or messaging service) it was sent
    to; without one, to the only payer with that number. Otherwise it cannot be attributed and is
    left out (None). A reply is never attributed by recency alone: clients with their own senders
    text the same debtor, and a reply to one must not land with the other.
    """
    sid = params.get("MessageSid") or params.get("SmsSid") or ""
    try:
        number = normalize_phone(params.get("From", ""))
    except Exception:  # noqa: BLE001  (ValidationError or a parse error: not a phone number)
        return None
    if not sid:
        return None
    existing = Message.objects.filter(provider_sid=sid).first()
    if existing:
        return existing
    last = (
        Message.objects.filter(
            recipient=number, direction="outbound", channel="sms", sender__in=_our_senders(params)
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if last:
        tenant_id, payer_id, task_id, answers = (
            last.tenant_id,
            last.payer_id,
            last.contact_task_id,
            last.pk,
        )
    else:
        owners = list(
            PayerContact.objects.filter(value=number).values_list("tenant_id", "payer_id")[:2]
        )
        if len(owners) != 1:
            return None
        (tenant_id, payer_id), task_id, answers = owners[0], None, None
    body = params.get("Body", "")[:1600]
    try:
        # Stored and announced together: a receiver that fails leaves nothing stored, and the
        # webhook answers 503 so that Twilio sends the SMS again.
        with transaction.atomic():
            message = Message.objects.create(
                tenant_id=tenant_id,
                payer_id=payer_id,
                contact_task_id=task_id,
                channel="sms",
                direction="inbound",
                recipient=params.get("To", "")[:254],
                sender=number,
                body=body,
                status=Status.RECEIVED,
                provider_sid=sid[:64],
                provider_status="received",
            )
            signals.inbound_sms_received.send(
                sender=__name__,
                tenant_id=tenant_id,
                payer_id=payer_id,
                contact_task_id=task_id,
                message_id=answers,
                intent=sms_intent(body),
                body=body,
                sender_number=number,
                received_at=message.created_at,
            )
    except IntegrityError:
        return Message.objects.filter(provider_sid=sid).first()  # a replay raced us
    return message
