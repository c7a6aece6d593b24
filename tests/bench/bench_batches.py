"""Paying one order of 10,000 lines (the checkout call, and its write transaction), and
renewing 25,000 resources as orders of 10,000 (the longest write transaction of the batch),
each against raw sqlite3 doing the same writes for one order in one BEGIN IMMEDIATE (a script).

    .venv/bin/python tests/bench/bench_batches.py [--count 25000] [--repeat 3]

Other users' writes wait for one order's transaction at a time: this prints how long the
longest one held the write lock, the raw transaction for the same rows, and their ratio.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import shutil
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from figures import Figure, table

from store.clock import Clock
from store.models import Duration, Kind, Method, Resource, Tab
from store.rules import MAX_ORDER_LINES
from store.service import Store, new_idempotency_key

TODAY = "2026-11-26"


def made(path: Path, count: int) -> None:
    with Store(path, Clock.from_text(TODAY)) as store:
        today = store.clock.today()
        store.import_resources(
            Resource(id=f"b-{n:06d}", name=f"pool-{n}", kind=Kind.STANDARD,
                     expiry=today + dt.timedelta(days=n % 300 + 1), monthly_price_cents=1_000,
                     yearly_price_cents=10_000, region="cn-north-4", tab=Tab.MANUAL)
            for n in range(count))
        store.top_up(10**12)


def longest_checkout(path: Path, count: int) -> tuple[float, float, int]:
    """Seconds of the longest order's checkout call and of the longest write transaction
    (BEGIN IMMEDIATE to COMMIT: what other users' writes wait for), and how many orders."""
    with Store(path, Clock.from_text(TODAY)) as store:
        ids = [f"b-{n:06d}" for n in range(count)]
        preview = store.preview(ids, Duration(1))
        checkout, writing = store.checkout, store.writing
        calls: list[float] = []
        locks: list[float] = []

        def timed_checkout(*args, **kwargs):
            started = time.perf_counter()
            try:
                return checkout(*args, **kwargs)
            finally:
                calls.append(time.perf_counter() - started)

        @contextlib.contextmanager
        def timed_writing():
            started = time.perf_counter()
            try:
                with writing() as db:
                    yield db
            finally:
                locks.append(time.perf_counter() - started)

        store.checkout = timed_checkout  # type: ignore[method-assign]
        store.writing = timed_writing  # type: ignore[method-assign]
        store.renew_in_orders(preview, Method.BALANCE, new_idempotency_key())
    return max(calls), max(locks), len(calls)


def raw_transaction(path: Path) -> float:
    """One order's writes, precomputed, in one transaction: the order, its lines, the new
    expiries, the payment and the balance."""
    conn = sqlite3.connect(path, isolation_level=None)
    rows = conn.execute("SELECT id, expiry FROM resources ORDER BY id LIMIT ?",
                        (MAX_ORDER_LINES,)).fetchall()
    lines = [("ORD-RAW", rid, old, (dt.date.fromisoformat(old) + dt.timedelta(days=30))
              .isoformat(), 1, 0, 1_000, 0) for rid, old in rows]
    started = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO orders (id, status, total_cents, currency, created_at, expires_at)"
                 " VALUES ('ORD-RAW', 'paid', ?, 'CNY', ?, ?)",
                 (1_000 * len(lines), "2026-11-26 00:00:00", "2026-12-03 00:00:00"))
    conn.executemany("INSERT INTO order_lines VALUES (?, ?, ?, ?, ?, ?, ?, ?)", lines)
    conn.executemany("UPDATE resources SET expiry = ? WHERE id = ?",
                     [(line[3], line[1]) for line in lines])
    conn.execute("UPDATE account SET balance_cents = balance_cents - ?", (1_000 * len(lines),))
    conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def figures(count: int, repeat: int) -> list[Figure]:
    """One order of MAX_ORDER_LINES paid, and `count` renewed in orders (its longest)."""
    found = []
    with tempfile.TemporaryDirectory() as tmp:
        for renewing in (MAX_ORDER_LINES, count):
            base = Path(tmp) / f"base-{renewing}.db"
            made(base, renewing)
            calls, locks, raws, orders = [], [], [], 0
            for run in range(repeat):
                copy = Path(tmp) / f"run-{renewing}-{run}.db"
                shutil.copy(base, copy)
                call, lock, orders = longest_checkout(copy, renewing)
                calls.append(call)
                locks.append(lock)
                raw_copy = Path(tmp) / f"raw-{renewing}-{run}.db"
                shutil.copy(base, raw_copy)
                raws.append(raw_transaction(raw_copy))
            raw = statistics.median(raws)
            if orders == 1:
                found.append(Figure(f"pay a {renewing:,}-line order (place and pay)",
                                    statistics.median(calls), raw,
                                    "raw sqlite3, one order's writes", 1.3))
            found.append(Figure(f"renew {renewing:,} in {orders} order{'s' * (orders > 1)}: "
                                "the longest write transaction", statistics.median(locks), raw,
                                "raw sqlite3, one order's writes", 1.3))
    return found


def main(count: int, repeat: int) -> None:
    print(table(figures(count, repeat)))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=25_000)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    main(arguments.count, arguments.repeat)
