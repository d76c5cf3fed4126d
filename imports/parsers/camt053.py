"""ISO 20022 camt.053 bank statements: incoming transfers (`CRDT`) become payments.

Any version of the message is accepted (`camt.053.001.02` … `.13`): the namespace is matched by
prefix and elements by local name, as the fields we read kept their names across versions. The file
is read as a stream through `xml_safety` and each `Ntry` is dropped once read, so a year of entries
needs no more memory than one.

- Only credits become PaymentRecords; debits and reversals (`RvslInd` true) are skipped silently,
  as in the MT940 parser.
- `external_id` is `<statement account>/<AcctSvcrRef>` (the bank's reference of the entry, or of
  the transaction when the entry has none); an entry that has neither gets a hash of its date,
  amount and title, so a re-sent file still books nothing twice.
- `paid_on` is the booking date (`BookgDt`), else the value date.
- Several `Ustrd` lines are joined without a separator when the previous one filled its fixed
  width (banks cut a long title into 35-character lines), with a space otherwise.
- An entry that batches several transactions with their own amounts gives one payment per
  transaction (reference suffixed with its position).
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import BinaryIO
from xml.etree.ElementTree import Element

from imports.parsers.base import FileRejected, ParseContext, ParsedRow, PaymentRecord, RowError
from imports.parsers.titles import analyse_title
from imports.parsers.xml_safety import iterparse_safely, local_name, namespace
from tenants.identifiers import normalize_iban

NAMESPACE_PREFIX = "urn:iso:std:iso:20022:tech:xsd:camt.053."
_FIXED_WIDTH_LINE = 35


def parse(stream: BinaryIO, *, context: ParseContext) -> Iterator[ParsedRow]:
    """Payments of a camt.053 file, one ParsedRow per credit transaction or unreadable entry."""
    account = currency = ""
    statement: Element | None = None
    path: list[str] = []
    for item in iterparse_safely(stream, what="The camt.053 file"):
        name = local_name(item.element.tag)
        if item.event == "start":
            if not path and not namespace(item.element.tag).startswith(NAMESPACE_PREFIX):
                raise FileRejected(
                    "The file is not a camt.053 statement: its root element is "
                    f"{item.element.tag!r}, expected Document in the {NAMESPACE_PREFIX}… namespace."
                )
            path.append(name)
            if name == "Stmt":
                statement, account, currency = item.element, "", ""
            continue
        path.pop()
        if name == "Acct" and path[-1:] == ["Stmt"]:
            account = _account(item.element)
            currency = _text(item.element, "Ccy")
        elif name == "Ntry" and statement is not None:
            yield from _entry_rows(item.element, line=item.line, account=account, currency=currency)
            statement.remove(item.element)


def _entry_rows(entry: Element, *, line: int, account: str, currency: str) -> Iterator[ParsedRow]:
    if _text(entry, "CdtDbtInd") != "CRDT" or _text(entry, "RvslInd").lower() in ("true", "1"):
        return
    transactions = _children(entry, "NtryDtls", "TxDtls")
    own_amounts = [tx for tx in transactions if _amount_element(tx) is not None]
    if len(transactions) > 1 and len(own_amounts) == len(transactions):
        parts = [(tx, _amount_element(tx), f"/{index}") for index, tx in enumerate(transactions, 1)]
    else:
        parts = [(transactions[0] if transactions else None, _first(entry, "Amt"), "")]
    for transaction, amount_element, suffix in parts:
        yield _payment_row(
            entry,
            transaction,
            amount_element,
            line=line,
            account=account,
            currency=currency,
            suffix=suffix,
        )


def _payment_row(
    entry: Element,
    transaction: Element | None,
    amount_element: Element | None,
    *,
    line: int,
    account: str,
    currency: str,
    suffix: str,
) -> ParsedRow:
    errors: list[RowError] = []
    amount_text = (amount_element.text or "").strip() if amount_element is not None else ""
    try:
        amount = Decimal(amount_text)
        if not amount.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        amount = Decimal(0)
        errors.append(RowError(line, "Ntry/Amt", "expected an amount such as 1234.56", amount_text))
    date_text = _text(entry, "BookgDt", "Dt") or _text(entry, "BookgDt", "DtTm")[:10]
    date_text = date_text or _text(entry, "ValDt", "Dt") or _text(entry, "ValDt", "DtTm")[:10]
    try:
        paid_on = datetime.date.fromisoformat(date_text)
    except ValueError:
        paid_on = datetime.date.min
        errors.append(RowError(line, "Ntry/BookgDt", "expected a date YYYY-MM-DD", date_text))
    ccy = amount_element.get("Ccy", "") if amount_element is not None else ""
    if not (ccy or currency):
        errors.append(RowError(line, "Ntry/Amt", "the amount has no currency (Ccy)", amount_text))
    if errors:
        return ParsedRow(line=line, record=None, errors=errors)
    details = transaction if transaction is not None else Element("TxDtls")
    title = _title(entry, details)
    analysis = analyse_title(title)
    invoice_numbers = [
        *(el.text.strip().upper() for el in _all(details, "RfrdDocInf", "Nb") if el.text),
        *analysis.invoice_numbers,
    ]
    reference = _text(entry, "AcctSvcrRef") or _text(details, "Refs", "AcctSvcrRef")
    return ParsedRow(
        line=line,
        record=PaymentRecord(
            external_id=_external_id(account, reference, suffix, paid_on, amount, title),
            amount=amount,
            currency=ccy or currency,
            paid_on=paid_on,
            title=title,
            counterparty_name=_debtor_name(details),
            counterparty_account=_debtor_account(details),
            counterparty_nip=analysis.nip,
            invoice_numbers=list(dict.fromkeys(invoice_numbers)),
            own_account=account,
        ),
    )


def _title(entry: Element, transaction: Element) -> str:
    """Unstructured lines, then structured creditor references; else the bank's free text."""
    title = previous = ""
    for line in (el.text or "" for el in _all(transaction, "RmtInf", "Ustrd")):
        if previous and len(previous) < _FIXED_WIDTH_LINE and not previous.endswith(" "):
            title += " "
        title, previous = title + line, line
    references = [el.text or "" for el in _all(transaction, "RmtInf", "Strd", "CdtrRefInf", "Ref")]
    text = " ".join(part.strip() for part in (title, *references) if part.strip())
    return text or _text(transaction, "AddtlTxInf") or _text(entry, "AddtlNtryInf")


