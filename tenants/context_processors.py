from __future__ import annotations

from django.http import HttpRequest


def tenancy(request: HttpRequest) -> dict:
    """The current client and the others this user may switch to, for the base layout."""
    return {
        "current_tenant": getattr(request, "tenant", None),
        "current_membership": getattr(request, "membership", None),
        "user_memberships": getattr(request, "memberships", []),
    }
