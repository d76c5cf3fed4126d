"""Polish identifiers (NIP, IBAN): normalising, validating, and the same rules as database checks.

The Python validators give users a specific message; the database checks make sure no other path
(a bulk insert, a raw update) stores a number whose checksum fails. Rules: DOMAIN.md §5.
"""

from __future__ import annotations

import re
from functools import reduce

from django.core.exceptions import ValidationError
from django.db.models import Expression, F, Q, Value
from django.db.models.functions import Length, Ord, Substr, Upper
from django.db.models.lookups import Exact, GreaterThanOrEqual, LessThanOrEqual, StartsWith
from django.utils.translation import gettext_lazy as _
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.pl import nip as stdnum_nip

NIP_WEIGHTS = (6, 5, 7, 2, 3, 4, 5, 6, 7)
_SEPARATORS = re.compile(r"[\s\-.]")


def normalize_nip(value: str) -> str:
    """'PL 526-000-12-46' -> '5260001246'. Does not validate."""
    cleaned = _SEPARATORS.sub("", value or "").upper()
    return cleaned[2:] if cleaned.startswith("PL") else cleaned


def validate_nip(value: str) -> None:
    nip = normalize_nip(value)
    if not re.fullmatch(r"\d{10}", nip):
        raise ValidationError(
            _("NIP must have 10 digits (got %(value)r)."),
            code="nip_format",
            params={"value": value},
        )
    if not stdnum_nip.is_valid(nip):
        raise ValidationError(
            _("NIP %(value)s has a wrong check digit."),
            code="nip_checksum",
            params={"value": value},
        )


def normalize_iban(value: str) -> str:
    """Upper-case, no spaces; 26 bare digits (a domestic account number) get the PL prefix."""
    cleaned = _SEPARATORS.sub("", value or "").upper()
    if re.fullmatch(r"\d{26}", cleaned):
        cleaned = "PL" + cleaned
    return cleaned


def validate_iban(value: str) -> None:
    iban = normalize_iban(value)
    if iban.startswith("PL") and len(iban) != 28:
        raise ValidationError(
            _("A Polish IBAN has PL and 26 digits (got %(value)r)."),
            code="iban_format",
            params={"value": value},
        )
    try:
        stdnum_iban.validate(iban)
    except StdnumError as error:
        raise ValidationError(
            _("IBAN %(value)s is not valid: %(reason)s"),
            code="iban_invalid",
            params={"value": value, "reason": str(error)},
        ) from error


# --- The same rules as SQL expressions (portable: SQLite and PostgreSQL) ----------------------


def _digit(field: str, position: int) -> Expression:
    """The digit at 1-based `position` of `field` as an integer, without a cast that could fail."""
    return Ord(Substr(F(field), position, 1)) - Value(48)


def _digits_only(field: str, first: int, last: int) -> Q:
    """Every character from `first` to `last` (1-based) is an ASCII digit."""
    checks = [_between(Ord(Substr(F(field), p, 1)), 48, 57) for p in range(first, last + 1)]
    return reduce(lambda a, b: a & b, checks)


def _between(expression: Expression, low: int, high: int) -> Q:
    return Q(GreaterThanOrEqual(expression, low)) & Q(LessThanOrEqual(expression, high))


def nip_is_valid_q(field: str) -> Q:
    """Database condition: `field` holds 10 digits whose weighted sum mod 11 is the last digit."""
    weighted = reduce(
        lambda a, b: a + b, (_digit(field, i + 1) * w for i, w in enumerate(NIP_WEIGHTS))
    )
    return (
        Q(Exact(Length(F(field)), 10))
        & _digits_only(field, 1, 10)
        & Q(Exact(weighted % Value(11), _digit(field, 10)))
    )


def iban_is_valid_q(field: str) -> Q:
    """Database condition: a Polish IBAN (PL + 26 digits) passes mod-97; others: shape only.

    The mod-97 runs over the rearranged number (account digits, 'PL' as 25 21, check digits) in
    chunks of six digits, so intermediate values stay small on every database.
    """
    rearranged = [_digit(field, p) for p in range(5, 29)]
    rearranged += [Value(2), Value(5), Value(2), Value(1), _digit(field, 3), _digit(field, 4)]
    remainder: Expression = Value(0)
    for start in range(0, len(rearranged), 6):
        chunk = rearranged[start : start + 6]
        chunk_value = reduce(
            lambda a, b: a + b, (d * Value(10 ** (len(chunk) - 1 - i)) for i, d in enumerate(chunk))
        )
        remainder = (remainder * Value(10 ** len(chunk)) + chunk_value) % Value(97)
    polish = (
        Q(StartsWith(F(field), "PL"))
        & Q(Exact(Length(F(field)), 28))
        & _digits_only(field, 3, 28)
        & Q(Exact(remainder, 1))
    )
    foreign = (
        ~Q(StartsWith(F(field), "PL"))
        & _between(Length(F(field)), 15, 34)
        & Q(Exact(Upper(F(field)), F(field)))
    )
    return polish | foreign
