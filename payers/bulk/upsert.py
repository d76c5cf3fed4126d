"""Set-based upsert of payers by external id: the one write path of the API and the file imports.

Validation is plain Python with the same rules as the model and the database checks, so a batch
never fails half-way on a constraint. Existing rows are read with one query per model; only new
and changed rows are written, in batches of `INSERT … ON CONFLICT DO UPDATE`. Unchanged rows get
no write at all, so `updated_at` keeps meaning "changed" for ERPs polling with `updated_since`.

Items are plain mappings. A key that is absent keeps the stored value (a new payer gets the model
default), so one function serves a full nightly feed, a bulk API call and a PATCH of one payer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

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
from payers.bulk.digest import item_digest, payer_state, state_digest
from payers.bulk.staging import copy_insert, copy_upsert, use_copy, written_fields
from payers.models import Payer, PayerContact
from payers.phones import normalize_phone
from tenants.identifiers import normalize_nip, validate_nip
from tenants.models import Tenant

PAYER_FIELDS = (
    "name",
    "kind",
    "nip",
    "nip_flagged",
    "street",
    "postal_code",
    "city",
    "country",
    "preferred_language",
)
_PAYER_TEXT = ("name", "street", "postal_code", "city")


@dataclass
class ContactChanges:
    """How a payer's stored contacts become the ones given (set-wise, marks preserved)."""

    delete_ids: list[int] = field(default_factory=list)
    create: list[tuple[str, str, bool]] = field(default_factory=list)  # kind, value, is_primary
    primary_ids: list[int] = field(default_factory=list)
    secondary_ids: list[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.delete_ids or self.create or self.primary_ids or self.secondary_ids)


@dataclass
class PayerPlan:
    """What upserting one item would do; `apply_payer_plans` does it."""

    result: ItemResult
    parsed: bool = True  # False when the caller rejected the item before (its values are unknown)
    values: dict[str, Any] = field(default_factory=dict)
    contacts: dict[str, list[str]] = field(default_factory=dict)  # kind -> wanted values
    row: Payer | None = None  # the row to write; None when unchanged or in error
    contact_changes: ContactChanges = field(default_factory=ContactChanges)
    input_digest: bytes = b""  # of the item (`payers.bulk.digest`)
    contacts_after: list[SimpleNamespace] = field(default_factory=list)  # once row is written
    refreshed_digest: str = ""  # for an unchanged payer whose stored digest is not this item's


def plan_payers(
    *,
    tenant: Tenant,
    items: Sequence[Mapping[str, Any]],
    mode: str = UPSERT,
    rejected: Mapping[int, ItemErrors] | None = None,
    digests: Sequence[bytes] | None = None,
) -> list[PayerPlan]:
    """Validate and classify `items` without writing; `rejected` holds items that failed parsing.

    `digests` gives each item's input digest (`payers.bulk.digest`) when the caller computed it
    from what it read; otherwise it is the item's `item_digest`.
    """
    rejected = rejected or {}
    plans = []
    for index, item in enumerate(items):
        plan = PayerPlan(ItemResult(index, str(item.get("external_id") or "").strip()))
        if index in rejected:
            plan.parsed = False
            for name, messages in rejected[index].items():
                plan.result.errors.setdefault(name, []).extend(messages)
        else:
            plan.input_digest = digests[index] if digests else item_digest(item)
            _validate_payer(plan, item)
        plans.append(plan)
    flag_duplicates([plan.result for plan in plans])
    # Items with a usable key are classified even when a field failed, so that every problem of
    # an item (say a bad NIP and a missing name) is reported at once.
    keyed = [plan for plan in plans if plan.parsed and is_keyed(plan.result)]
    existing = existing_payers(tenant=tenant, external_ids=[p.result.external_id for p in keyed])
    with_contacts = [
        existing[p.result.external_id].id
        for p in keyed
        if p.contacts and p.result.external_id in existing and not p.result.errors
    ]
    contacts = _contacts_by_payer(tenant, with_contacts)
    for plan in keyed:
        stored = existing.get(plan.result.external_id)
        _classify_payer(plan, tenant, stored, contacts.get(stored.id, []) if stored else [], mode)
    return plans


