from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from tenants.middleware import SESSION_TENANT_KEY
from tenants.selectors import clients_of_consultant


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Client users land on their invoices; operator staff on their own page."""
    if request.tenant is not None:
        return redirect("invoices:list")
    if request.user.is_operator_staff or request.user.is_staff:
        return redirect("operator_home")
    return render(request, "tenants/no_client.html", status=403)


@login_required
@require_POST
def switch_tenant(request: HttpRequest) -> HttpResponse:
    """Make another of the user's clients the current one; a tenant not theirs is a 404."""
    wanted = request.POST.get("tenant", "")
    membership = next((m for m in request.memberships if str(m.tenant_id) == wanted), None)
    if membership is None:
        return render(request, "404.html", status=404)
    request.session[SESSION_TENANT_KEY] = membership.tenant_id
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "home"
    return redirect(target)


@login_required
def operator_home(request: HttpRequest) -> HttpResponse:
    if not (request.user.is_operator_staff or request.user.is_staff):
        return render(request, "404.html", status=404)
    return render(
        request, "tenants/operator_home.html", {"clients": clients_of_consultant(request.user)}
    )


def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and docker-compose: the process answers and the database is reachable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
