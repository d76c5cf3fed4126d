"""The rate table in admin: a new rate is added when announced; overlapping or duplicate periods
and commercial periods that are not half-years are refused with the reason."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dunning.models import InterestRate, RateKind
from tenants.models import User
from tests.factories import DEFAULT_PASSWORD

D = datetime.date.fromisoformat


@pytest.fixture
def admin_client(client, db, settings):
    settings.REQUIRE_STAFF_MFA = False
    client.force_login(User.objects.create_superuser("admin@example.com", DEFAULT_PASSWORD))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # messages compared in English
    return client


def add(admin_client, **fields):
    data = {"source": "", "reference_rate": "", "valid_to": "", "verified": "on", **fields}
    return admin_client.post(reverse("admin:dunning_interestrate_add"), data)


def test_the_seeded_history_is_listed(admin_client):
    response = admin_client.get(reverse("admin:dunning_interestrate_changelist"))

    assert response.status_code == 200
    assert InterestRate.objects.filter(kind=RateKind.CIVIL).count() == 24
    assert InterestRate.objects.filter(kind=RateKind.COMMERCIAL).count() == 10
    assert list(InterestRate.objects.filter(verified=False).values_list("kind", "valid_from")) == [
        (RateKind.COMMERCIAL, D("2026-07-01")),
        (RateKind.COMMERCIAL_PUBLIC_MEDICAL, D("2026-07-01")),
    ]


def test_a_new_civil_rate_closes_the_open_ended_one(admin_client):
    response = add(admin_client, kind="civil", valid_from="2026-12-03", rate="9.00")

    assert response.status_code == 302
    assert InterestRate.objects.get(kind="civil", valid_from=D("2026-12-03")).rate == 9


def test_a_new_commercial_half_year_is_accepted(admin_client):
    response = add(
        admin_client,
        kind="commercial",
        valid_from="2027-01-01",
        valid_to="2027-06-30",
        rate="13.50",
    )

    assert response.status_code == 302


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"kind": "civil", "valid_from": "2026-03-05", "rate": "9.00"},
            "A Statutory delay interest (art. 481 KC) rate from 2026-03-05 already exists.",
        ),
        (
            {"kind": "civil", "valid_from": "2025-12-10", "rate": "9.00"},
            "This period overlaps the rate valid 2025-12-04 – 2026-03-04 (9.50%).",
        ),
        (
            {
                "kind": "civil",
                "valid_from": "2015-06-01",
                "valid_to": "2016-01-31",
                "rate": "7.00",
            },
            "This period overlaps the rate valid from 2016-01-01 (7.00%).",
        ),
        (
            {
                "kind": "commercial",
                "valid_from": "2026-07-01",
                "valid_to": "2026-12-31",
                "rate": "13.50",
            },
            "rate from 2026-07-01 already exists",
        ),
        (
            {
                "kind": "commercial",
                "valid_from": "2026-10-01",
                "valid_to": "2026-12-31",
                "rate": "13.50",
            },
            "start on 1 January or 1 July",
        ),
        (
            {"kind": "commercial", "valid_from": "2027-01-01", "rate": "13.50"},
            "announced per half-year: give the end",
        ),
    ],
)
def test_overlapping_duplicate_and_odd_periods_are_refused(admin_client, fields, message):
    before = InterestRate.objects.count()

    response = add(admin_client, **fields)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert InterestRate.objects.count() == before


@pytest.mark.django_db
def test_clean_refuses_an_overlap_outside_admin_too():
    rate = InterestRate(
        kind=RateKind.COMMERCIAL, valid_from=D("2025-07-01"), valid_to=D("2025-12-31"), rate=15
    )

    with pytest.raises(ValidationError, match="already exists"):
        rate.full_clean()


def test_the_refusal_reads_in_polish_by_default(admin_client, settings):
    del admin_client.cookies[settings.LANGUAGE_COOKIE_NAME]

    response = add(admin_client, kind="civil", valid_from="2025-12-10", rate="9.00")

    assert "Ten okres nakłada się na stopę obowiązującą" in response.content.decode()
