"""Word lists and generators for the demo data set (`manage.py seed_demo`).

Everything here is plain Python driven by a `random.Random` the caller seeds, so the same seed
and the same anchor date always give the same payers and invoices. Identifiers are generated
valid: NIP check digits and IBAN mod-97 are computed (DOMAIN.md §5), phones are checked by
libphonenumber as `payers.phones` does. E-mail addresses use the reserved `example.com` domain so
a demo never mails anyone real. The writing is done by `invoices/management/commands/seed_demo.py`
(it needs the ledger models, which sit above this app).
"""

from __future__ import annotations

import datetime
import math
import random
import re
from dataclasses import dataclass, field

import phonenumbers

from tenants.identifiers import NIP_WEIGHTS

# Every demo login shares this password; the README quotes it. Demo only, never in production.
DEMO_PASSWORD = "Demo-2026!"  # noqa: S105
# The base32 TOTP secret of every demo staff login (`manage.py demo_totp` prints its code).
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # noqa: S105

# (male form, female form): consumers get the form that agrees with their first name.
SURNAMES = [
    ("Kowalski", "Kowalska"), ("Wiśniewski", "Wiśniewska"), ("Wójcik", "Wójcik"),
    ("Kowalczyk", "Kowalczyk"), ("Kamiński", "Kamińska"), ("Lewandowski", "Lewandowska"),
    ("Zieliński", "Zielińska"), ("Szymański", "Szymańska"), ("Woźniak", "Woźniak"),
    ("Dąbrowski", "Dąbrowska"), ("Kozłowski", "Kozłowska"), ("Jankowski", "Jankowska"),
    ("Mazur", "Mazur"), ("Kwiatkowski", "Kwiatkowska"), ("Krawczyk", "Krawczyk"),
    ("Piotrowski", "Piotrowska"), ("Grabowski", "Grabowska"), ("Nowakowski", "Nowakowska"),
    ("Pawłowski", "Pawłowska"), ("Michalski", "Michalska"), ("Nowicki", "Nowicka"),
    ("Adamczyk", "Adamczyk"), ("Dudek", "Dudek"), ("Zając", "Zając"), ("Wieczorek", "Wieczorek"),
    ("Jabłoński", "Jabłońska"), ("Król", "Król"), ("Majewski", "Majewska"),
    ("Olszewski", "Olszewska"), ("Jaworski", "Jaworska"), ("Wróbel", "Wróbel"),
    ("Malinowski", "Malinowska"), ("Pawlak", "Pawlak"), ("Witkowski", "Witkowska"),
    ("Walczak", "Walczak"), ("Stępień", "Stępień"), ("Górski", "Górska"),
    ("Rutkowski", "Rutkowska"), ("Michalak", "Michalak"), ("Sikora", "Sikora"),
    ("Ostrowski", "Ostrowska"), ("Baran", "Baran"), ("Duda", "Duda"), ("Szewczyk", "Szewczyk"),
    ("Tomaszewski", "Tomaszewska"), ("Pietrzak", "Pietrzak"), ("Marciniak", "Marciniak"),
    ("Wróblewski", "Wróblewska"), ("Zalewski", "Zalewska"), ("Jakubowski", "Jakubowska"),
]  # fmt: skip
MALE_FIRST_NAMES = [
    "Jan", "Piotr", "Krzysztof", "Andrzej", "Tomasz", "Paweł", "Michał", "Marcin", "Grzegorz",
    "Józef", "Adam", "Łukasz", "Zbigniew", "Jerzy", "Tadeusz", "Mateusz", "Dariusz", "Wojciech",
]  # fmt: skip
FEMALE_FIRST_NAMES = [
    "Anna", "Maria", "Katarzyna", "Małgorzata", "Agnieszka", "Barbara", "Ewa", "Krystyna",
    "Elżbieta", "Magdalena", "Joanna", "Aleksandra", "Monika", "Zofia", "Teresa", "Beata",
]  # fmt: skip
# Trades of a sole trader or a small firm, written as Polish businesses name themselves.
TRADES = [
    "PHU", "PPHU", "FHU", "Zakład Stolarski", "Sklep Budowlany", "Usługi Remontowe",
    "Zakład Instalatorski", "Hurtownia Elektryczna", "Transport Ciężarowy", "Firma Dekarska",
    "Skład Opału", "Zakład Ślusarski", "Pracownia Kamieniarska", "Usługi Ogólnobudowlane",
    "Salon Wnętrz", "Studio Mebli Kuchennych", "Biuro Rachunkowe", "Auto Serwis",
]  # fmt: skip
BRANDS = [
    "Budmax", "Drewpol", "Elmet", "Stalbud", "Termoizol", "Ekodach", "Bud-Trans", "Mebloplast",
    "Polbruk", "Instal-Serwis", "Dom-Bud", "Klinkier", "Okna-Plus", "Betoniarnia Nowa",
    "Agro-Tech", "Wod-Kan", "Parkieciarz", "Tartak Leśny", "Marbud", "Eurodom",
]  # fmt: skip
LEGAL_FORMS = ["Sp. z o.o.", "Sp. z o.o.", "Sp. j.", "Sp. k.", "S.A."]
# (city, the first two digits of its postal codes)
TOWNS = [
    ("Warszawa", 2), ("Kraków", 31), ("Łódź", 91), ("Wrocław", 53), ("Poznań", 61),
    ("Gdańsk", 80), ("Szczecin", 71), ("Bydgoszcz", 85), ("Lublin", 20), ("Białystok", 15),
    ("Katowice", 40), ("Gdynia", 81), ("Częstochowa", 42), ("Radom", 26), ("Toruń", 87),
    ("Kielce", 25), ("Rzeszów", 35), ("Gliwice", 44), ("Olsztyn", 10), ("Opole", 45),
    ("Zielona Góra", 65), ("Płock", 9), ("Tarnów", 33), ("Kalisz", 62), ("Legnica", 59),
    ("Koszalin", 75), ("Siedlce", 8), ("Nowy Sącz", 33), ("Piotrków Trybunalski", 97),
    ("Swarzędz", 62),
]  # fmt: skip
STREETS = [
    "ul. Kwiatowa", "ul. Polna", "ul. Leśna", "ul. Słoneczna", "ul. Krótka", "ul. Szkolna",
    "ul. Ogrodowa", "ul. Lipowa", "ul. Łąkowa", "ul. Brzozowa", "ul. Kościuszki",
    "ul. Mickiewicza", "ul. Sienkiewicza", "ul. Słowackiego", "ul. Piłsudskiego", "ul. 3 Maja",
    "ul. Kolejowa", "ul. Przemysłowa", "ul. Fabryczna", "al. Jana Pawła II", "ul. Długa",
    "ul. Wojska Polskiego", "ul. Żeromskiego", "ul. Reymonta", "ul. Składowa",
]  # fmt: skip
# National prefixes of Polish mobile numbers (the first two of nine digits).
MOBILE_PREFIXES = ["45", "50", "51", "53", "57", "60", "66", "69", "72", "73", "78", "79", "88"]
PHONE_LABELS = ["komórka", "biuro", "księgowość", "właściciel"]

