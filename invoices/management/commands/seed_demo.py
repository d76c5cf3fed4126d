"""`manage.py seed_demo [--force] [--today YYYY-MM-DD]`: a deterministic demo data set.

Two clients with ~250 payers and ~2,500 invoices each, the operator's staff and a team, and a
login for every role. The same seed and anchor date (today in Europe/Warsaw unless `--today`)
always give the same rows, and invoice dates are relative to the anchor, so the demo always has
invoices before due, overdue in every aging bucket, and paid. It only fills a database without
clients (`--force`: next to other clients) and never deletes anything.
"""

from __future__ import annotations

import datetime
import random
import time
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from allauth.mfa.totp.internal.auth import TOTP
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from invoices.models import Invoice, Payment, PaymentAllocation, Source
from invoices.selectors import aging_buckets
from payers.models import Payer
from payers.selectors import payers_of
from payers.services import create_payer
from tenants.demo_data import (
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    InvoiceSpec,
    PayerSpec,
    make_invoices,
    make_payers,
    nip_with_check_digit,
    polish_iban,
)
from tenants.models import Membership, Team, Tenant, User
from tenants.roles import OperatorRole
from tenants.services import add_client_user, create_operator_user, create_tenant

DEMO_TIME_ZONE = "Europe/Warsaw"
PAYERS_PER_CLIENT = 250
INVOICES_PER_CLIENT = 2_500
TEAM_NAME = "Zespół Warszawa"


@dataclass(frozen=True)
class DemoClient:
    slug: str
    name: str
    nip_first_nine: str
    sort_code: str
    account: str
    street: str
    postal_code: str
    city: str
    owner: tuple[str, str]  # (e-mail, full name)
    finance: tuple[str, str]

    @property
    def nip(self) -> str:
        nip = nip_with_check_digit(self.nip_first_nine)
        assert nip, f"{self.nip_first_nine} has no valid NIP check digit"
        return nip


DEMO_CLIENTS = (
    DemoClient(
        slug="kowalczyk",
        name="Hurtownia Budowlana Kowalczyk Sp. z o.o.",
        nip_first_nine="779241385",
        sort_code="10205561",  # PKO BP
        account="1000284467391205",
        street="ul. Składowa 14",
        postal_code="61-897",
        city="Poznań",
        owner=("wlasciciel@kowalczyk.demo.pl", "Marek Kowalczyk"),
        finance=("finanse@kowalczyk.demo.pl", "Ewa Sobczak"),
    ),
    DemoClient(
        slug="nowak-meble",
        name="Polskie Meble Nowak S.A.",
        nip_first_nine="813367211",
        sort_code="11402004",  # mBank
        account="0000320259804417",
        street="ul. Poznańska 120",
        postal_code="62-020",
        city="Swarzędz",
        owner=("wlasciciel@nowak-meble.demo.pl", "Andrzej Nowak"),
        finance=("finanse@nowak-meble.demo.pl", "Joanna Lis"),
    ),
)
# (e-mail, role, full name); the team's members are the supervisor and the consultants.
DEMO_STAFF = (
    ("opiekun@demo.monitoring.pl", OperatorRole.ACCOUNT_MANAGER, "Katarzyna Wiśniewska"),
    ("supervisor@demo.monitoring.pl", OperatorRole.SUPERVISOR, "Tomasz Zieliński"),
    ("konsultant1@demo.monitoring.pl", OperatorRole.CONSULTANT, "Agnieszka Kamińska"),
    ("konsultant2@demo.monitoring.pl", OperatorRole.CONSULTANT, "Piotr Lewandowski"),
)


def demo_logins() -> list[tuple[str, str, str]]:
    """(role, e-mail, client) of every demo login, staff first."""
    logins = [(str(role.label), email, "") for email, role, _name in DEMO_STAFF]
    for client in DEMO_CLIENTS:
        logins.append((str(Membership.Role.OWNER.label), client.owner[0], client.slug))
        logins.append((str(Membership.Role.FINANCE.label), client.finance[0], client.slug))
    return logins


