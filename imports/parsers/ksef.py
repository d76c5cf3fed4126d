"""KSeF e-invoices, structures FA(3) and FA(2), one XML or a ZIP of many: invoices with their buyer.

Field paths: DOMAIN.md §6. What the import relies on, beyond the paths:

- The seller (`Podmiot1` NIP) must be the client (`context.tenant_nip`); another seller's document
  gives a RowError and no record.
- The buyer (`Podmiot2`) becomes the inline payer. Its external id is `NrKlienta`, else the NIP,
  else the EU VAT or foreign id, else the name. A NIP whose checksum fails (test invoices use such
  numbers) is kept and flagged, and the row carries a *warning*: a RowError on field
  `Podmiot2/NIP` flagged `warning` (its message says "warning:"), next to the record. Processing
  books the record and reports the warning; any other RowError means the row has no record.
- `external_id` is the KSeF number when the file is named by it (as KSeF downloads are:
  `5260001246-20260301-ABCDEF012345-AB.xml`), else the invoice number `P_2`: the XML itself holds
  no ERP id.
- `due_date` is the earliest `Platnosc/TerminPlatnosci/Termin`; None when there is none (processing
  applies the client's default payment term and says so).
- Corrections (`RodzajFaktury` KOR, KOR_ZAL, KOR_ROZ) carry `corrects_number` (and
  `corrects_ksef_number` when given) and their `gross_amount` is the signed `P_15`, i.e. the
  difference: negative when it reduces the invoice. A collective correction (several corrected
  invoices, one total) is a RowError: its total cannot be split per invoice.
- `Zaplacono` = 1 with `DataZaplaty`: outstanding 0 and `paid_on`. Partial payments
  (`ZaplataCzesciowa`) reduce the outstanding amount; paid in full, `paid_on` is the last one.
- Line numbers: 1 for a single XML; in a ZIP, the member's position, and every message starts with
  the member's name. A malformed member is a RowError; a hostile one rejects the whole file.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import PurePosixPath
from typing import BinaryIO
from xml.etree.ElementTree import Element

from stdnum.pl import nip as stdnum_nip

from imports.parsers.base import (
    FileRejected,
    InvoiceRecord,
    ParseContext,
    ParsedRow,
    PayerRecord,
    RowError,
)
from imports.parsers.xml_safety import (
    MAX_ZIP_TOTAL_BYTES,
    Readable,
    UnsafeXml,
    is_zip,
    iter_zip_members,
    local_name,
    namespace,
    parse_safely,
    seekable,
)
from tenants.identifiers import normalize_nip

FA3_NAMESPACE = "http://crd.gov.pl/wzor/2025/06/25/13775/"
FA2_NAMESPACE = "http://crd.gov.pl/wzor/2023/06/29/12648/"
NAMESPACES = (FA3_NAMESPACE, FA2_NAMESPACE)
CORRECTION_KINDS = frozenset({"KOR", "KOR_ZAL", "KOR_ROZ"})
# Invoice lines and footers are the bulk of a document and are never read: emptied while parsing.
_DISCARDED = frozenset({"FaWiersz", "Zamowienie", "Stopka", "WarunkiTransakcji", "Podmiot3"})
_KSEF_NUMBER = re.compile(r"\d{10}-\d{8}-[0-9A-F]{12}-[0-9A-F]{2}", re.IGNORECASE)
_POSTAL_CODE = re.compile(r"\b(\d{2}-\d{3})\b")
_MAX_ID_LENGTH = 100


def parse(stream: BinaryIO, *, context: ParseContext) -> Iterator[ParsedRow]:
    """One ParsedRow per invoice document (or per unreadable ZIP member)."""
    tenant_nip = normalize_nip(context.tenant_nip)
    if not tenant_nip:
        raise FileRejected(
            "The client has no NIP set, so the seller of KSeF invoices cannot be checked; "
            "set the client's NIP first."
        )
    stream = seekable(stream, max_bytes=MAX_ZIP_TOTAL_BYTES)
    if not is_zip(stream):
        name = context.file_name or str(getattr(stream, "name", "") or "")
        yield _document_row(stream, line=1, file_name=name, tenant=tenant_nip, in_zip=False)
        return
    for member in iter_zip_members(stream):
        if not member.name.lower().endswith(".xml"):
            message = f"{member.name}: skipped, not an .xml file"
            yield ParsedRow(member.index, None, [RowError(member.index, "", message)])
            continue
        try:
            yield _document_row(
                member.stream,
                line=member.index,
                file_name=member.name,
                tenant=tenant_nip,
                in_zip=True,
            )
        except UnsafeXml:
            raise
        except FileRejected as error:
            message = f"{member.name}: {error}"
            yield ParsedRow(member.index, None, [RowError(member.index, "", message)])


def _document_row(
    stream: Readable, *, line: int, file_name: str, tenant: str, in_zip: bool
) -> ParsedRow:
    root = parse_safely(stream, discard=_DISCARDED, what="The XML")
    ns = namespace(root.tag)
    if local_name(root.tag) != "Faktura" or ns not in NAMESPACES:
        raise FileRejected(
            f"not a KSeF invoice: the root element is {root.tag!r}; expected Faktura of "
            "structure FA(3) or FA(2)."
        )
    document = _Document(root, ns, line=line, prefix=f"{file_name}: " if in_zip else "")
    return document.row(tenant=tenant, ksef_number=_ksef_number(file_name))


def _ksef_number(file_name: str) -> str:
    stem = PurePosixPath(file_name.replace("\\", "/")).stem if file_name else ""
    return stem.upper() if _KSEF_NUMBER.fullmatch(stem) else ""


class _Document:
    """One `Faktura`, read into an InvoiceRecord while collecting precise errors."""

    def __init__(self, root: Element, ns: str, *, line: int, prefix: str) -> None:
        self.root = root
        self.ns = {"k": ns}
        self.line = line
        self.prefix = prefix
        self.errors: list[RowError] = []
        self.warnings: list[RowError] = []

    def row(self, *, tenant: str, ksef_number: str) -> ParsedRow:
        seller = normalize_nip(self.text("Podmiot1/DaneIdentyfikacyjne/NIP"))
        if seller != tenant:
            shown = seller or "(none)"
            self.error(
                "Podmiot1/NIP", f"the seller NIP {shown} is not this client's NIP {tenant}", seller
            )
            return ParsedRow(self.line, None, self.errors)
        record = self.invoice(ksef_number)
        if self.errors:
            return ParsedRow(self.line, None, self.errors + self.warnings)
        return ParsedRow(self.line, record, self.warnings)

    def invoice(self, ksef_number: str) -> InvoiceRecord:
        number = self.text("Fa/P_2")
        if not number:
            self.error("Fa/P_2", "the invoice number (P_2) is missing")
        elif len(number) > _MAX_ID_LENGTH:
            self.error("Fa/P_2", f"the invoice number is longer than {_MAX_ID_LENGTH}", number)
        gross = self.amount(self.first("Fa/P_15"), "Fa/P_15", required=True) or Decimal(0)
        kind = self.text("Fa/RodzajFaktury")
        payer = self.payer()
        dues = [
            self.date(el, "Fa/Platnosc/TerminPlatnosci/Termin")
            for el in self.all("Fa/Platnosc/TerminPlatnosci/Termin")
        ]
        outstanding, paid_on = self.payment_state(gross)
        corrected = self.corrected() if kind in CORRECTION_KINDS else ("", "")
        return InvoiceRecord(
            external_id=ksef_number or number,
            number=number,
            payer_external_id=payer.external_id,
            issue_date=self.date(self.first("Fa/P_1"), "Fa/P_1", required=True)
            or datetime.date.min,
            due_date=min((due for due in dues if due), default=None),
            gross_amount=gross,
            outstanding_amount=outstanding,
            currency=self.text("Fa/KodWaluty").upper() or self.missing("Fa/KodWaluty"),
            payer=payer,
            corrects_number=corrected[0],
            corrects_ksef_number=corrected[1],
            paid_on=paid_on,
        )

    def corrected(self) -> tuple[str, str]:
        """(number, KSeF number) of the one invoice a correction corrects.

        A collective correction (several `DaneFaKorygowanej`, e.g. a year-end discount) gives one
        total for all of them, which cannot be split per invoice: it is refused with a reason.
        """
        corrected = self.all("Fa/DaneFaKorygowanej")
        if len(corrected) > 1:
            self.error(
                "Fa/DaneFaKorygowanej",
                f"a collective correction of {len(corrected)} invoices gives one total for all of "
                "them and cannot be applied automatically; correct each invoice's amount by hand",
            )
            return "", ""
        number = self.text("Fa/DaneFaKorygowanej/NrFaKorygowanej")
        if not number:
            self.missing("Fa/DaneFaKorygowanej/NrFaKorygowanej")
        return number, self.text("Fa/DaneFaKorygowanej/NrKSeFFaKorygowanej").upper()

    def payer(self) -> PayerRecord:
        ids = "Podmiot2/DaneIdentyfikacyjne"
        nip = normalize_nip(self.text(f"{ids}/NIP"))
        if not nip and self.text(f"{ids}/KodUE").upper() == "PL":
            nip = normalize_nip(self.text(f"{ids}/NrVatUE"))  # a Polish EU VAT id is the NIP
        flagged = False
        if nip and not re.fullmatch(r"\d{10}", nip):
            self.error("Podmiot2/NIP", "expected a NIP of 10 digits", nip)
            nip = ""
        elif nip and not stdnum_nip.is_valid(nip):
            flagged = True
            self.warnings.append(
                RowError(
                    self.line,
                    "Podmiot2/NIP",
                    f"{self.prefix}warning: the buyer NIP {nip} has a wrong check digit; "
                    "kept as received and flagged",
                    nip,
                    warning=True,
                )
            )
        foreign_id = self.text(f"{ids}/KodUE") + self.text(f"{ids}/NrVatUE")
        foreign_id = foreign_id or self.text(f"{ids}/KodKraju") + self.text(f"{ids}/NrID")
        name = self.text(f"{ids}/Nazwa") or nip or foreign_id
        if not name:
            self.error("Podmiot2/Nazwa", "the buyer has neither a name nor an identifier")
        external_id = self.text("Podmiot2/NrKlienta") or nip or foreign_id or name
        street, postal_code, city = _address(
            self.text("Podmiot2/Adres/AdresL1"), self.text("Podmiot2/Adres/AdresL2")
        )
        no_id = self.text(f"{ids}/BrakID") == "1"
        return PayerRecord(
            external_id=external_id[:_MAX_ID_LENGTH],
            name=name,
            kind="consumer" if no_id and not nip else "business",
            nip=nip,
            nip_flagged=flagged,
            street=street,
            postal_code=postal_code,
            city=city,
            country=(self.text("Podmiot2/Adres/KodKraju") or "PL").upper()[:2],
            phones=self.texts("Podmiot2/DaneKontaktowe/Telefon"),
            emails=self.texts("Podmiot2/DaneKontaktowe/Email"),
        )

    def payment_state(self, gross: Decimal) -> tuple[Decimal | None, datetime.date | None]:
        """(outstanding, paid_on) from Zaplacono/DataZaplaty and partial payments."""
        if self.text("Fa/Platnosc/Zaplacono") == "1":
            return Decimal(0), self.date(self.first("Fa/Platnosc/DataZaplaty"), "DataZaplaty")
        partial = self.all("Fa/Platnosc/ZaplataCzesciowa")
        if not partial:
            return None, None
        field, ns = "Fa/Platnosc/ZaplataCzesciowa", self.ns
        amounts = [self.amount(el.find("k:KwotaZaplatyCzesciowej", ns), field) for el in partial]
        dates = [self.date(el.find("k:DataZaplatyCzesciowej", ns), field) for el in partial]
        paid = sum((amount for amount in amounts if amount), Decimal(0))
        if paid < gross:
            return gross - paid, None
        if paid > gross:
            self.warnings.append(
                RowError(
                    self.line,
                    field,
                    f"{self.prefix}warning: the partial payments ({paid}) exceed the gross amount "
                    f"({gross}); the invoice is taken as paid",
                    warning=True,
                )
            )
        return Decimal(0), max((d for d in dates if d), default=None)

    # --- reading values ---

    def first(self, path: str) -> Element | None:
        return self.root.find(_qualified(path), self.ns)

    def all(self, path: str) -> list[Element]:
        return self.root.findall(_qualified(path), self.ns)

    def texts(self, path: str) -> list[str]:
        return [el.text.strip() for el in self.all(path) if el.text and el.text.strip()]

    def text(self, path: str) -> str:
        element = self.first(path)
        return (element.text or "").strip() if element is not None else ""

    def amount(
        self, element: Element | None, path: str, *, required: bool = False
    ) -> Decimal | None:
        value = (element.text or "").strip() if element is not None else ""
        if not value:
            if required:
                self.missing(path)
            return None
        try:
            amount = Decimal(value)
            if not amount.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            self.error(path, "expected an amount such as 1234.56 (a dot before the grosze)", value)
            return None
        return amount

    def date(
        self, element: Element | None, path: str, *, required: bool = False
    ) -> datetime.date | None:
        value = (element.text or "").strip() if element is not None else ""
        if not value:
            if required:
                self.missing(path)
            return None
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            self.error(path, "expected a date YYYY-MM-DD", value)
            return None

    def missing(self, path: str) -> str:
        self.error(path, f"the element {path} is missing")
        return ""

    def error(self, field: str, message: str, value: str = "") -> None:
        self.errors.append(RowError(self.line, field, f"{self.prefix}{message}", value[:200]))


def _qualified(path: str) -> str:
    return "/".join(f"k:{part}" for part in path.split("/"))


def _address(line1: str, line2: str) -> tuple[str, str, str]:
    """(street, postal code, city) from AdresL1/AdresL2, best effort: Polish addresses put
    'NN-NNN City' in L2, or at the end of L1 when there is no L2."""
    if line2:
        match = _POSTAL_CODE.search(line2)
        if match:
            return line1, match.group(1), line2[match.end() :].strip(" ,")
        return line1, "", line2
    match = _POSTAL_CODE.search(line1)
    if match:
        return line1[: match.start()].strip(" ,"), match.group(1), line1[match.end() :].strip(" ,")
    return line1, "", ""
