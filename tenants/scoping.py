"""The one way to reach tenant-owned rows: `Model.objects.for_tenant(tenant)`.

Every tenant-owned model inherits `TenantOwnedModel`; views, selectors, services and tasks scope
through `for_tenant` (or `get_for_tenant_or_404`, which uses it). The reverse accessor from
Tenant is switched off (`related_name="+"`), so `tenant.invoice_set` is not a second path around it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from tenants.models import Tenant

M = TypeVar("M", bound=models.Model)


class TenantRequired(LookupError):
    """A tenant-owned query was attempted without a tenant."""


class TenantQuerySet(models.QuerySet):
    def for_tenant(self, tenant: Tenant | None) -> TenantQuerySet:
        if tenant is None:
            raise TenantRequired(f"{self.model.__name__} rows can only be read for a tenant.")
        return self.filter(tenant=tenant)


class TenantOwnedModel(models.Model):
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.PROTECT, related_name="+")

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True


def get_for_tenant_or_404(model: type[M], tenant: Tenant | None, **lookup: Any) -> M:
    """The row of `tenant` matching `lookup`; another tenant's row is a 404, never data."""
    if tenant is None:
        raise Http404("No client selected.")
    try:
        return model.objects.for_tenant(tenant).get(**lookup)
    except (model.DoesNotExist, ValueError, TypeError) as error:
        raise Http404(f"No {model._meta.verbose_name} here.") from error
