"""What paying costs, and what a payment may carry: the rules either backend applies.

Up to 3 cash coupons and 1 discount per order (RULES.md §8; the billing API has the same
limits); the discount applies first, then the cash coupons, never below zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from store.errors import Refused
from store.models import Charge, Coupon
from store.money import round_half_up
from store.text import ASCII_DIGITS

MAX_CASH_COUPONS = 3
MAX_DISCOUNTS = 1


def card_digits(card: str | None) -> str:
    """A card number's digits (spaces and dashes dropped), refused unless 12–19 of them."""
    digits = "".join(ch for ch in (card or "") if ch not in " -")
    if not ASCII_DIGITS.fullmatch(digits) or not 12 <= len(digits) <= 19:
        raise Refused("online payment needs a card number of 12–19 digits")
    return digits


def check_coupon_limits(chosen: Sequence[Coupon]) -> None:
    if sum(c.kind == "cash" for c in chosen) > MAX_CASH_COUPONS:
        raise Refused(f"at most {MAX_CASH_COUPONS} cash coupons per order")
    if sum(c.kind == "discount" for c in chosen) > MAX_DISCOUNTS:
        raise Refused(f"at most {MAX_DISCOUNTS} discount per order")


def charge_for(total_cents: int, coupons: Sequence[Coupon]) -> Charge:
    """The discount applies first, then cash coupons, never below zero."""
    discount = sum(round_half_up(Fraction(total_cents * c.percent_off, 100))
                   for c in coupons if c.kind == "discount")
    cash = sum(c.amount_cents for c in coupons if c.kind == "cash")
    return Charge(total_cents, discount, min(cash, total_cents - discount))
