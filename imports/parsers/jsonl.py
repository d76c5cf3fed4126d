"""JSON Lines: one invoice object per line, with the payer inline or referenced by its id.

The keys are the REST API's field names: external_id, number, issue_date, due_date, currency,
gross_amount, outstanding_amount (also kind, contract_number, instalment_number, paid_on), and
either payer_external_id or a payer object {external_id, name, kind, nip, street, postal_code,
city, country, phones, emails}. Unknown keys are ignored, so an ERP can send more than we read.

Amounts may be strings ("1234.56", "1 234,56") or JSON numbers; numbers are parsed as Decimal
straight from their digits, never through float. Each line is read with a bounded readline: a
line longer than `context.max_field_bytes` is skipped to its end without being held, and
reported. A line that is not UTF-8, not JSON, not an object, or nested deeper than MAX_DEPTH is
an error on that line; the next line is read as usual. A file without any object is refused.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import BinaryIO

from imports.parsers.base import FileRejected, ParseContext, ParsedRow, RowError
from imports.parsers.records import InvoiceAssembler
from imports.parsers.values import shorten

MAX_DEPTH = 20
SKIP_BYTES = 64 * 1024

INVOICE_KEYS = (
    "external_id",
    "number",
    "payer_external_id",
    "issue_date",
    "due_date",
    "currency",
    "gross_amount",
    "outstanding_amount",
    "kind",
    "contract_number",
    "instalment_number",
    "paid_on",
)
PAYER_KEYS = {  # key in the payer object -> our field
    "external_id": "payer_external_id",
    "name": "payer_name",
    "kind": "payer_kind",
    "nip": "payer_nip",
    "street": "payer_street",
    "postal_code": "payer_postal_code",
    "city": "payer_city",
    "country": "payer_country",
    "phones": "payer_phone",
    "phone": "payer_phone",
    "emails": "payer_email",
    "email": "payer_email",
}
LABELS = {key: key for key in INVOICE_KEYS} | {
    field: f"payer.{key}" for key, field in PAYER_KEYS.items() if field != "payer_external_id"
}

_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def parse(stream: BinaryIO, *, context: ParseContext) -> Iterator[ParsedRow]:
    """Yield one ParsedRow per non-empty line."""
    limit = context.max_field_bytes
    assembler = InvoiceAssembler(labels=LABELS, context=context)
    number = 0
    objects = 0
    while raw := stream.readline(limit + 1):
        number += 1
        if len(raw) > limit and not raw.endswith(b"\n"):
            _skip_to_next_line(stream)
            yield _error(number, f"the line is longer than the limit of {limit} bytes; not read")
            continue
        if number == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        raw = raw.strip()
        if not raw:
            continue
        objects += 1
        obj, problem = _load(raw)
        if problem:
            yield _error(number, problem, raw)
            continue
        yield _invoice(obj, assembler, line=number)
    if not objects:
        raise FileRejected("the file holds no invoice: expected one JSON object per line")


def _load(raw: bytes) -> tuple[dict, str]:
    """The line's object, or a problem saying why there is none."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return {}, "not UTF-8 text"
    if _too_deep(raw):
        return {}, f"nested deeper than {MAX_DEPTH} levels"
    try:
        obj = json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        return {}, f"not valid JSON: {error.msg} (column {error.colno})"
    except ValueError as error:  # NaN, Infinity, an integer of thousands of digits
        return {}, f"not valid JSON: {error}"
    if not isinstance(obj, dict):
        return {}, f"expected a JSON object {{…}} per line, got {type(obj).__name__}"
    return obj, ""


def _invoice(obj: dict, assembler: InvoiceAssembler, *, line: int) -> ParsedRow:
    values = {key: obj.get(key) for key in INVOICE_KEYS}
    problems: list[RowError] = []
    payer = obj.get("payer")
    if isinstance(payer, dict):
        for key, field in PAYER_KEYS.items():
            if payer.get(key) is not None and values.get(field) is None:
                values[field] = payer[key]
        inline_id, referenced = payer.get("external_id"), obj.get("payer_external_id")
        if inline_id is not None and referenced is not None and inline_id != referenced:
            message = "payer_external_id differs from payer.external_id"
            problems.append(RowError(line, "payer_external_id", message, shorten(referenced)))
    elif payer is not None:
        problems.append(RowError(line, "payer", "expected an object {…}", shorten(payer)))
    if not problems:
        return assembler.read(values, line=line)
    parsed = assembler.build(values, line=line)
    return ParsedRow(line=line, record=None, errors=problems + parsed.errors)


def _too_deep(raw: bytes) -> bool:
    """Nesting of [ and { outside strings; counted only when the line has many brackets."""
    if raw.count(b"{") + raw.count(b"[") <= MAX_DEPTH:
        return False
    depth = 0
    for token in _TOKENS.finditer(raw):
        bracket = token.group()
        if bracket in (b"{", b"["):
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif bracket in (b"}", b"]"):
            depth -= 1
    return False


def _skip_to_next_line(stream: BinaryIO) -> None:
    while chunk := stream.readline(SKIP_BYTES):
        if chunk.endswith(b"\n"):
            return


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number")


def _error(line: int, message: str, value: bytes = b"") -> ParsedRow:
    shown = shorten(value.decode("utf-8", errors="replace"))
    return ParsedRow(line=line, record=None, errors=[RowError(line, "", message, shown)])
