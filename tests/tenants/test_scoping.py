"""`for_tenant` is the one way to tenant-owned rows, and every tenant-owned model has it."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.http import Http404

from invoices.models import AgingSnapshot, Invoice, Payment, PaymentAllocation
from payers.models import Payer, PayerContact
from tenants.scoping import TenantOwnedModel, TenantRequired, get_for_tenant_or_404
from tests.factories import InvoiceFactory, PayerContactFactory, PayerFactory, PaymentFactory

# How to make one row of each model for a given tenant.
MAKERS = {
    Payer: lambda tenant: PayerFactory(tenant=tenant),
    PayerContact: lambda tenant: PayerContactFactory(payer__tenant=tenant),
    Invoice: lambda tenant: InvoiceFactory(payer__tenant=tenant),
    Payment: lambda tenant: PaymentFactory(payer__tenant=tenant),
}


def tenant_owned_models() -> list[type[TenantOwnedModel]]:
    return [model for model in apps.get_models() if issubclass(model, TenantOwnedModel)]


@pytest.mark.parametrize("model", MAKERS, ids=lambda model: model.__name__)
def test_for_tenant_returns_only_that_tenants_rows(tenant, other_tenant, model):
    own = MAKERS[model](tenant)
    theirs = MAKERS[model](other_tenant)

    assert list(model.objects.for_tenant(tenant)) == [own]
    assert list(model.objects.for_tenant(other_tenant)) == [theirs]


@pytest.mark.parametrize("model", MAKERS, ids=lambda model: model.__name__)
def test_for_tenant_without_a_tenant_refuses(db, model):
    with pytest.raises(TenantRequired, match=model.__name__):
        model.objects.for_tenant(None)


def test_the_ledger_models_are_tenant_owned():
    expected = {Payer, PayerContact, Invoice, Payment, PaymentAllocation, AgingSnapshot}

    assert expected <= set(tenant_owned_models())


@pytest.mark.parametrize("model", tenant_owned_models(), ids=lambda model: model._meta.label)
def test_every_manager_of_a_tenant_owned_model_scopes_by_tenant(model):
    """A manager without `for_tenant` would be a second, unscoped way to the rows."""
    assert model._meta.managers, model
    for manager in model._meta.managers:
        assert callable(getattr(manager.all(), "for_tenant", None)), (
            f"{model._meta.label}.{manager.name} has no for_tenant()"
        )


@pytest.mark.parametrize("model", tenant_owned_models(), ids=lambda model: model._meta.label)
def test_a_tenant_has_no_reverse_accessor_around_the_scoping(model):
    tenant_field = model._meta.get_field("tenant")

    assert tenant_field.null is False
    assert tenant_field.remote_field.related_name == "+"


def test_get_for_tenant_or_404_finds_the_tenants_own_row(tenant):
    invoice = InvoiceFactory(payer__tenant=tenant)

    assert get_for_tenant_or_404(Invoice, tenant, pk=invoice.pk) == invoice


@pytest.mark.parametrize("lookup", ["other tenant", "no tenant", "garbage id"])
def test_get_for_tenant_or_404_is_a_404_for_anything_else(tenant, other_tenant, lookup):
    invoice = InvoiceFactory(payer__tenant=tenant)
    asked_as, pk = {
        "other tenant": (other_tenant, invoice.pk),
        "no tenant": (None, invoice.pk),
        "garbage id": (tenant, "1; DROP TABLE"),
    }[lookup]

    with pytest.raises(Http404):
        get_for_tenant_or_404(Invoice, asked_as, pk=pk)
