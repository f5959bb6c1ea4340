"""Money in integer minor units. Never float."""

from __future__ import annotations

import re
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


def format_decimal(amount: int) -> str:
    """An amount in cents as a plain decimal number, for form fields and CSV: 4550 ->
    "45.50", -5 -> "-0.05". Exact: no float is involved."""
    sign = "-" if amount < 0 else ""
    whole, cents = divmod(abs(amount), 100)
    return f"{sign}{whole}.{cents:02d}"


def to_cents(rate: Decimal, quantity: Decimal | int = 1) -> int:
    """The one rounding rule for per-unit rates: banker's rounding to whole cents."""
    return int((rate * quantity).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


_DOLLARS = re.compile(r"^\$?\s*(\d{1,9})(?:\.(\d{1,2}))?$", re.ASCII)


def parse_dollars(text: str) -> int | None:
    """What a person types in a price box ("45", "$45.50", "1,200") in cents; None if empty.

    Raises ValueError with a message for anything else (negative, letters, 3 decimals)."""
    cleaned = text.strip().replace(",", "")
    if not cleaned:
        return None
    match = _DOLLARS.match(cleaned)
    if match is None:
        raise ValueError("Enter an amount in dollars, like 45 or 45.50.")
    return int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))
