"""Money is integer minor units (cents) with a currency code. Never a float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

DEFAULT_CURRENCY = "CNY"


def round_half_up(value: Fraction) -> int:
    """Round an exact fraction of a cent to whole cents, halves away from zero."""
    sign = -1 if value < 0 else 1
    whole, remainder = divmod(abs(value.numerator), value.denominator)
    if 2 * remainder >= value.denominator:
        whole += 1
    return sign * whole


def format_cents(cents: int, currency: str = DEFAULT_CURRENCY) -> str:
    """`123456` → `CNY 1,234.56`."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{currency} {whole:,}.{part:02d}"


def parse_amount(text: str) -> int:
    """`1234.5` or `1,234.50` → 123450 cents. Refuses more than two decimals and non-numbers."""
    cleaned = text.strip().replace(",", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {text!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"not an amount: {text!r}")
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{text!r} has more than two decimals")
    return int(cents.quantize(Decimal(1), rounding=ROUND_HALF_UP))
