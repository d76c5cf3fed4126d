"""An owner adds a webhook endpoint in a real browser, sees its secret once, sends a test event;
a real worker delivers it to a local receiver while the log polls; the log shows it delivered."""

from __future__ import annotations

import celery.contrib.testing.tasks  # noqa: F401  (registers celery.ping for the test worker)
import pytest
from celery.contrib.testing.worker import start_worker
from playwright.sync_api import Page, expect

from config.celery import app
from tenants.models import Membership
from tests.factories import DEFAULT_PASSWORD, MembershipFactory
from tests.webhooks.conftest import running_receiver, verify_signature
from webhooks.models import WebhookEndpoint

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_add_endpoint_see_secret_once_send_test_and_see_it_delivered(
    page: Page, live_server, tenant, settings
):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True  # the receiver is on 127.0.0.1
    owner = MembershipFactory(tenant=tenant, role=Membership.Role.OWNER).user
    page.goto(f"{live_server.url}/client/webhooks/")
    page.fill("input[name=login]", owner.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    app.control.purge()

    with running_receiver() as receiver:
        page.fill("input[name=url]", receiver.url)
        page.fill("input[name=description]", "ERP test")
        page.check("input[name=event_types][value='import.finished']")
        page.locator("main form[action$='/new/'] button[type=submit]").click()

        secret = page.locator("#webhook-secret").input_value()
        assert secret.startswith("whsec_")
        page.locator("main a.button").click()  # "I have copied the secret"
        expect(page.locator("main")).not_to_contain_text(secret)

        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            page.locator("form[action$='/test/'] button").click()
            expect(page.locator("#delivery-log [data-state]").first).to_have_attribute(
                "data-state", "delivered", timeout=30_000
            )

    expect(page.locator("#delivery-log")).to_contain_text("webhook.test")
    expect(page.locator("#delivery-log")).to_contain_text("200")
    request = receiver.requests[0]
    assert verify_signature(secret=secret, headers=request.headers, body=request.body)
    assert WebhookEndpoint.objects.for_tenant(tenant).get().event_types == ["import.finished"]
    page.screenshot(path="test-artifacts/webhooks_delivered.png", full_page=True)