def existing_payers(*, tenant: Tenant, external_ids: Sequence[str]) -> dict[str, SimpleNamespace]:
    """The stored payers by external id: `id`, `external_id`, `import_digest` and PAYER_FIELDS
    as attributes.

    Plain namespaces rather than models: a file import reads a payer for every few rows.
    """
    found: dict[str, SimpleNamespace] = {}
    names = ("id", "external_id", "import_digest", *PAYER_FIELDS)
    for part in chunked(list(dict.fromkeys(external_ids))):
        payers = Payer.objects.for_tenant(tenant).filter(external_id__in=any_of(part, "text"))
        found.update(
            (values["external_id"], SimpleNamespace(**values)) for values in payers.values(*names)
        )
    return found


def unchanged_payers(*, tenant: Tenant, digests: Mapping[str, bytes]) -> dict[str, int]:
    """Of the payers given by external id with an item's input digest, those that this very item
    already made what is stored (row and contacts, `payers.bulk.digest`): their ids by external
    id. Nothing is validated."""
    stored = existing_payers(tenant=tenant, external_ids=list(digests))
    candidates = [payer for payer in stored.values() if payer.import_digest]
    contacts = _contacts_by_payer(tenant, [payer.id for payer in candidates])
    unchanged = {}
    for payer in candidates:
        state = payer_state(payer, PAYER_FIELDS, contacts.get(payer.id, []))
        if payer.import_digest == state_digest(digests[payer.external_id], state):
            unchanged[payer.external_id] = payer.id
    return unchanged


@transaction.atomic
def apply_payer_plans(*, tenant: Tenant, plans: Sequence[PayerPlan], staged: bool = False) -> None:
    """Write the new and changed payers of `plans` and their contacts; sets `result.id`.

    `staged` (a file import) writes through COPY on PostgreSQL (`payers.bulk.staging`).
    """
    to_write = [plan for plan in plans if plan.row is not None and not plan.result.errors]
    for plan in to_write:
        plan.row.import_digest = state_digest(
            plan.input_digest, payer_state(plan.row, PAYER_FIELDS, plan.contacts_after)
        )
    rows = [plan.row for plan in to_write]
    if rows and staged and use_copy():
        fields = written_fields(Payer)
        ids = copy_upsert(
            Payer,
            [field.column for field in fields],
            ([getattr(row, field.attname) for field in fields] for row in rows),
            update=(*PAYER_FIELDS, "import_digest"),
        )
        for plan in to_write:
            plan.result.id = plan.row.pk = ids[plan.row.external_id]
    elif rows:
        Payer.objects.bulk_create(
            rows,
            batch_size=WRITE_BATCH,
            update_conflicts=True,
            unique_fields=["tenant", "external_id"],
            update_fields=[*PAYER_FIELDS, "import_digest", "updated_at"],
        )
        fill_missing_ids(Payer, tenant, rows)
        for plan in to_write:
            plan.result.id = plan.row.pk
    _apply_contact_changes(tenant, [plan for plan in plans if not plan.result.errors], staged)
    refreshed = [
        Payer(pk=plan.result.id, import_digest=plan.refreshed_digest)
        for plan in plans
        if plan.refreshed_digest and not plan.result.errors
    ]
    Payer.objects.bulk_update(refreshed, ["import_digest"], batch_size=WRITE_BATCH)


def upsert_payers(
    *,
    tenant: Tenant,
    items: Sequence[Mapping[str, Any]],
    mode: str = UPSERT,
    atomic: bool = False,
    rejected: Mapping[int, ItemErrors] | None = None,
) -> BulkReport:
    """Create or update the payers of `items` by external id; contacts are replaced set-wise.

    `mode` create refuses existing ids and update refuses unknown ones (single POST and PATCH).
    Valid items are written even when others fail, unless `atomic`: then nothing is. Raises
    BulkWriteFailed when the database refuses a write; nothing is applied then either.
    """
    plans = plan_payers(tenant=tenant, items=items, mode=mode, rejected=rejected)
    report = BulkReport([plan.result for plan in plans])
    if atomic and report.has_errors:
        report.applied = False
        return report
    try:
        apply_payer_plans(tenant=tenant, plans=plans)
    except DatabaseError as error:
        raise BulkWriteFailed(str(error)) from error
    return report


