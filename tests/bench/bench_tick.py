"""One `tick` (process due events) at 100,000 resources against raw sqlite3 doing the same
writes for the same rows in one BEGIN IMMEDIATE (a script: it prints).

    .venv/bin/python tests/bench/bench_tick.py [--large 100000] [--repeat 3]

The database holds, per 100,000 resources, about 1,200 auto-renewals due today (a few fail: a
pending order, or a balance that runs out before the dearer ones), 600 Pay-per-Use-tab resources
past expiry, 2,700 past retention, 5,000 deleted long ago and 50 orders unpaid for 8 days. Each
run ticks a fresh copy of it. `now` is `Store.tick()` (what `renewals tick` calls), from the
write lock to the commit; the baseline takes the write lock, reads what is due with plain
SELECTs, works out the dates and fees with the simplest Python and writes the same rows with
executemany. The first run checks that both left the same resources, balance and row counts.
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import getpass
import json
import secrets
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from figures import Figure

from store.clock import Clock
from store.db import write
from store.models import Duration, TickReport
from store.service import Store

NOW = "2026-11-26T09:00:00+08:00"
TODAY = dt.date(2026, 11, 26)
DEDUCTION_DAYS, RETENTION_DAYS, UNPAID_DAYS = 7, 30, 7
MIX = {"auto": 1_200, "ppu": 600, "retention": 2_700, "deleted": 5_000}  # per 100,000
UNPAID_ORDERS, PENDING_AUTO = 50, 20
GOAL = 1.5  # issue 10: tick at most 1.5 times the baseline
BALANCE_SHARE = 0.95  # of what the due auto-renewals cost: the last dear ones fail
COLUMNS = ("id, name, kind, region, status, billing, expiry, monthly_price_cents,"
           " yearly_price_cents, tab, auto_period_months, auto_times")


def resource_rows(count: int) -> Iterator[tuple]:
    """Every resource as a row of COLUMNS: the due ones first, then ones due later."""
    sizes = {kind: max(1, round(size * count / 100_000)) for kind, size in MIX.items()}
    n = 0
    for kind, size in sizes.items():
        for i in range(size):
            yield row(n, kind, i)
            n += 1
    for i in range(n, count):
        yield row(i, "later", i)


def row(n: int, kind: str, i: int) -> tuple:
    monthly = 1_000 + (n % 40) * 250
    tab, status, offset, period, times = "manual", "running", 8 + i % 365, None, None
    if kind == "auto":
        tab, offset, period = "auto", i % (DEDUCTION_DAYS + 1), (1, 1, 1, 3, 6, 12)[i % 6]
        times = {0: 1, 1: 3}.get(i % 7)
    elif kind == "ppu":
        tab, offset = "ppu", -1 - i % 20
    elif kind == "retention":
        tab, offset = ("canceled", "manual")[i % 2], -RETENTION_DAYS - 1 - i % 60
    elif kind == "deleted":
        status, offset = "deleted", -100 - i % 300
    else:
        tab = ("manual",) * 6 + ("auto", "auto", "ppu", "canceled")
        tab = tab[i % 10]
    return (f"r-{n:06d}", f"pool-{n}", "standard", "cn-north-4", status, "yearly-monthly",
            (TODAY + dt.timedelta(days=offset)).isoformat(), monthly, monthly * 10, tab,
            period, times)


def fee(monthly: int, yearly: int, months: int | None) -> int:
    months = months or 1
    return yearly * (months // 12) if months >= 12 else monthly * months


def made(path: Path, count: int) -> None:
    """The database, with unpaid orders from 8 days ago and pending ones on due auto-renewals."""
    rows = list(resource_rows(count))
    with Store(path, Clock.from_text(NOW)) as store, write(store.db()) as db:
        db.execute("UPDATE account SET binding = 'local'")
        db.conn.executemany(f"INSERT INTO resources ({COLUMNS}) VALUES"
                            f" ({', '.join('?' * len(COLUMNS.split(',')))})", rows)
    due = [r for r in rows if r[9] == "auto" and r[6] <= f"{TODAY + dt.timedelta(7)}"]
    pending = [r[0] for r in due[::MIX["auto"] // PENDING_AUTO]]
    later = [r[0] for r in rows if r[9] == "manual" and r[4] == "running" and r[6] > f"{TODAY}"]
    week_ago = (TODAY - dt.timedelta(days=UNPAID_DAYS + 1)).isoformat() + "T09:00:00+08:00"
    with Store(path, Clock.from_text(week_ago)) as store:
        for n in range(UNPAID_ORDERS):
            store.place_order(later[3 * n:3 * n + 1 + n % 3], Duration(1))
    with Store(path, Clock.from_text(f"{TODAY - dt.timedelta(days=1)}T09:00:00+08:00")) as store:
        for rid in pending:
            store.place_order([rid], Duration(1))
        cost = sum(fee(r[7], r[8], r[10]) for r in due if r[0] not in pending)
        with write(store.db()) as db:
            db.execute("UPDATE account SET balance_cents = ?", (int(cost * BALANCE_SHARE),))
        store.db().execute("PRAGMA wal_checkpoint(TRUNCATE)")


def timed_tick(path: Path) -> tuple[float, TickReport]:
    with Store(path, Clock.from_text(NOW)) as store:
        store.db()
        started = time.perf_counter()
        report = store.tick()
        return time.perf_counter() - started, report


# The baseline ---------------------------------------------------------------------------------
def add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    length = calendar.monthrange(year, month + 1)[1]
    last = day.day == calendar.monthrange(day.year, day.month)[1]
    return dt.date(year, month + 1, length if last else min(day.day, length))


class Raw:
    """The tick's writes as plain rows, gathered in the order the tick makes them."""

    def __init__(self, conn: sqlite3.Connection, now: str) -> None:
        self.conn, self.now, self.user = conn, now, getpass.getuser()
        self.stamp = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
        self.audit: list[tuple] = []

    def note(self, action: str, ids: list[str], amount: int | None, result: str,
             detail: str) -> None:
        self.audit.append((self.stamp, self.now, self.user, None, action, json.dumps(ids),
                           amount, result, detail))

    def expire_orders(self) -> None:
        ids = [r[0] for r in self.conn.execute(
            "SELECT id FROM orders WHERE status = 'pending_payment' AND expires_at <= ?",
            (self.now,))]
        self.conn.executemany("UPDATE orders SET status = 'expired', closed_at = ? WHERE id = ?",
                              [(self.now, oid) for oid in ids])
        for oid in ids:
            self.note("tick.order-expired", [], None, "ok", f"{oid}: unpaid for 7 days")

    def auto_renew(self) -> None:
        due = self.conn.execute(
            """SELECT r.id, r.expiry, r.auto_period_months, r.auto_times, r.monthly_price_cents,
                      r.yearly_price_cents, EXISTS (SELECT 1 FROM order_lines l JOIN orders o
                        ON o.id = l.order_id WHERE l.resource_id = r.id
                        AND o.status = 'pending_payment' AND o.expires_at > :now)
               FROM resources r WHERE r.tab = 'auto' AND r.expiry BETWEEN :day AND :last
                 AND (r.auto_times IS NULL OR r.auto_times > 0)
                 AND NOT EXISTS (SELECT 1 FROM auto_renew_attempts a WHERE a.resource_id = r.id
                                 AND a.expiry = r.expiry AND a.day = :day)
               ORDER BY r.expiry, r.id""",
            {"now": self.now, "day": f"{TODAY}",
             "last": f"{TODAY + dt.timedelta(DEDUCTION_DAYS)}"}).fetchall()
        balance = self.conn.execute("SELECT balance_cents FROM account").fetchone()[0]
        expires = (dt.datetime.fromisoformat(self.now) + dt.timedelta(days=UNPAID_DAYS)).isoformat(
            timespec="microseconds")
        orders, lines, payments, attempts, expiries, times_left, manual = ([] for _ in range(7))
        for rid, expiry, months, times, monthly, yearly, pending in due:
            cost = fee(monthly, yearly, months)
            if pending or balance < cost:
                attempts.append((rid, expiry, f"{TODAY}", self.now, None, "failed: refused"))
                self.note("tick.auto-renew", [rid], None, "failed: refused", "")
                continue
            balance -= cost
            oid = f"ORD{TODAY:%Y%m%d}-{secrets.token_hex(4).upper()}"
            new = add_months(dt.date.fromisoformat(expiry), months or 1).isoformat()
            orders.append((oid, cost, self.now, expires, self.now))
            lines.append((oid, rid, expiry, new, months or 1, 0, cost, 0))
            expiries.append((new, rid))
            payments.append((oid, f"auto:{rid}:{expiry}", cost, cost, balance, self.now))
            attempts.append((rid, expiry, f"{TODAY}", self.now, oid, "ok"))
            self.note("order.place", [rid], cost, "ok", f"{oid}: {months} months")
            self.note("order.pay", [rid], cost, "ok", f"{oid} by balance")
            self.note("tick.auto-renew", [rid], cost, "ok", f"{oid}: {months} months")
            if times is not None and times > 1:
                times_left.append((times - 1, rid))
            elif times is not None:
                manual.append((rid,))
        self.conn.executemany(
            "INSERT INTO orders (id, status, total_cents, currency, created_at, expires_at,"
            " closed_at, source) VALUES (?, 'paid', ?, 'CNY', ?, ?, ?, 'auto')", orders)
        self.conn.executemany("INSERT INTO order_lines VALUES (?, ?, ?, ?, ?, ?, ?, ?)", lines)
        self.conn.executemany("UPDATE resources SET expiry = ? WHERE id = ?", expiries)
        self.conn.executemany(
            "INSERT INTO payments (order_id, idempotency_key, method, total_cents,"
            " discount_cents, coupon_cents, charged_cents, balance_after_cents, created_at)"
            " VALUES (?, ?, 'balance', ?, 0, 0, ?, ?, ?)", payments)
        self.conn.execute("UPDATE account SET balance_cents = ?", (balance,))
        self.conn.executemany("INSERT INTO auto_renew_attempts VALUES (?, ?, ?, ?, ?, ?)",
                              attempts)
        self.conn.executemany("UPDATE resources SET auto_times = ? WHERE id = ?", times_left)
        self.conn.executemany("UPDATE resources SET tab = 'manual', auto_period_months = NULL,"
                              " auto_times = NULL WHERE id = ?", manual)

    def convert_and_delete(self) -> None:
        ppu = [r[0] for r in self.conn.execute(
            "SELECT id FROM resources WHERE tab = 'ppu' AND expiry < ?", (f"{TODAY}",))]
        self.conn.executemany(
            "UPDATE resources SET billing = 'pay-per-use', tab = NULL, auto_period_months = NULL,"
            " auto_times = NULL WHERE id = ?", [(rid,) for rid in ppu])
        self.note("tick.to-pay-per-use", ppu, None, "ok", f"{len(ppu)} converted at expiry")
        gone = [r[0] for r in self.conn.execute(
            "SELECT id FROM resources WHERE billing = 'yearly-monthly' AND expiry < ?"
            " AND status != 'deleted'", (f"{TODAY - dt.timedelta(RETENTION_DAYS)}",))]
        self.conn.executemany("UPDATE resources SET status = 'deleted' WHERE id = ?",
                              [(rid,) for rid in gone])
        self.note("tick.delete", gone, None, "ok", f"{len(gone)} deleted after retention")
        self.conn.executemany(
            "INSERT INTO audit (at, simulated_at, os_user, ssh_client, action, resource_ids,"
            " amount_cents, result, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", self.audit)


