"""Sets `request.tenant` for client users, and holds operator staff to TOTP when required."""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from tenants.selectors import memberships_of

SESSION_TENANT_KEY = "tenant_id"


class TenantMiddleware:
    """The tenant of this request: the one chosen in the session among the user's memberships."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.tenant = None
        request.membership = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            memberships = list(memberships_of(user))
            chosen = request.session.get(SESSION_TENANT_KEY)
            current = next((m for m in memberships if m.tenant_id == chosen), None)
            current = current or (memberships[0] if memberships else None)
            if current is not None:
                request.tenant = current.tenant
                request.membership = current
            request.memberships = memberships
        return self.get_response(request)


class StaffMFAMiddleware:
    """With REQUIRE_STAFF_MFA on, operator staff without TOTP can only set it up (or log out)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.REQUIRE_STAFF_MFA
            and user is not None
            and user.is_authenticated
            and (user.is_staff or user.is_operator_staff)
            and not self._allowed_without_mfa(request.path)
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    @staticmethod
    def _allowed_without_mfa(path: str) -> bool:
        open_prefixes = (
            reverse("mfa_index"),
            reverse("account_logout"),
            reverse("account_reauthenticate"),
            settings.STATIC_URL,
            "/i18n/",
        )
        return path.startswith(open_prefixes)


class LanguageMiddleware:
    """Polish unless the user chose otherwise: the language cookie, else the client's language.

    The browser's Accept-Language is deliberately ignored on pages: staff on an English-language
    browser still work in Polish unless they switch. The REST API is the other way round: English
    by default, Polish when the request's Accept-Language asks for it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        available = {code for code, _name in settings.LANGUAGES}
        if request.path.startswith("/api/"):
            # ERPs are programs: the API speaks English unless the request asks for Polish.
            asked = translation.get_language_from_request(request)
            chosen = (
                asked if asked in available and "HTTP_ACCEPT_LANGUAGE" in request.META else "en"
            )
        else:
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        tenant = getattr(request, "tenant", None)
        if chosen not in available:
            chosen = tenant.language if tenant is not None else settings.LANGUAGE_CODE
        translation.activate(chosen)
        request.LANGUAGE_CODE = chosen
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", chosen)
        patch_vary_headers(response, ("Cookie",))
        return response
