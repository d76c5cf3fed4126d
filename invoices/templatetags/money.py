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


def money_per_currency(sums: dict[str, Decimal]) -> str:
    """Sums kept apart per currency, one after another: "1 230,00 zł + 500,00 EUR". Amounts in
    different currencies are never added into one figure."""
    return " + ".join(money(amount, currency) for currency, amount in sums.items())
