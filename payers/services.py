"""Writes about payers: adding a payer by hand, with its phone numbers and e-mail addresses, and
the consultants' edits of those contacts (a new phone, a wrong number, an objection)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from payers.models import Payer, PayerContact
from tenants.identifiers import normalize_nip
from tenants.models import Tenant


@transaction.atomic
def create_payer(
    *,
    tenant: Tenant,
    external_id: str,
    name: str,
    kind: str = Payer.Kind.BUSINESS,
    nip: str = "",
    phones: Iterable[str] = (),
    emails: Iterable[str] = (),
    street: str = "",
    postal_code: str = "",
    city: str = "",
    country: str = "PL",
    preferred_language: str = Payer.Language.POLISH,
) -> Payer:
    """Add one payer of `tenant` with its contacts; the first phone and e-mail are primary.

    Phones are stored in E.164 (`601 234 567` -> `+48601234567`). Raises ValidationError keyed by
    field (`phones` and `emails` for the contacts); nothing is saved then.
    """
    external_id = (external_id or "").strip()
    if external_id and Payer.objects.for_tenant(tenant).filter(external_id=external_id).exists():
        raise ValidationError(
            {"external_id": _("A payer with id %(id)s already exists.") % {"id": external_id}}
        )
    payer = Payer(
        tenant=tenant,
        external_id=external_id,
        name=(name or "").strip(),
        kind=kind,
        nip=normalize_nip(nip),
        street=street,
        postal_code=postal_code,
        city=city,
        country=country,
        preferred_language=preferred_language,
    )
    payer.full_clean()
    payer.save()
    errors = {
        "phones": _add_contacts(payer, PayerContact.Kind.PHONE, phones),
        "emails": _add_contacts(payer, PayerContact.Kind.EMAIL, emails),
    }
    errors = {key: messages for key, messages in errors.items() if messages}
    if errors:
        raise ValidationError(errors)
    return payer


def _add_contacts(payer: Payer, kind: str, values: Iterable[str]) -> list[str]:
    """Save the contacts of one kind (a repeated value once); return the messages of bad ones."""
    saved: set[str] = set()
    problems: list[str] = []
    for raw in values:
        if not (raw or "").strip():
            continue
        contact = PayerContact(
            tenant=payer.tenant, payer=payer, kind=kind, value=raw, is_primary=not saved
        )
        try:
            contact.clean()  # normalises, so a repeat written differently is recognised
            if contact.value in saved:
                continue
            contact.full_clean()
        except ValidationError as error:
            # Phone messages already quote the number; e-mail ones do not.
            prefix = f"{raw}: " if kind == PayerContact.Kind.EMAIL else ""
            problems.extend(prefix + message for message in error.messages)
            continue
        contact.save()
        saved.add(contact.value)
    return problems


@transaction.atomic
def add_payer_phone(*, tenant: Tenant, payer: Payer, value: str, label: str = "") -> PayerContact:
    """Add a phone number to a payer (E.164); a number it already has is a ValidationError."""
    if payer.tenant_id != tenant.pk:
        raise ValidationError({"value": _("This payer belongs to another client.")})
    contact = PayerContact(
        tenant=tenant, payer=payer, kind=PayerContact.Kind.PHONE, value=value, label=label.strip()
    )
    try:
        contact.clean()
    except ValidationError as error:
        raise ValidationError({"value": error.messages}) from error
    if (
        PayerContact.objects.for_tenant(tenant)
        .filter(payer=payer, kind=contact.kind, value=contact.value)
        .exists()
    ):
        raise ValidationError(
            {"value": _("%(number)s is already listed.") % {"number": contact.value}}
        )
    contact.is_primary = (
        not PayerContact.objects.for_tenant(tenant).filter(payer=payer, kind=contact.kind).exists()
    )
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def mark_contact_wrong(*, tenant: Tenant, contact: PayerContact) -> PayerContact:
    """The number or address does not reach the payer: kept for the record, never used again."""
    PayerContact.objects.for_tenant(tenant).filter(pk=contact.pk).update(is_wrong=True)
    contact.refresh_from_db()
    return contact


@transaction.atomic
def opt_out_contact(
    *, tenant: Tenant, contact: PayerContact, at: datetime.datetime | None = None
) -> PayerContact:
    """The payer objected to contact on this number or address (RODO art. 21); the first
    objection's time is kept."""
    PayerContact.objects.for_tenant(tenant).filter(pk=contact.pk, opted_out_at__isnull=True).update(
        opted_out_at=at or timezone.now()
    )
    contact.refresh_from_db()
    return contact
