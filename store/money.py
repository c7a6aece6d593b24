"""Money is integer minor units (cents) with a currency code. Never a float."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from store.text import safe_text

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
    return f"{sign}{safe_text(currency)} {whole:,}.{part:02d}"


AMOUNT = re.compile(r"(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?")


def parse_amount(text: str) -> int:
    """`1234.5` or `1,234.50` → 123450 cents. Refuses signs, odd commas, over two decimals."""
    cleaned = text.strip()
    if not AMOUNT.fullmatch(cleaned):
        raise ValueError(f"not an amount: {text!r} (write it like 1234.50 or 1,234.50)")
    cents = Decimal(cleaned.replace(",", "")) * 100
    return int(cents.quantize(Decimal(1), rounding=ROUND_HALF_UP))
