"""The expiry overview (`w`): resources and money expiring in each of the next 12 weeks.

Bars are drawn with plain block characters and every bar has its numbers beside it, so the
chart reads without colour. `m` switches the bars between counts and money.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Static

from store.models import WeekExpiry
from store.money import format_cents
from store.service import Store
from tui.watch import DataChanged
from tui.widgets.bar_chart import Bar, BarChart
from tui.widgets.title_bar import TitleBar
from tui.workers import run_store_job

WEEKS = 12


def week_label(start: dt.date) -> str:
    """`11-26 to 12-02`: the seven billing days of a week."""
    return f"{start:%m-%d} to {start + dt.timedelta(days=6):%m-%d}"


def week_bars(weeks: list[WeekExpiry], currency: str, by_money: bool) -> tuple[Bar, ...]:
    return tuple(
        Bar(week_label(week.start), week.monthly_cents if by_money else week.count,
            (f"{week.count:,}", format_cents(week.monthly_cents, currency)))
        for week in weeks)


def totals_text(weeks: list[WeekExpiry], currency: str) -> str:
    count = sum(week.count for week in weeks)
    cents = sum(week.monthly_cents for week in weeks)
    return (f"{len(weeks)} weeks: {count:,} resources, {format_cents(cents, currency)} "
            "to renew each for 1 month")


class OverviewScreen(Screen[None]):
    TITLE = "Expiry overview"
    DEFAULT_CSS = """
    OverviewScreen #overview-about { height: auto; padding: 0 1; color: $text-muted; }
    OverviewScreen #overview-chart { margin: 1 1 0 1; }
    OverviewScreen #overview-totals { height: auto; padding: 1 1 0 1; text-style: bold; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "toggle_bars", "Bars: count/money", id="overview.toggle"),
        Binding("r", "reload", "Reload", id="overview.reload"),
        Binding("escape", "back", "Back", id="overview.back"),
    ]
    HELP_NOTES = ("Week 1 starts today (UTC+08:00). Money is the 1-month renewal price of the "
                  "yearly/monthly resources expiring that week, before any alignment.",)

    by_money: reactive[bool] = reactive(False, init=False)

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.weeks: list[WeekExpiry] = []
        self.currency = "CNY"

    def compose(self) -> ComposeResult:
        yield TitleBar(f"Expiry overview: the next {WEEKS} weeks")
        yield Static(id="overview-about")
        yield BarChart(("Week", "", "Count", "1-month value"), id="overview-chart")
        yield Static("loading ...", id="overview-totals")
        yield Footer(compact=True, show_command_palette=False)  # 80 columns hold every key

    def on_mount(self) -> None:
        self._describe_bars()
        self.action_reload()

    def action_reload(self) -> None:
        def job(store: Store) -> tuple[list[WeekExpiry], str]:
            return store.expiry_by_week(WEEKS), store.account().currency

        run_store_job(self, self.store, job, self._loaded, group="overview-load")

    def on_data_changed(self, _message: DataChanged) -> None:
        self.action_reload()

    def _loaded(self, outcome: tuple[list[WeekExpiry], str]) -> None:
        self.weeks, self.currency = outcome
        self._show()

    def _show(self) -> None:
        self.query_one(BarChart).bars = week_bars(self.weeks, self.currency, self.by_money)
        self.query_one("#overview-totals", Static).update(
            Text(totals_text(self.weeks, self.currency)))

    def _describe_bars(self) -> None:
        measure = "1-month renewal value" if self.by_money else "number of resources"
        self.query_one("#overview-about", Static).update(
            f"Resources expiring each week; bars: {measure} (m switches).")

    def watch_by_money(self) -> None:
        self._describe_bars()
        self._show()

    def action_toggle_bars(self) -> None:
        self.by_money = not self.by_money

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
