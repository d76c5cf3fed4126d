"""Channels: one small interface in front of every way a message goes out.

A channel backend has two methods (STYLE.md rule 8):

- `send(message) -> ProviderResult` hands the message to the provider once. It raises
  `TransientSendError` when trying again later may work (429, 5xx, network) and
  `PermanentSendError` when it never will (an invalid number, an opted-out recipient).
- `find_sent(message) -> ProviderResult | None` asks the provider whether a message we may have
  sent already is there: the outbox calls it before any resend (`dunning.outbox`).
- `fetch(message) -> ProviderResult | None` reads a sent message's current state by its SID,
  for the hourly status reconciliation when a status callback never came.

`backend_for(channel)` picks the backend named by TELEPHONY_BACKEND: `twilio` for SMS, voice
messages and calls in production, `console` (the embedded default) that logs and stores. E-mail
always goes through Django's mail backend (EMAIL_URL), which has its own console default.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from django.conf import settings

if TYPE_CHECKING:
    from dunning.models import Message


@dataclass(frozen=True)
class ProviderResult:
    sid: str
    status: str  # the provider's own word: queued, sent, delivered, ringing…
    segments: int | None = None
    price: Decimal | None = None
    price_unit: str = ""
    error_code: str = ""
    answered_by: str = ""


class SendError(Exception):
    def __init__(self, message: str, *, code: str = "", ambiguous: bool = False) -> None:
        super().__init__(message)
        self.code = code
        # The provider may have accepted the message before the error reached us (a timeout, a
        # dropped connection, a 5xx): reconcile before the next attempt.
        self.ambiguous = ambiguous


class TransientSendError(SendError):
    """Worth another try later (rate limit, provider or network trouble)."""


class PermanentSendError(SendError):
    """Never worth another try: the message is failed with this error."""


class ChannelBackend(Protocol):
    def send(self, message: Message) -> ProviderResult: ...

    def find_sent(self, message: Message) -> ProviderResult | None: ...

    def fetch(self, message: Message) -> ProviderResult | None: ...


def backend_for(channel: str) -> ChannelBackend:
    """The backend that sends `channel` ("sms", "voice", "call", "email") in this installation."""
    from dunning.channels import console, email, twilio

    if channel == "email":
        return email.EmailChannel()
    if settings.TELEPHONY_BACKEND == "twilio":
        return twilio.BACKENDS[channel]()
    return console.ConsoleChannel(channel)
