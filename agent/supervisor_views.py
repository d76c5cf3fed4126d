"""The supervisor's view: live queue per client, the consultants' day, promises; stuck calls."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agent import services
from agent.forms import ReassignForm
from agent.models import CallClaim
from agent.selectors import is_supervisor, queue_counts, team_client_or_404, team_clients
from agent.supervision import consultants_today, held_calls, promises_of_today
from tenants.models import User
from tenants.roles import OperatorRole
from tenants.scoping import get_for_tenant_or_404


def supervisor_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_supervisor(request.user):
            raise PermissionDenied(_("The supervisor's view is for supervisors."))
        request.is_supervisor = True
        return view(request, *args, **kwargs)

    return wrapper


def _consultants_of(clients) -> list[User]:
    return list(
        User.objects.filter(teams__clients__in=clients, groups__name=OperatorRole.CONSULTANT)
        .distinct()
        .order_by("last_name", "first_name")
    )


def _live_context(request: HttpRequest) -> dict:
    clients = team_clients(request.user)
    return {
        "counts": queue_counts(clients=clients),
        "consultants": consultants_today(clients=clients),
        "held": held_calls(clients=clients),
        "promises": promises_of_today(clients=clients),
        "reassign_to": _consultants_of(clients),
    }


@supervisor_view
def supervisor_page(request: HttpRequest) -> HttpResponse:
    return render(request, "agent/supervisor.html", _live_context(request))


@supervisor_view
def supervisor_live(request: HttpRequest) -> HttpResponse:
    """The part htmx polls every few seconds."""
    return render(request, "agent/_supervisor_live.html", _live_context(request))


def _team_claim(request: HttpRequest, tenant_id: int, claim_id: int) -> CallClaim:
    tenant = team_client_or_404(request.user, tenant_id)
    return get_for_tenant_or_404(CallClaim, tenant, pk=claim_id)


@supervisor_view
@require_POST
def release(request: HttpRequest, tenant_id: int, claim_id: int) -> HttpResponse:
    claim = _team_claim(request, tenant_id, claim_id)
    services.release_claim(claim=claim, ending=CallClaim.Ending.SUPERVISOR)
    messages.info(request, _("%(payer)s is back in the queue.") % {"payer": claim.payer})
    return redirect("agent:supervisor")


@supervisor_view
@require_POST
def reassign(request: HttpRequest, tenant_id: int, claim_id: int) -> HttpResponse:
    claim = _team_claim(request, tenant_id, claim_id)
    form = ReassignForm(
        request.POST,
        consultants=User.objects.filter(
            pk__in=[user.pk for user in _consultants_of([claim.tenant])]
        ),
    )
    if not form.is_valid():
        messages.error(request, _("Choose a consultant of a team serving this client."))
        return redirect("agent:supervisor")
    try:
        new = services.reassign_claim(claim=claim, consultant=form.cleaned_data["consultant"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(payer)s reassigned to %(consultant)s.")
            % {"payer": claim.payer, "consultant": new.consultant},
        )
    return redirect("agent:supervisor")
