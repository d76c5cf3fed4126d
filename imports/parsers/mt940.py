"""MT940 bank statements as exported by Polish banks: incoming transfers become payments.

Our own reader rather than the `mt-940` package: that package guesses CP852 for Windows-1250 PKO
files (titles come out as 'ZAPúATA'), knows nothing of the `~` sub-fields of field 86 and stops at
the first broken line, while users need each broken line reported with its number and the rest of
the statement booked. Rules: DOMAIN.md §7.

- Encoding: UTF-8 when the start of the file decodes strictly, else Windows-1250 or CP852, whichever
  yields more Polish letters.
- Only credits (mark C) become PaymentRecords. Debits (D) and reversals (RC, RD) are the client's
  own outgoing money or bank corrections, not payments of a payer: they are skipped silently.
- `external_id` is `<own account>/<bank reference>` (the reference after `//` in `:61:`), so a
  re-sent or overlapping statement books nothing twice. Without a bank reference it is
  `<own account>/#<hash>` of the date, amount, title and the ordinal of identical entries of that
  day, which is stable across a daily and a monthly statement holding the same day.
- `paid_on` is the booking (entry) date when given, else the value date.
- A line that cannot be read gives a RowError with its line number and raw text; its `:86:` is
  skipped with it and the rest of the file goes on.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import BinaryIO

from stdnum import iban as stdnum_iban

from imports.parsers.base import FileRejected, ParseContext, ParsedRow, PaymentRecord, RowError
from imports.parsers.titles import analyse_title
from tenants.identifiers import normalize_iban

_SAMPLE_BYTES = 256 * 1024
_LINE_WIDTH = 65  # SWIFT lines of field 86
_POLISH_LETTERS = frozenset("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")
_TAG = re.compile(r"^:(?P<tag>\d{2}[A-Z]?|NS):(?P<value>.*)$")  # NS: some banks' own fields
_END_OF_STATEMENT = re.compile(r"^-(\}|[A-Z]*)\s*$")
_ENTRY = re.compile(
    r"^(?P<value_date>\d{6})(?P<entry_date>\d{4})?(?P<mark>RC|RD|C|D)(?P<funds>[A-Z])?"
    r"(?P<amount>\d[\d,.]*)(?P<type>[NSF][A-Z0-9]{3})(?P<customer_ref>.*?)(?://(?P<bank_ref>.*))?$"
)
_ENTRY_HEAD = re.compile(r"^(?P<value_date>\d{6})(?P<entry_date>\d{4})?(?P<mark>RC|RD|C|D)")
_AMOUNT = re.compile(r"^\d{1,15}(,\d{0,2})?$")
_BALANCE = re.compile(r"^[CD]\d{6}(?P<currency>[A-Z]{3})")
_ENTRY_FORMAT = (
    "expected value date YYMMDD, optional entry date MMDD, C or D, the amount with a decimal "
    "comma and the transaction type, e.g. 2611171117C36911,39N152NONREF//PL261117000006"
)


@dataclass(frozen=True)
class Details:
    """What field 86 says about the counterparty and the purpose."""

    title: str = ""
    name: str = ""
    account: str = ""


@dataclass
class _Field:
    tag: str
    line: int
    lines: list[str]


@dataclass
class _Entry:
    line: int
    raw: str
    credit: bool
    amount: Decimal
    paid_on: datetime.date
    bank_reference: str
    details: Details = field(default_factory=Details)


@dataclass
class _Statement:
    account: str = ""
    currency: str = ""
    seen: Counter[tuple[str, ...]] = field(default_factory=Counter)


def parse(stream: BinaryIO, *, context: ParseContext) -> Iterator[ParsedRow]:
    """Payments of an MT940 file, one ParsedRow per credit entry or broken line."""
    statement = _Statement()
    pending: _Entry | None = None
    skip_details = False
    saw_tag = False
    for item in _fields(_decoded_lines(stream, max_line_bytes=context.max_field_bytes)):
        saw_tag = True
        if item.tag == "86" and (pending or skip_details):
            if pending:
                pending.details = parse_details(_join_details(item.lines))
                yield from _emit(pending, statement)
            pending, skip_details = None, False
            continue
        if pending:
            yield from _emit(pending, statement)
        pending, skip_details = None, False
        if item.tag == "61":
            entry_or_error = _read_entry(item)
            if isinstance(entry_or_error, RowError):
                yield ParsedRow(line=item.line, record=None, errors=[entry_or_error])
                skip_details = True
            else:
                pending = entry_or_error
        elif item.tag == "20":
            statement = _Statement()
        elif item.tag == "25":
            statement.account = _own_account(item.lines[0])
        elif item.tag in ("60F", "60M") and (balance := _BALANCE.match(item.lines[0])):
            statement.currency = balance.group("currency")
    if pending:
        yield from _emit(pending, statement)
    if not saw_tag:
        raise FileRejected("The file is not an MT940 statement: it has no :20:, :25: or :61: tags.")


# --- Lines and fields -------------------------------------------------------------------------


def _decoded_lines(stream: BinaryIO, *, max_line_bytes: int) -> Iterator[tuple[int, str]]:
    """(line number, text) with the encoding chosen from the first lines; CR/LF and the SWIFT
    block markers (\\x01, \\x03) removed."""
    raw_lines = _raw_lines(stream, max_line_bytes=max_line_bytes)
    sample: list[bytes] = []
    size = 0
    for raw in raw_lines:
        sample.append(raw)
        size += len(raw)
        if size >= _SAMPLE_BYTES:
            break
    encoding = _detect_encoding(b"\n".join(sample))
    number = 0
    for raw in _chain(sample, raw_lines):
        number += 1
        text = raw.decode(encoding, errors="replace")
        yield number, text.rstrip("\r\n").strip("\x01\x03")


def _raw_lines(stream: BinaryIO, *, max_line_bytes: int) -> Iterator[bytes]:
    number = 0
    while raw := stream.readline(max_line_bytes + 1):
        number += 1
        if len(raw) > max_line_bytes and not raw.endswith(b"\n"):
            raise FileRejected(
                f"Line {number} is longer than {max_line_bytes} bytes; not an MT940 statement."
            )
        yield raw


def _chain(first: list[bytes], rest: Iterator[bytes]) -> Iterator[bytes]:
    yield from first
    yield from rest


def _detect_encoding(sample: bytes) -> str:
    """UTF-8 if strictly valid; else the one-byte Polish code page giving more Polish letters."""
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass  # the sample is whole lines, so this is not a character cut in two
    scores = {
        encoding: sum(ch in _POLISH_LETTERS for ch in sample.decode(encoding, errors="replace"))
        for encoding in ("cp1250", "cp852")
    }
    return max(scores, key=lambda encoding: (scores[encoding], encoding == "cp1250"))


def _fields(lines: Iterator[tuple[int, str]]) -> Iterator[_Field]:
    """Tags with their continuation lines; headers before the first tag and trailers are dropped."""
    current: _Field | None = None
    for number, text in lines:
        tag = _TAG.match(text)
        if tag:
            if current:
                yield current
            current = _Field(tag=tag.group("tag"), line=number, lines=[tag.group("value")])
        elif _END_OF_STATEMENT.match(text) or text.startswith("{"):
            if current:
                yield current
            current = None
        elif current is not None and text:
            current.lines.append(text)
    if current:
        yield current


def _join_details(lines: list[str]) -> str:
    """Field 86 lines are cut at a fixed width (65 characters): joined without a separator, except
    where a short line clearly ended a phrase of free text (then a space keeps words apart)."""
    text = lines[0]
    physical_length = len(":86:") + len(lines[0])
    for line in lines[1:]:
        wrapped = (
            physical_length >= _LINE_WIDTH or text.endswith(" ") or line.startswith(("~", " "))
        )
        text += line if wrapped else " " + line
        physical_length = len(line)
    return text


# --- Entries --------------------------------------------------------------------------------


def _read_entry(item: _Field) -> _Entry | RowError:
    raw = item.lines[0].strip()
    match = _ENTRY.match(raw)
    if not match:
        head = _ENTRY_HEAD.match(raw)
        message = (
            "the amount after the C/D mark is not a number with a decimal comma (e.g. 1234,56)"
            if head
            else _ENTRY_FORMAT
        )
        return RowError(line=item.line, field=":61:", message=message, value=f":61:{raw}"[:200])
    amount_text = match.group("amount")
    if not _AMOUNT.match(amount_text):
        return RowError(
            line=item.line,
            field=":61:",
            message=f"the amount {amount_text!r} is not a number with a decimal comma "
            "(e.g. 1234,56)",
            value=f":61:{raw}"[:200],
        )
    try:
        paid_on = _entry_date(match.group("value_date"), match.group("entry_date"))
        amount = Decimal(amount_text.replace(",", "."))
    except (ValueError, InvalidOperation):
        return RowError(
            line=item.line,
            field=":61:",
            message="the date is not a valid YYMMDD (value date) / MMDD (entry date)",
            value=f":61:{raw}"[:200],
        )
    bank_reference = (match.group("bank_ref") or "").strip()
    return _Entry(
        line=item.line,
        raw=raw,
        credit=match.group("mark") == "C",
        amount=amount,
        paid_on=paid_on,
        bank_reference="" if bank_reference.upper() == "NONREF" else bank_reference,
    )


def _entry_date(value_date: str, entry_date: str | None) -> datetime.date:
    """The booking date: MMDD takes the value date's year, moved across a New Year if needed."""
    value = datetime.date(2000 + int(value_date[:2]), int(value_date[2:4]), int(value_date[4:6]))
    if not entry_date:
        return value
    month, day = int(entry_date[:2]), int(entry_date[2:])
    year = value.year
    if month - value.month > 6:
        year -= 1
    elif value.month - month > 6:
        year += 1
    return datetime.date(year, month, day)


