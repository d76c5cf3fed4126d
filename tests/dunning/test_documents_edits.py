"""What an account manager edits in admin is on the very next letter: the client's template and
the statutory interest rate are read for each letter, never kept stale by a process (a worker
renders letters for hours)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dunning.documents.services import render_document
from dunning.models import DocumentTemplate, InterestRate, RateKind
from tests.dunning import letters
from tests.dunning.test_documents_pdf import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_and_two_payers():
    """Two payers owing the very same invoices: their letters differ only by what was edited."""
    tenant = letters.client()
    letters.store_nbp_rates()
    first, second = letters.debtor(tenant), letters.debtor(tenant, name="Drugi Dłużnik S.A.")
    letters.overdue_invoices(first)
    letters.overdue_invoices(second)
    return tenant, first, second


def test_an_edited_template_is_used_by_the_next_letter(client_and_two_payers):
    tenant, first, second = client_and_two_payers
    template = DocumentTemplate.objects.create(
        tenant=tenant,
        kind="demand",
        language="pl",
        html="<html><head></head><body><h1>Wezwanie {{ letter.payer.name }}</h1></body></html>",
        css="",
    )
    before, _ = render_document(tenant=tenant, payer=first, kind="demand", day=letters.DAY)

    template.html = template.html.replace("Wezwanie", "Ostateczne wezwanie")
    template.save()
    after, _ = render_document(tenant=tenant, payer=second, kind="demand", day=letters.DAY)

    assert "Wezwanie Przedsiębiorstwo" in pdf_text(before)[0]
    assert "Ostateczne wezwanie Drugi Dłużnik S.A." in pdf_text(after)[0]


def test_an_edited_interest_rate_is_used_by_the_next_letter(client_and_two_payers):
    tenant, first, second = client_and_two_payers
    before, _ = render_document(tenant=tenant, payer=first, kind="demand", day=letters.DAY)

    # The account manager confirms the second half of 2026 at a higher rate than the seeded one.
    rate = InterestRate.objects.get(kind=RateKind.COMMERCIAL, valid_from="2026-07-01")
    rate.rate, rate.verified = rate.rate + Decimal("2.00"), True
    rate.save()
    after, _ = render_document(tenant=tenant, payer=second, kind="demand", day=letters.DAY)

    assert after.total_amount > before.total_amount
    assert "15,75%" in pdf_text(after)[0] or "15,75 %" in pdf_text(after)[0]
