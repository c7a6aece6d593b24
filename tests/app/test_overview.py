"""The expiry overview (`w`): 12 weeks of counts and money as a plain-character bar chart."""

from __future__ import annotations

import datetime as dt

from store.models import Kind, Resource
from tui.screens.overview import OverviewScreen, week_label
from tui.widgets.bar_chart import BLOCK, Bar, BarChart, bar_length, chart_lines

SIZE = (80, 24)
TODAY = dt.date(2026, 11, 26)


def pools(days_from_today: list[int], price_cents: int = 10_000) -> list[Resource]:
    return [Resource(id=f"p{days}-{n}", name=f"pool-{days}-{n}", kind=Kind.STANDARD,
                     expiry=TODAY + dt.timedelta(days=days), monthly_price_cents=price_cents,
                     yearly_price_cents=price_cents * 10)
            for n, days in enumerate(days_from_today)]


def chart_text(screen: OverviewScreen) -> list[str]:
    return screen.query_one(BarChart).render().plain.splitlines()


async def test_twelve_weeks_with_their_counts_money_and_bars(app, add, store, wait):
    add(pools([0, 4, 6]) + pools([14], 250_000) + pools([77, 78, 80, 83, 83])
        + pools([84, -1]))  # after the 12th week, and already expired: not counted
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("w")
        await wait(pilot, lambda: isinstance(app.screen, OverviewScreen), what="the overview")
        screen = app.screen
        await wait(pilot, lambda: len(chart_text(screen)) == 13, what="the chart")
        header, *weeks = chart_text(screen)
        assert header.startswith("Week") and "Count" in header and "1-month value" in header
        assert weeks[0].startswith("11-26 to 12-02")
        assert weeks[0].endswith("3     CNY 300.00")
        assert weeks[1].endswith("0       CNY 0.00") and BLOCK not in weeks[1]
        assert weeks[2].endswith("1   CNY 2,500.00")
        assert weeks[11].startswith("02-11 to 02-17") and weeks[11].endswith("5     CNY 500.00")
        assert weeks[11].count(BLOCK) > weeks[0].count(BLOCK) > weeks[2].count(BLOCK) > 0
        assert all(len(line) <= 78 for line in chart_text(screen))
        totals = str(screen.query_one("#overview-totals").render())
        assert totals == "12 weeks: 9 resources, CNY 3,300.00 to renew each for 1 month"
        await pilot.press("m")  # bars by money: the 2,500 week is now the longest
        await wait(pilot, lambda: chart_text(screen)[3].count(BLOCK)
                   > chart_text(screen)[12].count(BLOCK))
        await pilot.press("escape")
        await wait(pilot, lambda: not isinstance(app.screen, OverviewScreen))


def test_bars_scale_to_the_width_and_never_hide_a_small_value():
    assert bar_length(0, 100, 40) == 0
    assert bar_length(1, 1_000, 40) == 1
    assert bar_length(100, 100, 40) == 40
    lines = chart_lines([Bar("a", 10, ("10",)), Bar("bb", 5, ("5",)), Bar("c", 0, ("0",))],
                        width=30, headings=("Week", "Bars", "N"))
    assert lines == ["Week  Bars" + " " * 19 + "N",
                     "a     " + BLOCK * 20 + "  10",
                     "bb    " + BLOCK * 10 + " " * 10 + "   5",
                     "c     " + " " * 20 + "   0"]


def test_week_labels_name_seven_days():
    assert week_label(dt.date(2026, 12, 29)) == "12-29 to 01-04"