_FOLD = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")


def ascii_slug(text: str) -> str:
    """'Zakład Ślusarski Wójcik' -> 'zaklad-slusarski-wojcik' (for e-mail addresses)."""
    return re.sub(r"[^a-z0-9]+", "-", text.translate(_FOLD).lower()).strip("-")


def nip_with_check_digit(first_nine: str) -> str | None:
    """The full NIP for nine digits, or None when the weighted sum gives 10 (no valid NIP)."""
    check = sum(int(d) * w for d, w in zip(first_nine, NIP_WEIGHTS, strict=True)) % 11
    return None if check == 10 else first_nine + str(check)


def random_nip(rng: random.Random, used: set[str]) -> str:
    """A valid NIP not in `used` (added to it). Tax-office prefixes never start with 0."""
    while True:
        nip = nip_with_check_digit(str(rng.randint(100_000_000, 999_999_999)))
        if nip and nip not in used:
            used.add(nip)
            return nip


def polish_iban(sort_code: str, account: str) -> str:
    """PL + check digits + 8-digit sort code + 16-digit account, mod-97 computed."""
    bban = f"{sort_code:0>8}{account:0>16}"
    check = 98 - int(bban + "252100") % 97  # 'P' = 25, 'L' = 21, check digits 00
    return f"PL{check:02d}{bban}"


def random_mobile(rng: random.Random) -> str:
    """A Polish mobile number in E.164 that libphonenumber accepts as valid."""
    while True:
        national = rng.choice(MOBILE_PREFIXES) + f"{rng.randint(0, 9_999_999):07d}"
        number = phonenumbers.parse(national, "PL")
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@dataclass
class PayerSpec:
    external_id: str
    name: str
    kind: str  # "business" or "consumer" (Payer.Kind values)
    nip: str
    street: str
    postal_code: str
    city: str
    email: str
    phones: list[str]


