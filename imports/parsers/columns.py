"""Which column is which: the header synonyms of Polish ERP exports, and header resolution.

CSV and XLSX exports of Polish ERPs (Comarch Optima, InsERT Subiekt, Symfonia, enova365, wFirma,
Fakturownia) name the same data differently; `SYNONYMS` knows the usual names, matched without
regard to case, diacritics, spaces, punctuation or a bracketed unit ("Kwota brutto (PLN)"). A
tenant's saved mapping (`ParseContext.column_mapping`, file header -> field name below) wins over
the table; mapping a header to "" ignores that column. JSON Lines uses the field names directly.
How a row of values then becomes an invoice is `records.InvoiceAssembler`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from imports.parsers.base import FileRejected
from imports.parsers.values import shorten

# Our field names (the keys of a saved column mapping) with the headers ERPs give them, most
# specific first: when a file has two columns for one field, the earlier synonym wins.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "external_id": ("Id dokumentu", "Identyfikator dokumentu", "Identyfikator", "Id faktury", "Id"),
    "number": (
        "Numer dokumentu",
        "Nr dokumentu",
        "Numer faktury",
        "Nr faktury",
        "Dokument",
        "Numer",
    ),
    "issue_date": ("Data wystawienia", "Data dokumentu", "Data faktury"),
    "due_date": ("Termin płatności", "Termin zapłaty", "Termin", "Data płatności"),
    "gross_amount": ("Kwota brutto", "Wartość brutto", "Razem brutto", "Brutto"),
    "outstanding_amount": (
        "Pozostało do zapłaty",
        "Pozostaje do zapłaty",
        "Do zapłaty",
        "Pozostało",
        "Saldo",
    ),
    "currency": ("Waluta",),
    "paid_on": ("Data zapłaty",),
    "contract_number": ("Numer umowy", "Nr umowy"),
    "instalment_number": ("Numer raty", "Nr raty"),
    "payer_external_id": (
        "Kod kontrahenta",
        "Id kontrahenta",
        "Identyfikator kontrahenta",
        "Symbol kontrahenta",
        "Symbol nabywcy",
        "Kod nabywcy",
        "Akronim",
    ),
    "payer_name": (
        "Nazwa kontrahenta",
        "Nazwa nabywcy",
        "Nabywca",
        "Płatnik",
        "Kontrahent",
        "Odbiorca",
    ),
    "payer_nip": ("NIP nabywcy", "NIP kontrahenta", "NIP płatnika", "NIP"),
    "payer_phone": ("Telefon", "Telefon komórkowy", "Nr telefonu", "Tel"),
    "payer_email": ("E-mail", "Email", "Adres e-mail"),
    "payer_street": ("Ulica", "Ulica i numer", "Adres"),
    "payer_postal_code": ("Kod pocztowy",),
    "payer_city": ("Miejscowość", "Miasto"),
    # Fields whose ERP columns hold other vocabularies ("Rodzaj dokumentu": FS, KOR; "Kraj":
    # Polska): read only through a saved mapping or JSON Lines, never guessed from a header.
    "payer_kind": (),
    "payer_country": (),
    "kind": (),
}

# How messages name a field (and an example header), for the missing-columns refusal.
LABELS: dict[str, str] = {
    "external_id": "document id",
    "number": "invoice number",
    "issue_date": "issue date",
    "due_date": "due date",
    "gross_amount": "gross amount",
    "outstanding_amount": "outstanding amount",
    "payer_external_id": "payer id",
    "payer_name": "payer name",
}

# Each group needs at least one of its fields among the columns.
REQUIRED: tuple[tuple[str, ...], ...] = (
    ("number",),
    ("payer_name", "payer_external_id"),
    ("due_date", "issue_date"),
    ("gross_amount",),
)

_BRACKETED = re.compile(r"[(\[].*?[)\]]")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def normalize_header(text: str) -> str:
    """'  Termin  PŁATNOŚCI ' and 'termin_platnosci' compare equal; so do 'E-mail' and 'Email'."""
    folded = text.casefold().replace("ł", "l")
    without_unit = _BRACKETED.sub("", folded) or folded
    decomposed = unicodedata.normalize("NFKD", without_unit)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NOT_ALNUM.sub("", plain)


_SYNONYM_RANK: dict[str, tuple[str, int]] = {
    normalize_header(header): (field, rank)
    for field, headers in SYNONYMS.items()
    for rank, header in enumerate(headers)
}


@dataclass(frozen=True)
class ColumnMap:
    """The header row as found, and the column each field of ours comes from."""

    headers: tuple[str, ...]
    index: Mapping[str, int]  # field -> 0-based column

    @property
    def labels(self) -> dict[str, str]:
        """Field -> the header as written in the file, for RowError.field."""
        return {field: self.headers[column] for field, column in self.index.items()}

    def values(self, cells: Sequence[object]) -> dict[str, object]:
        width = len(cells)
        return {field: cells[col] for field, col in self.index.items() if col < width}


def resolve_columns(headers: Sequence[object], mapping: Mapping[str, str]) -> ColumnMap:
    """Map a header row to our fields; refuse the file when a required column is missing."""
    written = tuple("" if header is None else str(header).strip() for header in headers)
    saved = _saved_mapping(mapping)
    chosen: dict[str, tuple[int, int]] = {}  # field -> (rank, column); a saved mapping ranks -1
    for column, header in enumerate(written):
        key = normalize_header(header)
        if not key:
            continue
        if key in saved:
            field, rank = saved[key], -1
        elif key in _SYNONYM_RANK:
            field, rank = _SYNONYM_RANK[key]
        else:
            continue
        if field and (field not in chosen or rank < chosen[field][0]):
            chosen[field] = (rank, column)
    index = {field: column for field, (_, column) in chosen.items()}
    missing = [group for group in REQUIRED if not any(field in index for field in group)]
    if missing:
        raise FileRejected(_missing_message(missing, written))
    return ColumnMap(headers=written, index=index)


def count_known_headers(headers: Sequence[str], mapping: Mapping[str, str]) -> int:
    """How many of `headers` name a field: how CSV tells which delimiter splits the header."""
    saved = _saved_mapping(mapping)
    keys = (normalize_header(header) for header in headers)
    return sum(1 for key in keys if key in saved or key in _SYNONYM_RANK)


def _saved_mapping(mapping: Mapping[str, str]) -> dict[str, str]:
    unknown = sorted({field for field in mapping.values() if field and field not in SYNONYMS})
    if unknown:
        raise FileRejected(
            f"the column mapping names unknown fields {', '.join(unknown)};"
            f" known: {', '.join(SYNONYMS)}"
        )
    return {normalize_header(header): field for header, field in mapping.items()}


def _missing_message(missing: list[tuple[str, ...]], headers: tuple[str, ...]) -> str:
    wanted = [
        " or ".join(f'{LABELS[field]} (e.g. "{SYNONYMS[field][0]}")' for field in group)
        for group in missing
    ]
    shown = [f'"{shorten(header)[:60]}"' for header in headers if header]
    found = ", ".join(shown[:40]) + (f" and {len(shown) - 40} more" if len(shown) > 40 else "")
    return (
        f"missing columns: {'; '.join(wanted)}. Headers found: {found or 'none'}."
        " Rename the columns or save a column mapping."
    )
