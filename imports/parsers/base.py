"""What every import parser yields: records of the ledger, or row errors, each with its line.

A parser is a function `parse(stream, *, context) -> Iterator[ParsedRow]` reading a binary stream
lazily (bounded memory). It never touches the database: it turns a file into records and says
precisely what is wrong with a row (line, field, reason). Processing (validation against the
database, the set-based upsert) is the job of `imports.services`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import BinaryIO, NamedTuple, Protocol


class FileRejected(ValueError):
    """The whole file is unusable (hostile, too big, wrong format): nothing is imported."""


@dataclass(frozen=True)
class RowError:
    line: int  # 1-based line (CSV, JSONL, MT940), row (XLSX) or document index (XML in a ZIP)
    field: str  # the column/field name as the file calls it, or "" for the whole row
    message: str  # human-readable, says what was expected
    value: str = ""  # the offending value, shortened to 200 characters
    warning: bool = False  # reported next to a record that is still imported


@dataclass
class PayerRecord:
    external_id: str
    name: str
    kind: str = "business"  # business | consumer
    nip: str = ""  # normalised digits; may fail the checksum (then nip_flagged)
    nip_flagged: bool = False
    street: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = "PL"
    phones: list[str] = field(default_factory=list)  # as found; normalised by processing
    emails: list[str] = field(default_factory=list)


@dataclass
class InvoiceRecord:
    external_id: str
    number: str
    payer_external_id: str
    issue_date: datetime.date
    due_date: datetime.date | None  # None: the client's default payment term applies
    gross_amount: Decimal
    outstanding_amount: Decimal | None = None  # None: equal to gross
    currency: str = "PLN"
    payer: PayerRecord | None = None  # inline payer data, when the file carries it
    kind: str = "invoice"  # invoice | instalment
    contract_number: str = ""
    instalment_number: int | None = None
    corrects_number: str = ""  # KSeF correction (KOR): the number of the corrected invoice
    corrects_ksef_number: str = ""  # …and its KSeF number, when the correction gives it
    paid_on: datetime.date | None = None


@dataclass
class PaymentRecord:
    external_id: str  # the bank's reference (or the ERP's payment id): a payment is booked once
    amount: Decimal
    currency: str
    paid_on: datetime.date
    title: str = ""  # transfer title, sub-fields joined
    counterparty_name: str = ""
    counterparty_account: str = ""  # IBAN or domestic 26 digits
    counterparty_nip: str = ""  # e.g. from a split-payment title /IDC/<NIP>/
    invoice_numbers: list[str] = field(default_factory=list)  # found in the title
    payer_external_id: str = ""  # when the ERP says whose payment it is
    own_account: str = ""  # the client's account the statement is for


Record = PayerRecord | InvoiceRecord | PaymentRecord


@dataclass
class ParsedRow:
    line: int
    record: Record | None
    errors: list[RowError] = field(default_factory=list)
    pending: PendingInvoice | None = None  # set instead of `record` under `defer_invoices`
    digests: RowDigests | None = None  # of the raw values the record was built from


class RowDigests(NamedTuple):
    """Digests of a row's raw values as read (`payers.bulk.digest`): the whole row, and the cells
    its inline payer comes from. Equal raw values under the same header build the same record,
    so a file import stores these and a later import of the same row can skip building it."""

    invoice: bytes
    payer: bytes


@dataclass(slots=True)
class PendingInvoice:
    """An invoice row not built yet: what tells whether the ledger already holds it.

    `built()` converts the row once (the ParsedRow carries `digests`); an import needs it only
    for the rows its digests do not show unchanged.
    """

    external_id: str
    payer_external_id: str
    inline_payer: bool  # the row carries the payer's data (else it names a payer by id)
    without_due_date: bool  # the client's default payment term will apply
    digests: RowDigests
    build: Callable[[], ParsedRow]
    result: ParsedRow | None = None

    def built(self) -> ParsedRow:
        if self.result is None:
            self.result = self.build()
        return self.result


@dataclass(frozen=True)
class ParseContext:
    tenant_nip: str = ""  # KSeF: the seller must be the client
    default_payment_term_days: int = 14
    column_mapping: dict[str, str] = field(default_factory=dict)  # file header -> our field
    max_field_bytes: int = 1_000_000  # a longer field is an error, never held in memory whole
    file_name: str = ""  # as the client named it (KSeF downloads are named by their KSeF number)
    # CSV, XLSX and JSON Lines: yield invoice rows as `ParsedRow.pending`, built on demand.
    defer_invoices: bool = False


class Parser(Protocol):
    def __call__(self, stream: BinaryIO, *, context: ParseContext) -> Iterator[ParsedRow]: ...
