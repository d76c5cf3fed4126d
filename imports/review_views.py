"""The client's review list of bank credits nothing matched: suggestions, one-click confirmation,
assignment to an invoice found by its number, "not ours" (ignore) and its undo.

Every action is a POST answered, under htmx, with the entry's row swapped in place (a confirmed
entry's row goes away and a message says where the money went); without htmx it redirects back.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from imports.banking import confirm_bank_entry, ignore_bank_entry, restore_bank_entry
from imports.models import BankEntry
from imports.selectors import bank_entries_of, bank_entries_waiting, invoices_numbered
from imports.suggestions import suggest, suggestions_for
from invoices.models import Invoice
from invoices.templatetags.money import money
from payers.models import Payer
from tenants.decorators import client_view
from tenants.scoping import get_for_tenant_or_404

PAGE_SIZE = 20
LISTED_STATES = (BankEntry.State.UNMATCHED, BankEntry.State.IGNORED)


class ConfirmForm(forms.Form):
    invoice = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    payer = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)

    def clean(self) -> dict:
        data = super().clean()
        if bool(data.get("invoice")) == bool(data.get("payer")):
            raise ValidationError(gettext_lazy("Choose either an invoice or a payer."))
        return data


@client_view
@require_GET
def bank_entry_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state")
    state = state if state in LISTED_STATES else BankEntry.State.UNMATCHED
    page = Paginator(bank_entries_of(tenant=request.tenant, state=state), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    suggestions = {}
    if state == BankEntry.State.UNMATCHED:
        suggestions = suggestions_for(tenant=request.tenant, entries=page.object_list)
        waiting = page.paginator.count
    else:
        waiting = bank_entries_waiting(tenant=request.tenant)
    rows = [(entry, suggestions.get(entry.pk, [])) for entry in page.object_list]
    context = {"page": page, "rows": rows, "state": state, "waiting": waiting}
    return render(request, "imports/bank_entries.html", context)


@client_view
@require_POST
def bank_entry_confirm(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = get_for_tenant_or_404(BankEntry, request.tenant, pk=entry_id)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        return _refused(request, entry, form.errors.get("__all__") or _first_errors(form))
    invoice = payer = None
    if form.cleaned_data["invoice"]:
        invoice = get_for_tenant_or_404(Invoice, request.tenant, pk=form.cleaned_data["invoice"])
    else:
        payer = get_for_tenant_or_404(Payer, request.tenant, pk=form.cleaned_data["payer"])
    try:
        entry = confirm_bank_entry(
            tenant=request.tenant, entry=entry, invoice=invoice, payer=payer, user=request.user
        )
    except ValidationError as error:
        return _refused(request, entry, error.messages)
    payment = entry.payment
    target = payment.invoice or payment.payer
    text = _("%(amount)s from %(sender)s booked to %(target)s.") % {
        "amount": money(entry.amount, entry.currency),
        "sender": entry.counterparty_name or entry.counterparty_account or "—",
        "target": target,
    }
    if not request.htmx:
        messages.success(request, text)
        return redirect("imports:bank_entries")
    context = {
        "text": text,
        "invoice": payment.invoice,
        "payer": payment.payer,
        "waiting": bank_entries_waiting(tenant=request.tenant),
    }
    return HttpResponse(render_to_string("imports/_bank_entry_done.html", context, request))


@client_view
@require_POST
def bank_entry_ignore(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = get_for_tenant_or_404(BankEntry, request.tenant, pk=entry_id)
    try:
        entry = ignore_bank_entry(tenant=request.tenant, entry=entry, user=request.user)
    except ValidationError as error:
        return _refused(request, entry, error.messages)
    if not request.htmx:
        messages.success(request, _("The credit is set aside as not a payment of an invoice."))
        return redirect("imports:bank_entries")
    return _row(request, entry)


@client_view
@require_POST
def bank_entry_restore(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = get_for_tenant_or_404(BankEntry, request.tenant, pk=entry_id)
    try:
        entry = restore_bank_entry(tenant=request.tenant, entry=entry)
    except ValidationError as error:
        return _refused(request, entry, error.messages)
    if not request.htmx:
        messages.success(request, _("The credit waits for review again."))
        return redirect("imports:bank_entries")
    return _row(request, entry)


@client_view
@require_GET
def bank_entry_search(request: HttpRequest, entry_id: int) -> HttpResponse:
    """Unsettled invoices by number, each with a button that assigns the credit to it."""
    entry = get_for_tenant_or_404(BankEntry, request.tenant, pk=entry_id)
    number = request.GET.get("number", "")
    invoices = invoices_numbered(tenant=request.tenant, number=number, currency=entry.currency)
    context = {"entry": entry, "number": number, "invoices": invoices}
    return render(request, "imports/_bank_entry_search.html", context)


def _row(request: HttpRequest, entry: BankEntry, errors: list[str] | None = None) -> HttpResponse:
    suggestions = []
    if entry.state == BankEntry.State.UNMATCHED:
        suggestions = suggest(tenant=request.tenant, entry=entry)
    context = {
        "entry": entry,
        "suggestions": suggestions,
        "errors": errors or [],
        "waiting": bank_entries_waiting(tenant=request.tenant),
        "oob_count": True,
    }
    return render(request, "imports/_bank_entry_row.html", context)


def _refused(request: HttpRequest, entry: BankEntry, errors: list[str]) -> HttpResponse:
    """The row again with the reason shown in it (htmx swaps only 2xx answers), or a message."""
    if not request.htmx:
        for error in errors:
            messages.error(request, error)
        return redirect("imports:bank_entries")
    entry.refresh_from_db()
    return _row(request, entry, errors=[str(error) for error in errors])


def _first_errors(form: forms.Form) -> list[str]:
    return [f"{field}: {error}" for field, errors in form.errors.items() for error in errors]
