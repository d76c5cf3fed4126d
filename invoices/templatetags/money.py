"""`{{ amount|money:currency }}`: amounts as a Polish reader expects them (4 920,00 zł)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.translation import get_language

register = template.Library()

CURRENCY_SYMBOLS = {"PLN": "zł"}
NBSP = "\u00a0"


@register.filter
def money(amount: Decimal | None, currency: str = "PLN") -> str:
    if amount is None:
        return "—"
    quantized = Decimal(amount).quantize(Decimal("0.01"), ROUND_HALF_UP)
    sign = "-" if quantized < 0 else ""
    whole, _dot, cents = f"{abs(quantized):.2f}".partition(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    if (get_language() or "pl").startswith("pl"):
        symbol = CURRENCY_SYMBOLS.get(currency, currency)
        return f"{sign}{NBSP.join(groups)},{cents}{NBSP}{symbol}"
    return f"{sign}{currency}{NBSP}{','.join(groups)}.{cents}"
