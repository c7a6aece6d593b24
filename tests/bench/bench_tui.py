"""Benchmark the Renewals screen headless at 80x24 (a script, not a test: it prints figures).

    python tests/bench/bench_tui.py [--large 100000] [--repeat 5]

Keys are posted with `App.simulate_key` (what a terminal key press does), not `pilot.press`,
which waits for the CPU to go idle and would add its own ~60 ms to each figure.

Times, for 100 and for `--large` resources (all on the Manual Renewals tab): app start to the
first row drawn; then, at the large size, `a` (check all matching rows, with their total) and
`r` (the renewal dialog with its preview computed for all of them).
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


async def time_actions(store: Store) -> tuple[float, float, int, float | None]:
    """Seconds for G (last row shown), a (all checked, total known) and r (preview shown)."""
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
        preview = await time_preview(app, pilot)
    return last_row, check_all, expected, preview


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


async def time_filters(store: Store, word: str = "pool-1") -> tuple[float, float]:
    """Median ms per letter typed into `/` search (rows and quick counts both shown again),
    and ms for `h` (hide pending: rows and counts)."""
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
    return statistics.median(letters) * 1000, hide * 1000


async def time_preview(app: RenewalsApp, pilot: Pilot) -> float | None:
    try:
        from tui.dialogs.renew import RenewDialog
    except ImportError:
        return None

    def preview_shown() -> bool:
        dialog = app.screen
        if not isinstance(dialog, RenewDialog):
            return False
        shown = getattr(dialog, "shown_generation", None)
        return shown is None or shown == getattr(dialog, "generation", shown)

    started = time.perf_counter()
    app.simulate_key("r")
    await wait_for(pilot, preview_shown)
    return time.perf_counter() - started


async def main(large: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        small_store, large_store = bench_store(Path(folder), 100), bench_store(Path(folder), large)
        print(f"databases made in {time.perf_counter() - started:.1f} s")
        await time_to_first_row(small_store)  # warm-up: imports, CSS parsing
        small = [await time_to_first_row(small_store) for _ in range(repeat)]
        big = [await time_to_first_row(large_store) for _ in range(repeat)]
        small_s, big_s = statistics.median(small), statistics.median(big)
        print(f"first row on screen, 100 resources:      {small_s * 1000:7.0f} ms "
              f"(median of {repeat})")
        print(f"first row on screen, {large:,} resources: {big_s * 1000:7.0f} ms "
              f"(median of {repeat})")
        print(f"ratio large / small:                      {big_s / small_s:7.2f}")
        small_filters = [await time_filters(small_store) for _ in range(repeat)]
        big_filters = [await time_filters(large_store) for _ in range(repeat)]
        for name, index in (("/ search, per letter", 0), ("h hide-pending", 1)):
            at_small = statistics.median(run[index] for run in small_filters)
            at_large = statistics.median(run[index] for run in big_filters)
            print(f"{name}: {at_large:6.0f} ms at {large:,}, {at_small:6.0f} ms at 100, "
                  f"ratio {at_large / at_small:5.2f} (medians of {repeat})")
        last_row, check_all, checked, preview = await time_actions(large_store)
        print(f"G: last of {checked:,} rows on screen:     {last_row * 1000:7.0f} ms")
        print(f"check all (a) {checked:,} rows with their total: {check_all * 1000:7.0f} ms")
        if preview is None:
            print("renewal preview: tui/flows.py / tui/dialogs/renew.py not present")
        else:
            print(f"open the renewal preview (r) for {checked:,} rows: {preview * 1000:7.0f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.large, arguments.repeat))
