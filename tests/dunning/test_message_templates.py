"""Message templates: Polish defaults for every step, placeholders, segments, transliteration."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from contact_schedule.defaults import DEFAULT_STEPS
from dunning.message_templates import DEFAULT_TEMPLATES, check_template_text, render_message
from dunning.models import MessageTemplate, SenderIdentity
from dunning.sms_text import sms_segments, transliterate
from tests.factories import InvoiceFactory, PayerFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 10, 27)


def test_every_step_of_the_default_schedule_has_a_polish_default_on_its_channel():
    letters = {"demand_letter": "email", "escalation": "email"}
    for _offset, _kind, channel, code, *_rest in DEFAULT_STEPS:
        assert code in DEFAULT_TEMPLATES, code
        assert DEFAULT_TEMPLATES[code].channel == letters.get(channel, channel)
        assert check_template_text(DEFAULT_TEMPLATES[code].body) == ""


@pytest.fixture
def payer_with_invoices(tenant):
    payer = PayerFactory(tenant=tenant, name="Odbiorca Nowak S.A.")
    invoices = [
        InvoiceFactory(payer=payer, number="FV/12/2026", due_date=datetime.date(2026, 10, 15),
                       gross_amount=Decimal("4000.00")),
        InvoiceFactory(payer=payer, number="FV/15/2026", due_date=datetime.date(2026, 10, 20),
                       gross_amount=Decimal("920.00")),
    ]  # fmt: skip
    return payer, invoices


def test_the_default_overdue_sms_fills_every_placeholder(tenant, payer_with_invoices):
    payer, invoices = payer_with_invoices
    SenderIdentity.objects.create(tenant=tenant, consultant_phone="+48 22 555 66 77")

    rendered = render_message(
        tenant=tenant,
        code="overdue_sms",
        channel="sms",
        payer=payer,
        invoices=invoices,
        today=TODAY,
    )

    assert f"{tenant.name}: faktury FV/12/2026, FV/15/2026 (4 920,00 zł)" in rendered.body
    assert "są 12 dni po terminie" in rendered.body
    assert "S.A.." not in rendered.body
    assert " ".join(tenant.iban[i : i + 4] for i in range(0, 28, 4)) in rendered.body
    assert "+48 22 555 66 77" in rendered.body
    assert "{{" not in rendered.body
    assert rendered.length.encoding == "UCS-2"


def test_a_clients_own_template_replaces_the_default_and_may_drop_diacritics(
    tenant, payer_with_invoices
):
    payer, invoices = payer_with_invoices
    MessageTemplate.objects.create(
        tenant=tenant, code="overdue_sms", channel="sms", transliterate=True,
        body="{{ payer_name }}: zaległość {{ amount }} od {{ days_overdue }} dni. Dziękujemy!",
    )  # fmt: skip

    rendered = render_message(
        tenant=tenant,
        code="overdue_sms",
        channel="sms",
        payer=payer,
        invoices=invoices,
        today=TODAY,
    )

    assert rendered.body == "Odbiorca Nowak S.A.: zaleglosc 4 920,00 zl od 12 dni. Dziekujemy!"
    assert rendered.length.encoding == "GSM-7"


def test_another_clients_template_is_never_used(tenant, other_tenant, payer_with_invoices):
    payer, invoices = payer_with_invoices
    MessageTemplate.objects.create(
        tenant=other_tenant, code="overdue_sms", channel="sms", body="Obcy tekst"
    )

    rendered = render_message(
        tenant=tenant,
        code="overdue_sms",
        channel="sms",
        payer=payer,
        invoices=invoices,
        today=TODAY,
    )

    assert "Obcy tekst" not in rendered.body


@pytest.mark.parametrize(
    ("text", "encoding", "segments"),
    [
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("€" * 80, "GSM-7", 1),  # two septets each: 160
        ("€" * 81, "GSM-7", 2),
        ("ą" * 70, "UCS-2", 1),
        ("ą" + "a" * 70, "UCS-2", 2),
        ("a" * 134, "GSM-7", 1),
        ("ł" * 134, "UCS-2", 2),
        ("ł" * 135, "UCS-2", 3),
        ("😀" * 35, "UCS-2", 1),  # two UTF-16 units each
    ],
)
def test_sms_segments(text, encoding, segments):
    length = sms_segments(text)

    assert (length.encoding, length.segments) == (encoding, segments)


@pytest.mark.parametrize(
    ("days", "text"), [(0, "0 dni"), (1, "1 dzień"), (2, "2 dni"), (12, "12 dni")]
)
def test_days_overdue_in_words(days, text):
    from dunning.message_templates import days_text

    assert days_text(days) == text


def test_transliteration_roughly_halves_a_polish_text():
    text = "Zażółć gęślą jaźń – prosimy o wpłatę „dziś”. " * 3

    plain = transliterate(text)

    assert plain.startswith('Zazolc gesla jazn - prosimy o wplate "dzis". ')
    assert sms_segments(text).segments == 3
    assert sms_segments(plain).segments == 1


@pytest.mark.parametrize(
    "text",
    ["{{ payer_name }} {{ secret_key }}", "{% if %}", "{{ payer_name.__class__ }} {{ x }}"],
)
def test_a_template_with_an_unknown_placeholder_or_bad_syntax_is_refused(tenant, text):
    template = MessageTemplate(tenant=tenant, code="overdue_sms", channel="sms", body=text)

    with pytest.raises(ValidationError) as refused:
        template.full_clean()

    assert "body" in refused.value.message_dict


def test_the_admin_preview_shows_segments_with_and_without_diacritics(tenant, settings):
    settings.REQUIRE_STAFF_MFA = False  # the default without DEBUG, as in CI
    template = MessageTemplate.objects.create(
        tenant=tenant,
        code="overdue_sms",
        channel="sms",
        body="Zaległość {{ amount }} – zapłać dziś.",
    )
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin_user)

    page = client.get(f"/admin/dunning/messagetemplate/{template.pk}/change/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "Zaległość 4 920,00 zł – zapłać dziś." in html
    assert "UCS-2, 36" in html
    assert "GSM-7, 36" in html
