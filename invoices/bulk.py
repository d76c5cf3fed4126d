"""Set-based upsert of invoices by external id, with their payers referenced or given inline.

The same shape as `payers.bulk` (which it reuses for inline payers): validate every item in Python,
read the existing rows with one query per model, classify created / updated / unchanged, then
write only new and changed rows in batches of `INSERT … ON CONFLICT DO UPDATE`, all in one
transaction (a savepoint when the caller already holds one, as the file import pipeline does).

The outstanding amount sent by an ERP is its truth: it may go up or down here, and the status
follows through `settled_status`. Cancelling, disputing and escalating never happen here.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace
from typing import Any

from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from invoices.models import Invoice, Source
from invoices.services import settled_status
from payers.bulk.common import (
    CREATE,
    CREATED,
    UNCHANGED,
    UPDATE,
    UPDATED,
    UPSERT,
    WRITE_BATCH,
    BulkReport,
    BulkWriteFailed,
    ItemErrors,
    ItemResult,
    any_of,
    chunked,
    clean_choice,
    clean_external_id,
    clean_text,
    drop_failed,
    fill_missing_ids,
    flag_duplicates,
    is_keyed,
)
from payers.bulk.digest import item_digest, state_digest
from payers.bulk.staging import copy_upsert, use_copy, written_fields
from payers.bulk.upsert import (
    PayerPlan,
    apply_payer_plans,
    existing_payers,
    plan_payers,
    unchanged_payers,
)
from tenants.models import Tenant

# Written on update; `source` and `created_at` keep saying where and when the invoice arrived.
INVOICE_FIELDS = (
    "payer_id",
    "number",
    "kind",
    "contract_number",
    "instalment_number",
    "issue_date",
    "due_date",
    "currency",
    "gross_amount",
    "outstanding_amount",
    "status",
    "monitoring_mode",
    "paid_on",
)
# What a new invoice holds for the fields an item leaves out: the model's defaults.
_DEFAULTS = {
    name: Invoice._meta.get_field(name.removesuffix("_id")).get_default() for name in INVOICE_FIELDS
}
KNOWN = -1  # the index of a payer plan that comes from `KnownPayers`, not from this call
MAX_AMOUNT = Decimal("999999999999.99")  # DecimalField(max_digits=14, decimal_places=2)
CENT = Decimal("0.01")


@dataclass
class InvoicePlan:
    result: ItemResult
    parsed: bool = True  # False when the caller rejected the item before (its values are unknown)
    values: dict[str, Any] = field(default_factory=dict)
    payer_external_id: str = ""
    payer_item: dict[str, Any] | None = None  # the payer given inline
    payer_digest: bytes = b""  # its `item_digest`
    payer_plan: PayerPlan | None = None  # that payer's upsert, shared by its invoices
    payer_id: int | None = None
    row: dict[str, Any] | None = None  # the values to write (INVOICE_FIELDS), when new or changed
    source: str = ""  # that row's source: the stored one when it exists
    input_digest: bytes = b""  # of the item (`payers.bulk.digest`)
    refreshed_digest: str = ""  # for an unchanged invoice whose stored digest is not this item's


@dataclass
class KnownPayers:
    """Inline payers already written in this transaction, by external id: (digest of the item, id).

    A file import calls `upsert_invoices` once per chunk, and each of its rows carries its payer;
    a payer seen (and written) in an earlier chunk with exactly the same data is unchanged, so its
    copy needs no validation, no read and no write. Only valid within the caller's transaction.
    """

    ids: dict[str, tuple[bytes, int]] = field(default_factory=dict)

    def id_of(self, external_id: str, digest: bytes) -> int | None:
        """The payer's id when the payer `external_id` is known with this item digest."""
        known = self.ids.get(external_id)
        return known[1] if known is not None and known[0] == digest else None

    def remember(self, external_id: str, digest: bytes, payer_id: int) -> None:
        self.ids[external_id] = (digest, payer_id)

    def forget(self, external_ids: Iterable[str]) -> None:
        """Payers written some other way since (a payer row of the same file)."""
        for external_id in external_ids:
            self.ids.pop(str(external_id or "").strip(), None)


@dataclass(frozen=True)
class ItemKey:
    """What tells that an invoice item is already in the ledger, without validating it.

    Its external id and input digest, and its payer's external id with the digest of the payer's
    inline data (None when the item only names its payer). An empty digest marks an item that
    takes the full path anyway; it still counts among the ids.
    """

    external_id: str
    digest: bytes
    payer_external_id: str
    payer_digest: bytes | None


