"""The payer page lists the payer's messages (console backend, as in `make run`)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from dunning.outbox import dispatch_due, enqueue_message
from tests.factories import PayerFactory

pytestmark = pytest.mark.django_db
THURSDAY_NOON = datetime.datetime(2026, 12, 3, 12, 0, tzinfo=ZoneInfo("Europe/Warsaw"))


def test_a_sent_message_shows_on_the_payer_page(tenant, finance_client, settings, caplog):
    settings.TELEPHONY_BACKEND = "console"
    payer = PayerFactory(tenant=tenant)
    other = PayerFactory(tenant=tenant)
    for who, body in ((payer, "Przypomnienie o FV/9/2026"), (other, "Cudza wiadomość")):
        enqueue_message(
            tenant=tenant, payer=who, channel="sms", recipient="+48601234567", body=body,
            now=THURSDAY_NOON,
        )  # fmt: skip
    with caplog.at_level("INFO", logger="dunning.console"):
        dispatch_due(now=THURSDAY_NOON)

    page = finance_client.get(f"/payers/{payer.id}/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "Przypomnienie o FV/9/2026" in html
    assert "Cudza wiadomość" not in html
    assert 'class="badge delivered"' in html
    assert "Przypomnienie o FV/9/2026" in caplog.text


def test_another_clients_payer_page_with_its_messages_is_404(tenant, other_finance_client):
    payer = PayerFactory(tenant=tenant)
    enqueue_message(
        tenant=tenant, payer=payer, channel="sms", recipient="+48601234567", body="Tajne",
        now=THURSDAY_NOON,
    )  # fmt: skip

    page = other_finance_client.get(f"/payers/{payer.id}/")

    assert page.status_code == 404
    assert "Tajne" not in page.content.decode()


def test_a_queued_message_says_when_it_will_go(tenant, finance_client):
    payer = PayerFactory(tenant=tenant)
    enqueue_message(
        tenant=tenant, payer=payer, channel="sms", recipient="+48601234567", body="Nocna",
        now=THURSDAY_NOON.replace(hour=21, minute=30),
    )  # fmt: skip

    html = finance_client.get(f"/payers/{payer.id}/").content.decode()

    assert "Nocna" in html
    assert 'class="badge queued"' in html
