"""E-mail login (no usernames), rate limits, password reset, closed signup, admin login route."""

from __future__ import annotations

from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD


def test_finance_user_logs_in_with_email_and_lands_on_invoices(finance_user):
    browser = Client()
    response = browser.post(
        reverse("account_login"), {"login": finance_user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert browser.get(reverse("home"))["Location"] == reverse("invoices:list")


def test_wrong_password_shows_an_error_and_does_not_log_in(finance_user):
    browser = Client()
    response = browser.post(
        reverse("account_login"), {"login": finance_user.email, "password": "wrong-password"}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in browser.session


def test_repeated_failed_logins_are_rate_limited(finance_user):
    browser = Client()
    browser.cookies["django_language"] = "en"
    for _ in range(5):
        browser.post(reverse("account_login"), {"login": finance_user.email, "password": "nope"})
    # After five failures even the right password is refused while the limit holds.
    response = browser.post(
        reverse("account_login"), {"login": finance_user.email, "password": DEFAULT_PASSWORD}
    )
    assert "_auth_user_id" not in browser.session
    assert "Too many failed login attempts" in str(response.context["form"].errors)


def test_password_reset_sends_an_email_with_a_link(finance_user):
    response = Client().post(reverse("account_reset_password"), {"email": finance_user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert finance_user.email in mail.outbox[0].to
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_self_signup_is_closed(db):
    response = Client().post(
        reverse("account_signup"),
        {
            "email": "stranger@example.com",
            "password1": "Xy7-long-pass!",
            "password2": "Xy7-long-pass!",
        },
    )
    from tenants.models import User

    assert not User.objects.filter(email="stranger@example.com").exists()
    assert response.status_code in (200, 302)


def test_admin_login_goes_through_the_platform_login(db):
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_anonymous_visitor_is_sent_to_login(db):
    response = Client().get(reverse("invoices:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_api_answers_in_english_unless_polish_is_asked_for(db):
    english = Client().get("/api/v1/invoices")
    polish = Client().get("/api/v1/invoices", HTTP_ACCEPT_LANGUAGE="pl")
    assert english["Content-Language"] == "en"
    assert polish["Content-Language"] == "pl"