def _validate_payer(plan: PayerPlan, item: Mapping[str, Any]) -> None:
    result, values = plan.result, plan.values
    clean_external_id(result, Payer)
    for name in _PAYER_TEXT:
        if name in item:
            values[name] = clean_text(result, Payer, name, item[name])
    if "name" in values and not values["name"]:
        result.add_error("name", _("The payer's name cannot be empty."))
    for name in ("kind", "preferred_language"):
        if name in item:
            values[name] = clean_choice(result, Payer, name, item[name])
    if "country" in item:
        values["country"] = str(item["country"] or "").strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", values["country"]):
            result.add_error("country", _("A two-letter country code such as PL is expected."))
    if "nip" in item:
        _clean_nip(plan, item)
    region = values.get("country") or "PL"
    for key, kind in (("phones", PayerContact.Kind.PHONE), ("emails", PayerContact.Kind.EMAIL)):
        if item.get(key) is not None:
            plan.contacts[kind] = _clean_contacts(result, key, item[key], region)
    drop_failed(values, result.errors)


def _clean_nip(plan: PayerPlan, item: Mapping[str, Any]) -> None:
    """A NIP must pass its checksum, unless the import flags it as kept as received (DOMAIN §6)."""
    nip = normalize_nip(str(item["nip"] or ""))
    flagged = bool(nip) and bool(item.get("nip_flagged", False))
    if nip and not flagged:
        try:
            validate_nip(nip)
        except ValidationError as error:
            for message in error.messages:
                plan.result.add_error("nip", message)
    elif len(nip) > 10:
        plan.result.add_error("nip", _("A NIP has 10 digits (got %(value)r).") % {"value": nip})
    plan.values.update(nip=nip, nip_flagged=flagged)


def _clean_contacts(result: ItemResult, key: str, raw: Any, region: str) -> list[str]:
    """Normalised values in the order given, each once; the first one becomes primary."""
    if isinstance(raw, str) or not isinstance(raw, Sequence):
        result.add_error(key, _("A list is expected."))
        return []
    wanted: list[str] = []
    for value in raw:
        text = str(value or "").strip()
        if not text:
            continue
        try:
            if key == "phones":
                normalised = normalize_phone(text, default_region=region)
            else:
                normalised = text.lower()
                validate_email(normalised)
        except ValidationError as error:
            prefix = f"{text}: " if key == "emails" else ""  # phone messages quote the number
            for message in error.messages:
                result.add_error(key, prefix + message)
            continue
        if normalised not in wanted:
            wanted.append(normalised)
    return wanted


def _classify_payer(
    plan: PayerPlan,
    tenant: Tenant,
    stored: SimpleNamespace | None,
    contacts: list[SimpleNamespace],
    mode: str,
) -> None:
    result = plan.result
    if stored is None:
        if mode == UPDATE:
            result.add_error("external_id", _("There is no payer with this external id."))
        elif not plan.values.get("name") and "name" not in result.errors:
            result.add_error("name", _("Required for a new payer."))
        if result.errors:
            return
        plan.row = Payer(tenant=tenant, external_id=result.external_id, **plan.values)
        plan.contact_changes = _contact_changes([], plan.contacts)
        plan.contacts_after = _contacts_after([], plan.contact_changes)
        result.result = CREATED
        return
    if mode == CREATE:
        result.add_error(
            "external_id",
            _("A payer with external id %(id)s already exists; update it instead.")
            % {"id": result.external_id},
        )
        return
    if result.errors:
        return
    result.id = stored.id
    changed = any(getattr(stored, name) != value for name, value in plan.values.items())
    plan.contact_changes = _contact_changes(contacts, plan.contacts)
    if not changed and not plan.contact_changes:
        result.result = UNCHANGED
        if plan.contacts:  # its contacts were read: the digest can cover them
            digest = state_digest(plan.input_digest, payer_state(stored, PAYER_FIELDS, contacts))
            if digest != stored.import_digest:
                plan.refreshed_digest = digest  # so that the next import of it skips it
        return
    merged = {name: getattr(stored, name) for name in PAYER_FIELDS} | plan.values
    plan.row = Payer(tenant=tenant, external_id=stored.external_id, **merged)
    plan.contacts_after = _contacts_after(contacts, plan.contact_changes)
    result.result = UPDATED


