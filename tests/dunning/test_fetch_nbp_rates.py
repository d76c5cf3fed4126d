"""`fetch_nbp_rates` and its Celery task against a loopback NBP: stored rows, days without a
table, and every kind of bad answer turned into a clear error."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from dunning.models import NbpRate
from dunning.nbp import NbpError, fetch_table_a
from dunning.tasks import fetch_recent_nbp_rates

D = datetime.date.fromisoformat
PATH = "/exchangerates/rates/a/eur/2024-02-29/"


def run(*args: str) -> str:
    out = StringIO()
    call_command("fetch_nbp_rates", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_one_day_is_stored(nbp_api):
    output = run("--date", "2024-02-29")

    row = NbpRate.objects.get(currency="EUR", table_date=D("2024-02-29"))
    assert (row.table_number, row.rate) == ("043/A/NBP/2024", Decimal("4.3191"))
    assert "Stored 1 EUR rate(s) on 2024-02-29" in output
    assert nbp_api.requested == [f"/api{PATH}?format=json"]


@pytest.mark.django_db
def test_a_range_is_stored_once_however_often_it_is_fetched(nbp_api):
    run("--from", "2024-12-01", "--to", "2024-12-10")
    output = run("--from", "2024-12-01", "--to", "2024-12-10")

    assert NbpRate.objects.filter(currency="EUR").count() == 7
    assert "2024-12-10  239/A/NBP/2024  4.2718" in output


@pytest.mark.django_db
def test_a_holiday_has_no_table(nbp_api):
    # NBP answers 404 "Brak danych" for Christmas Day.
    with pytest.raises(CommandError, match="NBP published no table A for EUR on 2024-12-25"):
        run("--date", "2024-12-25")
    assert not NbpRate.objects.exists()


@pytest.mark.parametrize(
    ("status", "content_type", "body", "message"),
    [
        (500, "text/plain", b"Internal Server Error", "answered 500"),
        (400, "text/plain", b"400 BadRequest - Blad zakresu dat", "answered 400"),
        (200, "text/html", b"<html>maintenance</html>", "not JSON"),
        (200, "application/json", b'{"table":"A","code":"EUR"}', "no list of rates"),
        (200, "application/json", b'{"table":"B","code":"EUR","rates":[]}', "expected table 'A'"),
        (
            200,
            "application/json",
            b'{"table":"A","code":"EUR","rates":[{"no":"1/A/NBP/2024","effectiveDate":"2024-02-29"}]}',
            "malformed rate",
        ),
        (
            200,
            "application/json",
            b'{"table":"A","code":"EUR","rates":[{"no":"1","effectiveDate":"2024-02-29","mid":0}]}',
            "not positive",
        ),
    ],
)
@pytest.mark.django_db
def test_bad_answers_are_clear_errors(nbp_api, status, content_type, body, message):
    nbp_api.answers[PATH] = (status, content_type, body)

    with pytest.raises(CommandError, match=message):
        run("--date", "2024-02-29")
    assert not NbpRate.objects.exists()


def test_an_unreachable_api_is_a_clear_error(settings):
    settings.NBP_API_URL = "http://127.0.0.1:9/api"  # the discard port: connection refused

    with pytest.raises(NbpError, match="NBP API unreachable"):
        fetch_table_a(currency="EUR", start=D("2024-02-29"))


def test_a_long_range_is_split_into_requests_nbp_accepts(nbp_api):
    fetch_table_a(currency="EUR", start=D("2023-01-01"), end=D("2024-12-31"))

    assert nbp_api.requested == [
        "/api/exchangerates/rates/a/eur/2023-01-01/2024-01-01/?format=json",
        "/api/exchangerates/rates/a/eur/2024-01-02/2024-12-31/?format=json",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "29.02.2024"], "--date: '29.02.2024' is not a date"),
        (["--date", "2024-02-29", "--from", "2024-02-01"], "either --date or --from/--to"),
        (["--from", "2024-02-01"], "--from and --to go together"),
        (["--from", "2024-02-10", "--to", "2024-02-01"], "before --from"),
        (["--date", "2024-02-29", "--currency", "EURO"], "not an ISO code"),
    ],
)
def test_bad_arguments_exit_with_code_2(args, message):
    with pytest.raises(CommandError, match=message) as raised:
        run(*args)
    assert raised.value.returncode == 2


@pytest.mark.django_db
def test_the_daily_task_reads_the_last_ten_days(nbp_api, monkeypatch):
    import django.utils.timezone

    monkeypatch.setattr(
        django.utils.timezone,
        "now",
        lambda: datetime.datetime(2024, 12, 10, 12, 30, tzinfo=datetime.UTC),
    )
    nbp_api.answers["/exchangerates/rates/a/eur/2024-11-30/2024-12-10/"] = nbp_api.answer(
        "/exchangerates/rates/a/eur/2024-12-01/2024-12-10/"
    )

    assert fetch_recent_nbp_rates() == 7
    assert NbpRate.objects.count() == 7
