"""The embedded default: nothing leaves the machine; the log says what would have been sent.

The message is marked delivered at once, so `make run` shows the whole path on the payer page.
"""

from __future__ import annotations

import logging

from dunning.channels import ProviderResult
from dunning.models import Message

logger = logging.getLogger("dunning.console")


class ConsoleChannel:
    def __init__(self, channel: str) -> None:
        self.channel = channel

    def send(self, message: Message) -> ProviderResult:
        logger.info(
            "[console %s] to %s from %s (message %s): %s",
            self.channel,
            message.recipient,
            message.sender or "-",
            message.pk,
            message.body,
        )
        return ProviderResult(sid=f"CONSOLE{message.token.hex}", status="delivered")

    def find_sent(self, message: Message) -> ProviderResult | None:
        # The console keeps no record to ask; a message interrupted here is logged again.
        return None

    def fetch(self, message: Message) -> ProviderResult | None:
        return None  # nothing to ask: the state we stored is all there is