def raw_tick(path: Path) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")
    now = Clock.from_text(NOW).stamp()
    started = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    raw = Raw(conn, now)
    raw.expire_orders()
    raw.auto_renew()
    raw.convert_and_delete()
    conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def outcome(path: Path) -> dict[str, object]:
    """What a tick leaves that both must agree on (order ids and wording aside)."""
    conn = sqlite3.connect(path)
    queries = {
        "resources": "SELECT id, expiry, billing, tab, auto_period_months, auto_times, status"
                     " FROM resources ORDER BY id",
        "balance": "SELECT balance_cents FROM account",
        "orders": "SELECT status, source, COUNT(*), SUM(total_cents) FROM orders GROUP BY 1, 2",
        "order lines": "SELECT COUNT(*), SUM(base_fee_cents) FROM order_lines",
        "payments": "SELECT COUNT(*), SUM(charged_cents), MIN(balance_after_cents) FROM payments",
        "audit": "SELECT action, substr(result, 1, 6), COUNT(*), SUM(amount_cents),"
                 " SUM(json_array_length(resource_ids)) FROM audit GROUP BY 1, 2",
        "attempts": "SELECT substr(result, 1, 6), COUNT(*) FROM auto_renew_attempts GROUP BY 1",
    }
    found = {name: conn.execute(sql).fetchall() for name, sql in queries.items()}
    conn.close()
    return found