def warsaw_today() -> datetime.date:
    return timezone.localtime(timezone.now(), zoneinfo.ZoneInfo(DEMO_TIME_ZONE)).date()


def _money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2).quantize(Decimal("0.01"))


def _money_text(amount: Decimal) -> str:
    """1234567.5 -> '1 234 567,50' (Polish grouping; SQLite sums may carry float noise)."""
    return f"{amount.quantize(Decimal('0.01')):,}".replace(",", " ").replace(".", ",")


class Command(BaseCommand):
    help = "Fill an empty database with a deterministic demo: two clients, staff, payers, invoices."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Add the demo even though other clients exist (never when the demo is there).",
        )
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            help="The anchor date invoices are placed around (default: today in Warsaw).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["force"] and Tenant.objects.exists():
            self.stdout.write(
                "Clients exist already: seed_demo fills only an empty database and never deletes "
                "data. Nothing created. (--force adds the demo clients next to the others.)"
            )
            return
        if conflict := self._demo_already_present():
            raise CommandError(
                f"The demo data is already here ({conflict}); seed_demo never deletes data. "
                "Nothing created."
            )
        anchor = options["today"] or warsaw_today()
        started = time.monotonic()
        with transaction.atomic():
            staff = self._create_staff()
            tenants = [self._create_client(client, anchor) for client in DEMO_CLIENTS]
            team = Team.objects.create(name=TEAM_NAME)
            team.members.add(
                *[user for user, role in staff if role != OperatorRole.ACCOUNT_MANAGER]
            )
            team.clients.add(*tenants)
        self._print_summary(tenants, anchor, time.monotonic() - started)

    def _demo_already_present(self) -> str:
        """What of the demo exists already (a client, a login, the team), or ''."""
        clients = Tenant.objects.filter(
            Q(slug__in=[c.slug for c in DEMO_CLIENTS]) | Q(nip__in=[c.nip for c in DEMO_CLIENTS])
        )
        if client := clients.first():
            return f"client {client.slug!r} exists"
        emails = [email for _role, email, _client in demo_logins()]
        if user := User.objects.filter(email__in=emails).order_by("email").first():
            return f"login {user.email} exists"
        if Team.objects.filter(name=TEAM_NAME).exists():
            return f"team {TEAM_NAME!r} exists"
        return ""

    def _create_staff(self) -> list[tuple[User, OperatorRole]]:
        """The operator's staff, each with the demo TOTP authenticator for when MFA is enforced."""
        staff = []
        for email, role, full_name in DEMO_STAFF:
            user = create_operator_user(
                email=email, role=role, password=DEMO_PASSWORD, full_name=full_name
            )
            TOTP.activate(user, DEMO_TOTP_SECRET)  # stores the secret through allauth's adapter
            staff.append((user, role))
        return staff

    def _create_client(self, client: DemoClient, anchor: datetime.date) -> Tenant:
        tenant = create_tenant(
            name=client.name,
            slug=client.slug,
            nip=client.nip,
            iban=polish_iban(client.sort_code, client.account),
            street=client.street,
            postal_code=client.postal_code,
            city=client.city,
            time_zone=DEMO_TIME_ZONE,
            contract_start=datetime.date(anchor.year - 1, anchor.month, 1),
        )
        for (email, full_name), role in (
            (client.owner, Membership.Role.OWNER),
            (client.finance, Membership.Role.FINANCE),
        ):
            add_client_user(
                tenant=tenant, email=email, role=role, password=DEMO_PASSWORD, full_name=full_name
            )
        rng = random.Random(f"seed_demo/{client.slug}")  # a fixed seed per client
        payer_specs = make_payers(rng, count=PAYERS_PER_CLIENT)
        invoice_specs = make_invoices(
            rng, payers=payer_specs, count=INVOICES_PER_CLIENT, anchor=anchor
        )
        payers = _write_payers(tenant, payer_specs)
        _write_invoices(tenant, payers, invoice_specs)
        return tenant

    def _print_summary(self, tenants: list[Tenant], anchor: datetime.date, seconds: float) -> None:
        write = self.stdout.write
        write(self.style.SUCCESS(f"Demo data created in {seconds:.1f} s (anchor date {anchor})."))
        for tenant in tenants:
            payers = payers_of(tenant=tenant).aggregate(
                total=Count("id", distinct=True),
                consumers=Count("id", filter=Q(kind=Payer.Kind.CONSUMER), distinct=True),
                contacts=Count("contacts"),
            )
            invoices = Invoice.objects.for_tenant(tenant)
            statuses = dict(
                invoices.values_list("status").annotate(n=Count("id")).order_by("status")
            )
            write(f"\n{tenant.name} ({tenant.slug}, NIP {tenant.nip}, IBAN {tenant.iban})")
            write(
                f"  payers: {payers['total']} ({payers['consumers']} consumers), "
                f"contacts: {payers['contacts']}, "
                f"invoices: {invoices.count()} "
                f"({invoices.filter(kind=Invoice.Kind.INSTALMENT).count()} leasing instalments), "
                f"payments: {Payment.objects.for_tenant(tenant).count()}"
            )
            write("  status: " + ", ".join(f"{key} {count}" for key, count in statuses.items()))
            buckets = aging_buckets(tenant=tenant, today=anchor)
            write(
                "  aging: "
                + ", ".join(
                    f"{b.label} {b.count} ({_money_text(b.amount)} {b.currency})" for b in buckets
                )
            )
        write(f"\nLogins (password for all: {DEMO_PASSWORD}):")
        for role, email, client in demo_logins():
            write(f"  {role:<16} {email:<34} {client}".rstrip())
        write(
            f"Staff logins have a TOTP authenticator with the secret {DEMO_TOTP_SECRET}; "
            "`manage.py demo_totp` prints the current code."
        )


