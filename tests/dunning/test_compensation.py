"""Recovery-cost compensation (art. 10 of the 2013 act): the thresholds, the NBP table day, the
conversion, and "once per invoice". NBP answers come from the loopback fake in conftest.py."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from dunning.compensation import (
    CompensationError,
    compensation_eur,
    compensation_for,
    nbp_table_day,
)
from dunning.models import CompensationClaim, NbpRate
from dunning.selectors import compensation_claim_of
from dunning.services import claim_compensation, claim_compensations
from payers.models import Payer
from tests.factories import InvoiceFactory, PayerFactory

D = datetime.date.fromisoformat


@pytest.mark.parametrize(
    ("gross", "eur"),
    [
        ("0.01", "40.00"),
        ("5000.00", "40.00"),  # "up to 5,000" includes 5,000
        ("5000.01", "70.00"),
        ("49999.99", "70.00"),  # "below 50,000"
        ("50000.00", "100.00"),  # "50,000 or more"
        ("1000000.00", "100.00"),
    ],
)
def test_compensation_thresholds(gross, eur):
    assert compensation_eur(Decimal(gross)) == Decimal(eur)


@pytest.mark.parametrize(
    ("due", "table_day"),
    [
        # due in March 2024 → last business day of February 2024: Thursday 29 (leap day)
        ("2024-03-15", "2024-02-29"),
        # due in January → the previous year's December: Tuesday 31 December 2024
        ("2025-01-15", "2024-12-31"),
        # due in April 2024 → March 2024 ends on a weekend (30 Sat, 31 Easter Sunday): Friday 29
        ("2024-04-10", "2024-03-29"),
        # due in June 2018 → 31 May 2018 was Corpus Christi: Wednesday 30 May
        ("2018-06-15", "2018-05-30"),
        # due on the first of the month: still the previous month
        ("2026-01-01", "2025-12-31"),
        # due Saturday 31 August 2024 → moved to Monday 2 September (art. 115 KC), so the payment
        # became due in September: last business day of August, Friday 30
        ("2024-08-31", "2024-08-30"),
        # due Friday 30 August 2024 (no move): last business day of July, Wednesday 31
        ("2024-08-30", "2024-07-31"),
    ],
)
def test_the_nbp_table_day(due, table_day):
    assert nbp_table_day(D(due)) == D(table_day)


@pytest.mark.django_db
def test_a_stored_rate_is_used_without_calling_nbp(nbp_api):
    NbpRate.objects.create(
        currency="EUR", table_date=D("2024-02-29"), table_number="043/A/NBP/2024", rate="4.3191"
    )

    figure = compensation_for(gross_amount=Decimal("10000.00"), due_date=D("2024-03-15"))

    # 70 EUR × 4.3191 = 302.337 → 302.34 PLN
    assert figure.eur_amount == Decimal("70.00")
    assert (figure.nbp_table_date, figure.nbp_table_number) == (D("2024-02-29"), "043/A/NBP/2024")
    assert figure.pln_amount == Decimal("302.34")
    assert nbp_api.requested == []


@pytest.mark.django_db
def test_a_missing_rate_is_fetched_for_the_week_up_to_the_table_day(nbp_api):
    figure = compensation_for(gross_amount=Decimal("50000.00"), due_date=D("2018-06-15"))

    # 100 EUR × 4.3155 (table of Wednesday 30 May 2018) = 431.55 PLN
    assert nbp_api.requested == [
        "/api/exchangerates/rates/a/eur/2018-05-23/2018-05-30/?format=json"
    ]
    assert (figure.nbp_table_date, figure.nbp_rate) == (D("2018-05-30"), Decimal("4.3155"))
    assert figure.pln_amount == Decimal("431.55")
    assert NbpRate.objects.filter(currency="EUR").count() == 6


@pytest.mark.django_db
def test_without_a_table_on_the_day_the_previous_published_one_applies(nbp_api):
    # The recorded range for the last week of 2024 has no table for 31 December (as NBP answers
    # when it published none that day): the table of Monday 30 December applies.
    figure = compensation_for(gross_amount=Decimal("5000.00"), due_date=D("2025-01-15"))

    # 40 EUR × 4.2717 = 170.868 → 170.87 PLN
    assert (figure.nbp_table_date, figure.nbp_table_number) == (D("2024-12-30"), "251/A/NBP/2024")
    assert figure.pln_amount == Decimal("170.87")


@pytest.mark.django_db
def test_no_rate_and_no_fetch_says_how_to_get_it(nbp_api):
    with pytest.raises(
        CompensationError, match="fetch_nbp_rates --from 2024-02-22 --to 2024-02-29"
    ):
        compensation_for(
            gross_amount=Decimal("100.00"), due_date=D("2024-03-15"), fetch_missing=False
        )
    assert nbp_api.requested == []


@pytest.mark.django_db
def test_nbp_without_any_table_in_the_week_is_an_error(nbp_api):
    with pytest.raises(
        CompensationError, match="NBP published no EUR table from 2023-06-23 to 2023-06-30"
    ):
        compensation_for(gross_amount=Decimal("100.00"), due_date=D("2023-07-15"))


@pytest.fixture
def late_invoice(tenant):
    return InvoiceFactory(
        payer=PayerFactory(tenant=tenant),
        issue_date=D("2024-02-15"),
        due_date=D("2024-03-15"),
        gross_amount=Decimal("10000.00"),
    )


@pytest.mark.django_db
def test_compensation_is_claimed_once_per_invoice(late_invoice, nbp_api):
    first = claim_compensation(invoice=late_invoice, claimed_on=D("2024-04-02"))
    again = claim_compensation(invoice=late_invoice, claimed_on=D("2024-05-02"))

    assert again.pk == first.pk
    assert (first.eur_amount, first.pln_amount) == (Decimal("70.00"), Decimal("302.34"))
    assert first.claimed_on == D("2024-04-02")
    assert CompensationClaim.objects.for_tenant(late_invoice.tenant).count() == 1
    assert len(nbp_api.requested) == 1


@pytest.mark.django_db
def test_a_claim_is_only_seen_by_its_tenant(late_invoice, other_tenant, nbp_api):
    claim_compensation(invoice=late_invoice, claimed_on=D("2024-04-02"))

    assert compensation_claim_of(invoice=late_invoice) is not None
    assert not CompensationClaim.objects.for_tenant(other_tenant).exists()


@pytest.mark.django_db
def test_consumers_owe_no_compensation(tenant, nbp_api):
    invoice = InvoiceFactory(
        payer=PayerFactory(tenant=tenant, kind=Payer.Kind.CONSUMER, nip=""),
        issue_date=D("2024-02-15"),
        due_date=D("2024-03-15"),
    )

    with pytest.raises(CompensationError, match="business payers only"):
        claim_compensation(invoice=invoice, claimed_on=D("2024-04-02"))


@pytest.mark.django_db
def test_compensation_is_not_due_before_the_payment_is_late(late_invoice, nbp_api):
    with pytest.raises(CompensationError, match="2024-03-15"):
        claim_compensation(invoice=late_invoice, claimed_on=D("2024-03-15"))


@pytest.fixture
def late_invoices(late_invoice):
    """Three invoices of one payer due in March 2024 (one NBP table day), the first one claimed."""
    payer = late_invoice.payer
    return [late_invoice] + [
        InvoiceFactory(
            payer=payer,
            issue_date=D("2024-02-20"),
            due_date=D("2024-03-20"),
            gross_amount=Decimal(gross),
        )
        for gross in ("4000.00", "60000.00")
    ]


@pytest.mark.django_db
def test_a_letters_invoices_are_claimed_together_and_a_stored_claim_is_restated(
    late_invoices, nbp_api
):
    earlier = claim_compensation(invoice=late_invoices[0], claimed_on=D("2024-04-02"))

    claims = claim_compensations(invoices=late_invoices, claimed_on=D("2024-05-02"))

    assert claims[late_invoices[0].pk].pk == earlier.pk  # restated, not claimed again
    assert [claims[invoice.pk].eur_amount for invoice in late_invoices] == [
        Decimal("70.00"),
        Decimal("40.00"),
        Decimal("100.00"),
    ]
    assert [claims[invoice.pk].claimed_on for invoice in late_invoices] == [
        D("2024-04-02"),
        D("2024-05-02"),
        D("2024-05-02"),
    ]
    assert CompensationClaim.objects.for_tenant(late_invoices[0].tenant).count() == 3
    assert len(nbp_api.requested) == 1  # the rate of 29 February, fetched once and stored


@pytest.mark.django_db
def test_a_claim_made_meanwhile_by_another_worker_is_restated(late_invoices, nbp_api, monkeypatch):
    from dunning import selectors

    tenant = late_invoices[0].tenant
    theirs = claim_compensation(invoice=late_invoices[0], claimed_on=D("2024-04-02"))
    real = selectors.compensation_claims_of
    calls = []

    def not_seen_yet(**kwargs):
        # The other worker's claim is committed after our read: our insert then meets it.
        calls.append(kwargs)
        return {} if len(calls) == 1 else real(**kwargs)

    monkeypatch.setattr(selectors, "compensation_claims_of", not_seen_yet)

    claims = claim_compensations(invoices=late_invoices, claimed_on=D("2024-05-02"))

    assert claims[late_invoices[0].pk].pk == theirs.pk
    assert {claim.claimed_on for claim in claims.values()} == {D("2024-04-02"), D("2024-05-02")}
    assert CompensationClaim.objects.for_tenant(tenant).count() == 3


@pytest.mark.django_db
def test_claiming_several_names_the_invoice_whose_rate_is_missing(late_invoices, nbp_api):
    late_invoices[1].number = "FV/7/2024"
    late_invoices[1].issue_date = D("2023-07-01")
    late_invoices[1].due_date = D("2023-07-15")  # no NBP table in the fake for June 2023
    late_invoices[1].save()

    with pytest.raises(CompensationError) as raised:
        claim_compensations(invoices=late_invoices, claimed_on=D("2024-05-02"))

    assert raised.value.invoice_number == "FV/7/2024"
    assert not CompensationClaim.objects.for_tenant(late_invoices[0].tenant).exists()


@pytest.mark.django_db
def test_a_rate_not_stored_is_fetched_once_for_all_the_invoices_needing_it(late_invoices, nbp_api):
    claims = claim_compensations(invoices=late_invoices, claimed_on=D("2024-05-02"))

    assert {claim.nbp_table_date for claim in claims.values()} == {D("2024-02-29")}
    assert len(nbp_api.requested) == 1
