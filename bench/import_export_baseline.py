"""What many Django teams would reach for: django-import-export resources over the same file.

A team would read the ERP export with tablib, import the payers it names first (a PayerResource
keyed by the payer's code), then the invoices (an InvoiceResource whose payer is a
ForeignKeyWidget on `payer__external_id`), each scoped to the tenant, with the library's defaults
(one transaction per `import_data`, a lookup and a save per row, diffs kept). Contacts (phones,
e-mails) are left out, which makes this baseline faster than a like-for-like one.
Needs Django set up; imported by `import_bench.py` after `django.setup()`.
"""

from __future__ import annotations

import time
from itertools import islice
from pathlib import Path

import tablib
from import_export import fields, resources, widgets

from bench.feed_csv import ENCODING, HEADER
from invoices.models import Invoice, Source
from invoices.services import settled_status
from payers.models import Payer
from tenants.models import Tenant

DAY_FIRST = "%d.%m.%Y"


class TenantPayerWidget(widgets.ForeignKeyWidget):
    """The payer by its code in the client's ERP, among this tenant's payers only."""

    def __init__(self, tenant: Tenant) -> None:
        super().__init__(Payer, field="external_id")
        self.tenant = tenant

    def get_queryset(self, value, row, *args, **kwargs):
        return Payer.objects.for_tenant(self.tenant)


class PayerResource(resources.ModelResource):
    external_id = fields.Field(attribute="external_id", column_name="Kod kontrahenta")
    name = fields.Field(attribute="name", column_name="Kontrahent")
    nip = fields.Field(attribute="nip", column_name="NIP", widget=widgets.CharWidget())

    class Meta:
        model = Payer
        fields = ("external_id", "name", "nip")
        import_id_fields = ("external_id",)

    def __init__(self, *, tenant: Tenant) -> None:
        super().__init__()
        self.tenant = tenant

    def get_queryset(self):
        return Payer.objects.for_tenant(self.tenant)

    def before_save_instance(self, instance, row, **kwargs):
        instance.tenant = self.tenant


class InvoiceResource(resources.ModelResource):
    external_id = fields.Field(attribute="external_id", column_name="Id")
    number = fields.Field(attribute="number", column_name="Numer dokumentu")
    issue_date = fields.Field(
        attribute="issue_date", column_name="Data wystawienia", widget=widgets.DateWidget(DAY_FIRST)
    )
    due_date = fields.Field(
        attribute="due_date", column_name="Termin płatności", widget=widgets.DateWidget(DAY_FIRST)
    )
    gross_amount = fields.Field(
        attribute="gross_amount", column_name="Kwota brutto", widget=widgets.DecimalWidget()
    )
    outstanding_amount = fields.Field(
        attribute="outstanding_amount",
        column_name="Pozostało do zapłaty",
        widget=widgets.DecimalWidget(),
    )
    currency = fields.Field(attribute="currency", column_name="Waluta")

    class Meta:
        model = Invoice
        fields = (
            "external_id",
            "number",
            "payer",
            "issue_date",
            "due_date",
            "gross_amount",
            "outstanding_amount",
            "currency",
        )
        import_id_fields = ("external_id",)

    def __init__(self, *, tenant: Tenant) -> None:
        super().__init__()
        self.tenant = tenant
        self.fields["payer"] = fields.Field(
            attribute="payer", column_name="Kod kontrahenta", widget=TenantPayerWidget(tenant)
        )

    def get_queryset(self):
        return Invoice.objects.for_tenant(self.tenant)

    def before_save_instance(self, instance, row, **kwargs):
        instance.tenant = self.tenant
        instance.source = Source.FILE
        instance.status = settled_status(instance)


def read_rows(path: Path, rows: int) -> tablib.Dataset:
    """The header and the first `rows` rows of the export, as tablib reads a CSV."""
    with path.open(encoding=ENCODING, newline="") as stream:
        text = "".join(islice(stream, rows + 1))
    return tablib.Dataset().load(text, format="csv", delimiter=";")


def payers_of(invoices: tablib.Dataset) -> tablib.Dataset:
    """The distinct payers named by the invoice rows, as a team would derive them."""
    columns = ("Kod kontrahenta", "Kontrahent", "NIP")
    payers = tablib.Dataset(headers=list(columns))
    seen: set[str] = set()
    for row in invoices.dict:
        if row["Kod kontrahenta"] not in seen:
            seen.add(row["Kod kontrahenta"])
            payers.append([row[column] for column in columns])
    return payers


def import_with_library(*, path: Path, rows: int, tenant: Tenant) -> dict[str, float | int]:
    """Import the first `rows` rows: payers, then invoices. Seconds and counts of each step."""
    invoices = read_rows(path, rows)
    assert tuple(invoices.headers) == HEADER, invoices.headers
    started = time.perf_counter()
    payers = payers_of(invoices)
    payer_result = PayerResource(tenant=tenant).import_data(payers, dry_run=False)
    payers_done = time.perf_counter()
    invoice_result = InvoiceResource(tenant=tenant).import_data(invoices, dry_run=False)
    finished = time.perf_counter()
    problems = [
        f"{name} row {line}: {error.error!r}"
        for name, result in (("payer", payer_result), ("invoice", invoice_result))
        for line, errors in result.row_errors()
        for error in errors
    ] + [
        f"{name} row {invalid.number}: {invalid.error_dict}"
        for name, result in (("payer", payer_result), ("invoice", invoice_result))
        for invalid in result.invalid_rows
    ]
    return {
        "seconds": finished - started,
        "payer_seconds": payers_done - started,
        "invoice_seconds": finished - payers_done,
        "rows": len(invoices),
        "payers": len(payers),
        "invoices_created": invoice_result.totals["new"],
        "payers_created": payer_result.totals["new"],
        "problems": problems[:5],
        "problem_count": len(problems),
    }
