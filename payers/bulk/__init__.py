"""Set-based upserts keyed by external id (`upsert`), and the result types they share (`common`)."""

from payers.bulk.common import (
    CREATE,
    CREATED,
    ERROR,
    UNCHANGED,
    UPDATE,
    UPDATED,
    UPSERT,
    BulkReport,
    BulkWriteFailed,
    ItemErrors,
    ItemResult,
)
from payers.bulk.upsert import PayerPlan, apply_payer_plans, plan_payers, upsert_payers

__all__ = [
    "CREATE",
    "CREATED",
    "ERROR",
    "UNCHANGED",
    "UPDATE",
    "UPDATED",
    "UPSERT",
    "BulkReport",
    "BulkWriteFailed",
    "ItemErrors",
    "ItemResult",
    "PayerPlan",
    "apply_payer_plans",
    "plan_payers",
    "upsert_payers",
]
