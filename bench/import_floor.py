"""The floor of a file import on PostgreSQL: what the database alone needs to load the same file.

Scratch copies of the ledger's tables (`CREATE TABLE … (LIKE … INCLUDING ALL)`: the same columns,
defaults, CHECK constraints and indexes, plus the same deferred foreign keys added by hand, since
LIKE does not copy those) receive, in one transaction:

1. `COPY` of the raw file (Windows-1250, `;`, header) into a temporary text staging table;
2. one `INSERT … SELECT DISTINCT ON … ON CONFLICT (tenant_id, external_id) DO UPDATE` of payers;
3. one `INSERT … SELECT … ON CONFLICT DO NOTHING` of their phones (E.164) and e-mails (lower case);
4. one `INSERT … SELECT … JOIN floor_payer … ON CONFLICT (tenant_id, external_id) DO UPDATE` of
   invoices, amounts and dates converted and the status derived in SQL.

No validation beyond the database's own constraints, no per-row error report, no change
detection: the lower bound a Python pipeline writing the same rows can approach, not a rival.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

SCRATCH_TABLES = (
    ("floor_payer", "payers_payer"),
    ("floor_payer_contact", "payers_payercontact"),
    ("floor_invoice", "invoices_invoice"),
)
FOREIGN_KEYS = (
    ("floor_payer", "tenant_id", "tenants_tenant"),
    ("floor_payer_contact", "tenant_id", "tenants_tenant"),
    ("floor_payer_contact", "payer_id", "floor_payer"),
    ("floor_invoice", "tenant_id", "tenants_tenant"),
    ("floor_invoice", "payer_id", "floor_payer"),
)

STAGING = """
CREATE TEMPORARY TABLE floor_staging (
    number text, issue_date text, due_date text, payer_code text, payer_name text, nip text,
    phone text, email text, gross text, outstanding text, currency text, external_id text
) ON COMMIT DROP
"""
COPY = (
    "COPY floor_staging FROM STDIN"
    " WITH (FORMAT csv, DELIMITER ';', HEADER true, ENCODING 'WIN1250')"
)
PAYERS = """
INSERT INTO floor_payer (
    tenant_id, external_id, name, kind, nip, nip_flagged, street, postal_code, city, country,
    preferred_language, do_not_contact, do_not_contact_reason, import_digest, created_at,
    updated_at
)
SELECT DISTINCT ON (payer_code)
    %(tenant)s, payer_code, payer_name, 'business', coalesce(nip, ''), false, '', '', '', 'PL',
    'pl', false, '', '', now(), now()
FROM floor_staging
ORDER BY payer_code
ON CONFLICT (tenant_id, external_id) DO UPDATE SET
    name = EXCLUDED.name, nip = EXCLUDED.nip, updated_at = EXCLUDED.updated_at
"""
CONTACTS = """
INSERT INTO floor_payer_contact (
    tenant_id, payer_id, kind, value, label, is_primary, is_wrong, created_at
)
SELECT DISTINCT %(tenant)s, p.id, c.kind, c.value, '', true, false, now()
FROM (
    SELECT payer_code, 'phone' AS kind, '+48' || replace(phone, ' ', '') AS value
    FROM floor_staging WHERE phone IS NOT NULL
    UNION ALL
    SELECT payer_code, 'email', lower(email) FROM floor_staging WHERE email IS NOT NULL
) AS c
JOIN floor_payer p ON p.tenant_id = %(tenant)s AND p.external_id = c.payer_code
ON CONFLICT (payer_id, kind, value) DO NOTHING
"""
INVOICES = """
INSERT INTO floor_invoice (
    tenant_id, payer_id, external_id, number, kind, contract_number, issue_date, due_date,
    currency, gross_amount, outstanding_amount, status, monitoring_mode, source, paid_on,
    import_digest, document, created_at, updated_at
)
SELECT
    %(tenant)s, p.id, s.external_id, s.number, 'invoice', '', s.issued, s.due, s.currency,
    s.gross, s.outstanding,
    CASE WHEN s.outstanding = 0 THEN 'paid'
         WHEN s.outstanding < s.gross THEN 'partially_paid' ELSE 'open' END,
    'program', 'file', NULL, '', '', now(), now()
FROM (
    SELECT external_id, number, payer_code, currency,
           to_date(issue_date, 'DD.MM.YYYY') AS issued, to_date(due_date, 'DD.MM.YYYY') AS due,
           replace(gross, ',', '.')::numeric(14, 2) AS gross,
           replace(outstanding, ',', '.')::numeric(14, 2) AS outstanding
    FROM floor_staging
) AS s
JOIN floor_payer p ON p.tenant_id = %(tenant)s AND p.external_id = s.payer_code
ON CONFLICT (tenant_id, external_id) DO UPDATE SET
    payer_id = EXCLUDED.payer_id, number = EXCLUDED.number, issue_date = EXCLUDED.issue_date,
    due_date = EXCLUDED.due_date, currency = EXCLUDED.currency,
    gross_amount = EXCLUDED.gross_amount, outstanding_amount = EXCLUDED.outstanding_amount,
    status = EXCLUDED.status, updated_at = EXCLUDED.updated_at
"""


def create_floor_tables(connection: Any) -> None:
    """Empty scratch copies of the payer, contact and invoice tables, indexed and constrained."""
    with connection.cursor() as cursor:
        for scratch, model_table in SCRATCH_TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {scratch} CASCADE")
            cursor.execute(f"CREATE TABLE {scratch} (LIKE {model_table} INCLUDING ALL)")
        for table, column, target in FOREIGN_KEYS:
            cursor.execute(
                f"ALTER TABLE {table} ADD FOREIGN KEY ({column}) REFERENCES {target} (id)"
                " DEFERRABLE INITIALLY DEFERRED"
            )
    connection.commit()


def load_floor(connection: Any, *, path: Path, tenant_id: int) -> dict[str, float | int]:
    """Load `path` the floor's way in one transaction; seconds and row counts."""
    params = {"tenant": tenant_id}
    started = time.perf_counter()
    with connection.cursor() as cursor, path.open("rb") as stream:
        cursor.execute(STAGING)
        cursor.copy_expert(COPY, stream, size=1024 * 1024)
        cursor.execute(PAYERS, params)
        payers = cursor.rowcount
        cursor.execute(CONTACTS, params)
        contacts = cursor.rowcount
        cursor.execute(INVOICES, params)
        invoices = cursor.rowcount
    connection.commit()  # the deferred foreign keys are checked here, inside the timing
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "payers": payers, "contacts": contacts, "invoices": invoices}
