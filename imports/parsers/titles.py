"""What a transfer title says about the invoice it pays: invoice numbers and the payer's NIP.

Payers write titles by hand ("zapłata za fv fv/2026/09/0002", "Przelew FV nr FV / 2026 / 09 /
0004", "Faktura nr 12/11/2026"), banks cut them into 27-character chunks that the statement parsers
join without a separator, and split-payment transfers (*mechanizm podzielonej płatności*, art. 108a
ustawy o VAT) carry a fixed form `/VAT/<amount>/IDC/<NIP>/INV/<number>/TXT/<text>`. This module
only reads text: it returns candidates, and the matching service decides which invoice they mean
(`number_matches` compares a candidate with an invoice number the forgiving way payers need).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from stdnum.pl import nip as stdnum_nip

from tenants.identifiers import normalize_nip

# The split-payment form; INV may itself contain slashes, so it runs up to /TXT/ or the end.
_SPLIT_PAYMENT = re.compile(
    r"/VAT/(?P<vat>[^/]*)/IDC/(?P<idc>[^/]*)/INV/(?P<inv>.*?)(?:/TXT/(?P<txt>.*))?$",
    re.IGNORECASE | re.DOTALL,
)
# A run of letters/digits joined by / \ or - ("FV/2026/10/0001", "FVD-0000/02/2017").
_TOKEN = re.compile(r"(?<![\w/\\-])[^\W_](?:[^\W_]|[/\\-](?=[^\W_]))*")
_NIP = re.compile(
    r"\bNIP\W{0,3}(?:PL)?\s?"
    r"(\d{3}[- ]?\d{3}[- ]?\d{2}[- ]?\d{2}|\d{3}[- ]?\d{2}[- ]?\d{2}[- ]?\d{3})\b"
)
# Words after which the next token is an invoice number even without a slash ("Faktura nr 123").
_KEYWORDS = frozenset(
    {"FAKTURA", "FAKTURY", "FAKTUR", "FAKT", "FV", "FA", "NR", "NUMER", "INV", "INVOICE"}
)
_FILLER_WORDS = frozenset({"VAT", "NR", "NUMER", "DO", "ZA"})
# Short prefixes a payer writes apart from the number ("FV 12/2026" for FV/12/2026).
_PREFIXES = frozenset({"F", "FA", "FV", "FS", "FK", "FZ", "FVS", "FVK", "FKOR", "KOR", "R", "PAR"})
_PREFIXED_NUMBER = re.compile(r"(?:FV|FA|FS|FK|FVS|FVK|FZ)\d+")
_MIN_DIGITS_WITH_SLASH = 3
_MAX_CANDIDATE_LENGTH = 60


@dataclass(frozen=True)
class TitleAnalysis:
    invoice_numbers: list[str] = field(default_factory=list)  # most reliable first, upper case
    nip: str = ""  # 10 digits: the split-payment IDC, or a "NIP …" with a valid checksum
    split_payment: bool = False


def analyse_title(title: str) -> TitleAnalysis:
    """Candidates from a joined transfer title; empty lists when it names nothing."""
    split = _SPLIT_PAYMENT.search(title or "")
    numbers: list[str] = []
    nip = ""
    free_text = title or ""
    if split:
        invoice = _clean(split.group("inv"))
        if invoice:
            numbers.append(invoice)
        idc = normalize_nip(split.group("idc"))
        nip = idc if re.fullmatch(r"\d{10}", idc) else ""
        free_text = split.group("txt") or ""
    numbers += find_invoice_numbers(free_text)
    return TitleAnalysis(
        invoice_numbers=_unique(numbers), nip=nip or find_nip(free_text), split_payment=bool(split)
    )


def find_nip(text: str) -> str:
    """A NIP written after the word NIP, only with a valid checksum (else any number would do)."""
    for match in _NIP.finditer(_normalise(text)):
        candidate = normalize_nip(match.group(1).replace(" ", ""))
        if stdnum_nip.is_valid(candidate):
            return candidate
    return ""


def find_invoice_numbers(text: str) -> list[str]:
    """Invoice-number-like tokens of free text, in order of appearance, without duplicates."""
    words = _TOKEN.findall(_normalise(text))
    found: list[str] = []
    for position, word in enumerate(words):
        previous = _previous_meaningful(words, position)
        for token in _split_glued(word):
            if not _looks_like_number(token, after_keyword=previous in _KEYWORDS):
                continue
            if token[0].isdigit() and position and words[position - 1] in _PREFIXES:
                token = f"{words[position - 1]} {token}"
            found.append(token)
    return _unique(found)


def invoice_number_key(number: str) -> str:
    """A comparison key: upper case, letter and digit groups joined by '/', leading zeros dropped.

    'FV 12/2026', 'fv/12/2026', 'FV-12/2026' and 'FV12/2026' all give 'FV/12/2026'.
    """
    groups = re.findall(r"[^\W\d_]+|\d+", (number or "").upper())
    return "/".join(group.lstrip("0") or "0" if group.isdigit() else group for group in groups)


def number_matches(candidate: str, invoice_number: str) -> bool:
    """The same key, or one is the other with a letters-only prefix more ('12/11/2026' and
    'FV/12/11/2026'): payers drop or add the series letters, never the digits."""
    keys = (invoice_number_key(candidate), invoice_number_key(invoice_number))
    short, long = sorted(keys, key=len)
    if not short or not any(ch.isdigit() for ch in short):
        return False
    if short == long:
        return True
    if not long.endswith("/" + short):
        return False
    prefix = long[: -len(short) - 1]
    return all(group.isalpha() for group in prefix.split("/"))


def _normalise(text: str) -> str:
    """Upper case, one space between words, no spaces around slashes ('FV / 2026 / 09')."""
    text = re.sub(r"\s+", " ", (text or "").upper())
    return re.sub(r" ?([/\\]) ?", r"\1", text).strip()


def _clean(number: str) -> str:
    return _normalise(number).strip(" ./,;:")[:_MAX_CANDIDATE_LENGTH]


def _previous_meaningful(words: list[str], position: int) -> str:
    """The word before, skipping 'VAT'/'NR' so 'FAKTURA VAT NR 123' counts as after FAKTURA."""
    for word in reversed(words[max(0, position - 3) : position]):
        if word in _KEYWORDS:
            return word
        if word not in _FILLER_WORDS:
            return word
    return ""


def _split_glued(word: str) -> list[str]:
    """'FV/1/2026/FV/2/2026' (two numbers once the spaces around ' / ' went) -> both numbers."""
    parts = re.split(r"/(?=[^\W\d_]{1,5}/\d)", word)
    if len(parts) == 1:
        return parts
    merged: list[str] = []
    for part in parts:
        if merged and len(re.findall(r"\d+", merged[-1])) < 2:
            merged[-1] += "/" + part
        else:
            merged.append(part)
    return merged


def _looks_like_number(token: str, *, after_keyword: bool) -> bool:
    digits = sum(ch.isdigit() for ch in token)
    if not digits or len(token) > _MAX_CANDIDATE_LENGTH:
        return False
    if "/" in token or "\\" in token:
        return digits >= _MIN_DIGITS_WITH_SLASH or after_keyword
    if "-" in token:  # "FVD-0000", "INV-11-0000"; not postal codes, dates or dashed NIPs
        return token[0].isalpha() or (after_keyword and not re.fullmatch(r"[\d-]+", token))
    if _PREFIXED_NUMBER.fullmatch(token):
        return True
    return after_keyword and len(token) <= 20


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(item for item in items if item))
