"""The event types a client's ERP can subscribe to: one line each, the one place to add one.

A capability that announces something new adds its type here (with a sentence saying when it is
sent) and calls `webhooks.services.publish_event`; subscriptions, the API schema and the pages
pick the list up from this dictionary.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

EVENT_TYPES = {
    "payment.matched": _("A payment was matched to invoices."),
    "promise.created": _("A payer promised to pay by a date."),
    "promise.broken": _("A promised payment did not arrive by its date."),
    "dispute.opened": _("A payer disputed an invoice."),
    "case.escalated": _("A case was escalated (e.g. handed over for collection)."),
    "import.finished": _("An import batch finished: counts of created, updated, rejected rows."),
    "webhook.test": _("A test event, sent on request from the webhooks page or the API."),
}

# Sent only to the endpoint it was asked for, whatever that endpoint subscribes to.
TEST_EVENT = "webhook.test"


class UnknownEventType(ValueError):
    """A publisher named an event type missing from EVENT_TYPES: a programming error."""


def check_event_type(event_type: str) -> str:
    if event_type not in EVENT_TYPES:
        raise UnknownEventType(
            f"Unknown webhook event type {event_type!r}; add it to webhooks.events.EVENT_TYPES."
        )
    return event_type


def subscribable_choices() -> list[tuple[str, str]]:
    """(type, label) pairs an endpoint may subscribe to (the test event always reaches it)."""
    return [(name, name) for name in EVENT_TYPES if name != TEST_EVENT]


# For the API schema's enum (SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
SUBSCRIBABLE_TYPES = [name for name, _label in subscribable_choices()]
