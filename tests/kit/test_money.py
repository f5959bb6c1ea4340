from __future__ import annotations

from decimal import Decimal

import pytest

from twinwork.kit.money import format_amount, format_decimal, parse_dollars, to_cents


@pytest.mark.parametrize(
    ("amount", "text"),
    [(4500, "$45"), (4550, "$45.50"), (5, "$0.05"), (123456789, "$1,234,567.89"), (-250, "-$2.50")],
)
def test_amounts_in_cents_read_as_dollars(amount: int, text: str) -> None:
    assert format_amount(amount) == text


@pytest.mark.parametrize(
    ("text", "cents"),
    [("45", 4500), ("$45.5", 4550), ("1,200.05", 120005), (" 0.99 ", 99), ("", None)],
)
def test_typed_prices_become_cents(text: str, cents: int | None) -> None:
    assert parse_dollars(text) == cents


@pytest.mark.parametrize("text", ["-5", "abc", "1.234", "inf", "1e3", "5.²", "9999999999"])
def test_unreadable_prices_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="dollars"):
        parse_dollars(text)


def test_rates_round_half_to_even_cents() -> None:
    assert to_cents(Decimal("0.125"), 100) == 12
    assert to_cents(Decimal("0.5")) == 0
    assert to_cents(Decimal("1.5")) == 2
    assert to_cents(Decimal("2000") * Decimal("0.2")) == 400


@pytest.mark.parametrize(
    ("amount", "text"), [(4550, "45.50"), (4500, "45.00"), (5, "0.05"), (0, "0.00"), (-5, "-0.05")]
)
def test_amounts_for_form_fields_and_csv_are_exact_decimals(amount: int, text: str) -> None:
    assert format_decimal(amount) == text
    assert parse_dollars(text.lstrip("-")) == abs(amount)