def upsert_invoices(
    *,
    tenant: Tenant,
    items: Sequence[Mapping[str, Any]],
    mode: str = UPSERT,
    atomic: bool = False,
    source: str = Source.API,
    rejected: Mapping[int, ItemErrors] | None = None,
    known_payers: KnownPayers | None = None,
    staged: bool = False,
    skip_unchanged: bool = False,
    digests: Sequence[tuple[bytes, bytes] | None] | None = None,
    stored: Mapping[str, dict[str, Any]] | None = None,
) -> BulkReport:
    """Create or update the invoices of `items` by external id; inline payers are upserted too.

    Each item names its payer by `payer_external_id` (one of the tenant's, or one given inline by
    another item of the call) or carries `payer` (a mapping as for `payers.bulk.upsert_payers`).
    `mode`, `atomic` and `rejected` work as there. `known_payers` (a file import, chunk by chunk
    in one transaction) skips inline payers written identically by an earlier call and learns
    the ones this call writes; `staged` (a file import) writes through COPY and a staging table
    on PostgreSQL (`payers.bulk.staging`) instead of `bulk_create`. `skip_unchanged` (a file
    import) reports an item as unchanged without validating it when its stored digest says this
    very item already produced the stored invoice and payer (`payers.bulk.digest`).

    `digests` (a file import) gives each item's (input digest, inline payer's digest) as the
    caller computed them from what it read (None: computed from the item); `stored`, the
    caller's `existing_invoices` of every item's external id, spares reading them again.
    Raises BulkWriteFailed when the database refuses a write; nothing is applied then.
    """
    rejected = rejected or {}
    given = digests or [None] * len(items)
    payer_digests = [
        pair[1] if pair else _raw_payer_digest(item)
        for item, pair in zip(items, given, strict=True)
    ]
    input_digests = [
        pair[0] if pair else _input_digest(item, payer_digest)
        for item, pair, payer_digest in zip(items, given, payer_digests, strict=True)
    ]
    if stored is None:
        stored = existing_invoices(tenant, _lookup_ids(items))
    unchanged: dict[int, ItemResult] = {}
    if skip_unchanged and mode == UPSERT:
        keys = [
            _item_key(item, b"" if index in rejected else digest, payer_digest)
            for index, (item, digest, payer_digest) in enumerate(
                zip(items, input_digests, payer_digests, strict=True)
            )
        ]
        unchanged = unchanged_invoices(tenant, keys, stored, known_payers)
    plans = [
        _validated(index, item, rejected.get(index), payer_digests[index])
        for index, item in enumerate(items)
        if index not in unchanged
    ]
    for plan in plans:
        plan.input_digest = input_digests[plan.result.index]
    flag_duplicates([plan.result for plan in plans])
    payer_plans = _plan_inline_payers(tenant, plans, known_payers)
    _resolve_payer_references(tenant, plans, payer_plans)
    # Classified even when a field failed, so every problem of an item is reported at once.
    for plan in plans:
        if plan.parsed and is_keyed(plan.result):
            _classify(plan, tenant, stored.get(plan.result.external_id), mode, source)
    results = [plan.result for plan in plans]
    if unchanged:
        results = sorted([*results, *unchanged.values()], key=lambda result: result.index)
    report = BulkReport(results)
    if atomic and report.has_errors:
        report.applied = False
        return report
    valid = [plan for plan in plans if not plan.result.errors]
    try:
        _apply(tenant, valid, staged=staged)
    except DatabaseError as error:
        raise BulkWriteFailed(str(error)) from error
    if known_payers is not None:
        # The payers just written (or found unchanged) with their ids; not those known already.
        written = {
            id(plan.payer_plan): plan
            for plan in valid
            if plan.payer_plan is not None and plan.payer_plan.result.index != KNOWN
        }
        for plan in written.values():
            known_payers.remember(
                plan.payer_external_id, plan.payer_digest, plan.payer_plan.result.id
            )
    return report


def input_digest(item: Mapping[str, Any]) -> bytes:
    """The digest of an invoice item that its stored `import_digest` covers."""
    return _input_digest(item, _raw_payer_digest(item))


def _raw_payer_digest(item: Mapping[str, Any]) -> bytes:
    """The `item_digest` of the payer an item carries inline, as given; b"" without one."""
    inline = item.get("payer")
    return item_digest(inline) if isinstance(inline, Mapping) else b""


