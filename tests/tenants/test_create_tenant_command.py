"""`manage.py create_tenant`: onboarding a client from the shell, with one-line errors."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError

from tenants.models import Membership, Tenant
from tests.factories import TenantFactory, valid_nip

pytestmark = pytest.mark.django_db

BAD_CHECKSUM_NIP = "1234567890"  # weighted sum mod 11 is 10: no check digit makes it valid
VALID_IBAN = "PL61 1090 1014 0000 0712 1981 2874"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("create_tenant", *args, stdout=out)
    return out.getvalue()


def test_creates_the_client_with_normalised_identifiers():
    nip = valid_nip(4242)
    output = run(
        "--slug", "acme", "--name", "Acme Polska Sp. z o.o.",
        "--nip", f"PL {nip[:3]}-{nip[3:6]}-{nip[6:8]}-{nip[8:]}",
        "--iban", VALID_IBAN, "--city", "Kraków",
    )  # fmt: skip

    tenant = Tenant.objects.get(slug="acme")
    assert (tenant.name, tenant.nip, tenant.city) == ("Acme Polska Sp. z o.o.", nip, "Kraków")
    assert tenant.iban == "PL61109010140000071219812874"
    assert "Created client 'Acme Polska Sp. z o.o.' (slug acme" in output


def test_gives_the_owner_a_login_with_the_password():
    run(
        "--slug", "acme", "--name", "Acme", "--nip", valid_nip(4242),
        "--owner-email", "Szef@Acme.pl", "--owner-password", "Tajne-haslo-2026",
    )  # fmt: skip

    user = authenticate(email="szef@acme.pl", password="Tajne-haslo-2026")
    assert user is not None
    assert user.memberships.get().role == Membership.Role.OWNER


def test_wrong_nip_check_digit_is_one_clear_line():
    with pytest.raises(CommandError) as error:
        run("--slug", "acme", "--name", "Acme", "--nip", BAD_CHECKSUM_NIP)

    assert str(error.value) == "nip: NIP 1234567890 has a wrong check digit."
    assert not Tenant.objects.exists()


def test_duplicate_nip_is_refused():
    TenantFactory(nip=valid_nip(4242))

    with pytest.raises(CommandError) as error:
        run("--slug", "acme", "--name", "Acme", "--nip", valid_nip(4242))

    assert str(error.value) == "nip: Client with this NIP already exists."


def test_duplicate_slug_is_refused():
    TenantFactory(slug="acme")

    with pytest.raises(CommandError) as error:
        run("--slug", "acme", "--name", "Acme", "--nip", valid_nip(4242))

    assert str(error.value) == "slug: Client with this Slug already exists."


def test_invalid_iban_names_the_field():
    bad_iban = "PL61109010140000071219812875"  # VALID_IBAN with its last digit changed

    with pytest.raises(CommandError) as error:
        run("--slug", "acme", "--name", "Acme", "--nip", valid_nip(4242), "--iban", bad_iban)

    assert str(error.value).startswith(f"iban: IBAN {bad_iban} is not valid")
    assert not Tenant.objects.exists()


def test_invalid_owner_email_creates_nothing():
    with pytest.raises(CommandError) as error:
        run("--slug", "acme", "--name", "Acme", "--nip", valid_nip(4242), "--owner-email", "szef@")

    assert str(error.value).startswith("owner-email:")
    assert not Tenant.objects.exists()
