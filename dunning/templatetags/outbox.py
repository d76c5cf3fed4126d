"""`{% payer_messages payer %}`: the payer page's messages section.

The payer page belongs to `invoices`, a layer below dunning, which may not import the outbox; the
page's template pulls this section in by name instead.
"""

from __future__ import annotations

from django import template

from dunning.selectors import messages_of
from payers.models import Payer

register = template.Library()


@register.inclusion_tag("dunning/_payer_messages.html")
def payer_messages(payer: Payer) -> dict:
    # Scoped by the payer's own tenant: the page already fetched the payer through the tenant.
    return {"messages": messages_of(tenant=payer.tenant, payer=payer)}
