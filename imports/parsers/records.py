"""How the values of one row become an invoice with its payer, or the row's errors.

Shared by CSV, XLSX (values by column, `columns.ColumnMap.values`) and JSON Lines (values by key):
each cell is converted (`values`), what a single row can tell is checked (required values,
amounts, dates, lengths the database keeps, the duplicate ids within the file), and the row
comes back as a record or as its errors — never dropped silently.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from functools import partial
from typing import TypeVar

from imports.parsers.base import (
    InvoiceRecord,
    ParseContext,
    ParsedRow,
    PayerRecord,
    PendingInvoice,
    RowDigests,
    RowError,
)
from imports.parsers.values import (
    ValueProblem,
    cell_text,
    is_blank,
    parse_amount,
    parse_count,
    parse_currency,
    parse_date,
    parse_nip,
    parse_payer_kind,
    shorten,
    split_list,
)
from payers.bulk.digest import DIGEST_SIZE

T = TypeVar("T")

# Part of every raw digest (`RowDigests`): change it whenever the same values under the same
# header would build a different record, so that no stored digest vouches for the old result.
BUILD_VERSION = b"records/1"
DEFAULTS = ParseContext()
# The values an inline payer is built from (`_Row.payer`), for its own digest.
PAYER_VALUES = (
    "payer_external_id",
    "payer_name",
    "payer_kind",
    "payer_nip",
    "payer_street",
    "payer_postal_code",
    "payer_city",
    "payer_country",
    "payer_phone",
    "payer_email",
)

# The database's limits for text fields (payers.Payer, invoices.Invoice, payers.PayerContact).
MAX_LENGTH: dict[str, int] = {
    "external_id": 100,
    "number": 100,
    "contract_number": 100,
    "payer_external_id": 100,
    "payer_name": 300,
    "payer_street": 200,
    "payer_postal_code": 12,
    "payer_city": 100,
    "payer_phone": 254,
    "payer_email": 254,
}

_INVOICE_KINDS = {
    "invoice": "invoice",
    "faktura": "invoice",
    "instalment": "instalment",
    "rata": "instalment",
}


class InvoiceAssembler:
    """Turns the raw values of one row into an InvoiceRecord with its payer, or the row's errors.

    One assembler reads one file: it remembers the invoice ids seen (a dict bounded by the
    file's row count) so that a repeated id is an error on the later row, naming the first.
    Fallbacks, said once: an invoice without an id is known by its number; a payer without an id
    by its NIP, else by its name; a row without an issue date takes the due date (the latest an
    invoice can have been issued); a row without a due date gets None (the client's default term).
    A row with a payer id but no payer name refers to a payer sent before (no inline payer).
    """

    def __init__(self, *, labels: Mapping[str, str], context: ParseContext = DEFAULTS) -> None:
        self._labels = labels
        self._first_line: dict[str, int] = {}
        # What else a row's values mean depends on, for its digests: the header (the same cells
        # under other labels differ) and the client's default payment term (a row without a due
        # date gets one from it when imported).
        meaning = (sorted(labels.items()), context.default_payment_term_days)
        self._salt = BUILD_VERSION + repr(meaning).encode()
        self.read = self.defer if context.defer_invoices else self.build

    def defer(self, values: Mapping[str, object], *, line: int) -> ParsedRow:
        """The row as a `PendingInvoice` (built on demand) when its identity reads cleanly.

        Reading the identity costs the two ids (the payer's NIP when it has no id of its own) and
        two digests, a fraction of building the row, which a re-imported unchanged row then never
        needs. A row whose identity is in doubt (an id too long, a repeated invoice id, no payer)
        is built at once, to report its errors.
        """
        identity = _plain_identity(values) or _identity(_Row(values, self._labels, line))
        if identity is None:
            return self.build(values, line=line)
        external_id, payer_external_id, inline_payer = identity
        if self._first_line.setdefault(external_id, line) != line:
            return self.build(values, line=line)
        digests = RowDigests(
            self._digest(values), self._digest([values.get(key) for key in PAYER_VALUES])
        )
        pending = PendingInvoice(
            external_id=external_id,
            payer_external_id=payer_external_id,
            inline_payer=inline_payer,
            without_due_date=is_blank(values.get("due_date")),
            digests=digests,
            build=partial(self._build_pending, values, line, digests),
        )
        return ParsedRow(line=line, record=None, pending=pending)

    def build(self, values: Mapping[str, object], *, line: int) -> ParsedRow:
        row = _Row(values, self._labels, line)
        invoice = row.invoice()
        if invoice is not None:
            first = self._first_line.setdefault(invoice.external_id, line)
            if first != line:
                field = "external_id" if row.present("external_id") else "number"
                message = f"duplicate invoice id: already on line {first}"
                row.error(field, message, invoice.external_id)
        if row.errors:
            return ParsedRow(line=line, record=None, errors=row.errors)
        return ParsedRow(line=line, record=invoice)

    def _build_pending(
        self, values: Mapping[str, object], line: int, digests: RowDigests
    ) -> ParsedRow:
        parsed = self.build(values, line=line)
        parsed.digests = digests
        return parsed

    def _digest(self, values: object) -> bytes:
        return hashlib.blake2b(self._salt + repr(values).encode(), digest_size=DIGEST_SIZE).digest()


class _Row:
    """One row being converted; collects an error per bad cell rather than stopping at the first.

    Called once per row of files with a million rows: the common case (a text cell) is kept to
    a few operations.
    """

    __slots__ = ("values", "labels", "line", "errors")

    def __init__(self, values: Mapping[str, object], labels: Mapping[str, str], line: int):
        self.values, self.labels, self.line = values, labels, line
        self.errors: list[RowError] = []

    def error(self, field: str, message: str, value: object = "") -> None:
        label = self.labels.get(field, "") if field else ""
        self.errors.append(RowError(self.line, label, message, shorten(value)))

    def present(self, field: str) -> bool:
        return not is_blank(self.values.get(field))

    def get(self, field: str, convert: Callable[[object], T]) -> T | None:
        raw = self.values.get(field)
        if raw is None or raw == "" or (type(raw) is str and raw.isspace()):
            return None
        try:
            return convert(raw)
        except ValueProblem as problem:
            self.error(field, str(problem), raw)
            return None

    def text(self, field: str) -> str:
        raw = self.values.get(field)
        if raw is None:
            return ""
        if type(raw) is str:
            text = raw.strip()
        elif isinstance(raw, dict | list):
            self.error(field, "expected text", raw)
            return ""
        else:
            text = cell_text(raw).strip()
        if not text.isprintable():  # a quoted value may span lines: one line of text instead
            text = " ".join(text.split())
        limit = MAX_LENGTH.get(field, 0)
        if limit and len(text) > limit:
            self.error(field, f"longer than {limit} characters", text)
            return ""
        return text

    def invoice(self) -> InvoiceRecord | None:
        number = self.text("number")
        external_id = self.text("external_id") or number
        if not number and not self.present("number"):
            self.error("number", "required: the invoice number is empty")
        issue_date = self.get("issue_date", parse_date)
        due_date = self.get("due_date", parse_date)
        if not self.present("issue_date") and not self.present("due_date"):
            self.error("due_date" if "due_date" in self.labels else "issue_date", _NO_DATE)
        gross = self.get("gross_amount", parse_amount)
        if gross is None and not self.present("gross_amount"):
            self.error("gross_amount", "required: the gross amount is empty")
        outstanding = self.get("outstanding_amount", parse_amount)
        if gross is not None and outstanding is not None and outstanding > gross:
            message = f"the outstanding amount exceeds the gross amount {gross}"
            self.error("outstanding_amount", message, self.values["outstanding_amount"])
        if issue_date and due_date and due_date < issue_date:
            message = f"the due date is before the issue date {issue_date}"
            self.error("due_date", message, self.values["due_date"])
        payer, payer_external_id = self.payer()
        currency = self.get("currency", parse_currency) or "PLN"
        kind = self.get("kind", _invoice_kind) or "invoice"
        contract_number = self.text("contract_number")
        instalment_number = self.get("instalment_number", parse_count)
        paid_on = self.get("paid_on", parse_date)
        issued = issue_date or due_date
        if not external_id or gross is None or issued is None:
            return None
        return InvoiceRecord(
            external_id=external_id,
            number=number,
            payer_external_id=payer_external_id,
            issue_date=issued,
            due_date=due_date,
            gross_amount=gross,
            outstanding_amount=outstanding,
            currency=currency,
            payer=payer,
            kind=kind,
            contract_number=contract_number,
            instalment_number=instalment_number,
            paid_on=paid_on,
        )

    def payer_identity(self) -> tuple[str, str, bool, str]:
        """The payer's name, NIP, whether the NIP is flagged, and the payer's id (its own, else
        the NIP, else the name)."""
        name = self.text("payer_name")
        nip, flagged = self.get("payer_nip", parse_nip) or ("", False)
        return name, nip, flagged, self.text("payer_external_id") or nip or name

    def payer(self) -> tuple[PayerRecord | None, str]:
        name, nip, flagged, external_id = self.payer_identity()
        if not external_id:
            self.error(
                "payer_name" if "payer_name" in self.labels else "payer_external_id", _NO_PAYER
            )
            return None, ""
        if len(external_id) > MAX_LENGTH["payer_external_id"]:
            self.error("payer_name", "the payer has no id, and its name is too long to be one")
        if not name:
            return None, external_id
        phones = self.get("payer_phone", split_list) or []
        emails = self.get("payer_email", split_list) or []
        for field, items in (("payer_phone", phones), ("payer_email", emails)):
            if any(len(item) > MAX_LENGTH[field] for item in items):
                self.error(field, f"longer than {MAX_LENGTH[field]} characters", items)
        payer = PayerRecord(
            external_id=external_id,
            name=name,
            kind=self.get("payer_kind", parse_payer_kind) or "business",
            nip=nip,
            nip_flagged=flagged,
            street=self.text("payer_street"),
            postal_code=self.text("payer_postal_code"),
            city=self.text("payer_city"),
            country=self.get("payer_country", _country) or "PL",
            phones=phones,
            emails=emails,
        )
        return payer, external_id


def _plain_identity(values: Mapping[str, object]) -> tuple[str, str, bool] | None:
    """(invoice id, payer id, whether the payer is inline) when every value it takes is plain
    text that `_Row.text` would only strip; None leaves it to `_identity`."""
    external_id = _plain_text(values.get("external_id"))
    if external_id == "":
        external_id = _plain_text(values.get("number"))
    payer_external_id = _plain_text(values.get("payer_external_id"))
    name = values.get("payer_name")
    if not external_id or not payer_external_id or not (name is None or type(name) is str):
        return None
    return external_id, payer_external_id, not is_blank(name)


def _plain_text(raw: object) -> str | None:
    if raw is None:
        return ""
    if type(raw) is not str:
        return None
    text = raw.strip()
    return text if len(text) <= 100 and text.isprintable() else None


def _identity(row: _Row) -> tuple[str, str, bool] | None:
    """As `_plain_identity`, for any values; None when the row has an error there."""
    external_id = row.text("external_id") or row.text("number")
    name, _nip, _flagged, payer_external_id = row.payer_identity()
    if row.errors or not external_id or not payer_external_id:
        return None
    return external_id, payer_external_id, bool(name)


_NO_DATE = "the row needs a due date or an issue date"
_NO_PAYER = "the row needs the payer's name or id"


def _invoice_kind(value: object) -> str:
    kind = _INVOICE_KINDS.get(cell_text(value).strip().lower())
    if kind is None:
        raise ValueProblem("expected invoice (faktura) or instalment (rata)")
    return kind


def _country(value: object) -> str:
    code = cell_text(value).strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", code):
        raise ValueProblem("expected a 2-letter country code such as PL")
    return code
