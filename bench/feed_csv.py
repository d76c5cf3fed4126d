"""A receivables export as Polish ERPs write it, generated deterministically for the benchmarks.

The layout is the one of `tests/imports/data/feed/invoices_erp_cp1250.csv`: `;`-separated,
Windows-1250, CRLF line ends, decimal comma, dates DD.MM.YYYY, one invoice per row with its
payer inline. Every payer owns rows/5 invoices spread over the whole file (as an ERP export
sorted by document number spreads them), and its data is the same on each of its rows.
"""

from __future__ import annotations

import datetime
import random
from pathlib import Path

HEADER = (
    "Numer dokumentu",
    "Data wystawienia",
    "Termin płatności",
    "Kod kontrahenta",
    "Kontrahent",
    "NIP",
    "Telefon",
    "E-mail",
    "Kwota brutto",
    "Pozostało do zapłaty",
    "Waluta",
    "Id",
)
ENCODING = "cp1250"
INVOICES_PER_PAYER = 5
GENERATOR_VERSION = 1  # part of the file name: a changed generator never reuses an old file

_TRADES = ("Kwiaciarnia", "Transport", "Piekarnia", "Hurtownia", "Serwis", "Przychodnia", "Biuro")
_NAMES = ("Różana", "Bałtyk", "Żuraw", "Łąka", "Śnieżka", "Wisła", "Mazury", "Źródło", "Pszczółka")
_FORMS = ("sp. z o.o.", "s.c.", "S.A.", "sp.j.", "")
_PEOPLE = ("Paweł Dąbrowski", "Zofia Wójcik", "Łukasz Żak", "Małgorzata Kłos", "Jędrzej Świątek")
_MOBILE_PREFIXES = ("50", "51", "53", "57", "60", "66", "69", "72", "73", "78", "79", "88")
_FIRST_DAY = datetime.date(2025, 1, 1)
_TERMS = (7, 14, 14, 21, 30, 30, 45, 60)


def feed_path(folder: Path, *, rows: int, seed: int) -> Path:
    return folder / f"invoices_{rows}_seed{seed}_v{GENERATOR_VERSION}.csv"


def write_feed(path: Path, *, rows: int, seed: int) -> None:
    """Write `rows` invoice rows for rows/5 payers (at least one) to `path`, the same every time."""
    rng = random.Random(seed)
    payers = [_payer(rng, index) for index in range(max(1, rows // INVOICES_PER_PAYER))]
    owners = [index % len(payers) for index in range(rows)]
    rng.shuffle(owners)
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding=ENCODING, newline="") as out:
        out.write(";".join(HEADER) + "\r\n")
        for index, owner in enumerate(owners, start=1):
            out.write(_invoice_line(rng, index, payers[owner]))
    partial.replace(path)  # a run stopped half-way never leaves a short file to be reused


def _payer(rng: random.Random, index: int) -> str:
    """The payer's six columns, joined: code, name, NIP, phone, e-mail."""
    code = f"K{index + 1:07d}"
    if rng.random() < 0.2:  # a consumer: no NIP
        name, nip = rng.choice(_PEOPLE), ""
    else:
        trade, word, form = rng.choice(_TRADES), rng.choice(_NAMES), rng.choice(_FORMS)
        name, nip = f"{trade} {word} {form}".strip(), _valid_nip(rng)
    phone = ""
    if rng.random() < 0.9:
        digits = rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**7):07d}"
        phone = digits if rng.random() < 0.7 else f"{digits[:3]} {digits[3:6]} {digits[6:]}"
    email = f"ksiegowosc{index}@example.pl" if rng.random() < 0.85 else ""
    return f"{code};{name};{nip};{phone};{email}"


def _valid_nip(rng: random.Random) -> str:
    while True:
        digits = [rng.randrange(1, 10)] + [rng.randrange(10) for _ in range(8)]
        check = sum(w * d for w, d in zip((6, 5, 7, 2, 3, 4, 5, 6, 7), digits, strict=True)) % 11
        if check != 10:
            return "".join(map(str, digits)) + str(check)


def _invoice_line(rng: random.Random, index: int, payer: str) -> str:
    issued = _FIRST_DAY + datetime.timedelta(days=rng.randrange(670))
    due = issued + datetime.timedelta(days=rng.choice(_TERMS))
    gross = rng.randrange(10_00, 100_000_00)  # in grosze
    roll = rng.random()
    outstanding = gross if roll < 0.75 else rng.randrange(1, gross) if roll < 0.9 else 0
    currency = "PLN" if rng.random() < 0.97 else rng.choice(("EUR", "USD"))
    number = f"FV/{issued.year}/{issued.month:02d}/{index:07d}"
    return (
        f"{number};{issued:%d.%m.%Y};{due:%d.%m.%Y};{payer};"
        f"{_amount(gross)};{_amount(outstanding)};{currency};INV-{index:07d}\r\n"
    )


def _amount(grosze: int) -> str:
    return f"{grosze // 100},{grosze % 100:02d}"