def _input_digest(item: Mapping[str, Any], payer_digest: bytes) -> bytes:
    """The digest of an invoice item: its own values and its inline payer's digest (computed
    once per item: the payer's is needed on its own as well)."""
    own = repr([entry for entry in item.items() if entry[0] != "payer"]).encode()
    return hashlib.blake2b(own + payer_digest, digest_size=16).digest()


def _validated(
    index: int, item: Mapping[str, Any], parse_errors: ItemErrors | None, payer_digest: bytes
) -> InvoicePlan:
    plan = InvoicePlan(ItemResult(index, str(item.get("external_id") or "").strip()))
    result, values = plan.result, plan.values
    if parse_errors:
        plan.parsed = False
        for name, messages in parse_errors.items():
            result.errors.setdefault(name, []).extend(messages)
        return plan
    clean_external_id(result, Invoice)
    for name in ("number", "contract_number"):
        if name in item:
            values[name] = clean_text(result, Invoice, name, item[name])
    if "number" in values and not values["number"]:
        result.add_error("number", _("The invoice number cannot be empty."))
    for name in ("kind", "monitoring_mode"):
        if name in item:
            values[name] = clean_choice(result, Invoice, name, item[name])
    if "instalment_number" in item:
        values["instalment_number"] = _instalment(result, item["instalment_number"])
    for name in ("issue_date", "due_date", "paid_on"):
        if name in item:
            values[name] = _date(result, name, item[name], required=name == "issue_date")
    if "currency" in item:
        values["currency"] = str(item["currency"] or "").strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", values["currency"]):
            result.add_error("currency", _("A three-letter ISO 4217 code such as PLN is expected."))
    for name in ("gross_amount", "outstanding_amount"):
        if name in item:
            values[name] = _amount(result, name, item[name])
    _validate_payer_reference(plan, item, payer_digest)
    drop_failed(values, result.errors)
    return plan


def _validate_payer_reference(
    plan: InvoicePlan, item: Mapping[str, Any], payer_digest: bytes
) -> None:
    reference = str(item.get("payer_external_id") or "").strip()
    if "\x00" in reference or len(reference) > 100:  # never a payer's id, nor safe to query
        plan.result.add_error("payer_external_id", _("At most 100 characters, without NUL."))
        reference = ""
    plan.payer_external_id = reference
    inline = item.get("payer")
    if inline is None:
        return
    if not isinstance(inline, Mapping):
        plan.result.add_error("payer", _("An object with the payer's data is expected."))
        return
    plan.payer_item = dict(inline)
    inline_id = str(inline.get("external_id") or "").strip() or plan.payer_external_id
    if plan.payer_external_id and inline_id != plan.payer_external_id:
        plan.result.add_error(
            "payer_external_id", _("Differs from payer.external_id; send one of them.")
        )
    plan.payer_item["external_id"] = plan.payer_external_id = inline_id
    same = inline.get("external_id") == inline_id  # then the item is the one given, digest too
    plan.payer_digest = payer_digest if same else item_digest(plan.payer_item)


