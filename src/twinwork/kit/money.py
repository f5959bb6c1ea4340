"""Money in integer minor units. Never float."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

SUPPORTED_CURRENCIES = frozenset({"USD", "EUR", "GBP"})
_SYMBOLS = {"USD": "$", "EUR": "\N{EURO SIGN}", "GBP": "\N{POUND SIGN}"}


def format_amount(amount: int, currency: str = "USD") -> str:
    """Render an amount in cents for people: 4500 -> "$45", 4550 -> "$45.50"."""
    sign = "-" if amount < 0 else ""
    whole, cents = divmod(abs(amount), 100)
    symbol = _SYMBOLS.get(currency, currency + " ")
    if cents == 0:
        return f"{sign}{symbol}{whole:,}"
    return f"{sign}{symbol}{whole:,}.{cents:02d}"


def to_cents(rate: Decimal, quantity: Decimal | int = 1) -> int:
    """The one rounding rule for per-unit rates: banker's rounding to whole cents."""
    return int((rate * quantity).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
