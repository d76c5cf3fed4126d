"""camt.053 statements (any version) become payments; hostile or broken XML is refused."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest

from imports.parsers import camt053
from imports.parsers.base import FileRejected, ParseContext, ParsedRow
from imports.parsers.xml_safety import UnsafeXml

DATA = Path(__file__).parent / "data" / "bank"
EXPECTED = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))
OWN_IBAN = EXPECTED["tenant"]["iban"]


def parse_bytes(data: bytes) -> list[ParsedRow]:
    return list(camt053.parse(io.BytesIO(data), context=ParseContext()))


def statement(entries: str, version: str = "02") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}"><BkToCstmrStmt><Stmt>
<Acct><Id><IBAN>{OWN_IBAN}</IBAN></Id><Ccy>PLN</Ccy></Acct>
{entries}
</Stmt></BkToCstmrStmt></Document>""".encode()


def ntry(
    amount: str = "100.00",
    indicator: str = "CRDT",
    details: str = "",
    reference: str = "<AcctSvcrRef>R1</AcctSvcrRef>",
    extra: str = "",
) -> str:
    return (
        f'<Ntry><Amt Ccy="PLN">{amount}</Amt><CdtDbtInd>{indicator}</CdtDbtInd>{extra}'
        f"<BookgDt><Dt>2026-11-17</Dt></BookgDt>{reference}"
        f"<NtryDtls><TxDtls>{details}</TxDtls></NtryDtls></Ntry>"
    )


def test_feed_statement_holds_exactly_the_expected_payments():
    rows = parse_bytes((DATA / "statement_camt053.xml").read_bytes())

    assert all(not row.errors for row in rows)
    got = [(r.record.paid_on.isoformat(), r.record.amount, r.record.title) for r in rows]
    expected = [(p["date"], Decimal(p["amount"]), p["title"]) for p in EXPECTED["payments"]]
    assert sorted(got) == sorted(expected)
    assert [r.record.external_id for r in rows] == [f"{OWN_IBAN}/REF{n:06d}" for n in range(13)]


def test_entry_details_give_debtor_name_account_and_invoice_number():
    rows = parse_bytes((DATA / "statement_camt053.xml").read_bytes())

    payment = rows[3].record
    assert rows[3].line == 48  # the line of its <Ntry>
    assert payment.counterparty_name == "Paweł Dąbrowski"
    assert payment.counterparty_account == "PL54023740954611139309559729"
    assert payment.invoice_numbers == ["FV/2026/09/0004"]
    assert payment.own_account == OWN_IBAN
    assert payment.currency == "PLN"
    assert payment.paid_on == datetime.date(2026, 10, 4)


def test_debits_and_reversals_are_skipped():
    data = statement(
        ntry(indicator="DBIT")
        + ntry(extra="<RvslInd>true</RvslInd>", reference="<AcctSvcrRef>R2</AcctSvcrRef>")
        + ntry(amount="5.00", reference="<AcctSvcrRef>R3</AcctSvcrRef>")
    )

    assert [row.record.amount for row in parse_bytes(data)] == [Decimal("5.00")]


def test_later_versions_with_party_wrapper_and_several_ustrd_lines():
    details = (
        "<RltdPties><Dbtr><Pty><Nm>Firma Sp. z o.o.</Nm></Pty></Dbtr>"
        "<DbtrAcct><Id><Othr><Id>12345678901234567890123456</Id></Othr></Id></DbtrAcct>"
        "</RltdPties><RmtInf><Ustrd>Zapłata za fakturę FV/2026/11/</Ustrd>"
        "<Ustrd>0042</Ustrd></RmtInf>"
    )

    [row] = parse_bytes(statement(ntry(details=details), version="08"))

    assert row.record.counterparty_name == "Firma Sp. z o.o."
    assert row.record.counterparty_account == "12345678901234567890123456"
    assert row.record.title == "Zapłata za fakturę FV/2026/11/ 0042"
    short = ntry(details="<RmtInf><Ustrd>" + "A" * 35 + "</Ustrd><Ustrd>BC</Ustrd></RmtInf>")
    assert parse_bytes(statement(short))[0].record.title == "A" * 35 + "BC"


def test_split_payment_title_gives_nip():
    details = "<RmtInf><Ustrd>/VAT/23,00/IDC/5260001246/INV/FV/1/2026/TXT/x</Ustrd></RmtInf>"

    [row] = parse_bytes(statement(ntry(details=details)))

    assert row.record.counterparty_nip == "5260001246"
    assert row.record.invoice_numbers == ["FV/1/2026"]


def test_entry_without_reference_gets_a_stable_hash_id():
    data = statement(ntry(reference=""))

    first, again = parse_bytes(data)[0].record, parse_bytes(data)[0].record

    assert first.external_id.startswith(f"{OWN_IBAN}/#")
    assert first.external_id == again.external_id


def test_batch_entry_gives_one_payment_per_transaction():
    tx = '<AmtDtls><TxAmt><Amt Ccy="PLN">{}</Amt></TxAmt></AmtDtls>'
    entry = (
        '<Ntry><Amt Ccy="PLN">30.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>'
        "<BookgDt><Dt>2026-11-17</Dt></BookgDt><AcctSvcrRef>B1</AcctSvcrRef><NtryDtls>"
        f"<TxDtls>{tx.format('10.00')}</TxDtls><TxDtls>{tx.format('20.00')}</TxDtls>"
        "</NtryDtls></Ntry>"
    )

    rows = parse_bytes(statement(entry))

    assert [(r.record.amount, r.record.external_id[-4:]) for r in rows] == [
        (Decimal("10.00"), "B1/1"),
        (Decimal("20.00"), "B1/2"),
    ]


def test_bad_amount_is_a_row_error_and_other_entries_go_on():
    data = statement(ntry(amount="12,50") + ntry(reference="<AcctSvcrRef>R9</AcctSvcrRef>"))

    bad, good = parse_bytes(data)

    assert bad.record is None
    assert [(e.field, e.value) for e in bad.errors] == [("Ntry/Amt", "12,50")]
    assert bad.line == 4
    assert good.record.external_id == f"{OWN_IBAN}/R9"


def test_other_xml_is_rejected():
    with pytest.raises(FileRejected, match="not a camt.053 statement"):
        parse_bytes(b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.02"/>')


def test_truncated_statement_is_rejected_with_a_reason():
    data = (DATA / "statement_camt053.xml").read_bytes()[:3000]

    with pytest.raises(FileRejected, match="not well-formed"):
        parse_bytes(data)


def test_external_entity_is_refused():
    data = (
        b'<?xml version="1.0"?><!DOCTYPE Document [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&x;</Document>'
    )

    with pytest.raises(UnsafeXml) as refused:
        parse_bytes(data)
    assert "root:" not in str(refused.value)
