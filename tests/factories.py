"""factory_boy factories for the ledger. NIPs and IBANs are generated valid (checksums computed)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory

from invoices.models import Invoice, Payment
from payers.models import Payer, PayerContact
from tenants.identifiers import NIP_WEIGHTS
from tenants.models import Membership, Team, Tenant, User

DEFAULT_PASSWORD = "correct-horse-battery-staple"


def valid_nip(seed: int) -> str:
    """A NIP with a correct check digit, different for each seed."""
    n = 0
    while True:
        first_nine = f"{(seed * 7919 + 1000000 + n) % 10**9:09d}"
        if first_nine[0] == "0":
            first_nine = "1" + first_nine[1:]
        check = sum(int(d) * w for d, w in zip(first_nine, NIP_WEIGHTS, strict=True)) % 11
        if check != 10:
            return first_nine + str(check)
        n += 1


def valid_polish_iban(seed: int) -> str:
    """PL + check digits + 24 digits (8-digit sort code, 16-digit account), mod-97 correct."""
    bban = f"{10901014 + seed % 1000:08d}{seed:016d}"
    check = 98 - int(bban + "252100") % 97
    return f"PL{check:02d}{bban}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = "Anna"
    last_name = factory.Sequence(lambda n: f"Kowalska{n}")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant

    name = factory.Sequence(lambda n: f"Klient {n} Sp. z o.o.")
    slug = factory.Sequence(lambda n: f"klient-{n}")
    nip = factory.Sequence(lambda n: valid_nip(n + 1))
    iban = factory.Sequence(lambda n: valid_polish_iban(n + 1))
    city = "Warszawa"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    tenant = factory.SubFactory(TenantFactory)
    role = Membership.Role.FINANCE


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Zespół {n}")


class PayerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payer

    tenant = factory.SubFactory(TenantFactory)
    external_id = factory.Sequence(lambda n: f"K{n:05d}")
    name = factory.Sequence(lambda n: f"Odbiorca {n} S.A.")
    kind = Payer.Kind.BUSINESS
    nip = factory.Sequence(lambda n: valid_nip(n + 5000))


class PayerContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PayerContact

    payer = factory.SubFactory(PayerFactory)
    tenant = factory.SelfAttribute("payer.tenant")
    kind = PayerContact.Kind.PHONE
    value = factory.Sequence(lambda n: f"+4860{n:07d}")


class InvoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invoice

    payer = factory.SubFactory(PayerFactory)
    tenant = factory.SelfAttribute("payer.tenant")
    external_id = factory.Sequence(lambda n: f"INV-{n:06d}")
    number = factory.Sequence(lambda n: f"FV/{n}/2026")
    issue_date = datetime.date(2026, 10, 1)
    due_date = datetime.date(2026, 10, 15)
    gross_amount = Decimal("1230.00")
    outstanding_amount = factory.SelfAttribute("gross_amount")


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    payer = factory.SubFactory(PayerFactory)
    tenant = factory.SelfAttribute("payer.tenant")
    amount = Decimal("100.00")
    paid_on = datetime.date(2026, 10, 20)
