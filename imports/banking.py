"""Bank credits: each kept once as a BankEntry, matched to the ledger or left for review.

An entry becomes a payment in one place, `_settle`: the automatic match while a statement is
imported (`book_bank_entries`) and the client's confirmation on the review list or through the
API (`confirm_bank_entry`) both go through it. The client may also set an entry aside as not a
receivable payment (`ignore_bank_entry`) and take that back (`restore_bank_entry`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from imports.matching import invoice_of_amount, match_payment
from imports.models import BankEntry, ImportBatch, KnownAccount, normalize_account
from imports.parsers.base import PaymentRecord
from invoices.models import Invoice, Source
from invoices.services import record_payment
from payers.models import Payer
from tenants.models import Tenant, User
from webhooks.services import publish_event

if TYPE_CHECKING:
    from imports.processing import Tally


class BankEntryStateError(ValidationError):
    """The entry is no longer waiting (matched elsewhere, or ignored): nothing was changed."""


def book_bank_entries(
    batch: ImportBatch, payments: list[tuple[int, PaymentRecord]], tally: Tally
) -> None:
    """Each bank credit once: known references are unchanged; new ones are matched or kept."""
    known = set(
        BankEntry.objects.for_tenant(batch.tenant)
        .filter(external_id__in=[record.external_id for _line, record in payments])
        .values_list("external_id", flat=True)
    )
    for _line, record in payments:
        if record.external_id in known:
            tally.unchanged += 1
            continue
        known.add(record.external_id)
        entry = BankEntry.objects.create(
            tenant=batch.tenant,
            batch=batch,
            external_id=record.external_id,
            amount=record.amount,
            currency=record.currency,
            booked_on=record.paid_on,
            title=record.title[:500],
            counterparty_name=record.counterparty_name[:300],
            counterparty_account=record.counterparty_account[:40],
            counterparty_nip=record.counterparty_nip[:10],
        )
        match = match_payment(tenant=batch.tenant, record=record)
        if match is None:
            tally.unmatched_payments += 1
        else:
            _settle(entry, payer=match.payer, invoice=match.invoice, reason=match.reason)
            tally.matched_payments += 1
        tally.created += 1


@transaction.atomic
def confirm_bank_entry(
    *,
    tenant: Tenant,
    entry: BankEntry,
    invoice: Invoice | None = None,
    payer: Payer | None = None,
    user: User | None = None,
    via_api: bool = False,
) -> BankEntry:
    """The client says whose credit this is: an invoice, or a payer (then the invoice of exactly
    that amount, else the oldest first). Books the payment, remembers the account.

    Confirming the same target twice (a double click) books once and returns the entry; an entry
    matched to something else or ignored raises BankEntryStateError.
    """
    if (invoice is None) == (payer is None):
        raise ValidationError(_("Choose either an invoice or a payer."))
    locked = _locked(tenant, entry)
    payer = invoice.payer if invoice is not None else payer
    if payer.tenant_id != tenant.id or (invoice is not None and invoice.tenant_id != tenant.id):
        raise ValidationError(_("The invoice or payer belongs to another client."))
    if locked.state == BankEntry.State.MATCHED:
        payment = locked.payment
        if payment.payer_id == payer.id and (invoice is None or payment.invoice_id == invoice.id):
            return locked
        raise BankEntryStateError(
            _("This credit was already matched to %(payer)s.") % {"payer": payment.payer}
        )
    if locked.state == BankEntry.State.IGNORED:
        raise BankEntryStateError(_("This credit is ignored; undo that first to match it."))
    if invoice is not None:
        _check_target(locked, invoice)
    else:
        invoice = invoice_of_amount(
            tenant=tenant, payer=payer, amount=locked.amount, currency=locked.currency
        )
    reason = BankEntry.MatchReason.API if via_api else BankEntry.MatchReason.CONFIRMED
    remember_account(tenant=tenant, account=locked.counterparty_account, payer=payer, user=user)
    return _settle(locked, payer=payer, invoice=invoice, reason=reason, user=user)


@transaction.atomic
def ignore_bank_entry(*, tenant: Tenant, entry: BankEntry, user: User | None = None) -> BankEntry:
    """Set a waiting credit aside as not a receivable payment (a refund, an own transfer)."""
    locked = _locked(tenant, entry)
    if locked.state == BankEntry.State.IGNORED:
        return locked
    if locked.state == BankEntry.State.MATCHED:
        raise BankEntryStateError(_("This credit is already booked as a payment."))
    locked.state = BankEntry.State.IGNORED
    locked.ignored_by = user
    locked.ignored_at = timezone.now()
    locked.save(update_fields=["state", "ignored_by", "ignored_at"])
    return locked


@transaction.atomic
def restore_bank_entry(*, tenant: Tenant, entry: BankEntry) -> BankEntry:
    """Undo an ignore: the credit waits for review again."""
    locked = _locked(tenant, entry)
    if locked.state == BankEntry.State.UNMATCHED:
        return locked
    if locked.state == BankEntry.State.MATCHED:
        raise BankEntryStateError(_("This credit is already booked as a payment."))
    locked.state = BankEntry.State.UNMATCHED
    locked.ignored_by = None
    locked.ignored_at = None
    locked.save(update_fields=["state", "ignored_by", "ignored_at"])
    return locked


def remember_account(
    *, tenant: Tenant, account: str, payer: Payer, user: User | None = None
) -> KnownAccount | None:
    """Credits from `account` are `payer`'s from now on; an account confirmed for a second payer
    becomes shared and matches nobody automatically."""
    account = normalize_account(account)
    if not account:
        return None
    known, created = KnownAccount.objects.get_or_create(
        tenant=tenant, account=account, defaults={"payer": payer, "confirmed_by": user}
    )
    if not created and known.payer_id != payer.id and not known.shared:
        known.shared = True
        known.save(update_fields=["shared", "updated_at"])
    return known


def _locked(tenant: Tenant, entry: BankEntry) -> BankEntry:
    """The entry's row, locked until the transaction ends, so two clicks are served one by one.

    Nothing is joined: after waiting for the lock PostgreSQL returns the entry's new version but
    joined rows as they were when the query began (a matched entry without its payment).
    """
    try:
        return BankEntry.objects.for_tenant(tenant).select_for_update().get(pk=entry.pk)
    except BankEntry.DoesNotExist as error:
        raise ValidationError(_("This bank entry belongs to another client.")) from error


def _check_target(entry: BankEntry, invoice: Invoice) -> None:
    if invoice.status not in Invoice.UNSETTLED:
        raise ValidationError(
            _("Invoice %(number)s is %(status)s; choose an unsettled one or its payer.")
            % {"number": invoice.number, "status": invoice.get_status_display().lower()}
        )
    if invoice.currency != entry.currency:
        raise ValidationError(
            _("Invoice %(number)s is in %(invoice)s, the credit in %(entry)s.")
            % {"number": invoice.number, "invoice": invoice.currency, "entry": entry.currency}
        )


def _settle(
    entry: BankEntry,
    *,
    payer: Payer,
    invoice: Invoice | None,
    reason: str,
    user: User | None = None,
) -> BankEntry:
    """The one place a bank credit becomes a payment (automatic match or confirmation)."""
    entry.payment = record_payment(
        tenant=entry.tenant,
        payer=payer,
        invoice=invoice,
        amount=entry.amount,
        currency=entry.currency,
        paid_on=entry.booked_on,
        reference=entry.title[:300],
        external_id=f"bank:{entry.external_id}"[:120],
        source=Source.BANK,
    )
    entry.state = BankEntry.State.MATCHED
    entry.match_reason = reason
    entry.matched_by = user
    entry.matched_at = timezone.now()
    entry.save(update_fields=["payment", "state", "match_reason", "matched_by", "matched_at"])
    publish_event(tenant=entry.tenant, event_type="payment.matched", data=matched_event(entry))
    return entry


def matched_event(entry: BankEntry) -> dict:
    """The `payment.matched` webhook's data: the credit, the payer and what it settled."""
    payment = entry.payment
    allocations = list(payment.allocations.select_related("invoice").order_by("id"))
    return {
        "payment_id": payment.pk,
        "payment_external_id": payment.external_id,
        "payer_id": payment.payer_id,
        "payer_external_id": payment.payer.external_id,
        "amount": str(payment.amount),
        "currency": payment.currency,
        "received_on": payment.paid_on.isoformat(),
        "reference": payment.reference,
        "bank_entry_id": entry.pk,
        "bank_reference": entry.external_id,
        "match_reason": entry.match_reason,
        "allocations": [
            {
                "invoice_id": allocation.invoice_id,
                "invoice_external_id": allocation.invoice.external_id,
                "number": allocation.invoice.number,
                "amount": str(allocation.amount),
                "outstanding_after": str(allocation.invoice.outstanding_amount),
                "status": allocation.invoice.status,
            }
            for allocation in allocations
        ],
        "unallocated": str(payment.amount - sum(a.amount for a in allocations)),
    }