def _business_name(rng: random.Random, city: str) -> tuple[str, str]:
    """A firm's name and the part of it that makes a plausible domain."""
    surname = rng.choice(SURNAMES)[0]
    pattern = rng.randrange(5)
    if pattern == 0:
        name = f"{rng.choice(TRADES)} {surname}"
        return name, name
    if pattern == 1:
        first = rng.choice(MALE_FIRST_NAMES)
        trade = rng.choice(TRADES[3:])
        return f"{trade} {first} {surname}", f"{trade} {surname}"
    if pattern == 2:
        brand = rng.choice(BRANDS)
        return f"{brand} {city} {rng.choice(LEGAL_FORMS)}", f"{brand} {city}"
    if pattern == 3:
        other = rng.choice(SURNAMES)[0]
        return f"{surname} i {other} Sp. j.", f"{surname} {other}"
    brand = rng.choice(BRANDS)
    return f"{rng.choice(TRADES[:3])} „{brand}” {surname}", f"{brand} {surname}"


def make_payers(rng: random.Random, *, count: int, consumer_share: float = 0.15) -> list[PayerSpec]:
    """`count` payers with unique names, ~`consumer_share` of them consumers (no NIP)."""
    payers: list[PayerSpec] = []
    names: set[str] = set()
    nips: set[str] = set()
    while len(payers) < count:
        city, postal_prefix = rng.choice(TOWNS)
        postal_code = f"{postal_prefix:02d}-{rng.randint(1, 999):03d}"
        street = f"{rng.choice(STREETS)} {rng.randint(1, 180)}"
        if rng.random() < consumer_share:
            if rng.random() < 0.5:
                first, surname = rng.choice(MALE_FIRST_NAMES), rng.choice(SURNAMES)[0]
            else:
                first, surname = rng.choice(FEMALE_FIRST_NAMES), rng.choice(SURNAMES)[1]
            name, kind, nip = f"{first} {surname}", "consumer", ""
            street = f"{street}/{rng.randint(1, 60)}"
            email = f"{ascii_slug(first)}.{ascii_slug(surname)}{rng.randint(1, 99)}@example.com"
        else:
            name, domain = _business_name(rng, city)
            kind, nip = "business", ""
            email = f"{rng.choice(['biuro', 'faktury', 'ksiegowosc'])}@{ascii_slug(domain)}"
            email += ".example.com"
        if name in names:
            continue
        names.add(name)
        if kind == "business":
            nip = random_nip(rng, nips)
        phones = [random_mobile(rng)]
        if rng.random() < 0.4:
            phones.append(random_mobile(rng))
        payers.append(
            PayerSpec(
                external_id=f"KH-{len(payers) + 1:05d}",
                name=name,
                kind=kind,
                nip=nip,
                street=street,
                postal_code=postal_code,
                city=city,
                email=email,
                phones=sorted(set(phones), key=phones.index),
            )
        )
    return payers


@dataclass
class InvoiceSpec:
    """One receivable; amounts in grosze, `payments` as (day, grosze) received against it."""

    payer_index: int
    issue_date: datetime.date
    due_date: datetime.date
    gross_cents: int
    status: str  # an Invoice.Status value
    payments: list[tuple[datetime.date, int]] = field(default_factory=list)
    contract_number: str = ""
    instalment_number: int | None = None
    number: str = ""
    external_id: str = ""

    @property
    def outstanding_cents(self) -> int:
        return self.gross_cents - sum(amount for _day, amount in self.payments)


PAYMENT_TERMS_DAYS = [7, 14, 14, 14, 21, 30, 30, 45, 60]
# Days overdue of the overdue invoices: most are recent (settled within 30 days), a tail is old.
OVERDUE_RANGES = [(1, 30), (31, 60), (61, 90), (91, 120)]
OVERDUE_WEIGHTS = [45, 25, 15, 15]


def _amount_cents(rng: random.Random, low: int = 200, high: int = 60_000) -> int:
    """Log-uniform between `low` and `high` złoty: many small invoices, a few large ones."""
    return round(math.exp(rng.uniform(math.log(low), math.log(high))) * 100)


def _day_between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, max((last - first).days, 0)))


def _part_payment(rng: random.Random, spec: InvoiceSpec, anchor: datetime.date) -> None:
    """Book 20–80% of the invoice as one payment received between issue and anchor."""
    share = round(spec.gross_cents * rng.uniform(0.2, 0.8))
    spec.payments.append((_day_between(rng, spec.issue_date, anchor), max(share, 1)))


