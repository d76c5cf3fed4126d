"""`manage.py interest`, the account managers' calculator: the text table, --json, payments,
--compensation, and bad input as one line with exit code 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from dunning.models import NbpRate

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ["--amount", "10000.00", "--due", "2024-03-15", "--paid", "2025-11-20"]


def run(*args: str) -> str:
    out = StringIO()
    call_command("interest", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_table_of_rate_periods_and_the_total():
    # Worked out in test_interest.py::test_the_issues_example: 2036.71 + 597.47, total 2634.18.
    output = run(*EXAMPLE, "--kind", "commercial")

    assert output.splitlines() == [
        "Statutory interest (commercial) on 10000.00 PLN due 2024-03-15",
        "Interest from 2024-03-16 to 2025-11-20: 615 day(s), year of 365 days",
        "",
        "from        to           days  rate %          base    interest",
        "2024-03-16  2025-06-30    472   15.75      10000.00     2036.71",
        "2025-07-01  2025-11-20    143   15.25      10000.00      597.47",
        "Total interest: 2634.18 PLN",
    ]


@pytest.mark.django_db
def test_json_output():
    data = json.loads(run(*EXAMPLE, "--kind", "commercial", "--json"))

    assert data["total_interest"] == "2634.18"
    assert data["interest_from"] == "2024-03-16"
    assert [(p["from"], p["to"], p["days"], p["rate"], p["interest"]) for p in data["periods"]] == [
        ("2024-03-16", "2025-06-30", 472, "15.75", "2036.71"),
        ("2025-07-01", "2025-11-20", 143, "15.25", "597.47"),
    ]
    assert "compensation" not in data


@pytest.mark.django_db
def test_a_moved_due_date_and_partial_payments_are_shown():
    # Due Sat 2025-03-15 → Mon 2025-03-17; 1,000.00 paid 2025-03-27 (10 days):
    #   1000 × 0.1575 × 10 / 365 = 4.315068 → 4.32 to interest, 995.68 to principal
    output = run(
        "--amount",
        "1000.00",
        "--due",
        "2025-03-15",
        "--paid",
        "2025-03-27",
        "--kind",
        "commercial",
        "--payment",
        "2025-03-27:1000,00",
    )

    assert "Due date falls on a day off: moved to 2025-03-17 (art. 115 KC)" in output
    assert "  2025-03-27       1000.00: to interest 4.32, to principal 995.68" in output
    assert "Interest outstanding: 0.00 PLN" in output
    assert "Principal outstanding: 4.32 PLN" in output


@pytest.mark.django_db
def test_compensation_with_the_nbp_rate_used():
    NbpRate.objects.create(
        currency="EUR", table_date="2024-02-29", table_number="043/A/NBP/2024", rate="4.3191"
    )

    output = run(*EXAMPLE, "--kind", "commercial", "--compensation", "--no-fetch")
    data = json.loads(run(*EXAMPLE, "--kind", "commercial", "--compensation", "--json"))

    # 70 EUR (10,000 PLN is over 5,000 and below 50,000) × 4.3191 = 302.337 → 302.34 PLN
    assert output.splitlines()[-1] == (
        "Compensation (art. 10 of the 2013 act): 70.00 EUR × 4.3191 "
        "(NBP table 043/A/NBP/2024 of 2024-02-29) = 302.34 PLN"
    )
    assert data["compensation"] == {
        "eur": "70.00",
        "nbp_rate": "4.3191",
        "nbp_table_date": "2024-02-29",
        "nbp_table_number": "043/A/NBP/2024",
        "pln": "302.34",
    }


@pytest.mark.django_db
def test_compensation_fetches_a_missing_rate_on_demand(nbp_api):
    output = run(*EXAMPLE, "--kind", "commercial", "--compensation")

    assert "= 302.34 PLN" in output
    assert NbpRate.objects.filter(table_date="2024-02-29").exists()


@pytest.mark.django_db
def test_compensation_without_a_rate_and_without_fetching_is_an_error():
    with pytest.raises(CommandError, match="fetch_nbp_rates --from 2024-02-22"):
        run(*EXAMPLE, "--kind", "commercial", "--compensation", "--no-fetch")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--amount", "abc", "--due", "2024-03-15", "--kind", "civil"], "--amount: 'abc'"),
        (["--amount", "-5", "--due", "2024-03-15", "--kind", "civil"], "above zero"),
        (["--amount", "1.005", "--due", "2024-03-15", "--kind", "civil"], "at most 2 decimals"),
        (["--amount", "10", "--due", "15.03.2024", "--kind", "civil"], "--due: '15.03.2024'"),
        (
            ["--amount", "10", "--due", "2024-03-15", "--kind", "civil", "--payment", "2024-04"],
            "--payment: '2024-04' is not in the form",
        ),
        ([*EXAMPLE, "--kind", "civil", "--compensation"], "only in commercial transactions"),
        (
            [*EXAMPLE, "--kind", "civil", "--payment", "2025-12-01:10.00"],
            "after the end of the period",
        ),
        (
            ["--amount", "10", "--due", "2015-03-16", "--paid", "2016-02-01", "--kind", "civil"],
            "No civil interest rate covers 2015-03-17",
        ),
    ],
)
@pytest.mark.django_db
def test_bad_input_exits_with_code_2(args, message):
    with pytest.raises(CommandError, match=message) as raised:
        run(*args)
    assert raised.value.returncode == 2


@pytest.mark.parametrize(
    ("args", "stderr"),
    [
        (
            ["--amount", "abc", "--due", "2024-03-15", "--kind", "civil"],
            "CommandError: --amount: 'abc' is not an amount like 1234.56.\n",
        ),
        (
            ["--due", "2024-03-15", "--kind", "civil"],
            "manage.py interest: error: the following arguments are required: --amount\n",
        ),
    ],
)
def test_from_the_shell_bad_input_is_one_line_and_exit_code_2(tmp_path, args, stderr):
    env = {**os.environ, "DEBUG": "1", "VAR_DIR": str(tmp_path)}

    done = subprocess.run(  # noqa: S603 (our own manage.py)
        [sys.executable, "manage.py", "interest", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 2
    assert done.stderr == stderr
    assert done.stdout == ""
