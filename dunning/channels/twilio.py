"""The Twilio backends: SMS, voice messages and consultant calls, through the real `twilio` client.

Every request carries the message's token in its status-callback URL, so each webhook names the
outbox row it is about. `find_sent` lists the recipient's newest messages or calls at Twilio and
matches ours: the same text (SMS) or the same caller (calls), created after we started sending.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import requests
from django.conf import settings
from django.urls import reverse
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from dunning.channels import PermanentSendError, ProviderResult, TransientSendError
from dunning.models import Message

# Twilio keeps the newest first; what we may have sent is among the last few to that number.
RECONCILE_LOOKBACK = 20
# Clocks differ between us and Twilio; a little slack keeps a just-created message in view.
CLOCK_SLACK = datetime.timedelta(minutes=5)


@functools.lru_cache(maxsize=4)
def _client(account_sid: str, auth_token: str, base_url: str, timeout: float) -> Client:
    client = Client(account_sid, auth_token, http_client=TwilioHttpClient(timeout=timeout))
    if base_url:
        client.api.base_url = base_url.rstrip("/")
    return client


def twilio_client() -> Client:
    """One client per process and configuration: it keeps its HTTP connections open."""
    return _client(
        settings.TWILIO_ACCOUNT_SID,
        settings.TWILIO_AUTH_TOKEN,
        settings.TWILIO_API_BASE_URL,
        settings.TWILIO_HTTP_TIMEOUT,
    )


@functools.lru_cache(maxsize=16)
def _webhook_path(name: str) -> str:
    return reverse(f"twilio:{name}")


def webhook_url(name: str, message: Message) -> str:
    """The public URL of one of our Twilio webhooks, carrying the message's token."""
    base = (settings.TWILIO_WEBHOOK_BASE_URL or settings.PUBLIC_BASE_URL).rstrip("/")
    return f"{base}{_webhook_path(name)}?m={message.token.hex}"


def _provider_call(call: Callable[[], Any]) -> Any:
    """Run a client call, turning its failures into the outbox's two kinds of error."""
    try:
        return call()
    except TwilioRestException as error:
        code = str(error.code or error.status)
        if error.status == 429:
            raise TransientSendError(error.msg, code=code) from error
        if error.status >= 500:
            raise TransientSendError(error.msg, code=code, ambiguous=True) from error
        raise PermanentSendError(error.msg, code=code) from error
    except TwilioException as error:
        # A list page that did not come back 200 carries the response instead of a REST error.
        response = error.args[1] if len(error.args) > 1 else None
        status = getattr(response, "status_code", 0)
        if 400 <= status < 500 and status != 429:
            raise PermanentSendError(str(error.args[0]), code=str(status)) from error
        raise TransientSendError(
            str(error.args[0]), code=str(status or "provider"), ambiguous=True
        ) from error
    except (requests.RequestException, OSError) as error:
        raise TransientSendError(str(error)[:400], code="network", ambiguous=True) from error


def _price(value: Any) -> Decimal | None:
    try:
        return abs(Decimal(str(value))) if value not in (None, "") else None
    except InvalidOperation:
        return None


def _is_messaging_service(sender: str) -> bool:
    return sender.startswith("MG") and len(sender) == 34


def _recent(resources: list, since: datetime.datetime | None) -> list:
    if since is None:
        return resources
    return [r for r in resources if r.date_created is None or r.date_created >= since - CLOCK_SLACK]


def _not_held_by_others(resources: list[Any], message: Message) -> list[Any]:
    """The provider's resources no other message of ours already owns. A reconciled message
    takes the first resource that looks like it (same number, same body or caller ID): two
    clients calling one debtor from the operator's caller ID look alike, and one must never be
    marked sent with the other's call (it would not be placed, and the SID is unique)."""
    resources = list(resources)
    held = set(
        Message.objects.filter(provider_sid__in=[resource.sid for resource in resources])
        .exclude(pk=message.pk)
        .values_list("provider_sid", flat=True)
    )
    return [resource for resource in resources if resource.sid not in held]


class TwilioSms:
    def send(self, message: Message) -> ProviderResult:
        sender = message.sender
        sender_kwargs = (
            {"messaging_service_sid": sender}
            if _is_messaging_service(sender)
            else {"from_": sender}
        )
        created = _provider_call(
            lambda: twilio_client().messages.create(
                to=message.recipient,
                body=message.body,
                status_callback=webhook_url("status", message),
                **sender_kwargs,
            )
        )
        return self._result(created)

    def find_sent(self, message: Message) -> ProviderResult | None:
        found = _provider_call(
            lambda: twilio_client().messages.list(to=message.recipient, limit=RECONCILE_LOOKBACK)
        )
        for resource in _not_held_by_others(_recent(found, message.created_at), message):
            if resource.body == message.body:
                return self._result(resource)
        return None

    def fetch(self, message: Message) -> ProviderResult | None:
        if not message.provider_sid:
            return None
        return self._result(
            _provider_call(lambda: twilio_client().messages(message.provider_sid).fetch())
        )

    @staticmethod
    def _result(resource: Any) -> ProviderResult:
        segments = (
            int(resource.num_segments) if str(resource.num_segments or "").isdigit() else None
        )
        return ProviderResult(
            sid=resource.sid,
            status=str(resource.status or "queued"),
            segments=segments,
            price=_price(resource.price),
            price_unit=resource.price_unit or "",
            error_code=str(resource.error_code or ""),
        )


class _TwilioCall:
    """Shared by voice messages and consultant calls: Twilio calls `to_of(message)` and asks our
    `webhook` for what to do when it answers."""

    webhook = ""

    def call_kwargs(self, message: Message) -> dict[str, Any]:
        return {}

    def to_of(self, message: Message) -> str:
        return message.recipient

    def send(self, message: Message) -> ProviderResult:
        created = _provider_call(
            lambda: twilio_client().calls.create(
                to=self.to_of(message),
                from_=message.sender,
                url=webhook_url(self.webhook, message),
                method="POST",
                status_callback=webhook_url("status", message),
                status_callback_method="POST",
                **self.call_kwargs(message),
            )
        )
        return ProviderResult(sid=created.sid, status=str(created.status or "queued"))

    def fetch(self, message: Message) -> ProviderResult | None:
        if not message.provider_sid:
            return None
        call = _provider_call(lambda: twilio_client().calls(message.provider_sid).fetch())
        return ProviderResult(
            sid=call.sid, status=str(call.status or ""), answered_by=call.answered_by or ""
        )

    def find_sent(self, message: Message) -> ProviderResult | None:
        found = _provider_call(
            lambda: twilio_client().calls.list(to=self.to_of(message), limit=RECONCILE_LOOKBACK)
        )
        for resource in _not_held_by_others(_recent(found, message.created_at), message):
            if resource._from == message.sender:
                return ProviderResult(sid=resource.sid, status=str(resource.status or "queued"))
        return None


class TwilioVoice(_TwilioCall):
    """A voice message: answering-machine detection waits for the beep, so a voicemail gets the
    whole message; a person hears it with a keypress question (`dunning.twiml`)."""

    webhook = "voice-answer"

    def call_kwargs(self, message: Message) -> dict[str, Any]:
        return {"machine_detection": "DetectMessageEnd"}


class TwilioCall(_TwilioCall):
    """Click-to-call: Twilio rings the consultant first, then bridges to the payer (`<Dial>`)."""

    webhook = "voice-bridge"

    def to_of(self, message: Message) -> str:
        return message.consultant


BACKENDS = {"sms": TwilioSms, "voice": TwilioVoice, "call": TwilioCall}
