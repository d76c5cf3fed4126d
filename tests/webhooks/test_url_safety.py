"""SSRF: in production an endpoint must be https and reach a public address, checked when it is
saved and again before every attempt; specific messages say what is wrong."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from webhooks.delivery import deliver_due
from webhooks.models import WebhookDelivery
from webhooks.services import create_endpoint, publish_event, update_endpoint


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://93.184.215.14/hooks", "must start with https://"),
        ("https://127.0.0.1/hooks", "private or local address"),
        ("https://localhost:8443/hooks", "private or local address"),
        ("https://10.1.2.3/hooks", "private or local address"),
        ("https://192.168.0.10/hooks", "private or local address"),
        ("https://169.254.169.254/latest/meta-data", "private or local address"),  # cloud metadata
        ("https://[::1]/hooks", "private or local address"),
        ("https://[::ffff:127.0.0.1]/hooks", "private or local address"),
        ("https://100.64.0.1/hooks", "private or local address"),  # carrier-grade NAT
        ("https://erp.nonexistent.invalid/hooks", "could not be found (DNS)"),
        ("ftp://93.184.215.14/hooks", "full URL starting with https://"),
        ("erp.example.pl/hooks", "full URL starting with https://"),
        ("https://user:pass@93.184.215.14/hooks", "no user name or password"),
        ("https://93.184.215.14:99999/hooks", "port must be between"),
    ],
)
def test_unsafe_urls_are_refused_when_saved(tenant, production_urls, url, message):
    with pytest.raises(ValidationError) as refused:
        create_endpoint(tenant=tenant, url=url)
    assert message in " ".join(refused.value.message_dict["url"])


def test_a_public_https_url_is_accepted(tenant, production_urls):
    endpoint, secret = create_endpoint(tenant=tenant, url="https://93.184.215.14/hooks")
    assert endpoint.url == "https://93.184.215.14/hooks"
    assert secret.startswith("whsec_")


def test_an_edit_is_checked_too(tenant, production_urls):
    endpoint, _ = create_endpoint(tenant=tenant, url="https://93.184.215.14/hooks")
    with pytest.raises(ValidationError, match="private or local"):
        update_endpoint(endpoint=endpoint, url="https://10.0.0.5/hooks")


def test_unsafe_urls_are_checked_again_before_sending(tenant, receiver, settings):
    create_endpoint(tenant=tenant, url=receiver.url)  # saved while private URLs were allowed
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    publish_event(tenant=tenant, event_type="import.finished", data={})

    deliver_due()

    assert receiver.requests == []  # nothing left the building
    delivery = WebhookDelivery.objects.for_tenant(tenant).get()
    assert delivery.state == "pending"
    assert "https://" in delivery.error


def test_private_addresses_are_refused_at_send_time_even_over_https(tenant, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    create_endpoint(tenant=tenant, url="https://127.0.0.1:9/hooks")
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    publish_event(tenant=tenant, event_type="import.finished", data={})

    deliver_due()

    delivery = WebhookDelivery.objects.for_tenant(tenant).get()
    assert "private or local address" in delivery.error
    assert delivery.last_status is None