def _emit(entry: _Entry, statement: _Statement) -> Iterator[ParsedRow]:
    if not entry.credit:
        return
    if not statement.currency:
        yield ParsedRow(
            line=entry.line,
            record=None,
            errors=[
                RowError(
                    line=entry.line,
                    field=":60F:",
                    message="no currency: the statement has no :60F: opening balance before "
                    "this entry",
                    value=f":61:{entry.raw}"[:200],
                )
            ],
        )
        return
    details = entry.details
    analysis = analyse_title(details.title)
    yield ParsedRow(
        line=entry.line,
        record=PaymentRecord(
            external_id=_external_id(entry, statement),
            amount=entry.amount,
            currency=statement.currency,
            paid_on=entry.paid_on,
            title=details.title,
            counterparty_name=details.name,
            counterparty_account=details.account,
            counterparty_nip=analysis.nip,
            invoice_numbers=analysis.invoice_numbers,
            own_account=statement.account,
        ),
    )


def _external_id(entry: _Entry, statement: _Statement) -> str:
    if entry.bank_reference:
        return f"{statement.account}/{entry.bank_reference}"[:120]
    key = (entry.paid_on.isoformat(), str(entry.amount), entry.details.title)
    statement.seen[key] += 1
    digest = hashlib.sha256("\x1f".join((*key, str(statement.seen[key]))).encode()).hexdigest()
    return f"{statement.account}/#{digest[:24]}"


