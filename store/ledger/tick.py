"""Due events, processed up to "now" by one idempotent pass (RULES.md §7, §8).

Unpaid orders expire, auto-renewals are charged on their deduction day from 03:00 UTC+08:00
(retried daily until expiry), Pay-per-Use-tab resources convert at expiry, and resources past
retention are deleted. Running it twice does each thing once: every step selects only what is
still due, and auto-renew attempts are keyed by (resource, expiry, day).
"""

from __future__ import annotations

import datetime as dt

import arrow
import sqlite_utils

from store import audit, rules
from store.db import write
from store.errors import Refused
from store.ledger import orders, payments
from store.models import Duration, Method, TickReport

CHARGE_HOUR = 3


def attempt_day(moment: arrow.Arrow) -> dt.date:
    """The billing day of the latest 03:00 UTC+08:00 at or before `moment`."""
    local = moment.to("+08:00")
    day = local.date()
    return day if local.hour >= CHARGE_HOUR else day - dt.timedelta(days=1)


def run(db: sqlite_utils.Database, moment: arrow.Arrow) -> TickReport:
    """Process every due event up to `moment`. Call inside one write transaction."""
    today, now = moment.to("+08:00").date(), moment.to("UTC").isoformat(timespec="microseconds")
    expired = _expire_unpaid_orders(db, now)
    renewed, failed = _auto_renew(db, attempt_day(moment), today, now)
    return TickReport(
        expired_orders=expired, auto_renewed=renewed, auto_failed=failed,
        to_pay_per_use=_convert_to_pay_per_use(db, today),
        deleted=_delete_past_retention(db, today),
    )


def _expire_unpaid_orders(db: sqlite_utils.Database, now: str) -> tuple[str, ...]:
    ids = tuple(row[0] for row in db.execute(
        "SELECT id FROM orders WHERE status = 'pending_payment' AND expires_at <= ?", (now,)))
    for order_id in ids:
        db.execute("UPDATE orders SET status = 'expired', closed_at = ? WHERE id = ?",
                   (now, order_id))
        audit.record(db, "tick.order-expired", detail=f"{order_id}: unpaid for "
                     f"{rules.UNPAID_ORDER_DAYS} days")
    return ids


def _due_auto_renewals(db: sqlite_utils.Database, day: dt.date) -> list[tuple]:
    """Auto-tab resources whose deduction day has come, not yet tried today, not yet expired."""
    deduction = db.execute("SELECT deduction_days FROM account").fetchone()[0]
    return db.execute(
        """SELECT r.id, r.expiry, r.auto_period_months, r.auto_times FROM resources r
           WHERE r.tab = 'auto' AND r.expiry BETWEEN :day AND :last
             AND (r.auto_times IS NULL OR r.auto_times > 0)
             AND NOT EXISTS (SELECT 1 FROM auto_renew_attempts a WHERE a.resource_id = r.id
                             AND a.expiry = r.expiry AND a.day = :day)
           ORDER BY r.expiry, r.id""",
        {"day": day.isoformat(),
         "last": (day + dt.timedelta(days=deduction)).isoformat()}).fetchall()


def period(months: int | None) -> Duration:
    months = months or 1
    return Duration(months // 12, "year") if months >= 12 else Duration(months)


def _auto_renew(
    db: sqlite_utils.Database, day: dt.date, today: dt.date, now: str
) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    renewed, failed = [], []
    for rid, expiry, months, times in _due_auto_renewals(db, day):
        key = f"auto:{rid}:{expiry}"
        try:
            with write(db):
                order = orders.place(db, [rid], period(months), None, today, now, source="auto")
                payments.pay(db, order.id, Method.BALANCE, key, today, now)
        except Refused as exc:
            failed.append((rid, str(exc)))
            _record_attempt(db, rid, expiry, day, now, None, f"failed: {exc}")
            audit.record(db, "tick.auto-renew", f"failed: {exc}", resource_ids=[rid])
            continue
        renewed.append((rid, order.id))
        _record_attempt(db, rid, expiry, day, now, order.id, "ok")
        audit.record(db, "tick.auto-renew", resource_ids=[rid],
                     amount_cents=order.total_cents, detail=f"{order.id}: {period(months)}")
        _use_one_time(db, rid, times)
    return tuple(renewed), tuple(failed)


def _record_attempt(db: sqlite_utils.Database, rid: str, expiry: str, day: dt.date, now: str,
                    order_id: str | None, result: str) -> None:
    db.execute("INSERT INTO auto_renew_attempts VALUES (?, ?, ?, ?, ?, ?)",
               (rid, expiry, day.isoformat(), now, order_id, result))


def _use_one_time(db: sqlite_utils.Database, rid: str, times: int | None) -> None:
    """Each success consumes one time; after the last one the resource returns to Manual."""
    if times is None:
        return
    if times > 1:
        db.execute("UPDATE resources SET auto_times = ? WHERE id = ?", (times - 1, rid))
    else:
        db.execute("UPDATE resources SET tab = 'manual', auto_period_months = NULL,"
                   " auto_times = NULL WHERE id = ?", (rid,))


def _convert_to_pay_per_use(db: sqlite_utils.Database, today: dt.date) -> tuple[str, ...]:
    ids = tuple(row[0] for row in db.execute(
        "SELECT id FROM resources WHERE tab = 'ppu' AND expiry < ?", (today.isoformat(),)))
    if ids:
        db.conn.executemany(
            "UPDATE resources SET billing = 'pay-per-use', tab = NULL, auto_period_months = NULL,"
            " auto_times = NULL WHERE id = ?", [(rid,) for rid in ids])
        audit.record(db, "tick.to-pay-per-use", resource_ids=ids,
                     detail=f"{len(ids)} converted at expiry")
    return ids


def _delete_past_retention(db: sqlite_utils.Database, today: dt.date) -> tuple[str, ...]:
    last_kept = (today - dt.timedelta(days=rules.RETENTION_DAYS)).isoformat()
    ids = tuple(row[0] for row in db.execute(
        "SELECT id FROM resources WHERE billing = 'yearly-monthly' AND expiry < ?"
        " AND status != 'deleted'", (last_kept,)))
    if ids:
        db.conn.executemany("UPDATE resources SET status = 'deleted' WHERE id = ?",
                            [(rid,) for rid in ids])
        audit.record(db, "tick.delete", resource_ids=ids,
                     detail=f"{len(ids)} deleted after retention")
    return ids
