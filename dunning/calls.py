"""Consultant click-to-call: the agent screen calls `place_consultant_call`.

Twilio rings the consultant first (a phone, or a browser client "client:<identity>"), then bridges
to the payer showing the operator's caller ID; with `record`, the payer first hears that the call
is recorded. The call is a `Message` row (channel "call") like everything that goes out, marked
`sending` in its own transaction before the provider is asked, so it is never placed twice.
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from dunning.channels import SendError, backend_for
from dunning.models import Message
from dunning.outbox.queue import check_recipient, sender_for
from dunning.windows import window_for
from payers.models import Payer
from payers.phones import normalize_phone
from tenants.models import Tenant

BROWSER_CLIENT = re.compile(r"^client:[A-Za-z0-9_.@-]{1,80}$")


def consultant_endpoint(value: str) -> str:
    """A consultant's phone in E.164, or a Twilio browser client 'client:<identity>'."""
    value = (value or "").strip()
    if BROWSER_CLIENT.match(value):
        return value
    try:
        return normalize_phone(value)
    except ValidationError as error:
        raise ValidationError(
            {"consultant": _("Give the consultant's phone number or client:<identity>.")}
        ) from error


def place_consultant_call(
    *,
    tenant: Tenant,
    payer: Payer,
    to: str,
    consultant: str,
    contact_task_id: int | None = None,
    record: bool = False,
    now: datetime.datetime | None = None,
) -> Message:
    """Ring `consultant` and bridge to the payer's number `to`; returns the call's Message.

    Raises ValidationError (field dict) for a number that may not be called (objection, wrong
    number, do-not-contact, another client's payer) or outside the call window; a provider
    failure leaves the Message `failed` with its error and raises ValidationError too.
    """
    if payer.tenant_id != tenant.id:
        raise ValidationError({"payer": _("The payer belongs to another client.")})
    endpoint = consultant_endpoint(consultant)
    recipient = check_recipient(tenant=tenant, payer=payer, channel="call", recipient=to)
    now = now or timezone.now()
    start, end = window_for(tenant=tenant, channel="call", moment=now, payer=payer)
    if not start <= now < end:
        raise ValidationError(
            {
                "to": _("Calls are allowed from %(start)s; it is outside the call hours now.")
                % {"start": start.strftime("%d.%m.%Y %H:%M")}
            }
        )
    message = Message.objects.create(
        tenant=tenant,
        payer=payer,
        contact_task_id=contact_task_id,
        channel="call",
        template_code="consultant_call",
        recipient=recipient,
        sender=sender_for(tenant=tenant, channel="call"),
        consultant=endpoint,
        record=record,
        body=_("Consultant call"),
        status=Message.Status.SENDING,
        attempts=1,
        sending_started_at=timezone.now(),
        not_before=start,
        not_after=end,
        due_at=now,
        invoice_ids=[],
    )
    try:
        result = backend_for("call").send(message)
    except SendError as error:
        Message.objects.filter(pk=message.pk).update(
            status=Message.Status.FAILED, error_code=error.code, error_message=str(error)[:500]
        )
        raise ValidationError(
            {"to": _("The call could not be placed: %(error)s") % {"error": error}}
        ) from error
    Message.objects.filter(pk=message.pk, status=Message.Status.SENDING).update(
        status=Message.Status.SENT,
        provider_sid=result.sid,
        provider_status=result.status,
        sent_at=timezone.now(),
    )
    message.refresh_from_db()
    return message
