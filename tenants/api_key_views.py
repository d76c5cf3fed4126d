"""The client owner's API keys page: list, create (raw key shown once), revoke.

Only owners manage keys (ARCHITECTURE.md, roles): a key reads or writes all of the client's data.
Everything goes through `api_keys_of(tenant=request.tenant)`, so another client's key is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from tenants.decorators import client_view
from tenants.models import ApiKey, Membership
from tenants.selectors import api_keys_of
from tenants.services import create_api_key, revoke_api_key


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("Where the key is used, e.g. 'ERP Comarch nightly'."),
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("Access"),
        choices=ApiKey.Scope.choices,
        initial=ApiKey.Scope.READ,
        help_text=gettext_lazy(
            "Read keys only fetch data; write keys also send invoices, payments and files."
        ),
    )


def owner_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A client page for owners only; other members get a 403 page saying whom to ask."""

    @client_view
    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.membership is None or request.membership.role != Membership.Role.OWNER:
            return render(request, "tenants/api_keys_forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


@owner_view
def api_key_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request, ApiKeyForm())


@owner_view
@require_POST
@never_cache
def api_key_create(request: HttpRequest) -> HttpResponse:
    """Make the key and show it on this response only: it is never stored, so never shown again.

    No redirect: the raw key must not travel through the session or a message cookie, and
    `never_cache` keeps it out of the browser's cache.
    """
    form = ApiKeyForm(request.POST)
    if not form.is_valid():
        return _list_page(request, form)
    api_key, raw_key = create_api_key(
        tenant=request.tenant,
        name=form.cleaned_data["name"],
        scope=form.cleaned_data["scope"],
        created_by=request.user,
    )
    return render(
        request,
        "tenants/api_keys_created.html",
        {
            "api_key": api_key,
            "raw_key": raw_key,
            "me_url": request.build_absolute_uri(reverse("api-me")),
        },
    )


@owner_view
@require_http_methods(["GET", "POST"])
def api_key_revoke(request: HttpRequest, key_id: int) -> HttpResponse:
    """GET asks for confirmation; POST revokes at once (the ERP using it gets 401 from then on)."""
    api_key = get_object_or_404(api_keys_of(tenant=request.tenant), pk=key_id)
    if request.method == "GET":
        return render(request, "tenants/api_keys_revoke.html", {"api_key": api_key})
    if api_key.is_active:
        revoke_api_key(api_key=api_key)
        messages.success(request, _("The key %(key)s is revoked.") % {"key": api_key})
    else:
        messages.info(request, _("The key %(key)s was already revoked.") % {"key": api_key})
    return redirect("api_keys")


def _list_page(request: HttpRequest, form: ApiKeyForm) -> HttpResponse:
    return render(
        request,
        "tenants/api_keys.html",
        {"api_keys": api_keys_of(tenant=request.tenant), "form": form},
    )
