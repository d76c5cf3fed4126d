"""Cell values as Polish ERPs write them: amounts, dates, currencies, NIPs, and the text encoding.

Every converter takes what a file holds (text from CSV, a number or a datetime from XLSX, a JSON
value) and returns a Python value, or raises `ValueProblem` whose message tells the user what was
expected. The parsers turn that message into a `RowError` for the cell.

Amounts (`parse_amount`), the rule:
- spaces (also the no-break and thin spaces Excel and ERPs put in) are thousands separators;
- when a text holds both `.` and `,`, the one further right is the decimal separator and the other
  groups thousands: "1.234,56" and "1,234.56" are both 1234.56;
- when it holds one of them once, that one is the decimal separator ("1234,56", "1234.56") —
  unless exactly three digits follow it: "1.234" is 1234 to a Polish reader and 1.234 to an
  English one, so it is refused as ambiguous rather than guessed (money has two decimals, so a
  real export writes "1234,00" or "1,234");
- when it holds one of them several times, they group thousands ("1.234.567" is 1234567);
- thousands groups must have three digits, at most two decimals (trailing zeros aside), at most
  twelve digits before the decimal separator (the database keeps 14 digits with 2 decimals).
"""

from __future__ import annotations

import codecs
import datetime
import json
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from stdnum.pl import nip as stdnum_nip

from tenants.identifiers import normalize_nip

CENT = Decimal("0.01")
MAX_INTEGER_DIGITS = 12
_TOO_LARGE = Decimal(10) ** MAX_INTEGER_DIGITS
VALUE_SHOWN = 200  # RowError.value is shortened to this many characters

AMOUNT_EXPECTED = "expected an amount like 1 234,56"
DATE_EXPECTED = "expected a date YYYY-MM-DD or DD.MM.YYYY"


class ValueProblem(ValueError):
    """A cell that cannot be used; the message says what was expected, for the user."""


def shorten(value: object) -> str:
    """The offending value as RowError shows it: text, at most VALUE_SHOWN characters."""
    if isinstance(value, dict | list | bool):  # from JSON: shown as JSON
        text = json.dumps(value, ensure_ascii=False, default=str)
    else:
        text = "" if value is None else str(value)
    return text if len(text) <= VALUE_SHOWN else text[: VALUE_SHOWN - 1] + "…"


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- Amounts ---------------------------------------------------------------------------------

_SIMPLE_AMOUNT = re.compile(
    r"-?\d{1,12}(?:[.,]\d{1,2})?", re.ASCII
)  # the common case, decided at once
_SPACES = re.compile(r"[\s\u00a0\u2007\u2009\u202f]+")
_AMOUNT_SHAPE = re.compile(r"\d[\d.,_]*", re.ASCII)


def parse_amount(value: object, *, allow_negative: bool = False) -> Decimal:
    """An amount of money as Decimal with two decimals; see the module docstring for the rule.

    Numbers from XLSX are binary floats: they are rounded to grosze half-up (what Excel shows).
    Numbers from JSON arrive as Decimal (parsed exactly) or int.
    """
    if isinstance(value, str):
        amount = _amount_from_text(value)
    elif isinstance(value, bool):
        raise ValueProblem(AMOUNT_EXPECTED)
    elif isinstance(value, int | Decimal | float):
        amount = _amount_from_number(value)
    else:
        raise ValueProblem(AMOUNT_EXPECTED)
    if amount < 0 and not allow_negative:
        raise ValueProblem("the amount must not be negative")
    return amount


def _amount_from_number(value: int | Decimal | float) -> Decimal:
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueProblem(AMOUNT_EXPECTED)
        return _checked(Decimal(repr(value)).quantize(CENT, rounding=ROUND_HALF_UP))
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueProblem(AMOUNT_EXPECTED)
    return _checked(Decimal(value))


def _amount_from_text(text: str) -> Decimal:
    text = text.strip()
    if _SIMPLE_AMOUNT.fullmatch(text):
        return _checked(Decimal(text.replace(",", ".")))
    if len(text) > 40 or "_" in text:
        raise ValueProblem(AMOUNT_EXPECTED)
    body = _SPACES.sub("_", text.replace("\u2212", "-"))  # "_" marks a space separator
    negative = body.startswith("-")
    body = body.lstrip("+-")
    if not _AMOUNT_SHAPE.fullmatch(body) or not body[-1].isdigit():
        raise ValueProblem(AMOUNT_EXPECTED)
    integer, fraction = _split_decimal(body)
    if fraction and not fraction.isdigit():
        raise ValueProblem(AMOUNT_EXPECTED)
    groups = integer.split("_")
    if len(groups) > 1 and (
        not 1 <= len(groups[0]) <= 3 or any(len(group) != 3 for group in groups[1:])
    ):
        raise ValueProblem(AMOUNT_EXPECTED + " (thousands are grouped by three digits)")
    amount = Decimal("".join(groups) + "." + (fraction or "0"))
    return _checked(-amount if negative else amount)