def measured(large: int, repeat: int) -> tuple[float, float, TickReport]:
    """Median seconds of tick and of the baseline, and what the tick did."""
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base.db"
        made(base, large)
        ours, raws = [], []
        for run in range(repeat):
            copy, raw_copy = Path(tmp) / f"tick-{run}.db", Path(tmp) / f"raw-{run}.db"
            shutil.copy(base, copy)
            shutil.copy(base, raw_copy)
            seconds, report = timed_tick(copy)
            ours.append(seconds)
            raws.append(raw_tick(raw_copy))
            if run == 0:
                mine, theirs = outcome(copy), outcome(raw_copy)
                differ = [name for name in mine if mine[name] != theirs[name]]
                if differ:
                    raise SystemExit(f"the baseline's writes differ from tick's: {differ}")
        return statistics.median(ours), statistics.median(raws), report


def figures(large: int, repeat: int) -> list[Figure]:
    now, raw, report = measured(large, repeat)
    step = (f"tick at {large:,}: {len(report.auto_renewed):,} auto-renewed, "
            f"{len(report.to_pay_per_use):,} to pay-per-use, {len(report.deleted):,} deleted")
    return [Figure(step, now, raw, "raw sqlite3, the same writes", GOAL)]


def main(large: int, repeat: int) -> None:
    now, raw, report = measured(large, repeat)
    print(f"tick at {large:,} resources: {len(report.auto_renewed):,} auto-renewed, "
          f"{len(report.auto_failed):,} failed, {len(report.to_pay_per_use):,} to "
          f"pay-per-use, {len(report.deleted):,} deleted, {len(report.expired_orders):,} "
          "orders expired")
    print(f"now {now * 1000:.0f} ms; raw sqlite3, the same writes: {raw * 1000:.0f} ms; "
          f"ratio {now / raw:.2f}, goal ≤ {GOAL:g} (medians of {repeat})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    main(arguments.large, arguments.repeat)
