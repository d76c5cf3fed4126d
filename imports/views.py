from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from imports.column_mappings import column_mappings_of, save_column_mapping
from imports.forms import ColumnMappingForm, UploadForm
from imports.models import ColumnMapping, ImportBatch
from imports.selectors import batches_of, row_errors_of, rows_processed
from imports.services import create_batch
from tenants.decorators import client_view
from tenants.scoping import get_for_tenant_or_404


@client_view
@require_http_methods(["GET", "POST"])
def batch_list(request: HttpRequest) -> HttpResponse:
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        mappings=column_mappings_of(tenant=request.tenant),
    )
    if request.method == "POST" and form.is_valid():
        try:
            batch = create_batch(
                tenant=request.tenant,
                uploaded=form.cleaned_data["file"],
                original_name=form.cleaned_data["file"].name,
                file_format=form.cleaned_data["format"] or None,
                snapshot=form.cleaned_data["snapshot"],
                mapping_name=form.cleaned_data["mapping"] or None,
                channel=ImportBatch.Channel.WEB,
                created_by=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error, {"file": "file", "mapping": "mapping"})
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


@client_view
@require_http_methods(["GET", "POST"])
def mapping_list(request: HttpRequest) -> HttpResponse:
    """The client's saved column mappings, and a form to add one."""
    return _mapping_page(request, column_mapping=None)


@client_view
@require_http_methods(["GET", "POST"])
def mapping_edit(request: HttpRequest, mapping_id: int) -> HttpResponse:
    column_mapping = get_for_tenant_or_404(ColumnMapping, request.tenant, pk=mapping_id)
    return _mapping_page(request, column_mapping=column_mapping)


@client_view
@require_POST
def mapping_delete(request: HttpRequest, mapping_id: int) -> HttpResponse:
    column_mapping = get_for_tenant_or_404(ColumnMapping, request.tenant, pk=mapping_id)
    column_mapping.delete()
    messages.success(request, _("The mapping “%(name)s” was deleted.") % {"name": column_mapping})
    return redirect("imports:mappings")


def _mapping_page(request: HttpRequest, *, column_mapping: ColumnMapping | None) -> HttpResponse:
    initial = ColumnMappingForm.initial_for(column_mapping) if column_mapping else None
    form = ColumnMappingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_column_mapping(
                tenant=request.tenant,
                name=form.cleaned_data["name"],
                mapping=form.cleaned_data["columns"],
                is_default=form.cleaned_data["is_default"],
                column_mapping=column_mapping,
            )
        except ValidationError as error:
            _add_errors(form, error, {"name": "name", "mapping": "columns"})
        else:
            messages.success(request, _("The mapping “%(name)s” was saved.") % {"name": saved})
            return redirect("imports:mappings")
    context = {
        "form": form,
        "editing": column_mapping,
        "mappings": column_mappings_of(tenant=request.tenant),
    }
    return render(request, "imports/column_mappings.html", context)


def _add_errors(form: Form, error: ValidationError, fields: dict[str, str]) -> None:
    """A service's errors on the form: each on its field (`fields`: service name -> form name)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, messages_of_field in error.message_dict.items():
        form.add_error(fields.get(name), messages_of_field)
