"""The page where client finance staff hand over one invoice (express monitoring by default),
and the download of the invoice's PDF."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from invoices.forms import HandoverForm
from invoices.models import Invoice
from invoices.services import hand_over_invoice
from tenants.decorators import client_view
from tenants.scoping import get_for_tenant_or_404


@client_view
def handover(request: HttpRequest) -> HttpResponse:
    posted = request.method == "POST"
    form = HandoverForm(
        request.POST if posted else None, request.FILES if posted else None, tenant=request.tenant
    )
    if request.method == "POST" and form.is_valid():
        try:
            invoice = hand_over_invoice(tenant=request.tenant, **form.service_arguments())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            express = invoice.monitoring_mode == invoice.MonitoringMode.SINGLE
            text = (
                _("Invoice %(number)s of %(payer)s is now in express monitoring.")
                if express
                else _("Invoice %(number)s of %(payer)s is now in your monitoring programme.")
            )
            names = {"number": invoice.number, "payer": invoice.payer.name}
            messages.success(request, text % names)
            return redirect("invoices:detail", invoice_id=invoice.id)
    return render(request, "invoices/handover.html", {"form": form})


@client_view
def invoice_document(request: HttpRequest, invoice_id: int) -> FileResponse:
    """The PDF attached to one of the client's invoices (another client's id: 404)."""
    invoice = get_for_tenant_or_404(Invoice, request.tenant, pk=invoice_id)
    if not invoice.document:
        raise Http404(_("No PDF was attached to this invoice."))
    filename = f"{invoice.number}.pdf".replace("/", "-")
    return FileResponse(
        invoice.document.open("rb"), content_type="application/pdf", filename=filename
    )
