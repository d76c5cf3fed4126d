"""A client user designs a stamp in a real browser: the preview follows the form (htmx), the
design saves, and its PDF downloads at the chosen size."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from stamps.models import StampDesign
from tests.factories import DEFAULT_PASSWORD, MembershipFactory
from tests.stamps.conftest import pdf_page_size_mm

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_a_design_watch_the_preview_and_download_the_pdf(page: Page, live_server, tenant):
    user = MembershipFactory(tenant=tenant).user
    page.goto(f"{live_server.url}/client/stamps/new/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.locator("form button[type=submit]").last.click()

    preview = page.locator("#stamp-preview svg")
    expect(preview).to_have_attribute("width", "58mm")  # the default preset, drawn on load
    page.fill("input[name=name]", "Faktury 2026")
    page.select_option("select[name=size]", "47x18")
    expect(preview).to_have_attribute("width", "47mm")
    page.check("input[name=shape][value=round]")
    page.select_option("select[name=size]", "d40")
    expect(preview).to_have_attribute("height", "40mm")
    expect(page.locator("#stamp-preview path.qr")).to_have_count(1)
    page.screenshot(path="test-artifacts/stamps_preview.png", full_page=True)
    page.locator("#stamp-form button[type=submit]").click()

    expect(page.locator("main")).to_contain_text("Faktury 2026")
    design = StampDesign.objects.for_tenant(tenant).get()
    assert design.shape == "round" and design.width_mm == 40
    with page.expect_download() as download_info:
        page.locator(f"tr[data-design='{design.pk}'] a[href$='/download/pdf/']").click()
    download = download_info.value
    assert download.suggested_filename == "faktury-2026-d40mm.pdf"
    width, height = pdf_page_size_mm(open(download.path(), "rb").read())
    assert (round(width, 1), round(height, 1)) == (40.0, 40.0)
