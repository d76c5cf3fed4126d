"""Seed the statutory interest rates with the full history of DOMAIN.md §1.

The commercial rates of the second half of 2026 are flagged unverified: DOMAIN.md has no confirmed
reference rate for 1 July 2026; they assume the last known one (3.75 %, from 5 March 2026) until an
account manager confirms or corrects them in admin.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import migrations

COMMERCIAL_SOURCE = (
    "Art. 4 pkt 3 ustawy z 8 marca 2013 r. o przeciwdziałaniu nadmiernym opóźnieniom "
    "w transakcjach handlowych; obwieszczenie ministra (Monitor Polski)"
)
CIVIL_SOURCE = "Art. 481 § 2 KC: stopa referencyjna NBP + 5,5 pp"

# (from, to, reference rate, rate, rate for a public medical entity, verified)
COMMERCIAL = [
    ("2016-01-01", "2019-12-31", "1.50", "9.50", "9.50", True),
    ("2020-01-01", "2020-06-30", "1.50", "11.50", "9.50", True),
    ("2020-07-01", "2021-12-31", "0.10", "10.10", "8.10", True),
    ("2022-01-01", "2022-06-30", "1.75", "11.75", "9.75", True),
    ("2022-07-01", "2022-12-31", "6.00", "16.00", "14.00", True),
    ("2023-01-01", "2023-12-31", "6.75", "16.75", "14.75", True),
    ("2024-01-01", "2025-06-30", "5.75", "15.75", "13.75", True),
    ("2025-07-01", "2025-12-31", "5.25", "15.25", "13.25", True),
    ("2026-01-01", "2026-06-30", "4.00", "14.00", "12.00", True),
    ("2026-07-01", "2026-12-31", "3.75", "13.75", "11.75", False),
]

# (from, reference rate, rate); each runs until the day before the next, the last open-ended.
CIVIL = [
    ("2016-01-01", "1.50", "7.00"),
    ("2020-03-18", "1.00", "6.50"),
    ("2020-04-09", "0.50", "6.00"),
    ("2020-05-29", "0.10", "5.60"),
    ("2021-10-07", "0.50", "6.00"),
    ("2021-11-04", "1.25", "6.75"),
    ("2021-12-09", "1.75", "7.25"),
    ("2022-01-05", "2.25", "7.75"),
    ("2022-02-09", "2.75", "8.25"),
    ("2022-03-09", "3.50", "9.00"),
    ("2022-04-07", "4.50", "10.00"),
    ("2022-05-06", "5.25", "10.75"),
    ("2022-06-09", "6.00", "11.50"),
    ("2022-07-08", "6.50", "12.00"),
    ("2022-09-08", "6.75", "12.25"),
    ("2023-09-07", "6.00", "11.50"),
    ("2023-10-05", "5.75", "11.25"),
    ("2025-05-08", "5.25", "10.75"),
    ("2025-07-03", "5.00", "10.50"),
    ("2025-09-04", "4.75", "10.25"),
    ("2025-10-09", "4.50", "10.00"),
    ("2025-11-06", "4.25", "9.75"),
    ("2025-12-04", "4.00", "9.50"),
    ("2026-03-05", "3.75", "9.25"),
]

UNVERIFIED_NOTE = " — NIEZWERYFIKOWANE: przyjęto stopę referencyjną z 5 marca 2026 r."


def seed(apps, schema_editor):
    InterestRate = apps.get_model("dunning", "InterestRate")
    day = datetime.date.fromisoformat
    rows = []
    for start, end, reference, rate, medical_rate, verified in COMMERCIAL:
        note = "" if verified else UNVERIFIED_NOTE
        for kind, value, margin in (
            ("commercial", rate, "+ 10 pp" if start >= "2020" else "+ 8 pp"),
            ("commercial_public_medical", medical_rate, "+ 8 pp"),
        ):
            rows.append(
                InterestRate(
                    kind=kind,
                    valid_from=day(start),
                    valid_to=day(end),
                    rate=Decimal(value),
                    reference_rate=Decimal(reference),
                    source=f"{COMMERCIAL_SOURCE}: stopa referencyjna {margin}{note}",
                    verified=verified,
                )
            )
    for index, (start, reference, rate) in enumerate(CIVIL):
        following = CIVIL[index + 1][0] if index + 1 < len(CIVIL) else None
        rows.append(
            InterestRate(
                kind="civil",
                valid_from=day(start),
                valid_to=day(following) - datetime.timedelta(days=1) if following else None,
                rate=Decimal(rate),
                reference_rate=Decimal(reference),
                source=CIVIL_SOURCE,
                verified=True,
            )
        )
    InterestRate.objects.bulk_create(rows)


def unseed(apps, schema_editor):
    apps.get_model("dunning", "InterestRate").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("dunning", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
