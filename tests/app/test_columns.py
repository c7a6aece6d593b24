"""Which columns fit a width, on Renewals and in the pool browser: pure text, no app."""

from __future__ import annotations

import datetime as dt

import pytest

from store.models import Billing, Kind, Phase, Resource, ResourceRow
from tui.widgets.pool_columns import POOL_COLUMNS, billing_label
from tui.widgets.resource_columns import GAP, RENEWAL_COLUMNS, ColumnSet

WIDTHS = (79, 80, 100, 120, 160, 200, 250)


def row(days_left: int, phase: Phase = Phase.IN_USE, **fields) -> ResourceRow:
    resource = Resource(id="9fe5e399-43cf-eadf-1279-688cfce205cd", name="pool-a",
                        kind=Kind.STANDARD, expiry=dt.date(2026, 12, 10),
                        monthly_price_cents=100, yearly_price_cents=1_000, **fields)
    return ResourceRow(resource, phase, days_left)


@pytest.mark.parametrize("columns", [RENEWAL_COLUMNS, POOL_COLUMNS])
@pytest.mark.parametrize("width", WIDTHS)
def test_the_columns_fill_the_width_exactly_and_keep_dates_and_an_id(columns: ColumnSet,
                                                                      width: int):
    layout = columns.layout(width)
    assert 1 + sum(c.width for c in layout) + len(GAP) * (len(layout) - 1) == width
    keys = [c.key for c in layout]
    assert "expiry" in keys and ("id" in keys or "short_id" in keys)
    assert all(c.width >= 10 for c in layout if c.key == "expiry")
    assert next(c.width for c in layout if c.key == "name") >= 24


def test_at_80_columns_an_id_prefix_tells_repeated_names_apart():
    assert [c.key for c in RENEWAL_COLUMNS.layout(80)] == [
        "check", "name", "short_id", "expiry", "left", "price"]
    text, _ = RENEWAL_COLUMNS.cell_text(RENEWAL_COLUMNS.layout(80)[2], row(3), False)
    assert text == "9fe5e399"


def test_s_cycles_only_what_is_on_screen_and_the_header_marks_the_sort():
    assert RENEWAL_COLUMNS.sorts(80) == ["name", "id", "expiry", "price"]
    assert RENEWAL_COLUMNS.sorts(200) == ["name", "id", "kind", "region", "expiry", "price"]
    header = RENEWAL_COLUMNS.header(80, "price", True)
    assert header.endswith("Price/month v") and "^" not in header
    assert RENEWAL_COLUMNS.header(80, "expiry", False).count("Expiry ^") == 1


def test_a_header_click_finds_its_column():
    layout = RENEWAL_COLUMNS.layout(80)
    x = 1 + sum(c.width + len(GAP) for c in layout[:3])  # the first cell of Expiry
    assert RENEWAL_COLUMNS.column_at(80, x).key == "expiry"
    assert RENEWAL_COLUMNS.column_at(80, 0) is None


@pytest.mark.parametrize(("days_left", "phase", "billing", "label"), [
    (12, Phase.IN_USE, Billing.SUBSCRIPTION, "Yearly/Monthly, expires in 12 days"),
    (1, Phase.IN_USE, Billing.SUBSCRIPTION, "Yearly/Monthly, expires in 1 day"),
    (0, Phase.IN_USE, Billing.SUBSCRIPTION, "Yearly/Monthly, expires today"),
    (1_200, Phase.IN_USE, Billing.SUBSCRIPTION, "Yearly/Monthly, expires in 1,200 days"),
    (-3, Phase.GRACE, Billing.SUBSCRIPTION, "Yearly/Monthly, in grace (3 days)"),
    (-20, Phase.RETENTION, Billing.SUBSCRIPTION, "Yearly/Monthly, frozen (20 days)"),
    (-90, Phase.DELETED, Billing.SUBSCRIPTION, "Yearly/Monthly, deleted"),
    (5, Phase.IN_USE, Billing.PAY_PER_USE, "Pay-per-use"),
])
def test_the_billing_label_says_when_a_pool_expires(days_left, phase, billing, label):
    assert billing_label(row(days_left, phase, billing=billing)) == label
    billing_column = next(c for c in POOL_COLUMNS.columns if c.key == "billing")
    assert len(label) <= billing_column.width