def _split_decimal(body: str) -> tuple[str, str]:
    """Integer part with thousands separators replaced by "_", and the decimals."""
    dots, commas = body.count("."), body.count(",")
    if dots and commas:
        decimal_mark = "." if body.rfind(".") > body.rfind(",") else ","
        grouping = "," if decimal_mark == "." else "."
        if body.count(decimal_mark) > 1:
            raise ValueProblem(AMOUNT_EXPECTED)
        integer, fraction = body.split(decimal_mark)
        return integer.replace(grouping, "_"), fraction
    mark = "." if dots else "," if commas else ""
    if not mark:
        return body, ""
    if body.count(mark) > 1:
        return body.replace(mark, "_"), ""
    integer, fraction = body.split(mark)
    if len(fraction) == 3:
        raise ValueProblem(
            f"ambiguous amount: {body.replace('_', ' ')!r} could be thousands or decimals"
            " — write 1234,00 or 1 234"
        )
    return integer, fraction


def _checked(amount: Decimal) -> Decimal:
    """Two decimals (only zeros may follow), at most twelve digits before the decimal point."""
    try:
        rounded = amount.quantize(CENT)
    except InvalidOperation as error:
        raise ValueProblem(AMOUNT_EXPECTED) from error
    if rounded != amount:
        raise ValueProblem("an amount has at most 2 decimal places (grosze)")
    if abs(rounded) >= _TOO_LARGE:
        raise ValueProblem("the amount is too large (at most 12 digits before the decimal point)")
    return rounded


# --- Dates -----------------------------------------------------------------------------------

_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_YEAR_FIRST = re.compile(r"(\d{4})([-.])(\d{1,2})\2(\d{1,2})" + _TIME, re.ASCII)
_DAY_FIRST = re.compile(r"(\d{1,2})([-.])(\d{1,2})\2(\d{4})" + _TIME, re.ASCII)


def parse_date(value: object) -> datetime.date:
    """A business date: YYYY-MM-DD, DD.MM.YYYY, and their twins YYYY.MM.DD and DD-MM-YYYY.

    The four-digit year tells the order, so no form is ambiguous; US-style DD/MM vs MM/DD with
    slashes is refused for that reason. A time after the date (some exports add " 00:00:00") is
    ignored. XLSX date cells arrive as datetime.
    """
    if isinstance(value, str):
        return _date_from_text(value.strip())
    if isinstance(value, datetime.datetime):
        return _checked_year(value.date())
    if isinstance(value, datetime.date):
        return _checked_year(value)
    raise ValueProblem(DATE_EXPECTED)


@lru_cache(maxsize=8192)  # a file repeats few distinct dates: parse each once
def _date_from_text(text: str) -> datetime.date:
    if match := _YEAR_FIRST.fullmatch(text):
        year, month, day = match.group(1), match.group(3), match.group(4)
    elif match := _DAY_FIRST.fullmatch(text):
        day, month, year = match.group(1), match.group(3), match.group(4)
    else:
        raise ValueProblem(DATE_EXPECTED)
    try:
        day_found = datetime.date(int(year), int(month), int(day))
    except ValueError as error:
        raise ValueProblem(f"no such day: {text}") from error
    return _checked_year(day_found)


def _checked_year(day: datetime.date) -> datetime.date:
    if not 1990 <= day.year <= 2199:  # a typo like 0202 or 2202, not a real invoice date
        raise ValueProblem(f"the year {day.year} is out of range")
    return day


# --- Codes and identifiers -------------------------------------------------------------------

_CURRENCY = re.compile(r"[A-Za-z]{3}")
_ZLOTY = {"zł", "zl", "pln", "złoty", "złotych"}


