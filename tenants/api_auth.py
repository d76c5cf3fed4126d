"""REST API authentication: client ERPs send `Authorization: Bearer <key>` (tenants.models.ApiKey).

`tenant_of(request)` is the one way an API view learns its tenant; `HasTenantScope` lets read-only
keys read and write-scoped keys (or logged-in client users) write; `ApiKeyRateThrottle` gives each
key its own request budget (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api_key"], env API_RATE).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling
from rest_framework.request import Request
from rest_framework.settings import api_settings

from tenants.models import ApiKey, Tenant, hash_key

BEARER = "Bearer"


def bearer_token(request: HttpRequest | Request) -> str | None:
    """The raw key of an `Authorization: Bearer …` header, or None when there is no such header."""
    header = authentication.get_authorization_header(request).decode("latin-1")
    if not header.startswith(f"{BEARER} "):
        return None
    return header[len(BEARER) + 1 :].strip()


def active_api_key(raw_key: str) -> ApiKey | None:
    """The unrevoked key (with its tenant) whose hash matches; shared by DRF auth and middleware."""
    return (
        ApiKey.objects.select_related("tenant")
        .filter(key_hash=hash_key(raw_key), revoked_at__isnull=True)
        .first()
    )


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer mk_…`: the request acts for the key's tenant (request.auth = key)."""

    keyword = BEARER

    def authenticate(self, request: Request) -> tuple[object, ApiKey] | None:
        raw_key = bearer_token(request)
        if raw_key is None:
            return None
        api_key = active_api_key(raw_key)
        if api_key is None:
            raise exceptions.AuthenticationFailed(_("Unknown or revoked API key."))
        if api_key.tenant.status not in (Tenant.Status.ACTIVE, Tenant.Status.ONBOARDING):
            raise exceptions.AuthenticationFailed(_("This client's access is suspended."))
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=timezone.now())
        return ApiKeyUser(api_key), api_key

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class ApiKeyUser:
    """The principal of a key-authenticated request: not a person, never staff."""

    is_authenticated = True
    is_active = True
    is_staff = False
    is_superuser = False
    is_anonymous = False

    def __init__(self, api_key: ApiKey) -> None:
        self.api_key = api_key
        self.pk = None
        self.id = None

    def __str__(self) -> str:
        return f"API key {self.api_key.prefix}"


def tenant_of(request: Request) -> Tenant:
    """The tenant an API request acts for: the key's, or the logged-in user's current client."""
    api_key = request.auth if isinstance(request.auth, ApiKey) else None
    tenant = api_key.tenant if api_key else getattr(request._request, "tenant", None)
    if tenant is None:
        raise exceptions.NotFound(_("No client for this request."))
    return tenant


class HasTenantScope(permissions.BasePermission):
    """Reads need any key (or a client user); writes need a write-scoped key or a client user."""

    message = _("This API key may only read.")

    def has_permission(self, request: Request, view: object) -> bool:
        if isinstance(request.auth, ApiKey):
            return request.method in permissions.SAFE_METHODS or request.auth.can_write
        return bool(
            request.user
            and request.user.is_authenticated
            and getattr(request._request, "tenant", None) is not None
        )


class ApiKeyRateThrottle(throttling.SimpleRateThrottle):
    """One request budget per API key (by its prefix), per logged-in user, else per address.

    Keyed by key rather than by tenant, so one runaway integration cannot starve a client's other
    keys; anonymous callers only reach the public schema and docs.
    """

    scope = "api_key"

    def get_rate(self) -> str | None:
        # SimpleRateThrottle reads the rates once at import; reading them per request lets a
        # changed REST_FRAMEWORK setting (tests, a reload) apply without restarting.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request: Request, view: object) -> str:
        if isinstance(request.auth, ApiKey):
            ident = f"key-{request.auth.prefix}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    """Bearer keys in the OpenAPI schema, so Swagger UI offers an "Authorize" button for them."""

    target_class = ApiKeyAuthentication
    name = BEARER

    def get_security_definition(self, auto_schema: object) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "mk_<prefix>_<secret>",
            "description": (
                "An API key of your client account, created by an owner on the API keys page "
                "(or by your account manager). Send it as `Authorization: Bearer mk_…`. "
                "Read keys may only GET; write keys may also POST and PATCH."
            ),
        }
