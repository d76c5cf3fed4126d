"""The client's document pages: a payer's letters (an htmx section of the payer page), the PDF
download, and a day's letter batch with its progress. Every row is reached through its tenant."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dunning.documents.api import pdf_response
from dunning.documents.selectors import documents_of, letter_batches_of
from dunning.models import Document, LetterBatch
from payers.models import Payer
from tenants.decorators import client_view
from tenants.scoping import get_for_tenant_or_404

BATCHES_SHOWN = 30


@client_view
@require_GET
def payer_documents(request: HttpRequest, payer_id: int) -> HttpResponse:
    payer = get_for_tenant_or_404(Payer, request.tenant, pk=payer_id)
    documents = documents_of(tenant=request.tenant, payer=payer)
    template = (
        "dunning/documents/_payer_documents.html"
        if request.htmx
        else "dunning/documents/payer_documents.html"
    )
    return render(request, template, {"payer": payer, "documents": documents})


@client_view
@require_GET
def document_pdf(request: HttpRequest, document_id: int) -> FileResponse:
    return pdf_response(get_for_tenant_or_404(Document, request.tenant, pk=document_id))


@client_view
@require_GET
def batch_list(request: HttpRequest) -> HttpResponse:
    batches = letter_batches_of(tenant=request.tenant)[:BATCHES_SHOWN]
    return render(request, "dunning/documents/batch_list.html", {"batches": batches})


@client_view
@require_GET
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = get_for_tenant_or_404(LetterBatch, request.tenant, pk=batch_id)
    context = {
        "batch": batch,
        "documents": batch.documents.select_related("payer").order_by("payer__name")
        if batch.is_finished
        else [],
    }
    template = (
        "dunning/documents/_batch_status.html"
        if request.htmx
        else "dunning/documents/batch_detail.html"
    )
    return render(request, template, context)
