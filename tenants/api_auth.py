"""REST API authentication: client ERPs send `Authorization: Bearer <key>` (tenants.models.ApiKey).

`tenant_of(request)` is the one way an API view learns its tenant; `HasTenantScope` lets read-only
keys read and write-scoped keys (or logged-in client users) write.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, permissions
from rest_framework.request import Request

from tenants.models import ApiKey, Tenant, hash_key


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer mk_…`: the request acts for the key's tenant (request.auth = key)."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[object, ApiKey] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header.startswith(f"{self.keyword} "):
            return None
        raw_key = header[len(self.keyword) + 1 :].strip()
        api_key = (
            ApiKey.objects.select_related("tenant")
            .filter(key_hash=hash_key(raw_key), revoked_at__isnull=True)
            .first()
        )
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