def parse_currency(value: object) -> str:
    """An ISO 4217 code in capitals; "zł" is PLN."""
    if value == "PLN":
        return "PLN"
    text = str(value).strip()
    if text.lower() in _ZLOTY:
        return "PLN"
    if not _CURRENCY.fullmatch(text):
        raise ValueProblem("expected a 3-letter currency code such as PLN or EUR")
    return text.upper()


def parse_nip(value: object) -> tuple[str, bool]:
    """(ten digits, flagged): a NIP whose checksum fails is kept and flagged (DOMAIN.md §6)."""
    return _nip_from_text(cell_text(value))


@lru_cache(maxsize=65536)  # payers repeat across a file's rows
def _nip_from_text(text: str) -> tuple[str, bool]:
    nip = normalize_nip(text)
    if not (len(nip) == 10 and nip.isascii() and nip.isdigit()):
        raise ValueProblem("expected a NIP of 10 digits (dashes and a PL prefix allowed)")
    return nip, not stdnum_nip.is_valid(nip)


_CONSUMER = {"consumer", "konsument", "osoba fizyczna", "b2c"}
_BUSINESS = {"business", "firma", "przedsiębiorca", "przedsiebiorca", "b2b"}


def parse_payer_kind(value: object) -> str:
    text = str(value).strip().lower()
    if text in _CONSUMER:
        return "consumer"
    if text in _BUSINESS:
        return "business"
    raise ValueProblem("expected business (firma) or consumer (konsument)")


def parse_count(value: object) -> int:
    """A small positive whole number (an instalment's number)."""
    text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 32767:
        raise ValueProblem("expected a whole number from 1 to 32767")
    return int(text)


_LIST_SEPARATORS = re.compile(r"[,;]")


def split_list(value: object) -> list[str]:
    """Phones or e-mails: a JSON list, or one cell with several separated by , or ;."""
    if type(value) is str and "," not in value and ";" not in value:
        return [value.strip()] if value.strip() else []
    items = value if isinstance(value, list) else _LIST_SEPARATORS.split(cell_text(value))
    return [text for item in items if (text := cell_text(item).strip())]


def cell_text(value: object) -> str:
    """Text of a cell: XLSX numbers as written (8789328790.0 is "8789328790"), None as ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()[:10]
    return str(value)


# --- Text encoding ---------------------------------------------------------------------------

BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),  # Excel's "Unicode text" export
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def text_decoder_for(head: bytes) -> codecs.IncrementalDecoder:
    """An incremental decoder for a file that starts with `head`.

    A byte-order mark names the encoding. Without one the file is UTF-8 or Windows-1250 (what
    Polish ERPs write): `Utf8OrCp1250Decoder` decides on the first chunk holding a non-ASCII
    byte, so a file whose first megabytes are plain ASCII is still decoded right.
    """
    for bom, encoding in BOMS:
        if head.startswith(bom):
            return codecs.getincrementaldecoder(encoding)(errors="strict")
    return Utf8OrCp1250Decoder()


class Utf8OrCp1250Decoder(codecs.IncrementalDecoder):
    """UTF-8 if the first chunk with non-ASCII bytes decodes as UTF-8, else Windows-1250.

    ASCII reads the same in both, so the choice can wait for the first non-ASCII chunk. Once made
    it holds: a UTF-8 file with a broken byte later raises UnicodeDecodeError (strict), which the
    parser reports as an unusable file instead of guessing per line. A chunk whose only non-ASCII
    bytes are an unfinished sequence at its end decides nothing yet: the next chunk tells.
    """

    def __init__(self, errors: str = "strict") -> None:
        super().__init__(errors)
        self.encoding: str | None = None
        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="strict")
        self._cp1250 = codecs.getincrementaldecoder("cp1250")(errors="strict")

    def decode(self, data: bytes, final: bool = False) -> str:
        if self.encoding == "utf-8":
            return self._utf8.decode(data, final)
        if self.encoding == "cp1250":
            return self._cp1250.decode(data, final)
        pending = self._utf8.getstate()[0]  # the start of a character cut at the chunk's end
        if not pending and data.isascii():
            return data.decode("ascii")
        try:
            text = self._utf8.decode(data, final)
        except UnicodeDecodeError:
            self.encoding = "cp1250"
            self._utf8.reset()
            return self._cp1250.decode(pending + data, final)
        if not text.isascii():  # a whole non-ASCII character decoded as UTF-8: decided
            self.encoding = "utf-8"
        return text

    def reset(self) -> None:
        self.encoding = None
        self._utf8.reset()
        self._cp1250.reset()
