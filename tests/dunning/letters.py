"""Shared arrangements of the document tests: a client with an address and IBAN, a business payer
with three overdue invoices (one partly paid), and the NBP EUR rate the compensation needs."""

from __future__ import annotations

import datetime
from decimal import Decimal
from importlib import import_module

from dunning.models import NbpRate
from invoices.models import Invoice
from invoices.services import record_payment
from payers.models import Payer
from stamps.models import StampDesign
from tests.factories import InvoiceFactory, PayerFactory, TenantFactory

DAY = datetime.date(2026, 12, 4)  # a Friday
EUR_RATE = Decimal("4.2350")


def client(**fields):
    defaults = {
        "name": "Hurtownia Żółć i Gęś Sp. z o.o.",
        "street": "ul. Świętokrzyska 12",
        "postal_code": "00-916",
        "city": "Łódź",
    }
    return TenantFactory(**{**defaults, **fields})


def ensure_interest_rates() -> None:
    """The migration's seeded rate table; transactional tests (a real worker) flush it."""
    from django.apps import apps

    from dunning.models import InterestRate

    if not InterestRate.objects.exists():
        import_module("dunning.migrations.0002_seed_interest_rates").seed(apps, None)


def store_nbp_rates() -> None:
    """The EUR rates of the last business days of August–November 2026 (illustrative)."""
    for day, number in (
        (datetime.date(2026, 8, 31), "168/A/NBP/2026"),
        (datetime.date(2026, 9, 30), "189/A/NBP/2026"),
        (datetime.date(2026, 10, 30), "211/A/NBP/2026"),
        (datetime.date(2026, 11, 30), "231/A/NBP/2026"),
    ):
        NbpRate.objects.create(currency="EUR", table_date=day, table_number=number, rate=EUR_RATE)


def debtor(tenant, *, language: str = "pl", kind: str = Payer.Kind.BUSINESS, **fields) -> Payer:
    defaults = {
        "name": "Przedsiębiorstwo Źródło Ślęża S.A.",
        "street": "ul. Krótka 5",
        "postal_code": "50-001",
        "city": "Wrocław",
        "preferred_language": language,
        "kind": kind,
    }
    if kind == Payer.Kind.CONSUMER:
        defaults["nip"] = ""
    return PayerFactory(tenant=tenant, **{**defaults, **fields})


def overdue_invoices(payer: Payer) -> list[Invoice]:
    """Three invoices overdue on DAY: 4,920.00 (due 15 Oct), 12,300.00 (due 2 Nov, 2,300 paid on
    16 Nov), 615.00 (due 20 Nov); plus one not yet due that no demand may list."""
    first = InvoiceFactory(
        payer=payer,
        number="FV/101/2026",
        issue_date=datetime.date(2026, 10, 1),
        due_date=datetime.date(2026, 10, 15),
        gross_amount=Decimal("4920.00"),
    )
    second = InvoiceFactory(
        payer=payer,
        number="FV/117/2026",
        issue_date=datetime.date(2026, 10, 19),
        due_date=datetime.date(2026, 11, 2),
        gross_amount=Decimal("12300.00"),
    )
    record_payment(
        tenant=payer.tenant,
        payer=payer,
        amount=Decimal("2300.00"),
        paid_on=datetime.date(2026, 11, 16),
        invoice=second,
    )
    third = InvoiceFactory(
        payer=payer,
        number="FV/130/2026",
        issue_date=datetime.date(2026, 11, 6),
        due_date=datetime.date(2026, 11, 20),
        gross_amount=Decimal("615.00"),
    )
    InvoiceFactory(
        payer=payer,
        number="FV/150/2026",
        issue_date=datetime.date(2026, 11, 30),
        due_date=datetime.date(2026, 12, 14),
        gross_amount=Decimal("999.00"),
    )
    second.refresh_from_db()
    return [first, second, third]


def stamp(tenant, *, text: str = "NALEŻNOŚĆ MONITOROWANA\nSTEMPEL PRÓBNY 7Q") -> StampDesign:
    return StampDesign.objects.create(
        tenant=tenant,
        name="Na faktury",
        form=StampDesign.Form.ELECTRONIC,
        shape=StampDesign.Shape.RECTANGULAR,
        width_mm=Decimal("58"),
        height_mm=Decimal("22"),
        text=text,
    )
