"""Operator staff must use TOTP when REQUIRE_STAFF_MFA is on; client users are not held to it."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from allauth.mfa.totp.internal.auth import yield_hotp_counters_from_time as counters
from django.test import Client
from django.urls import reverse

from tenants.roles import OperatorRole
from tenants.services import create_operator_user
from tests.factories import DEFAULT_PASSWORD

SECRET = "JBSWY3DPEHPK3PXP"


@pytest.fixture
def consultant(db):
    return create_operator_user(
        email="konsultant@example.com", role=OperatorRole.CONSULTANT, password=DEFAULT_PASSWORD
    )


def current_code() -> str:
    return format_hotp_value(hotp_value(SECRET, next(counters())))


def test_staff_without_totp_is_sent_to_set_it_up(client, consultant, settings):
    settings.REQUIRE_STAFF_MFA = True
    client.force_login(consultant)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_staff_without_totp_can_open_the_setup_page(client, consultant, settings):
    settings.REQUIRE_STAFF_MFA = True
    client.post(reverse("account_login"), {"login": consultant.email, "password": DEFAULT_PASSWORD})
    # allauth asks for the password once more before a second factor is added.
    response = client.get(reverse("mfa_activate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(response["Location"], {"password": DEFAULT_PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    assert response.context["totp_url"].startswith("otpauth://totp/")


def test_staff_mfa_not_enforced_when_the_setting_is_off(client, consultant, settings):
    settings.REQUIRE_STAFF_MFA = False
    client.force_login(consultant)
    response = client.get(reverse("home"))
    assert response["Location"] == reverse("operator_home")


def test_client_finance_user_is_not_held_to_staff_mfa(finance_client, settings):
    settings.REQUIRE_STAFF_MFA = True
    response = finance_client.get(reverse("home"))
    assert response["Location"] == reverse("invoices:list")


def test_staff_login_asks_for_the_totp_code_and_accepts_it(consultant, settings):
    settings.REQUIRE_STAFF_MFA = True
    TOTP.activate(consultant, SECRET)
    browser = Client()
    response = browser.post(
        reverse("account_login"), {"login": consultant.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in browser.session

    response = browser.post(reverse("mfa_authenticate"), {"code": current_code()})
    assert response.status_code == 302
    assert browser.session["_auth_user_id"] == str(consultant.pk)
    assert browser.get(reverse("operator_home")).status_code == 200


def test_a_wrong_totp_code_is_refused(consultant, settings):
    TOTP.activate(consultant, SECRET)
    browser = Client()
    browser.post(
        reverse("account_login"), {"login": consultant.email, "password": DEFAULT_PASSWORD}
    )
    response = browser.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200
    assert "_auth_user_id" not in browser.session


def test_totp_secret_is_not_stored_in_the_clear(consultant):
    from allauth.mfa.models import Authenticator

    TOTP.activate(consultant, SECRET)
    stored = Authenticator.objects.get(user=consultant, type=Authenticator.Type.TOTP).data
    assert SECRET not in str(stored)
