"""Writes about stamp designs: create, change, revoke. Each one transaction."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stamps.models import StampDesign
from tenants.models import Tenant, User

DESIGN_FIELDS = ("name", "form", "shape", "width_mm", "height_mm", "color", "text")


@transaction.atomic
def create_design(
    *,
    tenant: Tenant,
    name: str,
    form: str,
    shape: str,
    width_mm: Decimal,
    height_mm: Decimal,
    color: str,
    text: str,
    created_by: User | None = None,
) -> StampDesign:
    design = StampDesign(
        tenant=tenant,
        name=name,
        form=form,
        shape=shape,
        width_mm=width_mm,
        height_mm=width_mm if shape == StampDesign.Shape.ROUND else height_mm,
        color=color,
        text=text,
        created_by=created_by,
    )
    design.full_clean()
    design.save()
    return design


@transaction.atomic
def update_design(*, design: StampDesign, **fields: object) -> StampDesign:
    """Change a design; its verification code stays, so stamps already printed keep working."""
    if design.is_revoked:
        raise ValidationError(_("A revoked stamp design cannot be changed."))
    unknown = set(fields) - set(DESIGN_FIELDS)
    if unknown:
        raise TypeError(f"Not design fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(design, name, value)
    if design.shape == StampDesign.Shape.ROUND:
        design.height_mm = design.width_mm
    design.full_clean()
    design.save()
    return design


@transaction.atomic
def revoke_design(*, design: StampDesign, revoked_by: User | None, reason: str = "") -> StampDesign:
    """From now on its code verifies as "not valid"; the design stays listed for the record."""
    locked = StampDesign.objects.for_tenant(design.tenant).select_for_update().get(pk=design.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.revoked_by = revoked_by
        locked.revoke_reason = reason[:300]
        locked.save(update_fields=["revoked_at", "revoked_by", "revoke_reason", "updated_at"])
    return locked
