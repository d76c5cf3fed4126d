"""`{% bank_entries_waiting as count %}`: the review list's count badge in the navigation."""

from __future__ import annotations

from django import template

from imports.selectors import bank_entries_waiting as waiting_of

register = template.Library()


@register.simple_tag(takes_context=True)
def bank_entries_waiting(context: template.Context) -> int:
    """Bank credits of the current client waiting for review; 0 outside a client's pages."""
    request = context.get("request")
    tenant = getattr(request, "tenant", None)
    return waiting_of(tenant=tenant) if tenant is not None else 0
