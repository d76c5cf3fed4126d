"""Reads about tenants, their users and the operator's teams."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from tenants.models import ApiKey, Membership, Tenant, User


def tenant_today(tenant: Tenant) -> datetime.date:
    """Today's date where the client is: the one source of "today" for business dates."""
    return timezone.localtime(timezone.now(), tenant.zone).date()


def memberships_of(user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user, tenant__status__in=ACCESSIBLE_STATUSES)
        .select_related("tenant")
        .order_by("tenant__name")
    )


def membership_for(user: User, tenant: Tenant) -> Membership | None:
    return memberships_of(user).filter(tenant=tenant).first()


def clients_of_consultant(user: User) -> QuerySet[Tenant]:
    """The clients whose payers this operator user may call: those assigned to their teams."""
    return Tenant.objects.filter(teams__members=user).distinct().order_by("name")


# A suspended client keeps its data but its users cannot work in it; an ended contract likewise.
ACCESSIBLE_STATUSES = (Tenant.Status.ONBOARDING, Tenant.Status.ACTIVE)


def api_keys_of(*, tenant: Tenant) -> QuerySet[ApiKey]:
    """The client's API keys, newest first, revoked ones included (they stay listed for audit)."""
    return ApiKey.objects.filter(tenant=tenant).select_related("created_by")
