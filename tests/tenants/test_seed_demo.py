"""`manage.py seed_demo` and `manage.py demo_totp`: a deterministic demo anyone can log in to.

The demo is seeded once for the module (committed, removed at the end); each test runs in its
own transaction on top of it, so a test that deletes and reseeds leaves the shared data intact.
"""

from __future__ import annotations

import io
import re
import time
from decimal import Decimal

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum

from invoices.management.commands.seed_demo import (
    DEMO_CLIENTS,
    DEMO_STAFF,
    TEAM_NAME,
    demo_logins,
    warsaw_today,
)
from invoices.models import Invoice, Payment, PaymentAllocation
from invoices.selectors import aging_buckets
from payers.models import Payer, PayerContact
from payers.phones import normalize_phone
from tenants.demo_data import DEMO_PASSWORD
from tenants.models import Team, Tenant, User

pytestmark = pytest.mark.django_db
ANCHOR = warsaw_today()


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", "--today", ANCHOR.isoformat(), *args, stdout=out)
    return out.getvalue()


def delete_demo_data() -> None:
    tenants = Tenant.objects.filter(slug__in=[client.slug for client in DEMO_CLIENTS])
    for model in (PaymentAllocation, Payment, Invoice, PayerContact, Payer):
        model.objects.filter(tenant__in=tenants).delete()
    Team.objects.filter(name=TEAM_NAME).delete()
    User.objects.filter(email__in=[email for _role, email, _client in demo_logins()]).delete()
    tenants.delete()


def ledger_rows() -> list[tuple]:
    invoices = Invoice.objects.values_list(
        "tenant__slug", "external_id", "number", "payer__external_id", "payer__name",
        "payer__nip", "gross_amount", "outstanding_amount", "status", "issue_date", "due_date",
    )  # fmt: skip
    payments = Payment.objects.values_list("tenant__slug", "external_id", "amount", "paid_on")
    return sorted(invoices) + sorted(payments)


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        seed()
        yield
        delete_demo_data()


def test_creates_the_two_demo_clients():
    assert set(Tenant.objects.values_list("slug", flat=True)) == {"kowalczyk", "nowak-meble"}


def test_creates_about_500_payers_with_valid_phones():
    assert 450 <= Payer.objects.count() <= 550
    phones = PayerContact.objects.filter(kind=PayerContact.Kind.PHONE).values_list(
        "value", flat=True
    )
    assert all(normalize_phone(phone) == phone for phone in phones)
    assert Payer.objects.filter(kind=Payer.Kind.CONSUMER, nip="").count() > 50


def test_creates_about_5000_invoices():
    assert 4_500 <= Invoice.objects.count() <= 5_500


@pytest.mark.parametrize("email", [email for _role, email, _client in demo_logins()])
def test_every_demo_login_authenticates_with_the_demo_password(email):
    assert authenticate(email=email, password=DEMO_PASSWORD) is not None


def test_the_team_calls_for_both_clients():
    team = Team.objects.get(name=TEAM_NAME)

    assert team.clients.count() == 2
    assert set(team.members.values_list("email", flat=True)) == {
        "supervisor@demo.monitoring.pl",
        "konsultant1@demo.monitoring.pl",
        "konsultant2@demo.monitoring.pl",
    }


@pytest.mark.parametrize("slug", [client.slug for client in DEMO_CLIENTS])
def test_every_aging_bucket_and_paid_invoices_are_present(slug):
    tenant = Tenant.objects.get(slug=slug)

    buckets = {bucket.key: bucket.count for bucket in aging_buckets(tenant=tenant, today=ANCHOR)}

    assert all(count > 0 for count in buckets.values()), buckets
    assert Invoice.objects.for_tenant(tenant).filter(status=Invoice.Status.PAID).count() > 0


def test_allocations_match_what_was_paid_on_each_invoice():
    invoices = Invoice.objects.annotate(allocated=Sum("allocations__amount"))

    for invoice in invoices:
        assert (
            invoice.allocated or Decimal("0.00")
        ) == invoice.gross_amount - invoice.outstanding_amount
        assert invoice.issue_date <= invoice.due_date


def test_some_receivables_are_leasing_instalments():
    instalments = Invoice.objects.filter(kind=Invoice.Kind.INSTALMENT)

    assert 0 < instalments.count() < Invoice.objects.count() * 0.1
    assert not instalments.filter(contract_number="").exists()
    assert not instalments.filter(instalment_number=None).exists()


def test_running_it_again_creates_nothing():
    before = (Tenant.objects.count(), Payer.objects.count(), Invoice.objects.count())

    output = seed()

    assert "Nothing created" in output
    assert (Tenant.objects.count(), Payer.objects.count(), Invoice.objects.count()) == before


def test_force_refuses_when_the_demo_is_already_there():
    with pytest.raises(CommandError, match="demo data is already here"):
        seed("--force")


def test_two_runs_on_empty_databases_give_the_same_data():
    first = ledger_rows()
    delete_demo_data()
    assert not Tenant.objects.exists()

    seed()

    assert ledger_rows() == first


@pytest.mark.parametrize("email", [email for email, _role, _name in DEMO_STAFF])
def test_staff_have_a_totp_authenticator(email):
    assert Authenticator.objects.filter(user__email=email, type=Authenticator.Type.TOTP).exists()


def test_demo_totp_prints_a_code_allauth_accepts(monkeypatch):
    monkeypatch.setattr(time, "time", lambda: 1_790_000_000.0)  # the same instant for both
    out = io.StringIO()

    call_command("demo_totp", stdout=out)

    code = re.match(r"(\d{6})\b", out.getvalue()).group(1)
    authenticator = Authenticator.objects.get(
        user__email="konsultant1@demo.monitoring.pl", type=Authenticator.Type.TOTP
    )
    assert TOTP(authenticator).validate_code(code)
    assert not TOTP(authenticator).validate_code(f"{(int(code) + 1) % 1_000_000:06d}")
