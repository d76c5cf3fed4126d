"""A letter reads the ledger in a fixed number of queries, however many invoices it lists: the
compensation claims, payments and rate table are read once for the letter, not once per invoice
(the documents benchmark counts on it; issue 6, item 7)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from dunning.documents.services import render_document
from dunning.models import CompensationClaim
from tests.dunning import letters
from tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db

# The existing-letter check, then in one transaction (the claims stand only with their letter):
# the invoices, their claims, the NBP rates, the claims' insert (a savepoint), the payments, the
# rate table, the stamp, the consultant, the template, the document's insert (a savepoint). In
# tests every transaction is a savepoint pair.
FIRST_LETTER_QUERIES = 17
# A later letter restates the claims: no NBP rates, no insert.
LATER_LETTER_QUERIES = 13


@pytest.fixture
def arranged():
    tenant = letters.client()
    letters.store_nbp_rates()
    letters.stamp(tenant)
    payer = letters.debtor(tenant)
    letters.overdue_invoices(payer)
    return tenant, payer


def more_overdue_invoices(payer, count: int) -> None:
    for number in range(count):
        InvoiceFactory(
            payer=payer,
            number=f"FV/2{number:02d}/2026",
            issue_date=datetime.date(2026, 9, 1),
            due_date=datetime.date(2026, 9, 15),
            gross_amount=Decimal("1000.00"),
        )


def test_a_first_letter_takes_the_same_queries_for_three_invoices_or_nine(
    arranged, django_assert_num_queries
):
    tenant, payer = arranged

    with django_assert_num_queries(FIRST_LETTER_QUERIES):
        render_document(tenant=tenant, payer=payer, kind="demand", day=letters.DAY)

    other = letters.debtor(tenant, name="Drugi Dłużnik Sp. z o.o.")
    letters.overdue_invoices(other)
    more_overdue_invoices(other, 6)
    with django_assert_num_queries(FIRST_LETTER_QUERIES):
        document, created = render_document(
            tenant=tenant, payer=other, kind="demand", day=letters.DAY
        )
    assert created and len(document.invoice_ids) == 9
    assert CompensationClaim.objects.for_tenant(tenant).filter(invoice__payer=other).count() == 9


def test_a_later_letter_restates_the_claims_without_claiming(arranged, django_assert_num_queries):
    tenant, payer = arranged
    render_document(tenant=tenant, payer=payer, kind="demand", day=letters.DAY)
    later = letters.DAY + datetime.timedelta(days=7)  # FV/150/2026 is still not due

    with django_assert_num_queries(LATER_LETTER_QUERIES):
        document, created = render_document(
            tenant=tenant, payer=payer, kind="second_demand", day=later
        )

    assert created and len(document.invoice_ids) == 3
    assert CompensationClaim.objects.for_tenant(tenant).count() == 3


def test_a_letter_that_fails_leaves_no_compensation_claim(arranged):
    """The claim is made by the letter that states it: without an IBAN no letter goes out, and
    no claim may stay dated with it (the next letter makes the claim)."""
    from dunning.documents.services import DocumentError

    tenant, payer = arranged
    iban = tenant.iban
    tenant.iban = ""
    tenant.save()

    with pytest.raises(DocumentError, match="IBAN"):
        render_document(tenant=tenant, payer=payer, kind="demand", day=letters.DAY)
    assert not CompensationClaim.objects.for_tenant(tenant).exists()

    tenant.iban = iban
    tenant.save()
    later = letters.DAY + datetime.timedelta(days=1)
    render_document(tenant=tenant, payer=payer, kind="demand", day=later)
    claims = CompensationClaim.objects.for_tenant(tenant)
    assert set(claims.values_list("claimed_on", flat=True)) == {later}
