"""The page where client finance staff hand over one invoice for express monitoring."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from invoices.forms import HandoverForm
from invoices.services import hand_over_invoice
from tenants.decorators import client_view


@client_view
def handover(request: HttpRequest) -> HttpResponse:
    form = HandoverForm(request.POST if request.method == "POST" else None, tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        try:
            invoice = hand_over_invoice(tenant=request.tenant, **form.service_arguments())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("Invoice %(number)s of %(payer)s is now in express monitoring.")
                % {"number": invoice.number, "payer": invoice.payer.name},
            )
            return redirect("invoices:detail", invoice_id=invoice.id)
    return render(request, "invoices/handover.html", {"form": form})