def _own_account(value: str) -> str:
    """':25:/PL21437780138749813784624885' -> the IBAN; other forms are kept as written."""
    account = value.strip().lstrip("/").replace(" ", "")
    if re.fullmatch(r"(PL)?\d{26}", account, re.IGNORECASE):
        return normalize_iban(account)
    return account


# --- Field 86 ---------------------------------------------------------------------------------

_FILLERS = str.maketrans("", "", "\u02d9\xa0")  # '˙' (0xFF in Windows-1250) pads empty sub-fields
_STRUCTURED = re.compile(r"^\s*\d{3}\s*(?P<sep>[~<^])\d{2}|(?P<tilde>~)\d{2}")
_FREE_TEXT_KEY = re.compile(
    r"(?:^|;)\s*(?P<key>Z RACH\.|NA RACH\.|OD|DLA|TYT\.|TYTUŁ|TNR|ID IPH)\s*:", re.IGNORECASE
)


def parse_details(text: str) -> Details:
    """Field 86 in the structured layout (`~20`… sub-fields, PKO BP, ING, Pekao) or as free text
    (mBank: `TYT.: …; Z RACH.: …; OD: …`)."""
    text = text.translate(_FILLERS)
    structured = _STRUCTURED.search(text)
    if not structured:
        return _free_text_details(text)
    separator = structured.group("sep") or "~"
    parts = re.split(rf"{re.escape(separator)}(\d{{2}})", text)
    subfields: dict[str, str] = {}
    for code, value in zip(parts[1::2], parts[2::2], strict=True):
        subfields[code] = subfields.get(code, "") + value
    # Title chunks are cut at a fixed width, so a separator would split words and numbers.
    title = "".join(subfields.get(f"2{i}", "") for i in range(6)).strip()
    further = "".join(subfields.get(f"6{i}", "") for i in range(4)).strip()
    return Details(
        title=f"{title} {further}".strip(),
        name=(subfields.get("32", "") + subfields.get("33", "")).strip(),
        account=_counterparty_account(subfields),
    )


def _counterparty_account(subfields: dict[str, str]) -> str:
    """~38 IBAN; else ~30 sort code + ~31 account, with the IBAN check digits computed."""
    iban = re.sub(r"\s", "", subfields.get("38", ""))
    if iban:
        return normalize_iban(iban)
    sort_code = re.sub(r"\D", "", subfields.get("30", ""))
    account = re.sub(r"\D", "", subfields.get("31", ""))
    if len(account) == 26:
        return normalize_iban(account)
    if len(sort_code) == 8 and len(account) == 16:
        bban = sort_code + account
        return f"PL{stdnum_iban.calc_check_digits('PL00' + bban)}{bban}"
    return sort_code + account


def _free_text_details(text: str) -> Details:
    keys = list(_FREE_TEXT_KEY.finditer(text))
    values: dict[str, str] = {}
    for key, following in zip(keys, [*keys[1:], None], strict=False):
        end = following.start() if following else len(text)
        values[key.group("key").upper()] = text[key.end() : end].strip(" ;")
    title = values.get("TYT.") or values.get("TYTUŁ") or text.strip()
    party = values.get("OD") or values.get("DLA") or ""
    account = re.sub(r"\D", "", values.get("Z RACH.") or values.get("NA RACH.") or "")
    return Details(
        title=re.sub(r"\s+", " ", title).strip(),
        name=re.split(r"\s{2,}", party.strip())[0] if party else "",
        account=normalize_iban(account) if len(account) == 26 else account,
    )
