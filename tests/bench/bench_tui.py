"""Benchmark the Renewals screen headless at 80x24 (a script, not a test: it prints figures).

    python tests/bench/bench_tui.py [--large 100000] [--repeat 5]

Keys are posted with `App.simulate_key` (what a terminal key press does), not `pilot.press`,
which waits for the CPU to go idle and would add its own ~60 ms to each figure.

Times at `--large` resources (all on the Manual Renewals tab) against 100 (or 1,000) in the
same run: app start to the first row drawn, a letter of `/` search, `h`, a tab switch (each
until rows and quick counts are back), `a` (check all, with their total) and `G`. The renewal
dialog has its own script, bench_preview.py.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from figures import Figure, table
from textual.pilot import Pilot

from store.clock import Clock
from store.models import Kind, Resource, Tab
from store.service import Store
from tui.app import RenewalsApp
from tui.screens.renewals import RenewalsScreen
from tui.widgets.resource_table import ResourceTable
from tui.widgets.status_bar import StatusBar

TODAY = "2026-11-26"
TIMEOUT = 120.0
POLL_SECONDS = 0.002


async def wait_for(pilot: Pilot, predicate: Callable[[], object]) -> None:
    # Polls with short sleeps: pilot.pause() waits for the CPU to go idle, which a busy
    # background thread delays, and that delay would count in the figures.
    deadline = time.monotonic() + TIMEOUT
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {predicate}")
        await asyncio.sleep(POLL_SECONDS)


def bench_store(folder: Path, count: int) -> Store:
    """`count` subscription pools, all on the Manual Renewals tab, so one view lists them all."""
    store = Store(folder / f"bench-{count}.db", Clock.from_text(TODAY))
    today = store.clock.today()
    store.import_resources([
        Resource(id=f"bench-{number:07d}", name=f"pool-bench-{number * 7919 % count:07d}",
                 kind=Kind.STANDARD, expiry=today + dt.timedelta(days=number % 730 - 30),
                 monthly_price_cents=100_000 + number % 977, yearly_price_cents=1_000_000,
                 region="cn-north-4", tab=Tab.MANUAL)
        for number in range(count)
    ])
    store.top_up(10**12)
    store.close()
    return store


def first_row_shown(app: RenewalsApp) -> bool:
    table = app.screen.query_one(ResourceTable)
    rows = table.visible_rows()
    return not table.is_loading and bool(rows) and rows[0] is not None


class FirstRowDrawn:
    """Notes when the table first draws a real row (not the header or a placeholder)."""

    def __init__(self) -> None:
        self.at: float | None = None
        self._draw = ResourceTable._row_strip

    def __enter__(self) -> FirstRowDrawn:
        watcher, draw = self, self._draw

        def noting_draw(table, *args, **kwargs):
            if watcher.at is None:
                watcher.at = time.perf_counter()
            return draw(table, *args, **kwargs)

        ResourceTable._row_strip = noting_draw
        return self

    def __exit__(self, *exc: object) -> None:
        ResourceTable._row_strip = self._draw


async def time_to_first_row(store: Store) -> float:
    with FirstRowDrawn() as drawn:
        started = time.perf_counter()
        app = RenewalsApp(store)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: drawn.at is not None)
    return drawn.at - started


async def time_actions(store: Store) -> tuple[float, float]:
    """Seconds for G (last row shown) and a (all checked, their total shown)."""
    app = RenewalsApp(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: first_row_shown(app))
        screen = app.screen
        status = screen.query_one(StatusBar)
        table = screen.query_one(ResourceTable)
        expected = table.row_count
        started = time.perf_counter()
        app.simulate_key("G")
        await wait_for(pilot, lambda: table.cursor == expected - 1 and table.cursor_row)
        last_row = time.perf_counter() - started
        started = time.perf_counter()
        app.simulate_key("a")
        await wait_for(pilot, lambda: len(screen.selected) == expected
                       and status.total_cents not in (None, 0))
        check_all = time.perf_counter() - started
    return last_row, check_all


class CountsDelivered:
    """Notes when the Renewals screen last received its quick counts."""

    def __init__(self) -> None:
        self.at = 0.0
        self._set = RenewalsScreen._set_counts

    def __enter__(self) -> CountsDelivered:
        watcher, deliver = self, self._set

        def noting(screen, counts):
            watcher.at = time.perf_counter()
            return deliver(screen, counts)

        RenewalsScreen._set_counts = noting
        return self

    def __exit__(self, *exc: object) -> None:
        RenewalsScreen._set_counts = self._set


async def time_filters(store: Store, word: str = "pool-1") -> tuple[float, float, float]:
    """Median seconds per letter typed into `/` search (rows and quick counts both shown
    again), seconds for `h` (hide pending: rows and counts) and for a tab switch (`1` from
    another tab back to Manual, where the rows are)."""
    with CountsDelivered() as counts:
        app = RenewalsApp(store, due_events_every=None, watch_every=None)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: first_row_shown(app) and counts.at)
            table = app.screen.query_one(ResourceTable)
            app.simulate_key("slash")
            await wait_for(pilot, lambda: app.focused is not None
                           and app.focused.id == "search")
            letters = []
            for typed in range(1, len(word) + 1):
                started = time.perf_counter()
                app.simulate_key(word[typed - 1])
                await wait_for(pilot, lambda typed=typed, started=started: counts.at > started
                               and table.current_query.filters.search == word[:typed]
                               and not table.is_loading)
                letters.append(time.perf_counter() - started)
            app.simulate_key("escape")
            await wait_for(pilot, lambda: not table.current_query.filters.search
                           and not table.is_loading)
            await pilot.pause(0.2)
            started = time.perf_counter()
            app.simulate_key("h")
            await wait_for(pilot, lambda: counts.at > started
                           and table.current_query.filters.hide_pending
                           and not table.is_loading)
            hide = time.perf_counter() - started
            app.simulate_key("2")
            await wait_for(pilot, lambda: table.current_query.filters.tab == Tab.AUTO
                           and not table.is_loading)
            await pilot.pause(0.2)
            started = time.perf_counter()
            app.simulate_key("1")
            await wait_for(pilot, lambda: counts.at > started
                           and table.current_query.filters.tab == Tab.MANUAL
                           and not table.is_loading)
            switch = time.perf_counter() - started
    return statistics.median(letters), hide, switch


async def figures(large: int, repeat: int) -> list[Figure]:
    with tempfile.TemporaryDirectory() as folder:
        stores = {count: bench_store(Path(folder), count) for count in (100, 1_000, large)}
        await time_to_first_row(stores[100])  # warm-up: imports, CSS parsing

        async def median(measure: Callable, count: int, index: int = 0) -> float:
            runs = [await measure(stores[count]) for _ in range(repeat)]
            return statistics.median(run[index] if isinstance(run, tuple) else run
                                     for run in runs)

        at = f"at {large:,}"
        return [
            Figure(f"first row on screen {at}", await median(time_to_first_row, large),
                   await median(time_to_first_row, 100), "at 100"),
            Figure(f"`/` search, per letter, rows and quick counts {at}",
                   await median(time_filters, large), await median(time_filters, 100),
                   "at 100", 2.0),
            Figure(f"`h` hide pending, rows and counts {at}",
                   await median(time_filters, large, 1), await median(time_filters, 100, 1),
                   "at 100", 2.0),
            Figure(f"tab switch, rows and counts {at}", await median(time_filters, large, 2),
                   await median(time_filters, 100, 2), "at 100", 2.0),
            Figure(f"`a` check all and their total {at}", await median(time_actions, large, 1),
                   await median(time_actions, 1_000, 1), "at 1,000", 4.0),
            Figure(f"`G` last row on screen {at}", await median(time_actions, large),
                   await median(time_actions, 1_000), "at 1,000"),
        ]


async def main(large: int, repeat: int) -> None:
    print(table(await figures(large, repeat)))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.large, arguments.repeat))
