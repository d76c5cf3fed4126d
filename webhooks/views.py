"""The client owner's webhooks pages: endpoints, their secrets (shown once) and delivery logs.

Only owners manage them (like API keys): an endpoint receives the client's data. Every lookup is
`get_for_tenant_or_404`, so another client's endpoint or delivery is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from tenants.decorators import client_view
from tenants.models import Membership
from tenants.scoping import get_for_tenant_or_404
from webhooks import services
from webhooks.events import EVENT_TYPES
from webhooks.forms import EndpointEditForm, EndpointForm
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.selectors import deliveries_of, endpoints_of, has_pending

LOG_PAGE_SIZE = 25


def owner_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A client page for owners only; other members get a 403 page saying whom to ask."""

    @client_view
    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.membership is None or request.membership.role != Membership.Role.OWNER:
            return render(request, "webhooks/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


@owner_view
@require_http_methods(["GET"])
def endpoint_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request, EndpointForm())


@owner_view
@require_POST
@never_cache
def endpoint_create(request: HttpRequest) -> HttpResponse:
    """Make the endpoint and show its secret on this response only (no redirect, no cache)."""
    form = EndpointForm(request.POST)
    if not form.is_valid():
        return _list_page(request, form, status=400)
    try:
        endpoint, secret = services.create_endpoint(
            tenant=request.tenant,
            url=form.cleaned_data["url"],
            description=form.cleaned_data["description"],
            event_types=form.cleaned_data["event_types"],
            created_by=request.user,
        )
    except ValidationError as error:
        _add_errors(form, error)
        return _list_page(request, form, status=400)
    return render(request, "webhooks/secret.html", {"endpoint": endpoint, "secret": secret})


@owner_view
@require_http_methods(["GET"])
def endpoint_detail(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = get_for_tenant_or_404(WebhookEndpoint, request.tenant, pk=endpoint_id)
    page = Paginator(deliveries_of(tenant=request.tenant, endpoint=endpoint), LOG_PAGE_SIZE)
    context = {
        "endpoint": endpoint,
        "page": page.get_page(request.GET.get("page")),
        "polling": has_pending(tenant=request.tenant, endpoint=endpoint),
        "event_types": EVENT_TYPES,
    }
    template = "webhooks/_delivery_log.html" if request.htmx else "webhooks/endpoint_detail.html"
    return render(request, template, context)


@owner_view
@require_http_methods(["GET", "POST"])
def endpoint_edit(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = get_for_tenant_or_404(WebhookEndpoint, request.tenant, pk=endpoint_id)
    initial = {
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": endpoint.event_types,
        "is_active": endpoint.is_active,
    }
    form = EndpointEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_endpoint(endpoint=endpoint, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The endpoint was saved."))
            return redirect("webhooks:detail", endpoint_id=endpoint.pk)
    status = 400 if form.errors else 200
    return render(
        request, "webhooks/endpoint_edit.html", {"endpoint": endpoint, "form": form}, status=status
    )


@owner_view
@require_POST
@never_cache
def endpoint_rotate_secret(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = get_for_tenant_or_404(WebhookEndpoint, request.tenant, pk=endpoint_id)
    secret = services.rotate_secret(endpoint=endpoint)
    return render(
        request, "webhooks/secret.html", {"endpoint": endpoint, "secret": secret, "rotated": True}
    )


@owner_view
@require_http_methods(["GET", "POST"])
def endpoint_delete(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes the endpoint and its delivery log."""
    endpoint = get_for_tenant_or_404(WebhookEndpoint, request.tenant, pk=endpoint_id)
    if request.method == "GET":
        return render(request, "webhooks/endpoint_delete.html", {"endpoint": endpoint})
    services.delete_endpoint(endpoint=endpoint)
    messages.success(request, _("The endpoint %(url)s was deleted.") % {"url": endpoint.url})
    return redirect("webhooks:list")


@owner_view
@require_POST
def endpoint_test(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = get_for_tenant_or_404(WebhookEndpoint, request.tenant, pk=endpoint_id)
    try:
        services.send_test_event(endpoint=endpoint)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("A test event is on its way; the log below shows the answer."))
    return redirect("webhooks:detail", endpoint_id=endpoint.pk)


@owner_view
@require_POST
def delivery_retry(request: HttpRequest, endpoint_id: int, delivery_id: int) -> HttpResponse:
    endpoint = get_for_tenant_or_404(WebhookEndpoint, request.tenant, pk=endpoint_id)
    delivery = get_for_tenant_or_404(
        WebhookDelivery, request.tenant, pk=delivery_id, endpoint=endpoint
    )
    try:
        services.retry_delivery(delivery=delivery)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The event is being sent again."))
    return redirect("webhooks:detail", endpoint_id=endpoint.pk)


def _list_page(request: HttpRequest, form: EndpointForm, status: int = 200) -> HttpResponse:
    context = {
        "endpoints": endpoints_of(tenant=request.tenant),
        "form": form,
        "event_types": EVENT_TYPES,
    }
    return render(request, "webhooks/endpoint_list.html", context, status=status)


def _add_errors(form: Form, error: ValidationError) -> None:
    """A service's errors on the form's fields of the same name (else on the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, field_messages in error.message_dict.items():
        form.add_error(name if name in form.fields else None, field_messages)
