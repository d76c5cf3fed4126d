"""Reads about payers."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from payers.models import Payer, PayerContact
from tenants.models import Tenant


def payers_of(*, tenant: Tenant, search: str = "") -> QuerySet[Payer]:
    payers = Payer.objects.for_tenant(tenant)
    if search:
        payers = payers.filter(Q(name__icontains=search) | Q(nip=search) | Q(external_id=search))
    return payers


def contacts_of(*, tenant: Tenant, payer: Payer) -> QuerySet[PayerContact]:
    return PayerContact.objects.for_tenant(tenant).filter(payer=payer)
