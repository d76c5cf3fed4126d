"""The public page /v/<code>: the client's name and "under monitoring until …", or "not valid" —
the same for unknown, revoked, expired and mechanical codes, so nothing is learnt by guessing."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from stamps.models import StampDesign
from stamps.services import revoke_design
from tenants.models import Tenant
from tenants.selectors import tenant_today
from tests.stamps.conftest import make_design

NOT_VALID_PL = "Ta pieczęć prewencyjna nie jest ważna."
NOT_VALID_EN = "This prevention stamp is not valid."


@pytest.fixture
def contract_tenant(tenant, settings):
    settings.OPERATOR_NAME = "Monitoring należności"
    today = tenant_today(tenant)
    tenant.name = "Zakład Mięsny Wędliniarz Sp. z o.o."
    tenant.contract_start = today - datetime.timedelta(days=100)
    tenant.contract_end = datetime.date(today.year + 1, 12, 31)
    tenant.save()
    return tenant


def visit(code: str, language: str | None = None):
    browser = Client()
    if language:
        browser.cookies["django_language"] = language
    return browser.get(reverse("stamp_verify", args=[code]))


def test_valid_code_names_the_client_the_operator_and_the_end_date(contract_tenant):
    design = make_design(contract_tenant)
    end = contract_tenant.contract_end

    response = visit(design.code)

    assert response.status_code == 200
    text = response.content.decode()
    assert "Zakład Mięsny Wędliniarz Sp. z o.o." in text
    assert (
        f"Należności tej firmy są monitorowane przez Monitoring należności do {end.day} grudnia "
        f"{end.year}." in text
    )
    assert NOT_VALID_PL not in text


def test_valid_code_in_english(contract_tenant):
    design = make_design(contract_tenant)
    response = visit(design.code, language="en")
    end = contract_tenant.contract_end
    assert (
        "The receivables of this company are under monitoring by Monitoring należności until "
        f"Dec. 31, {end.year}." in response.content.decode()
    )


def test_contract_without_end_is_monitored_until_further_notice(contract_tenant):
    contract_tenant.contract_end = None
    contract_tenant.save()
    design = make_design(contract_tenant)

    response = visit(design.code)

    assert response.status_code == 200
    assert (
        "Należności tej firmy są monitorowane przez Monitoring należności do odwołania."
        in response.content.decode()
    )


def test_lower_case_code_is_the_same_code(contract_tenant):
    design = make_design(contract_tenant)
    assert visit(design.code.lower()).status_code == 200


def not_valid_cases(tenant: Tenant, user) -> dict[str, str]:
    today = tenant_today(tenant)
    revoked = make_design(tenant)
    revoke_design(design=revoked, revoked_by=user, reason="Nowy wzór")
    mechanical = make_design(tenant, form=StampDesign.Form.MECHANICAL)
    return {
        "unknown": "ZZZZZZZZZZ",
        "revoked": revoked.code,
        "mechanical": mechanical.code,
        "expired": _expired_design(today).code,
        "not started": _future_design(today).code,
        "suspended": _suspended_design().code,
    }


def _expired_design(today):
    from tests.factories import TenantFactory

    tenant = TenantFactory(
        contract_start=today - datetime.timedelta(days=400),
        contract_end=today - datetime.timedelta(days=1),
    )
    return make_design(tenant)


def _future_design(today):
    from tests.factories import TenantFactory

    return make_design(TenantFactory(contract_start=today + datetime.timedelta(days=1)))


def _suspended_design():
    from tests.factories import TenantFactory

    return make_design(TenantFactory(status=Tenant.Status.SUSPENDED))


def test_unknown_revoked_expired_and_other_invalid_codes_look_alike(contract_tenant, finance_user):
    cases = not_valid_cases(contract_tenant, finance_user)
    bodies = {}
    for case, code in cases.items():
        response = visit(code)
        assert response.status_code == 404, case
        body = response.content.decode()
        assert NOT_VALID_PL in body, case
        assert "Wędliniarz" not in body and "Klient" not in body, case
        bodies[case] = body.replace(code, "")
    assert len(set(bodies.values())) == 1  # nothing tells an unknown code from a revoked one


def test_not_valid_in_english(contract_tenant):
    assert NOT_VALID_EN in visit("ZZZZZZZZZZ", language="en").content.decode()


def test_the_day_the_contract_ends_is_still_valid_and_the_next_is_not(contract_tenant):
    design = make_design(contract_tenant)
    contract_tenant.contract_end = tenant_today(contract_tenant)
    contract_tenant.save()
    assert visit(design.code).status_code == 200
    contract_tenant.contract_end = tenant_today(contract_tenant) - datetime.timedelta(days=1)
    contract_tenant.save()
    assert NOT_VALID_PL in visit(design.code).content.decode()


def test_page_is_public_not_indexed_and_briefly_cacheable(contract_tenant):
    design = make_design(contract_tenant)
    response = visit(design.code)

    assert response.status_code == 200  # no login
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()
    assert "public" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"]
    assert "Set-Cookie" not in response.headers and not response.cookies


def test_too_many_checks_from_one_address_are_refused_for_a_minute(contract_tenant, settings):
    settings.STAMPS_VERIFY_RATE_PER_MINUTE = 3
    design = make_design(contract_tenant)
    browser = Client()
    statuses = [
        browser.get(reverse("stamp_verify", args=[code])).status_code
        for code in ["AAAAAAAAAA", "BBBBBBBBBB", "CCCCCCCCCC", design.code]
    ]
    assert statuses == [404, 404, 404, 429]


def test_the_budget_is_per_visitor_behind_the_proxy(contract_tenant, settings):
    settings.STAMPS_VERIFY_RATE_PER_MINUTE = 1
    browser = Client()
    url = reverse("stamp_verify", args=["AAAAAAAAAA"])

    first = browser.get(url, HTTP_X_FORWARDED_FOR="203.0.113.7")
    other_visitor = browser.get(url, HTTP_X_FORWARDED_FOR="198.51.100.2")
    first_again = browser.get(url, HTTP_X_FORWARDED_FOR="203.0.113.7")

    assert (first.status_code, other_visitor.status_code, first_again.status_code) == (
        404,
        404,
        429,
    )
