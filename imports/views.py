from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from imports.forms import UploadForm
from imports.models import ImportBatch
from imports.selectors import batches_of, row_errors_of, rows_processed
from imports.services import create_batch
from tenants.decorators import client_view
from tenants.scoping import get_for_tenant_or_404


@client_view
@require_http_methods(["GET", "POST"])
def batch_list(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = create_batch(
                tenant=request.tenant,
                uploaded=form.cleaned_data["file"],
                original_name=form.cleaned_data["file"].name,
                file_format=form.cleaned_data["format"] or None,
                snapshot=form.cleaned_data["snapshot"],
                channel=ImportBatch.Channel.WEB,
                created_by=request.user,
            )
        except ValidationError as error:
            form.add_error("file", error.message_dict.get("file", error.messages))
        else:
            messages.success(request, _("The file was received; the import is running."))
            return redirect("imports:detail", batch_id=batch.pk)
    page = Paginator(batches_of(tenant=request.tenant), 25).get_page(request.GET.get("page"))
    return render(request, "imports/batch_list.html", {"form": form, "page": page})


@client_view
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = get_for_tenant_or_404(ImportBatch, request.tenant, pk=batch_id)
    context = {
        "batch": batch,
        "processed": rows_processed(batch),
        "errors": row_errors_of(tenant=request.tenant, batch=batch)[:200],
    }
    template = "imports/_batch_status.html" if request.htmx else "imports/batch_detail.html"
    return render(request, template, context)


class _Echo:
    def write(self, value: str) -> str:
        return value


@client_view
def batch_errors_csv(request: HttpRequest, batch_id: int) -> StreamingHttpResponse:
    """Every rejected row as CSV (opens in Excel: `;`, UTF-8 with BOM)."""
    batch = get_for_tenant_or_404(ImportBatch, request.tenant, pk=batch_id)
    writer = csv.writer(_Echo(), delimiter=";")
    errors = row_errors_of(tenant=request.tenant, batch=batch).values_list(
        "line", "field", "message", "value"
    )

    def rows():
        yield "\ufeff" + writer.writerow([_("line"), _("field"), _("error"), _("value")])
        for row in errors.iterator(chunk_size=2000):
            yield writer.writerow(row)

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-errors.csv"'
    return response