def _contacts_after(
    current: list[SimpleNamespace], changes: ContactChanges
) -> list[SimpleNamespace]:
    """The payer's contacts once `changes` are applied (for its digest). `current` is empty
    when the item gave no contacts (none were read); the digest then differs, which only costs
    the next import a full check."""
    after = {contact.id: SimpleNamespace(**vars(contact)) for contact in current}
    for contact_id in changes.delete_ids:
        after.pop(contact_id, None)
    for ids, is_primary in ((changes.secondary_ids, False), (changes.primary_ids, True)):
        for contact_id in ids:
            after[contact_id].is_primary = is_primary
    new = [
        SimpleNamespace(
            kind=kind, value=value, is_primary=primary, is_wrong=False, opted_out_at=None
        )
        for kind, value, primary in changes.create
    ]
    return [*after.values(), *new]


def _contact_changes(
    current: list[SimpleNamespace], wanted_by_kind: Mapping[str, list[str]]
) -> ContactChanges:
    """Delete what is no longer given, add what is new, first given value primary.

    A contact marked wrong or objected to (RODO art. 21) is kept even when the ERP drops it:
    deleting it would lose the mark, and a later feed could bring the number back unmarked.
    """
    changes = ContactChanges()
    for kind, wanted in wanted_by_kind.items():
        stored = {contact.value: contact for contact in current if contact.kind == kind}
        for position, value in enumerate(wanted):
            contact = stored.get(value)
            if contact is None:
                changes.create.append((kind, value, position == 0))
            elif contact.is_primary != (position == 0):
                target = changes.primary_ids if position == 0 else changes.secondary_ids
                target.append(contact.id)
        for value, contact in stored.items():
            if value in wanted:
                continue
            if contact.is_wrong or contact.opted_out_at is not None:
                if contact.is_primary:
                    changes.secondary_ids.append(contact.id)
            else:
                changes.delete_ids.append(contact.id)
    return changes


def _contacts_by_payer(
    tenant: Tenant, payer_ids: Sequence[int]
) -> dict[int, list[SimpleNamespace]]:
    """The stored contacts by payer, as namespaces of the attributes `_contact_changes` reads."""
    found: dict[int, list[SimpleNamespace]] = {}
    names = ("id", "payer_id", "kind", "value", "is_primary", "is_wrong", "opted_out_at")
    for part in chunked(payer_ids):
        contacts = PayerContact.objects.for_tenant(tenant).filter(
            payer_id__in=any_of(part, "bigint")
        )
        for values in contacts.values(*names):
            found.setdefault(values["payer_id"], []).append(SimpleNamespace(**values))
    return found


def _apply_contact_changes(tenant: Tenant, plans: Sequence[PayerPlan], staged: bool) -> None:
    """All contact changes of the call in a constant number of statements per chunk."""
    delete_ids, primary_ids, secondary_ids, new = [], [], [], []
    for plan in plans:
        changes = plan.contact_changes
        delete_ids += changes.delete_ids
        primary_ids += changes.primary_ids
        secondary_ids += changes.secondary_ids
        new += [
            {"payer_id": plan.result.id, "kind": kind, "value": value, "is_primary": primary}
            for kind, value, primary in changes.create
        ]
    contacts = PayerContact.objects.for_tenant(tenant)
    for part in chunked(delete_ids):
        contacts.filter(id__in=part).delete()
    for ids, is_primary in ((secondary_ids, False), (primary_ids, True)):
        for part in chunked(ids):
            contacts.filter(id__in=part).update(is_primary=is_primary)
    if new and staged and use_copy():
        fields = written_fields(PayerContact)
        defaults = {field.attname: field.get_default() for field in fields}
        defaults["tenant_id"] = tenant.pk
        copy_insert(
            PayerContact,
            [field.column for field in fields],
            ([(defaults | values)[field.attname] for field in fields] for values in new),
        )
    elif new:
        PayerContact.objects.bulk_create(
            [PayerContact(tenant=tenant, **values) for values in new], batch_size=WRITE_BATCH
        )
