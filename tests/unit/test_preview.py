"""The pure renewal preview: what each resource would get and cost (RULES.md §3–§6, §8)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store import rules
from store.errors import NotFound, Refused
from store.models import Billing, Duration, Kind, Resource
from store.money import round_half_up
from store.preview import build_preview, preview_line

D = dt.date
TODAY = D(2026, 11, 27)


def resource(rid: str, expiry: dt.date, **changes) -> Resource:
    values = dict(
        id=rid, name=f"name-{rid}", kind=Kind.STANDARD, expiry=expiry,
        monthly_price_cents=10_000, yearly_price_cents=102_000,
    )
    values.update(changes)
    return Resource(**values)


def catalog(*items: Resource) -> dict[str, Resource]:
    return {item.id: item for item in items}


MIXED = catalog(
    resource("r-ok", D(2026, 12, 15)),
    resource("r-ppu", D(2026, 12, 15), billing=Billing.PAY_PER_USE),
    resource("r-grace", D(2026, 11, 20), monthly_price_cents=3_000, yearly_price_cents=30_000),
    resource("r-deleted", D(2026, 10, 1)),
    resource("r-pending", D(2026, 12, 20), pending_order="O-42"),
    resource("r-frozen", D(2026, 11, 1), monthly_price_cents=7_000, yearly_price_cents=70_000),
)


def test_mixed_lines_keep_request_order():
    ids = ["r-pending", "r-ok", "r-deleted", "r-frozen", "r-ppu", "r-grace"]
    preview = build_preview(ids, MIXED, Duration(1), None, TODAY)
    assert [line.id for line in preview.lines] == ids
    assert [line.name for line in preview.lines] == [f"name-{rid}" for rid in ids]
    assert [line.id for line in preview.renewable] == ["r-ok", "r-frozen", "r-grace"]
    assert preview.duration == Duration(1)
    assert preview.align is None
    assert preview.currency == "CNY"


@pytest.mark.parametrize(
    ("rid", "fragment"),
    [
        pytest.param("r-ppu", "pay-per-use", id="pay-per-use"),
        pytest.param("r-deleted", "deleted", id="deleted"),
        pytest.param("r-pending", "order O-42 is pending payment", id="pending"),
    ],
)
def test_non_renewable_lines_have_reason_and_no_fees(rid, fragment):
    preview = build_preview(["r-ok", rid], MIXED, Duration(1), 15, TODAY)
    line = preview.lines[1]
    assert line.id == rid
    assert not line.renewable
    assert line.reason is not None
    assert fragment in line.reason
    assert line.new_expiry is None
    assert line.base_fee_cents == line.extra_fee_cents == line.extra_days == line.fee_cents == 0
    assert line.current_expiry == MIXED[rid].expiry


def test_renewable_lines_fees_and_dates():
    preview = build_preview(["r-ok", "r-grace", "r-frozen"], MIXED, Duration(1), None, TODAY)
    ok, grace, frozen = preview.lines
    assert (ok.current_expiry, ok.new_expiry, ok.months) == (D(2026, 12, 15), D(2027, 1, 15), 1)
    assert (ok.base_fee_cents, ok.extra_fee_cents, ok.extra_days) == (10_000, 0, 0)
    assert ok.reason is None
    # Expired resources renew from their expiry, not from today.
    assert grace.new_expiry == D(2026, 12, 20)
    assert frozen.new_expiry == D(2026, 12, 1)
    assert preview.total_cents == 10_000 + 3_000 + 7_000


def test_total_counts_only_renewable_lines():
    ids = ["r-ok", "r-ppu", "r-deleted", "r-pending", "r-grace"]
    preview = build_preview(ids, MIXED, Duration(2), None, TODAY)
    assert preview.total_cents == 2 * 10_000 + 2 * 3_000
    assert preview.total_cents == sum(line.fee_cents for line in preview.lines)


def test_aligned_preview_charges_extra_days():
    # Documented: renewal day 15, expiry 2020-04-28, 1 month → 2020-06-15 with 18 extra days.
    res = catalog(resource("r", D(2020, 4, 28), monthly_price_cents=9_300))
    preview = build_preview(["r"], res, Duration(1), 15, D(2020, 4, 1))
    (line,) = preview.lines
    assert line.new_expiry == D(2020, 6, 15)
    assert line.extra_days == 18
    assert line.base_fee_cents == 9_300
    # Extra span May 29–Jun 15: 3/31 of May + 15/30 of June, rounded half-up once.
    expected = round_half_up(9_300 * (Fraction(3, 31) + Fraction(15, 30)))
    assert line.extra_fee_cents == expected == 5_550
    assert preview.total_cents == 9_300 + 5_550
    assert preview.align == 15


def test_years_use_the_yearly_price():
    preview = build_preview(["r-ok"], MIXED, Duration(2, "year"), None, TODAY)
    (line,) = preview.lines
    assert line.months == 24
    assert line.new_expiry == D(2028, 12, 15)
    assert line.base_fee_cents == 2 * 102_000


def test_still_expired_after_renewal_is_refused():
    # Expired 2026-01-31; on 2026-03-02 (30 days later) one month only reaches 2026-02-28.
    res = catalog(resource("r", D(2026, 1, 31)))
    today = D(2026, 3, 2)
    short = build_preview(["r"], res, Duration(1), None, today)
    (line,) = short.lines
    assert not line.renewable
    assert line.reason == "still expired after renewal: choose a longer duration"
    assert line.new_expiry == D(2026, 2, 28)
    assert line.fee_cents == 0
    assert short.total_cents == 0
    longer = build_preview(["r"], res, Duration(2), None, today)
    assert longer.lines[0].renewable
    assert longer.lines[0].new_expiry == D(2026, 3, 31)


def test_unknown_id_raises_not_found():
    with pytest.raises(NotFound, match="no such resource: r-nope"):
        build_preview(["r-ok", "r-nope"], MIXED, Duration(1), None, TODAY)


def test_many_unknown_ids_are_summarised():
    missing = [f"x{n}" for n in range(7)]
    with pytest.raises(NotFound) as caught:
        build_preview(missing, MIXED, Duration(1), None, TODAY)
    message = str(caught.value)
    assert "x0, x1, x2, x3, x4 …" in message
    assert "x5" not in message


def test_mixed_currencies_refused():
    res = catalog(
        resource("a", D(2026, 12, 15)),
        resource("b", D(2026, 12, 15), currency="USD"),
    )
    with pytest.raises(Refused, match="one currency.*CNY, USD"):
        build_preview(["a", "b"], res, Duration(1), None, TODAY)


def test_other_currency_of_a_non_renewable_line_is_ignored():
    res = catalog(
        resource("a", D(2026, 12, 15), currency="USD"),
        resource("b", D(2026, 12, 15), currency="EUR", billing=Billing.PAY_PER_USE),
    )
    preview = build_preview(["a", "b"], res, Duration(1), None, TODAY)
    assert preview.currency == "USD"


def test_nothing_renewable_defaults_to_cny_and_zero_total():
    preview = build_preview(["r-ppu", "r-deleted"], MIXED, Duration(1), None, TODAY)
    assert preview.renewable == ()
    assert preview.total_cents == 0
    assert preview.currency == "CNY"


def test_empty_request():
    preview = build_preview([], MIXED, Duration(1), None, TODAY)
    assert preview.lines == ()
    assert preview.total_cents == 0


@settings(max_examples=200, deadline=None)
@given(
    expiry=st.dates(min_value=D(2000, 1, 1), max_value=D(2100, 12, 31)),
    days_late=st.integers(min_value=-400, max_value=40),
    length=st.one_of(
        st.integers(1, 11).map(lambda n: Duration(n, "month")),
        st.integers(1, 3).map(lambda n: Duration(n, "year")),
    ),
    align=st.one_of(st.none(), st.sampled_from([*range(1, 29), "last"])),
    monthly=st.integers(min_value=0, max_value=10**8),
)
def test_property_line_agrees_with_rules(expiry, days_late, length, align, monthly):
    res = resource("r", expiry, monthly_price_cents=monthly, yearly_price_cents=monthly * 10)
    today = expiry + dt.timedelta(days=days_late)
    line = preview_line(res, length, align, today)
    assert line.fee_cents >= 0
    if not line.renewable:
        assert line.reason
        assert line.fee_cents == 0
        return
    base, new_expiry = rules.renew_dates(expiry, length, align)
    assert line.new_expiry == new_expiry > today
    assert line.extra_days == (new_expiry - base).days
    assert line.base_fee_cents == rules.base_fee(monthly, monthly * 10, length)
    assert line.extra_fee_cents == rules.extra_day_fee(monthly, base, new_expiry)


def test_preview_line_is_frozen():
    line = preview_line(MIXED["r-ok"], Duration(1), None, TODAY)
    with pytest.raises(dataclasses.FrozenInstanceError):
        line.renewable = False  # type: ignore[misc]
