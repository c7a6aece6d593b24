"""Money is integer minor units (cents) with a currency code. Never a float."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from store.text import safe_text

DEFAULT_CURRENCY = "CNY"
# The largest amount anywhere (a price, a coupon, a balance, a fee, an order total): a hundred
# billion units, CNY 100,000,000,000.00. Far from SQLite's 64-bit limit, so no sum of amounts
# the rules allow can overflow into a REAL.
MAX_CENTS = 10**13


MAX_AMOUNT_CHARACTERS = 24  # "100,000,000,000.00" is 18; 24 digits is far past the limit


class AmountTooLarge(ValueError):
    """An amount above MAX_CENTS."""


def check_cents(cents: int, what: str) -> int:
    """`cents` if it is within 0–MAX_CENTS; AmountTooLarge naming `what` otherwise."""
    if cents > MAX_CENTS:
        raise AmountTooLarge(f"{what} of {units(cents)} is above the limit of "
                             f"{units(MAX_CENTS)} ({MAX_CENTS:,} cents)")
    if cents < 0:
        raise ValueError(f"{what} cannot be negative ({units(cents)})")
    return cents


def round_half_up(value: Fraction) -> int:
    """Round an exact fraction of a cent to whole cents, halves away from zero."""
    sign = -1 if value < 0 else 1
    whole, remainder = divmod(abs(value.numerator), value.denominator)
    if 2 * remainder >= value.denominator:
        whole += 1
    return sign * whole


def units(cents: int) -> str:
    """`123456` → `1,234.56`."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole:,}.{part:02d}"


def format_cents(cents: int, currency: str = DEFAULT_CURRENCY) -> str:
    """`123456` → `CNY 1,234.56`; `-5` → `-CNY 0.05`."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{safe_text(currency)} {units(abs(cents))}"


# ASCII digits only: `\d` would take ١٠٠ for 100.
AMOUNT = re.compile(r"([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]{1,2})?")


def price_text(cents: int | None, currency: str = DEFAULT_CURRENCY) -> str:
    """A price, or `not quoted` where the billing system has not been asked yet."""
    return "not quoted" if cents is None else format_cents(cents, currency)


def parse_amount(text: str) -> int:
    """`1234.5` or `1,234.50` → 123450 cents. Refuses signs, odd commas, over two decimals, and
    anything above MAX_CENTS."""
    cleaned = text.strip()
    if not AMOUNT.fullmatch(cleaned):
        raise ValueError(f"not an amount: {text!r} (write it like 1234.50 or 1,234.50)")
    if len(cleaned) > MAX_AMOUNT_CHARACTERS:  # Decimal's precision ends here, and the limit too
        raise AmountTooLarge(f"an amount of {len(cleaned)} characters is above the limit of "
                             f"{units(MAX_CENTS)}")
    cents = Decimal(cleaned.replace(",", "")) * 100
    return check_cents(int(cents.quantize(Decimal(1), rounding=ROUND_HALF_UP)), "an amount")
