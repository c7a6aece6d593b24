"""Money is integer cents (RULES.md §5): rounding, formatting, parsing."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store.money import DEFAULT_CURRENCY, format_cents, parse_amount, round_half_up

PROPERTY = settings(max_examples=200, deadline=None)


# --------------------------------------------------------------------------------------------
# round_half_up
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(Fraction(0), 0, id="zero"),
        pytest.param(Fraction(5), 5, id="whole"),
        pytest.param(Fraction(1, 2), 1, id="half-up"),
        pytest.param(Fraction(3, 2), 2, id="one-and-a-half"),
        pytest.param(Fraction(5, 2), 3, id="two-and-a-half-not-bankers"),
        pytest.param(Fraction(49, 100), 0, id="just-below-half"),
        pytest.param(Fraction(51, 100), 1, id="just-above-half"),
        pytest.param(Fraction(-1, 2), -1, id="negative-half-away-from-zero"),
        pytest.param(Fraction(-5, 2), -3, id="negative-two-and-a-half"),
        pytest.param(Fraction(-49, 100), 0, id="negative-below-half"),
        pytest.param(Fraction(3589, 2), 1795, id="pro-rata-half"),
    ],
)
def test_round_half_up(value, expected):
    assert round_half_up(value) == expected


@PROPERTY
@given(numerator=st.integers(-(10**12), 10**12), places=st.integers(0, 6))
def test_property_round_half_up_matches_decimal(numerator, places):
    exact = Fraction(numerator, 10**places)
    decimal = Decimal(numerator).scaleb(-places)
    assert round_half_up(exact) == int(decimal.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@PROPERTY
@given(st.fractions(max_denominator=10_000).filter(lambda f: abs(f) < 10**9))
def test_property_round_half_up_is_nearest(value):
    got = round_half_up(value)
    assert abs(got - value) <= Fraction(1, 2)
    assert round_half_up(-value) == -got


# --------------------------------------------------------------------------------------------
# format_cents
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cents", "currency", "text"),
    [
        pytest.param(0, "CNY", "CNY 0.00", id="zero"),
        pytest.param(5, "CNY", "CNY 0.05", id="cents-padded"),
        pytest.param(1250, "CNY", "CNY 12.50", id="twelve-fifty"),
        pytest.param(123456, "CNY", "CNY 1,234.56", id="thousands"),
        pytest.param(123456789, "CNY", "CNY 1,234,567.89", id="millions"),
        pytest.param(100000000, "USD", "USD 1,000,000.00", id="other-currency"),
        pytest.param(-5, "CNY", "-CNY 0.05", id="negative-cents"),
        pytest.param(-123456, "CNY", "-CNY 1,234.56", id="negative-thousands"),
    ],
)
def test_format_cents(cents, currency, text):
    assert format_cents(cents, currency) == text


def test_format_cents_default_currency():
    assert DEFAULT_CURRENCY == "CNY"
    assert format_cents(1) == "CNY 0.01"


# --------------------------------------------------------------------------------------------
# parse_amount
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        pytest.param("12.5", 1250, id="one-decimal"),
        pytest.param("12.50", 1250, id="two-decimals"),
        pytest.param("12", 1200, id="whole"),
        pytest.param("0.01", 1, id="one-cent"),
        pytest.param("0", 0, id="zero"),
        pytest.param("1,234.56", 123456, id="thousands-separator"),
        pytest.param("1234.5", 123450, id="no-separator"),
        pytest.param("  7.25 ", 725, id="padded"),
        pytest.param("1,000,000", 100000000, id="million"),
    ],
)
def test_parse_amount(text, cents):
    assert parse_amount(text) == cents


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        pytest.param("1.234", "not an amount", id="three-decimals"),
        pytest.param("0.001", "not an amount", id="tenth-of-a-cent"),
        pytest.param("-5", "not an amount", id="negative"),
        pytest.param("1,2,3", "not an amount", id="odd-commas"),
        pytest.param("abc", "not an amount", id="letters"),
        pytest.param("", "not an amount", id="empty"),
        pytest.param("nan", "not an amount", id="nan"),
        pytest.param("NaN", "not an amount", id="NaN"),
        pytest.param("inf", "not an amount", id="inf"),
        pytest.param("-Infinity", "not an amount", id="minus-infinity"),
        pytest.param("12.5.0", "not an amount", id="two-points"),
    ],
)
def test_parse_amount_refuses(text, fragment):
    with pytest.raises(ValueError, match=fragment):
        parse_amount(text)


@PROPERTY
@given(st.integers(min_value=0, max_value=10**12))
def test_property_format_then_parse_round_trips(cents):
    text = format_cents(cents, "CNY").replace("CNY ", "")
    assert parse_amount(text) == cents
