"""The consultant's screen: worklist, next call, payer card, outcome; contact edits on the card.

Operator staff only (consultants and supervisors): client users get 403. Every client-owned row is
reached through a client of the user's teams (`team_client_or_404`) and `get_for_tenant_or_404`,
so another team's payer, task or call is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agent import services
from agent.forms import OUTCOME_CHOICES, OutcomeForm, PhoneForm
from agent.models import CallClaim
from agent.payer_card import open_invoices_of, payer_card
from agent.selectors import (
    claim_held_by,
    is_agent,
    is_supervisor,
    queue_counts,
    team_client_or_404,
    team_clients,
    worklist,
)
from payers import services as payer_services
from payers.models import Payer, PayerContact
from payers.selectors import contacts_of
from tenants.scoping import get_for_tenant_or_404


def agent_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page of the agent screen: logged-in consultants and supervisors only."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_agent(request.user):
            raise PermissionDenied(_("The agent screen is for the agency's consultants."))
        request.is_supervisor = is_supervisor(request.user)
        return view(request, *args, **kwargs)

    return wrapper


@agent_view
def worklist_page(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    context = {
        "rows": worklist(user=request.user, now=now),
        "counts": queue_counts(clients=team_clients(request.user), now=now),
        "held": claim_held_by(request.user),
    }
    if request.htmx:
        return render(request, "agent/_worklist.html", context)
    return render(request, "agent/worklist.html", context)


@agent_view
@require_POST
def next_call(request: HttpRequest) -> HttpResponse:
    claim = services.claim_next_call(consultant=request.user)
    if claim is None:
        messages.info(request, _("No call is waiting right now."))
        return redirect("agent:worklist")
    return redirect("agent:call", tenant_id=claim.tenant_id, claim_id=claim.pk)


def _call_bar(request: HttpRequest, claim: CallClaim, error: str = "") -> HttpResponse:
    phones = [phone for phone in _phones_of(claim) if phone.is_usable]
    return render(
        request, "agent/_call_bar.html", {"claim": claim, "phones": phones, "error": error}
    )


def _own_claim(request: HttpRequest, tenant_id: int, claim_id: int) -> CallClaim:
    tenant = team_client_or_404(request.user, tenant_id)
    return get_for_tenant_or_404(CallClaim, tenant, pk=claim_id, consultant=request.user)


def _call_page(request: HttpRequest, claim: CallClaim, form: OutcomeForm | None = None, status=200):
    card = payer_card(
        tenant=claim.tenant, payer=claim.payer, task=claim.task, consultant=request.user
    )
    form = form if form is not None else _outcome_form(claim, card.phones)
    context = {"claim": claim, "card": card, "form": form, "outcomes": OUTCOME_CHOICES}
    return render(request, "agent/call.html", context, status=status)


def _phones_of(claim: CallClaim) -> list[PayerContact]:
    return [
        contact
        for contact in contacts_of(tenant=claim.tenant, payer=claim.payer)
        if contact.kind == PayerContact.Kind.PHONE
    ]


def _outcome_form(claim: CallClaim, phones: list[PayerContact], data=None) -> OutcomeForm:
    usable = [phone.value for phone in phones if phone.is_usable]
    return OutcomeForm(
        data,
        tenant=claim.tenant,
        invoices=open_invoices_of(tenant=claim.tenant, payer=claim.payer),
        phones=phones,
        initial={"contact_value": usable[0] if usable else ""},
    )


@agent_view
def call_page(request: HttpRequest, tenant_id: int, claim_id: int) -> HttpResponse:
    claim = _own_claim(request, tenant_id, claim_id)
    if not claim.is_active:
        messages.warning(request, _("That call is over (released or the lease ran out)."))
        return redirect("agent:worklist")
    return _call_page(request, claim)


@agent_view
@require_POST
def record_outcome(request: HttpRequest, tenant_id: int, claim_id: int) -> HttpResponse:
    claim = _own_claim(request, tenant_id, claim_id)
    form = _outcome_form(claim, _phones_of(claim), data=request.POST)
    if form.is_valid():
        try:
            outcome = services.record_call_outcome(
                claim=claim, consultant=request.user, **form.outcome_arguments()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("%(kind)s recorded for %(payer)s. Enter: next call.")
                % {"kind": outcome.get_kind_display(), "payer": claim.payer},
            )
            return redirect("agent:worklist")
    return _call_page(request, claim, form=form, status=400)


@agent_view
@require_POST
def release(request: HttpRequest, tenant_id: int, claim_id: int) -> HttpResponse:
    claim = _own_claim(request, tenant_id, claim_id)
    services.release_claim(claim=claim)
    messages.info(request, _("%(payer)s is back in the queue.") % {"payer": claim.payer})
    return redirect("agent:worklist")


@agent_view
@require_POST
def dial(request: HttpRequest, tenant_id: int, claim_id: int) -> HttpResponse:
    claim = _own_claim(request, tenant_id, claim_id)
    try:
        claim = services.start_call(
            claim=claim, consultant=request.user, number=request.POST.get("number", "")
        )
    except ValidationError as error:
        return _call_bar(request, claim, " ".join(error.messages))
    return _call_bar(request, claim)


@agent_view
@require_POST
def hang_up(request: HttpRequest, tenant_id: int, claim_id: int) -> HttpResponse:
    claim = _own_claim(request, tenant_id, claim_id)
    try:
        claim = services.end_call(claim=claim, consultant=request.user)
    except ValidationError as error:
        return _call_bar(request, claim, " ".join(error.messages))
    return _call_bar(request, claim)


# --- the payer card outside a call, and its contact edits ------------------------------------


def _team_payer(request: HttpRequest, tenant_id: int, payer_id: int) -> Payer:
    tenant = team_client_or_404(request.user, tenant_id)
    return get_for_tenant_or_404(Payer, tenant, pk=payer_id)


@agent_view
def payer_page(request: HttpRequest, tenant_id: int, payer_id: int) -> HttpResponse:
    payer = _team_payer(request, tenant_id, payer_id)
    card = payer_card(tenant=payer.tenant, payer=payer, consultant=request.user)
    return render(request, "agent/payer.html", {"card": card})


def _contacts(request: HttpRequest, payer: Payer, form: PhoneForm | None = None) -> HttpResponse:
    return render(
        request,
        "agent/_contacts.html",
        {
            "payer": payer,
            "contacts": contacts_of(tenant=payer.tenant, payer=payer),
            "phone_form": form if form is not None else PhoneForm(),
        },
    )


@agent_view
@require_POST
def add_phone(request: HttpRequest, tenant_id: int, payer_id: int) -> HttpResponse:
    payer = _team_payer(request, tenant_id, payer_id)
    form = PhoneForm(request.POST)
    if form.is_valid():
        try:
            payer_services.add_payer_phone(tenant=payer.tenant, payer=payer, **form.cleaned_data)
        except ValidationError as error:
            for name, problems in error.message_dict.items():
                form.add_error(name if name in form.fields else None, problems)
        else:
            return _contacts(request, payer)
    # 200, not 400: htmx swaps only successful responses, and the errors must show.
    return _contacts(request, payer, form)


@agent_view
@require_POST
def contact_action(
    request: HttpRequest, tenant_id: int, payer_id: int, contact_id: int, action: str
) -> HttpResponse:
    payer = _team_payer(request, tenant_id, payer_id)
    contact = get_for_tenant_or_404(PayerContact, payer.tenant, pk=contact_id, payer=payer)
    if action == "wrong":
        payer_services.mark_contact_wrong(tenant=payer.tenant, contact=contact)
    else:
        payer_services.opt_out_contact(tenant=payer.tenant, contact=contact)
    return _contacts(request, payer)
