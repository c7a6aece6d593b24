"""The renewal dialog's preview at 100,000 and 10,000 checked resources (a script: it prints).

    .venv/bin/python tests/bench/bench_preview.py [--large 100000] [--repeat 5]

For each size: the median time from opening the renewal dialog to its preview on screen
(summary and table filled), against plain sqlite3 in the same run computing the same total,
count and first 300 lines; the longest the event loop went without running a 10 ms heartbeat
timer while the preview was worked out (limit 50 ms); and the process's resident memory with
the dialog open against just before it opened.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from bench_tui import TODAY, bench_store, first_row_shown, wait_for
from figures import Figure, table

from store.clock import Clock
from store.models import Duration
from store.rules import RETENTION_DAYS
from store.service import Store
from tui.app import RenewalsApp
from tui.dialogs.renew import PREVIEW_ROWS, RenewDialog

HEARTBEAT_S = 0.01
STALL_LIMIT_S = 0.05
# What the dialog shows, in plain SQL: how many, how many renewable (subscriptions, not past
# retention, no pending order, priced), their total for one month, and the first lines.
BASELINE_TOTALS = """SELECT COUNT(*), COUNT(fee), SUM(fee) FROM (
    SELECT CASE WHEN billing = 'yearly-monthly' AND expiry >= :kept AND gone_at IS NULL
        AND monthly_price_cents IS NOT NULL AND yearly_price_cents IS NOT NULL
        AND id NOT IN (SELECT resource_id FROM order_lines l JOIN orders o ON o.id = l.order_id
                       WHERE o.status = 'pending_payment')
        THEN monthly_price_cents END AS fee
    FROM resources WHERE id IN (SELECT value FROM json_each(:ids)))"""
BASELINE_LINES = """SELECT id, name, expiry, billing, monthly_price_cents, yearly_price_cents
    FROM resources WHERE id IN (SELECT value FROM json_each(:ids))
    ORDER BY expiry, name, id LIMIT :first"""


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def baseline_s(path: Path, ids: list[str]) -> float:
    db = sqlite3.connect(path)
    started = time.perf_counter()
    kept = dt.date.fromisoformat(TODAY) - dt.timedelta(days=RETENTION_DAYS)
    params = {"ids": json.dumps(ids), "kept": kept.isoformat(), "first": PREVIEW_ROWS}
    db.execute(BASELINE_TOTALS, params).fetchone()
    db.execute(BASELINE_LINES, params).fetchall()
    elapsed = time.perf_counter() - started
    db.close()
    return elapsed


class Heartbeat:
    """The longest gap between runs of a 10 ms timer: how long the event loop was held."""

    def __init__(self) -> None:
        self.last = time.perf_counter()
        self.longest = 0.0

    def beat(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self.last)
        self.last = now

    def restart(self) -> None:
        self.last, self.longest = time.perf_counter(), 0.0


async def dialog_s(store: Store, ids: list[str]) -> tuple[float, float, float, float]:
    """Seconds to the preview on screen, the longest loop stall, MiB open and before."""
    app = RenewalsApp(store, due_events_every=None, watch_every=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: first_row_shown(app))
        heartbeat = Heartbeat()
        app.set_interval(HEARTBEAT_S, heartbeat.beat)
        await pilot.pause(0.1)
        before = rss_bytes()
        dialog = RenewDialog(store, ids, duration=Duration(1))
        heartbeat.restart()
        started = time.perf_counter()
        app.push_screen(dialog)
        await wait_for(pilot, lambda: dialog.shown is not None
                       and dialog.shown_generation == dialog.generation)
        elapsed = time.perf_counter() - started
        stall = heartbeat.longest
        await pilot.pause(0.1)
        memory = rss_bytes()
    return elapsed, stall, memory / 2**20, before / 2**20


async def figures(large: int, repeat: int) -> list[Figure]:
    found = []
    with tempfile.TemporaryDirectory() as folder:
        bench_store(Path(folder), large)
        path = Path(folder) / f"bench-{large}.db"
        store = Store(path, Clock.from_text(TODAY))
        ids = [row[0] for row in store.db().execute("SELECT id FROM resources ORDER BY id")]
        await dialog_s(store, ids[:100])  # warm-up: imports, CSS parsing
        for count, goal in ((large, 1.5), (large // 10, 2.0)):
            picked = ids[:count]
            runs = [await dialog_s(store, picked) for _ in range(repeat)]
            raw = statistics.median(baseline_s(path, picked) for _ in range(repeat))
            found += [
                Figure(f"renewal preview visible, {count:,} checked",
                       statistics.median(run[0] for run in runs), raw,
                       "SQL: the same total, count and first 300 lines", goal),
                Figure(f"longest event-loop stall during it ({count:,})",
                       max(run[1] for run in runs), STALL_LIMIT_S, "limit", 1.0),
                Figure(f"memory with the preview open ({count:,})",
                       statistics.median(run[2] for run in runs),
                       statistics.median(run[3] for run in runs), "just before it opened",
                       1.3, unit="MiB"),
            ]
        store.close()
    return found


async def main(large: int, repeat: int) -> None:
    print(table(await figures(large, repeat)))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.large, arguments.repeat))