def _instalment(result: ItemResult, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 32767:
        result.add_error("instalment_number", _("A whole number from 1 to 32767 is expected."))
        return None
    return value


def _date(result: ItemResult, name: str, value: Any, *, required: bool) -> datetime.date | None:
    if value is None and not required:
        return None
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        result.add_error(name, _("A date (YYYY-MM-DD) is expected."))
        return None
    return value


def _amount(result: ItemResult, name: str, value: Any) -> Decimal | None:
    """A non-negative amount in whole cents that fits the column; floats are refused (binary)."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
        if isinstance(value, float | bool) or not amount.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        result.add_error(name, _("An amount such as 1230.50 is expected."))
        return None
    if amount < 0:
        result.add_error(name, _("An amount cannot be negative."))
    elif amount > MAX_AMOUNT:
        result.add_error(name, _("An amount cannot exceed %(max)s.") % {"max": MAX_AMOUNT})
    elif amount != amount.quantize(CENT):
        result.add_error(name, _("An amount has at most two decimal places."))
    return amount.quantize(CENT) if amount.is_finite() else None


def _plan_inline_payers(
    tenant: Tenant, plans: Sequence[InvoicePlan], known_payers: KnownPayers | None
) -> dict[str, PayerPlan]:
    """Upsert plans of the payers given inline, one per external id; returns them by that id.

    Several invoices of one payer may each carry it; a later copy that differs is an error on its
    invoice rather than a silent choice between the two. A payer in `known_payers` with the same
    data is unchanged: its plan says so without validating or reading it again.
    """
    first: dict[str, InvoicePlan] = {}
    for plan in plans:
        if plan.payer_item is None or not plan.parsed or not plan.payer_external_id:
            continue
        earlier = first.setdefault(plan.payer_external_id, plan)
        if earlier is not plan and earlier.payer_item != plan.payer_item:
            plan.result.add_error(
                "payer",
                _("Differs from the data of the same payer given with item %(index)d.")
                % {"index": earlier.result.index},
            )
    known: dict[str, PayerPlan] = {}
    owners = []
    for owner in first.values():
        payer_id = None
        if known_payers is not None:
            payer_id = known_payers.id_of(owner.payer_external_id, owner.payer_digest)
        if payer_id is None:
            owners.append(owner)
        else:
            result = ItemResult(KNOWN, owner.payer_external_id, result=UNCHANGED, id=payer_id)
            known[owner.payer_external_id] = PayerPlan(result)
    payer_plans = plan_payers(
        tenant=tenant,
        items=[plan.payer_item for plan in owners],
        digests=[plan.payer_digest for plan in owners],
    )
    return known | {
        owner.payer_external_id: payer_plan
        for owner, payer_plan in zip(owners, payer_plans, strict=True)
    }


def _resolve_payer_references(
    tenant: Tenant, plans: Sequence[InvoicePlan], payer_plans: Mapping[str, PayerPlan]
) -> None:
    """Point each invoice at its payer: given inline in this call, or one of the tenant's."""
    referenced = [
        plan.payer_external_id
        for plan in plans
        if plan.payer_external_id and plan.payer_external_id not in payer_plans
    ]
    known = existing_payers(tenant=tenant, external_ids=referenced)
    for plan in plans:
        if not plan.parsed or not plan.payer_external_id:
            continue
        payer_plan = payer_plans.get(plan.payer_external_id)
        if payer_plan is None:
            payer = known.get(plan.payer_external_id)
            if payer is None:
                # Scoped to the tenant, so the message is the same whether or not another
                # client has a payer with this id.
                plan.result.add_error(
                    "payer_external_id",
                    _("No payer with external id %(id)s; send the payer inline or create it first.")
                    % {"id": plan.payer_external_id},
                )
            plan.payer_id = payer.id if payer else None
        elif payer_plan.result.errors:
            for name, messages in payer_plan.result.errors.items():
                for message in messages:
                    plan.result.add_error(f"payer.{name}", message)
        else:
            plan.payer_plan = payer_plan
            plan.payer_id = payer_plan.result.id  # None for a payer created by this call


def _lookup_ids(items: Sequence[Mapping[str, Any]]) -> list[str]:
    return [str(item.get("external_id") or "").strip() for item in items]


def unchanged_invoices(
    tenant: Tenant,
    keys: Sequence[ItemKey],
    stored: Mapping[str, dict[str, Any]],
    known_payers: KnownPayers | None,
) -> dict[int, ItemResult]:
    """The items that already produced exactly their stored invoice and payer, by index.

    `keys` describe the items; `stored` holds the stored invoices of their ids
    (`existing_invoices`). An item qualifies when its invoice's
    digest matches (`payers.bulk.digest`), its payer is the invoice's and is unchanged too (known
    to this batch, or its own digest matches), its external id is its own among the keys and
    every copy of its inline payer among them is equal. Anything else takes the full path, which
    decides as it always did.
    """
    counts = Counter(key.external_id for key in keys)
    matching = []  # the keys whose invoice digest matches: (index, key, stored row)
    for index, key in enumerate(keys):
        row = stored.get(key.external_id) if key.digest else None
        if row is None or not row["import_digest"] or counts[key.external_id] > 1:
            continue
        values = (row[name] for name in INVOICE_FIELDS)
        if row["import_digest"] == state_digest(key.digest, values):
            matching.append((index, key, row))
    if not matching:
        return {}
    payer_copies: dict[str, set[bytes]] = {}  # the digests of each inline payer's copies
    for key in keys:
        if key.payer_digest is not None:
            payer_copies.setdefault(key.payer_external_id, set()).add(key.payer_digest)
    inline = {
        key.payer_external_id: key.payer_digest
        for _index, key, _row in matching
        if key.payer_digest is not None and len(payer_copies[key.payer_external_id]) == 1
    }
    ids: dict[str, int] = {}
    to_check = {}
    for external_id, digest in inline.items():
        known = known_payers.id_of(external_id, digest) if known_payers else None
        if known is None:
            to_check[external_id] = digest
        else:
            ids[external_id] = known
    verified = unchanged_payers(tenant=tenant, digests=to_check) if to_check else {}
    for external_id, payer_id in verified.items():
        if known_payers is not None:
            known_payers.remember(external_id, to_check[external_id], payer_id)
    ids |= verified
    referenced = [  # payers only named, and not given inline by another item
        key.payer_external_id
        for _index, key, _row in matching
        if key.payer_digest is None and key.payer_external_id not in payer_copies
    ]
    if referenced:
        found = existing_payers(tenant=tenant, external_ids=referenced)
        ids |= {external_id: payer.id for external_id, payer in found.items()}
    return {
        index: ItemResult(index, row["external_id"], result=UNCHANGED, id=row["id"])
        for index, key, row in matching
        if ids.get(key.payer_external_id, 0) == row["payer_id"]
    }


def _item_key(item: Mapping[str, Any], digest: bytes, raw_payer_digest: bytes) -> ItemKey:
    """The item's key for `unchanged_invoices`; without a digest when its payer needs the full
    path's checks."""
    external_id = str(item.get("external_id") or "").strip()
    payer = _payer_of(item, raw_payer_digest)
    if payer is None:
        return ItemKey(external_id, b"", "", None)
    return ItemKey(external_id, digest, payer[0], None if payer[1] is None else payer[2])


def _payer_of(
    item: Mapping[str, Any], raw_digest: bytes
) -> tuple[str, Mapping[str, Any] | None, bytes] | None:
    """The payer an item names: (external id, the inline item as the full path builds it or None
    when only referenced, that item's digest); None when the full path's checks are needed."""
    reference = str(item.get("payer_external_id") or "").strip()
    inline = item.get("payer")
    if inline is None:
        usable = reference and len(reference) <= 100 and "\x00" not in reference
        return (reference, None, b"") if usable else None
    if not isinstance(inline, Mapping):
        return None
    inline_id = str(inline.get("external_id") or "").strip() or reference
    if not inline_id or (reference and reference != inline_id):
        return None
    if inline.get("external_id") == inline_id:  # the item as given (a file's always is)
        return inline_id, inline, raw_digest
    payer_item = dict(inline)
    payer_item["external_id"] = inline_id  # as `_validate_payer_reference` builds it
    return inline_id, payer_item, item_digest(payer_item)


def existing_invoices(tenant: Tenant, external_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The stored values (INVOICE_FIELDS, id, source, digest) by external id; plain dicts.

    Ids that cannot name a stored invoice (empty, too long, with NUL) are not looked up: they
    fail validation.
    """
    external_ids = [
        key for key in dict.fromkeys(external_ids) if key and len(key) <= 100 and "\x00" not in key
    ]
    found: dict[str, dict[str, Any]] = {}
    names = ("external_id", "id", "source", "import_digest", *INVOICE_FIELDS)
    for part in chunked(external_ids):
        invoices = Invoice.objects.for_tenant(tenant).filter(external_id__in=any_of(part, "text"))
        found.update((values["external_id"], values) for values in invoices.values(*names))
    return found


def _classify(
    plan: InvoicePlan, tenant: Tenant, stored: dict[str, Any] | None, mode: str, source: str
) -> None:
    """Created, updated or unchanged, from the stored values; `plan.row` holds what to write.

    Rows are plain namespaces of INVOICE_FIELDS rather than models: the rules (`_consistent`,
    `settled_status`) read only those attributes, and building a model per item was a tenth of
    a file import's time.
    """
    result, values = plan.result, dict(plan.values)
    has_payer = plan.payer_plan is not None or plan.payer_id is not None
    if has_payer:
        values["payer_id"] = plan.payer_id
    if stored is None:
        if mode == UPDATE:
            result.add_error("external_id", _("There is no invoice with this external id."))
            return
        for name in ("number", "issue_date", "gross_amount"):
            if values.get(name) is None and name not in result.errors:
                result.add_error(name, _("Required for a new invoice."))
        if not has_payer and not any(name.startswith("payer") for name in result.errors):
            result.add_error("payer_external_id", _("Name the payer or send it inline."))
        if values.get("issue_date") is None or values.get("gross_amount") is None:
            return
        if values.get("due_date") is None:  # the client's default payment term applies
            term = datetime.timedelta(days=tenant.default_payment_term_days)
            values["due_date"] = values["issue_date"] + term
        values.setdefault("outstanding_amount", values["gross_amount"])
        row = SimpleNamespace(**(_DEFAULTS | values))
        if _consistent(result, row) and not result.errors:
            row.status = settled_status(row)
            plan.row, plan.source, result.result = vars(row), source, CREATED
        return
    if mode == CREATE:
        result.add_error(
            "external_id",
            _("An invoice with external id %(id)s already exists; update it instead.")
            % {"id": result.external_id},
        )
        return
    if values.get("due_date", "") is None:  # the default term is for new invoices only
        del values["due_date"]
    before = {name: stored[name] for name in INVOICE_FIELDS}
    row = SimpleNamespace(**(before | values))
    if not _consistent(result, row) or result.errors:
        return
    result.id = stored["id"]
    if (
        row.gross_amount != stored["gross_amount"]
        or row.outstanding_amount != stored["outstanding_amount"]
    ):
        row.status = settled_status(row)
        if row.status != Invoice.Status.PAID:
            row.paid_on = None  # "paid in full on" means nothing once money is owed again
    after = vars(row)
    if after == before:
        result.result = UNCHANGED
        digest = state_digest(plan.input_digest, before.values())
        if digest != stored["import_digest"]:
            plan.refreshed_digest = digest  # so that the next import of this item skips it
    else:
        plan.row, plan.source, result.result = after, stored["source"], UPDATED


def _consistent(result: ItemResult, row: Any) -> bool:
    """The rules spanning fields (and the database checks): due ≥ issue, outstanding ≤ gross."""
    if row.due_date < row.issue_date:
        result.add_error(
            "due_date",
            _("The due date (%(due)s) cannot be before the issue date (%(issue)s).")
            % {"due": row.due_date, "issue": row.issue_date},
        )
    if row.outstanding_amount > row.gross_amount:
        result.add_error(
            "outstanding_amount",
            _(
                "The outstanding amount (%(outstanding)s) cannot exceed "
                "the gross amount (%(gross)s)."
            )
            % {"outstanding": row.outstanding_amount, "gross": row.gross_amount},
        )
    return not result.errors


@transaction.atomic
def _apply(tenant: Tenant, plans: Sequence[InvoicePlan], *, staged: bool) -> None:
    """Payers first (new ones get their ids), then the invoices, in one transaction."""
    payer_plans = {id(plan.payer_plan): plan.payer_plan for plan in plans if plan.payer_plan}
    apply_payer_plans(tenant=tenant, plans=list(payer_plans.values()), staged=staged)
    refreshed = [
        Invoice(pk=plan.result.id, import_digest=plan.refreshed_digest)
        for plan in plans
        if plan.refreshed_digest
    ]
    Invoice.objects.bulk_update(refreshed, ["import_digest"], batch_size=WRITE_BATCH)
    to_write = [plan for plan in plans if plan.row is not None]
    for plan in to_write:
        if plan.payer_plan is not None:
            plan.row["payer_id"] = plan.payer_plan.result.id
        values = (plan.row[name] for name in INVOICE_FIELDS)
        plan.row["import_digest"] = state_digest(plan.input_digest, values)
    if not to_write:
        return
    if staged and use_copy():
        fields = written_fields(Invoice)
        base = {field.attname: field.get_default() for field in fields} | {"tenant_id": tenant.pk}
        ids = copy_upsert(
            Invoice,
            [field.column for field in fields],
            (_values_of(base, plan, fields) for plan in to_write),
            update=(*INVOICE_FIELDS, "import_digest"),
        )
        for plan in to_write:
            plan.result.id = ids[plan.result.external_id]
        return
    rows = [
        Invoice(tenant=tenant, external_id=plan.result.external_id, source=plan.source, **plan.row)
        for plan in to_write
    ]
    Invoice.objects.bulk_create(
        rows,
        batch_size=WRITE_BATCH,
        update_conflicts=True,
        unique_fields=["tenant", "external_id"],
        update_fields=[
            *(name.removesuffix("_id") for name in INVOICE_FIELDS),
            "import_digest",
            "updated_at",
        ],
    )
    fill_missing_ids(Invoice, tenant, rows)
    for plan, row in zip(to_write, rows, strict=True):
        plan.result.id = row.pk


def _values_of(base: dict[str, Any], plan: InvoicePlan, fields: Sequence[Any]) -> list[Any]:
    values = base | plan.row
    values["external_id"], values["source"] = plan.result.external_id, plan.source
    return [values[field.attname] for field in fields]