def _regular_invoice(rng: random.Random, payer_index: int, anchor: datetime.date) -> InvoiceSpec:
    """~25% before due, ~45% overdue, ~30% paid (DOMAIN mix of a monitored portfolio)."""
    days = datetime.timedelta
    term = days(rng.choice(PAYMENT_TERMS_DAYS))
    gross = _amount_cents(rng)
    roll = rng.random()
    if roll < 0.25:  # before due: due in 1–30 days
        due = anchor + days(rng.randint(1, 30))
        spec = InvoiceSpec(payer_index, min(due - term, anchor), due, gross, "open")
        if rng.random() < 0.08:
            _part_payment(rng, spec, anchor)
            spec.status = "partially_paid"
        return spec
    if roll < 0.70:  # overdue 1–120 days
        low, high = rng.choices(OVERDUE_RANGES, weights=OVERDUE_WEIGHTS)[0]
        days_overdue = rng.randint(low, high)
        due = anchor - days(days_overdue)
        spec = InvoiceSpec(payer_index, due - term, due, gross, "open")
        if rng.random() < 0.22:
            _part_payment(rng, spec, anchor)
            spec.status = "partially_paid"
        if rng.random() < 0.05:
            spec.status = "disputed"
        elif days_overdue > 90 and rng.random() < 0.5:
            spec.status = "escalated"  # windykacja: handed over to collection
        return spec
    # paid: due from five months ago to three weeks ahead, paid early, on time or late
    due = anchor + days(rng.randint(-150, 20))
    issue = min(due - term, anchor)
    paid_on = min(max(due + days(rng.randint(-10, 40)), issue), anchor)
    spec = InvoiceSpec(payer_index, issue, due, gross, "paid")
    if rng.random() < 0.15 and paid_on > issue:  # paid in two transfers
        first = round(gross * rng.uniform(0.3, 0.7))
        spec.payments.append((_day_between(rng, issue, paid_on - days(1)), first))
        spec.payments.append((paid_on, gross - first))
    else:
        spec.payments.append((paid_on, gross))
    return spec


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    return day.replace(year=day.year + month_index // 12, month=month_index % 12 + 1)


def _leasing_instalments(
    rng: random.Random, payer_index: int, contract_number: str, anchor: datetime.date
) -> list[InvoiceSpec]:
    """Monthly instalments (raty) from the contract start to those issued by the anchor date.

    Older instalments are paid; the last 0–3 that fell due are not (a payer "instalments behind").
    """
    start = _add_months(anchor.replace(day=rng.randint(1, 28)), -rng.randint(3, 12))
    amount = rng.randint(1_200_00, 9_800_00)
    horizon = anchor + datetime.timedelta(days=14)  # issued 14 days before due, never later
    dues = []
    while (due := _add_months(start, len(dues))) <= horizon:
        dues.append(due)
    past_due = [due for due in dues if due < anchor]
    behind = min(rng.choice([0, 0, 0, 1, 1, 2, 3]), len(past_due))
    specs = []
    for number, due in enumerate(dues, start=1):
        issue = due - datetime.timedelta(days=14)
        spec = InvoiceSpec(payer_index, issue, due, amount, "open", [], contract_number, number)
        if due < anchor and number <= len(past_due) - behind:
            paid_on = min(max(due + datetime.timedelta(days=rng.randint(-3, 10)), issue), anchor)
            spec.payments.append((paid_on, amount))
            spec.status = "paid"
        elif (anchor - due).days > 90:
            spec.status = "escalated"
        specs.append(spec)
    return specs


def make_invoices(
    rng: random.Random,
    *,
    payers: list[PayerSpec],
    count: int,
    anchor: datetime.date,
    contracts: int = 10,
) -> list[InvoiceSpec]:
    """`count` receivables of `payers`, a few of them leasing instalments, numbered by issue date.

    Numbers follow the Polish `FV/<n>/<month>/<year>` pattern, restarting each month.
    """
    businesses = [i for i, payer in enumerate(payers) if payer.kind == "business"]
    specs: list[InvoiceSpec] = []
    for contract in range(1, contracts + 1):
        contract_number = f"UL/{anchor.year - 1}/{contract * 37:04d}"  # umowa leasingu
        specs += _leasing_instalments(rng, rng.choice(businesses), contract_number, anchor)
    # A few payers buy a lot: weights with a capped long tail.
    weights = [min(rng.paretovariate(1.3), 20.0) for _payer in payers]
    payer_indexes = rng.choices(range(len(payers)), weights=weights, k=count - len(specs))
    specs += [_regular_invoice(rng, index, anchor) for index in payer_indexes]
    ordered = sorted(enumerate(specs), key=lambda pair: (pair[1].issue_date, pair[0]))
    per_month: dict[tuple[int, int], int] = {}
    for position, (_index, spec) in enumerate(ordered, start=1):
        month = (spec.issue_date.year, spec.issue_date.month)
        per_month[month] = per_month.get(month, 0) + 1
        spec.number = f"FV/{per_month[month]}/{month[1]:02d}/{month[0]}"
        spec.external_id = f"DOK-{position:06d}"
    return [spec for _index, spec in ordered]