def _write_payers(tenant: Tenant, specs: list[PayerSpec]) -> list[Payer]:
    """Payers with their phones and e-mail, through the payers app's own service."""
    return [
        create_payer(
            tenant=tenant,
            external_id=spec.external_id,
            name=spec.name,
            kind=spec.kind,
            nip=spec.nip,
            phones=spec.phones,
            emails=[spec.email],
            street=spec.street,
            postal_code=spec.postal_code,
            city=spec.city,
        )
        for spec in specs
    ]


def _write_invoices(tenant: Tenant, payers: list[Payer], specs: list[InvoiceSpec]) -> None:
    """Invoices, then one payment per transfer, each allocated in full to its invoice."""
    invoices = Invoice.objects.bulk_create(
        Invoice(
            tenant=tenant,
            payer=payers[spec.payer_index],
            external_id=spec.external_id,
            number=spec.number,
            kind=Invoice.Kind.INSTALMENT if spec.contract_number else Invoice.Kind.INVOICE,
            contract_number=spec.contract_number,
            instalment_number=spec.instalment_number,
            issue_date=spec.issue_date,
            due_date=spec.due_date,
            gross_amount=_money(spec.gross_cents),
            outstanding_amount=_money(spec.outstanding_cents),
            status=Invoice.Status(spec.status),
            source=Source.DEMO,
            paid_on=max(day for day, _cents in spec.payments) if spec.status == "paid" else None,
        )
        for spec in specs
    )
    payments = [
        Payment(
            tenant=tenant,
            payer=invoice.payer,
            invoice=invoice,
            amount=_money(cents),
            paid_on=day,
            reference=f"Zapłata za {invoice.number}",
            external_id=f"WPL-{invoice.external_id}-{part}",
            source=Source.DEMO,
        )
        for invoice, spec in zip(invoices, specs, strict=True)
        for part, (day, cents) in enumerate(spec.payments, start=1)
    ]
    Payment.objects.bulk_create(payments)
    PaymentAllocation.objects.bulk_create(
        PaymentAllocation(
            tenant=tenant, payment=payment, invoice=payment.invoice, amount=payment.amount
        )
        for payment in payments
    )
