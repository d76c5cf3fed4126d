"""Reads about stamp designs: a client's designs, the stamp its ERP fetches, what /v/<code> says."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.urls import reverse

from stamps.artwork import StampSpec
from stamps.export import StampFile, render_file
from stamps.models import StampDesign
from tenants.models import Tenant
from tenants.selectors import tenant_today

# Default wording (DOMAIN.md §3), split into stamp lines; the client's name has a line of its own.
DEFAULT_LINES = (
    "NALEŻNOŚĆ MONITOROWANA",
    "PRZEZ {operator}",
    "{client}",
    "W przypadku braku terminowej zapłaty sprawa",
    "zostanie przekazana do windykacji.",
)
# A contract that is suspended or over is no longer monitoring (tenants.Tenant.Status).
MONITORING_STATUSES = (Tenant.Status.ONBOARDING, Tenant.Status.ACTIVE)


def designs_of(*, tenant: Tenant) -> QuerySet[StampDesign]:
    """The client's designs, newest first, revoked ones included (they stay listed for audit)."""
    return StampDesign.objects.for_tenant(tenant)


def current_electronic_design(*, tenant: Tenant) -> StampDesign | None:
    """The stamp the ERP prints on invoices: the newest electronic design not revoked (its client
    read afresh with it, for `verification_of`)."""
    return (
        designs_of(tenant=tenant)
        .filter(form=StampDesign.Form.ELECTRONIC, revoked_at__isnull=True)
        .select_related("tenant")
        .first()
    )


def default_text(*, tenant: Tenant) -> str:
    operator = settings.OPERATOR_NAME
    return "\n".join(line.format(operator=operator, client=tenant.name) for line in DEFAULT_LINES)


def verification_url(code: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("stamp_verify", args=[code])


def stamp_spec(design: StampDesign) -> StampSpec:
    """What the artwork is drawn from; electronic stamps carry their verification URL and code."""
    electronic = design.form == StampDesign.Form.ELECTRONIC
    return StampSpec(
        shape=design.shape,
        width_mm=float(design.width_mm),
        height_mm=float(design.height_mm),
        color=design.color,
        lines=tuple(design.lines),
        verify_url=verification_url(design.code) if electronic else None,
        code=design.code if electronic else None,
    )


# Rendering a PNG takes most of a second; an ERP may fetch the stamp for every invoice it prints.
FILE_CACHE_SECONDS = 3600


def stamp_file(*, design: StampDesign, kind: str) -> StampFile:
    """The design as a file of `kind` (export.FILE_KINDS), cached until the design changes."""
    version = f"{design.pk}:{design.updated_at.timestamp()}:{settings.PUBLIC_BASE_URL}"
    key = f"stamps:file:{version}:{kind}"
    cached = cache.get(key)
    if cached is None:
        cached = render_file(stamp_spec(design), kind)
        cache.set(key, cached, FILE_CACHE_SECONDS)
    return cached


@dataclass(frozen=True)
class Verification:
    """What the public page may say: nothing beyond the name, the operator and the end date."""

    is_valid: bool
    client_name: str = ""
    operator_name: str = ""
    valid_until: datetime.date | None = None  # None with is_valid: the contract has no end date


NOT_VALID = Verification(is_valid=False)


def verify_code(code: str) -> Verification:
    """Is the stamp with this code valid today? Unknown, mechanical, revoked and expired stamps
    all answer the same NOT_VALID, so the page never tells which codes exist.

    The one lookup not scoped by tenant: the code is the unguessable key a stranger holds.
    """
    design = (
        StampDesign.objects.select_related("tenant")
        .filter(code=code.strip().upper(), form=StampDesign.Form.ELECTRONIC)
        .first()
    )
    return verification_of(design)


def verification_of(design: StampDesign | None) -> Verification:
    """What `/v/<code>` says of this electronic design (loaded with its client, which decides)."""
    if design is None or design.is_revoked:
        return NOT_VALID
    tenant = design.tenant
    today = tenant_today(tenant)
    if (
        tenant.status not in MONITORING_STATUSES
        or (tenant.contract_start is not None and tenant.contract_start > today)
        or (tenant.contract_end is not None and tenant.contract_end < today)
    ):
        return NOT_VALID
    return Verification(
        is_valid=True,
        client_name=tenant.name,
        operator_name=settings.OPERATOR_NAME,
        valid_until=tenant.contract_end,
    )
