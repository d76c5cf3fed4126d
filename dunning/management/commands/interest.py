"""`manage.py interest`: the account managers' statutory interest calculator.

    manage.py interest --amount 10000.00 --due 2024-03-15 [--paid 2025-11-20] --kind commercial
        [--payment 2024-06-01:2000.00 …] [--principal-first] [--compensation [--no-fetch]] [--json]

Prints the interest per rate period and the total; with --compensation also the recovery-cost
compensation (EUR, the NBP rate and table used, PLN). A missing NBP rate is fetched from the NBP API
and stored, unless --no-fetch. Bad input: one line on stderr and exit code 2.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dunning.compensation import Compensation, CompensationError, compensation_for
from dunning.interest import Allocation, InterestError, InterestResult, PartialPayment
from dunning.models import RateKind
from dunning.selectors import statutory_interest

BAD_INPUT = 2


def bad_input(message: str) -> CommandError:
    return CommandError(message, returncode=BAD_INPUT)


def parse_date(value: str, option: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise bad_input(f"{option}: {value!r} is not a date in the form YYYY-MM-DD.") from None


def parse_amount(value: str, option: str) -> Decimal:
    try:
        amount = Decimal(value.replace(",", "."))
    except InvalidOperation:
        raise bad_input(f"{option}: {value!r} is not an amount like 1234.56.") from None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise bad_input(f"{option}: {value!r} must be above zero with at most 2 decimals.")
    return amount.quantize(Decimal("0.01"))


def parse_payment(value: str) -> PartialPayment:
    day, separator, amount = value.partition(":")
    if not separator:
        raise bad_input(f"--payment: {value!r} is not in the form YYYY-MM-DD:AMOUNT.")
    return PartialPayment(parse_date(day, "--payment"), parse_amount(amount, "--payment"))


class Command(BaseCommand):
    help = "Compute statutory interest (and the recovery-cost compensation) for an amount."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # argparse errors (a missing or unknown option) stay one line: no usage block before them.
        parser.print_usage = lambda file=None: None
        return parser

    def add_arguments(self, parser) -> None:
        parser.add_argument("--amount", required=True, help="Principal in PLN, e.g. 10000.00.")
        parser.add_argument("--due", required=True, metavar="YYYY-MM-DD", help="The due date.")
        parser.add_argument(
            "--paid",
            metavar="YYYY-MM-DD",
            help="The day of payment (interest includes it); default: today.",
        )
        parser.add_argument(
            "--kind",
            required=True,
            choices=RateKind.values,
            help="commercial (business payer), civil (consumer, art. 481 KC) or "
            "commercial_public_medical.",
        )
        parser.add_argument(
            "--payment",
            action="append",
            default=[],
            metavar="YYYY-MM-DD:AMOUNT",
            help="A partial payment; repeat for several.",
        )
        parser.add_argument(
            "--principal-first",
            action="store_true",
            help="Count payments towards the principal first (the payer designated it); "
            "default: interest due first (art. 451 KC).",
        )
        parser.add_argument(
            "--compensation",
            action="store_true",
            help="Add the recovery-cost compensation (business payers; art. 10 of the 2013 act).",
        )
        parser.add_argument(
            "--no-fetch",
            action="store_true",
            help="Never call the NBP API: use only stored rates.",
        )
        parser.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        amount = parse_amount(options["amount"], "--amount")
        due = parse_date(options["due"], "--due")
        until = (
            parse_date(options["paid"], "--paid")
            if options["paid"]
            else timezone.localtime(timezone.now(), ZoneInfo("Europe/Warsaw")).date()
        )
        payments = [parse_payment(value) for value in options["payment"]]
        allocation = (
            Allocation.PRINCIPAL_FIRST if options["principal_first"] else Allocation.INTEREST_FIRST
        )
        if options["compensation"] and options["kind"] == RateKind.CIVIL:
            raise bad_input(
                "--compensation: due only in commercial transactions (business payers), "
                "not with --kind civil."
            )
        try:
            result = statutory_interest(
                amount=amount,
                due_date=due,
                until=until,
                kind=options["kind"],
                payments=payments,
                allocation=allocation,
            )
        except InterestError as error:
            raise bad_input(str(error)) from None
        compensation = None
        if options["compensation"]:
            try:
                compensation = compensation_for(
                    gross_amount=amount, due_date=due, fetch_missing=not options["no_fetch"]
                )
            except CompensationError as error:
                raise CommandError(f"--compensation: {error}") from None
        if options["json"]:
            self.stdout.write(json.dumps(as_json(result, compensation), indent=2))
        else:
            self.stdout.write("\n".join(as_text(result, compensation)))


def as_json(result: InterestResult, compensation: Compensation | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": result.kind,
        "amount": str(result.amount),
        "due_date": result.due_date.isoformat(),
        "deadline": result.deadline.isoformat(),
        "interest_from": result.interest_from.isoformat(),
        "until": result.until.isoformat(),
        "days_late": result.days_late,
        "year_days": result.year_days,
        "allocation": str(result.allocation),
        "periods": [
            {
                "from": line.date_from.isoformat(),
                "to": line.date_to.isoformat(),
                "days": line.days,
                "rate": str(line.rate),
                "base": str(line.base),
                "interest": str(line.interest),
                "rate_verified": line.rate_verified,
            }
            for line in result.lines
        ],
        "payments": [
            {
                "date": payment.paid_on.isoformat(),
                "amount": str(payment.amount),
                "to_interest": str(payment.to_interest),
                "to_principal": str(payment.to_principal),
                "overpaid": str(payment.overpaid),
            }
            for payment in result.payments
        ],
        "total_interest": str(result.total_interest),
        "interest_paid": str(result.interest_paid),
        "interest_outstanding": str(result.interest_outstanding),
        "principal_outstanding": str(result.principal_outstanding),
        "rates_verified": result.rates_verified,
    }
    if compensation is not None:
        data["compensation"] = {
            "eur": str(compensation.eur_amount),
            "nbp_rate": str(compensation.nbp_rate),
            "nbp_table_date": compensation.nbp_table_date.isoformat(),
            "nbp_table_number": compensation.nbp_table_number,
            "pln": str(compensation.pln_amount),
        }
    return data


def as_text(result: InterestResult, compensation: Compensation | None) -> list[str]:
    lines = [
        f"Statutory interest ({result.kind}) on {result.amount} PLN due {result.due_date}",
    ]
    if result.deadline != result.due_date:
        lines.append(f"Due date falls on a day off: moved to {result.deadline} (art. 115 KC)")
    lines.append(
        f"Interest from {result.interest_from} to {result.until}: {result.days_late} day(s), "
        f"year of {result.year_days} days"
    )
    lines.append("")
    lines.append(
        f"{'from':<10}  {'to':<10}  {'days':>5}  {'rate %':>6}  {'base':>12}  {'interest':>10}"
    )
    for line in result.lines:
        lines.append(
            f"{line.date_from}  {line.date_to}  {line.days:>5}  {line.rate:>6}  "
            f"{line.base:>12}  {line.interest:>10}{'' if line.rate_verified else '  *'}"
        )
    lines.append(f"Total interest: {result.total_interest} PLN")
    if result.payments:
        order = (
            "interest due first (art. 451 KC)"
            if result.allocation == Allocation.INTEREST_FIRST
            else "principal first (designated by the payer)"
        )
        lines.append("")
        lines.append(f"Payments, counted {order}:")
        for payment in result.payments:
            extra = f", overpaid {payment.overpaid}" if payment.overpaid else ""
            lines.append(
                f"  {payment.paid_on}  {payment.amount:>12}: to interest {payment.to_interest}, "
                f"to principal {payment.to_principal}{extra}"
            )
        lines.append(f"Interest paid: {result.interest_paid} PLN")
        lines.append(f"Interest outstanding: {result.interest_outstanding} PLN")
        lines.append(f"Principal outstanding: {result.principal_outstanding} PLN")
    if not result.rates_verified:
        lines.append("* rate not verified yet: confirm it in admin (statutory interest rates)")
    if compensation is not None:
        lines.append("")
        lines.append(
            f"Compensation (art. 10 of the 2013 act): {compensation.eur_amount} EUR × "
            f"{compensation.nbp_rate} (NBP table {compensation.nbp_table_number} of "
            f"{compensation.nbp_table_date}) = {compensation.pln_amount} PLN"
        )
    return lines
