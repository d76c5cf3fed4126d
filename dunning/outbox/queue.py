"""Putting a message in the outbox: recipient checked, sender chosen, contact window attached."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dunning.models import Message, MessageChannel, SenderIdentity
from dunning.sms_text import sms_segments
from dunning.windows import window_for
from payers.models import Payer, PayerContact
from payers.phones import normalize_phone
from tenants.models import Tenant

PHONE_CHANNELS = ("sms", "voice", "call")


def sender_for(*, tenant: Tenant, channel: str) -> str:
    """Who the message comes from: the client's identity, else the operator's settings.

    For SMS a messaging-service SID (MG…) is preferred to a number or alphanumeric ID at each level.
    """
    identity = SenderIdentity.objects.for_tenant(tenant).first()
    if channel == "sms":
        choices = [settings.TWILIO_MESSAGING_SERVICE_SID, settings.TWILIO_FROM]
        if identity:
            choices = [identity.messaging_service_sid, identity.sms_sender, *choices]
    elif channel == "email":
        choices = [identity.email_from if identity else "", settings.DEFAULT_FROM_EMAIL]
    else:
        choices = [identity.caller_id if identity else "", settings.TWILIO_CALLER_ID]
    return next((choice for choice in choices if choice), "")


def check_recipient(*, tenant: Tenant, payer: Payer, channel: str, recipient: str) -> str:
    """The recipient in its stored form; ValidationError when it may not (or cannot) be used."""
    if payer.do_not_contact:
        raise ValidationError({"payer": _("This payer must not be contacted.")})
    try:
        if channel in PHONE_CHANNELS:
            recipient = normalize_phone(recipient)
        else:
            recipient = recipient.strip().lower()
            validate_email(recipient)
    except ValidationError as error:
        raise ValidationError({"recipient": error.messages}) from error
    contact = PayerContact.objects.for_tenant(tenant).filter(payer=payer, value=recipient).first()
    if contact and contact.is_wrong:
        raise ValidationError({"recipient": _("%(value)s is marked wrong.") % {"value": recipient}})
    if contact and contact.opted_out_at:
        raise ValidationError(
            {"recipient": _("The payer objected to contact at %(value)s.") % {"value": recipient}}
        )
    return recipient


def enqueue_message(
    *,
    tenant: Tenant,
    payer: Payer,
    channel: str,
    recipient: str,
    body: str,
    subject: str = "",
    template_code: str = "",
    contact_task_id: int | None = None,
    attachments: Sequence[str] = (),
    promise_date: datetime.date | None = None,
    invoice_ids: Sequence[int] = (),
    now: datetime.datetime | None = None,
) -> Message:
    """Queue one message; the dispatcher sends it inside the channel's next contact window.

    Idempotent for a contact task: the second call returns the first call's row.
    """
    if channel not in MessageChannel.values:
        raise ValidationError({"channel": _("Unknown channel %(value)r.") % {"value": channel}})
    if payer.tenant_id != tenant.id:
        raise ValidationError({"payer": _("The payer belongs to another client.")})
    if not body.strip():
        raise ValidationError({"body": _("The message is empty.")})
    if contact_task_id is not None:
        existing = (
            Message.objects.for_tenant(tenant)
            .filter(contact_task_id=contact_task_id, channel=channel, direction="outbound")
            .first()
        )
        if existing:
            return existing
    recipient = check_recipient(tenant=tenant, payer=payer, channel=channel, recipient=recipient)
    now = now or timezone.now()
    try:
        start, end = window_for(tenant=tenant, channel=channel, moment=now, payer=payer)
    except LookupError as error:
        raise ValidationError(
            {"channel": _("No contact window is set for %(channel)s.") % {"channel": channel}}
        ) from error
    message = Message(
        tenant=tenant,
        payer=payer,
        contact_task_id=contact_task_id,
        channel=channel,
        template_code=template_code,
        recipient=recipient,
        sender=sender_for(tenant=tenant, channel=channel),
        subject=subject,
        body=body,
        attachments=list(attachments),
        promise_date=promise_date,
        invoice_ids=list(invoice_ids),
        segments=sms_segments(body).segments if channel == "sms" else None,
        not_before=start,
        not_after=end,
        due_at=max(start, now),
    )
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        # Another worker queued the same contact task's message in between.
        return Message.objects.for_tenant(tenant).get(
            contact_task_id=contact_task_id, channel=channel, direction="outbound"
        )
    return message
