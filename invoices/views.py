from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from invoices.models import Invoice
from invoices.selectors import (
    aging_buckets,
    days_sales_outstanding,
    invoices_needing_attention_first,
    invoices_of,
    payers_with_balances,
)
from payers.models import Payer
from payers.selectors import contacts_of
from tenants.decorators import client_view
from tenants.scoping import get_for_tenant_or_404

PAGE_SIZE = 50


@client_view
def invoice_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in Invoice.Status.values:
        status = ""
    search = request.GET.get("q", "").strip()[:100]
    invoices = invoices_needing_attention_first(
        invoices_of(tenant=request.tenant, status=status, search=search)
    )
    page = Paginator(invoices, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status,
        "search": search,
        "statuses": Invoice.Status.choices,
    }
    if request.htmx:
        return render(request, "invoices/_invoice_table.html", context)
    context["aging"] = aging_buckets(tenant=request.tenant)
    context["dso"] = days_sales_outstanding(tenant=request.tenant)
    return render(request, "invoices/invoice_list.html", context)


@client_view
def invoice_detail(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = get_for_tenant_or_404(Invoice, request.tenant, pk=invoice_id)
    allocations = invoice.allocations.select_related("payment").order_by("payment__paid_on")
    context = {
        "invoice": invoice,
        "allocations": allocations,
        "corrections": invoice.corrections.order_by("issue_date", "id"),
    }
    return render(request, "invoices/invoice_detail.html", context)


@client_view
def payer_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:100]
    payers = payers_with_balances(tenant=request.tenant, search=search).order_by("-owed", "name")
    page = Paginator(payers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "invoices/payer_list.html", {"page": page, "search": search})


@client_view
def payer_detail(request: HttpRequest, payer_id: int) -> HttpResponse:
    payer = get_for_tenant_or_404(Payer, request.tenant, pk=payer_id)
    return render(
        request,
        "invoices/payer_detail.html",
        {
            "payer": payer,
            "contacts": contacts_of(tenant=request.tenant, payer=payer),
            "invoices": invoices_of(tenant=request.tenant, payer_id=payer.id).order_by("due_date"),
        },
    )
