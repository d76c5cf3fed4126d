"""What every import parser yields: records of the ledger, or row errors, each with its line.

A parser is a function `parse(stream, *, context) -> Iterator[ParsedRow]` reading a binary stream
lazily (bounded memory). It never touches the database: it turns a file into records and says
precisely what is wrong with a row (line, field, reason). Processing (validation against the
database, the set-based upsert) is the job of `imports.services`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import BinaryIO, Protocol


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


@dataclass(frozen=True)
class ParseContext:
    tenant_nip: str = ""  # KSeF: the seller must be the client
    default_payment_term_days: int = 14
    column_mapping: dict[str, str] = field(default_factory=dict)  # file header -> our field
    max_field_bytes: int = 1_000_000  # a longer field is an error, never held in memory whole
    file_name: str = ""  # as the client named it (KSeF downloads are named by their KSeF number)


class Parser(Protocol):
    def __call__(self, stream: BinaryIO, *, context: ParseContext) -> Iterator[ParsedRow]: ...