def _debtor_name(transaction: Element) -> str:
    debtor = _first(transaction, "RltdPties", "Dbtr")
    if debtor is None:
        return ""
    return _text(debtor, "Nm") or _text(debtor, "Pty", "Nm")  # Pty: camt.053.001.08 and later


def _debtor_account(transaction: Element) -> str:
    account = _first(transaction, "RltdPties", "DbtrAcct")
    return _account(account) if account is not None else ""


def _account(account: Element) -> str:
    iban = _text(account, "Id", "IBAN")
    return normalize_iban(iban) if iban else _text(account, "Id", "Othr", "Id")


def _external_id(
    account: str,
    reference: str,
    suffix: str,
    paid_on: datetime.date,
    amount: Decimal,
    title: str,
) -> str:
    if reference and reference.upper() != "NOTPROVIDED":
        return f"{account}/{reference}{suffix}"[:120]
    key = "\x1f".join((paid_on.isoformat(), str(amount), title, suffix))
    return f"{account}/#{hashlib.sha256(key.encode()).hexdigest()[:24]}"


# --- Namespace-agnostic element access ----------------------------------------------------------


def _children(element: Element, *names: str) -> list[Element]:
    found = [element]
    for name in names:
        found = [child for parent in found for child in parent if local_name(child.tag) == name]
    return found


def _all(element: Element, *names: str) -> list[Element]:
    """Elements at the path `names` below `element` or below any of its descendants."""
    starts = [el for el in element.iter() if local_name(el.tag) == names[0]]
    return [found for start in starts for found in _children(start, *names[1:])]


def _first(element: Element, *names: str) -> Element | None:
    found = _children(element, *names)
    return found[0] if found else None


def _text(element: Element, *names: str) -> str:
    found = _first(element, *names)
    return (found.text or "").strip() if found is not None else ""


def _amount_element(transaction: Element) -> Element | None:
    found = _first(transaction, "AmtDtls", "TxAmt", "Amt")
    return found if found is not None else _first(transaction, "Amt")
