"""Due events, processed up to "now" by one idempotent pass (RULES.md §7, §8).

Unpaid orders expire, auto-renewals are charged on their deduction day from 03:00 UTC+08:00
(retried daily until expiry), Pay-per-Use-tab resources convert at expiry, and resources past
retention are deleted. Running it twice does each thing once: every step selects only what is
still due, and auto-renew attempts are keyed by (resource, expiry, day).

Each step reads what is due once and writes it in a few statements. Auto-renewals are worked
out first, in a pure pass (`plan_auto_renewals`): each is the order `orders.place` would place
and the balance payment `payments.pay` would make, in turn, so one the remaining balance cannot
cover fails, is recorded, and a cheaper one after it may still be paid.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlite_utils

from store import audit, queries, rules
from store.charges import charge_for
from store.ledger import orders, payments
from store.models import Charge, Duration, Method, Preview, Resource, TickReport
from store.preview import build_preview

if TYPE_CHECKING:
    import arrow

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
    planned = _auto_renew(db, attempt_day(moment), today, now)
    renewed = [p for p in planned if p.failure is None]
    return TickReport(
        expired_orders=expired,
        auto_renewed=tuple((p.resource.id, p.order_id) for p in renewed),
        auto_failed=tuple((p.resource.id, p.failure) for p in planned if p.failure is not None),
        charged_cents=sum(p.charge.due_cents for p in renewed),
        to_pay_per_use=_convert_to_pay_per_use(db, today),
        deleted=_delete_past_retention(db, today),
    )


def _expire_unpaid_orders(db: sqlite_utils.Database, now: str) -> tuple[str, ...]:
    ids = tuple(row[0] for row in db.execute(
        "SELECT id FROM orders WHERE status = 'pending_payment' AND expires_at <= ?", (now,)))
    db.conn.executemany("UPDATE orders SET status = 'expired', closed_at = ? WHERE id = ?",
                        [(now, order_id) for order_id in ids])
    audit.record_many(db, (audit.Entry("tick.order-expired", detail=f"{order_id}: unpaid for "
                                       f"{rules.UNPAID_ORDER_DAYS} days") for order_id in ids))
    return ids


def period(months: int | None) -> Duration:
    months = months or 1
    return Duration(months // 12, "year") if months >= 12 else Duration(months)


def payment_key(resource: Resource) -> str:
    """One auto-renewal payment per resource and expiry, however often tick runs."""
    return f"auto:{resource.id}:{resource.expiry.isoformat()}"


@dataclass(frozen=True)
class AutoRenewal:
    """A due auto-renewal worked out before anything is written: renewed by `order_id` for
    `charge`, leaving `balance_after_cents`, or not renewed because of `failure`."""

    resource: Resource
    shown: Preview
    key: str                # of its payment (`payment_key`)
    charge: Charge
    balance_after_cents: int
    failure: str | None = None
    order_id: str = ""

    @property
    def length(self) -> Duration:
        return self.shown.duration

    def payment(self) -> payments.BalancePayment:
        return payments.BalancePayment(
            self.order_id, self.key,
            tuple((ln.id, ln.new_expiry) for ln in self.shown.renewable if ln.new_expiry),
            self.charge, self.balance_after_cents)

    def attempt_row(self, day: dt.date, now: str) -> tuple:
        """Its row of auto_renew_attempts."""
        return (self.resource.id, self.resource.expiry.isoformat(), day.isoformat(), now,
                self.order_id or None, "ok" if self.failure is None else f"failed: {self.failure}")

    def audit_entries(self) -> list[audit.Entry]:
        """The order placed and paid, then the auto-renewal; or the failed auto-renewal."""
        rid = self.resource.id
        if self.failure is not None:
            return [audit.Entry("tick.auto-renew", f"failed: {self.failure}", [rid])]
        return [orders.placed_entry(self.order_id, self.shown),
                payments.paid_entry(self.order_id, [rid], self.charge.due_cents, Method.BALANCE),
                audit.Entry("tick.auto-renew", resource_ids=[rid],
                            amount_cents=self.charge.total_cents,
                            detail=f"{self.order_id}: {self.length}")]


def renewal_failure(shown: Preview, key_used: bool, balance_cents: int, currency: str,
                    charge: Charge) -> str | None:
    """Why placing this renewal's order and paying it from the balance would be refused: the
    checks of `orders.insert`, then of `payments.pay`, in their order."""
    placing = orders.order_refusal(shown)
    if placing is not None:
        return placing
    if key_used:
        return payments.KEY_USED_ELSEWHERE
    paying = payments.balance_refusal(balance_cents, currency, charge.due_cents, shown.currency)
    return None if paying is None else str(paying)


def plan_auto_renewals(due: Sequence[Resource], balance_cents: int, currency: str,
                       used_keys: Collection[str], today: dt.date) -> list[AutoRenewal]:
    """Each due auto-renewal in turn, as placing and paying its order would go: each success
    takes its charge from the balance the next one sees. Pure."""
    planned = []
    order_ids = iter(orders.new_order_ids(today, len(due)))
    for resource in due:
        shown = build_preview([resource.id], {resource.id: resource},
                              period(resource.auto_period_months), None, today)
        key, charge = payment_key(resource), charge_for(shown.total_cents, ())
        failure = renewal_failure(shown, key in used_keys, balance_cents, currency, charge)
        if failure is not None:
            planned.append(AutoRenewal(resource, shown, key, charge, balance_cents, failure))
            continue
        balance_cents -= charge.due_cents
        planned.append(AutoRenewal(resource, shown, key, charge, balance_cents,
                                   order_id=next(order_ids)))
    return planned


def _due_auto_renewals(db: sqlite_utils.Database, day: dt.date, now: str) -> list[Resource]:
    """Auto-tab resources whose deduction day has come, not yet tried today, not yet expired."""
    deduction = db.execute("SELECT deduction_days FROM account").fetchone()[0]
    pending = _pending_orders(db, now)
    return [queries.resource_from_row((*row, pending.get(row[0]))) for row in db.execute(
        f"""SELECT {queries.RESOURCE_COLUMNS} FROM resources r
           WHERE r.tab = 'auto' AND r.expiry BETWEEN :day AND :last
             AND (r.auto_times IS NULL OR r.auto_times > 0)
             AND NOT EXISTS (SELECT 1 FROM auto_renew_attempts a WHERE a.resource_id = r.id
                             AND a.expiry = r.expiry AND a.day = :day)
           ORDER BY r.expiry, r.id""",
        {"day": day.isoformat(), "last": (day + dt.timedelta(days=deduction)).isoformat()})]


def _pending_orders(db: sqlite_utils.Database, now: str) -> dict[str, str]:
    """Each resource with an order pending payment, and that order (a local one first, as
    `queries.PENDING_ORDER` picks it): one pass over the pending orders, not one per resource."""
    found: dict[str, str] = {}
    local = db.execute(f"SELECT ol.resource_id, o.id {queries.PENDING_HERE}"
                       " ORDER BY o.created_at, o.id", {"now": now}).fetchall()
    for rid, order_id in local + db.execute(
            f"SELECT cr.resource_id, c.id {queries.PENDING_THERE} ORDER BY c.id").fetchall():
        found.setdefault(rid, order_id)
    return found


def _used_keys(db: sqlite_utils.Database, due: Sequence[Resource]) -> set[str]:
    """The payment keys of `due` that an earlier payment already used."""
    keys = [payment_key(resource) for resource in due]
    return {row[0] for row in db.execute(
        "SELECT idempotency_key FROM payments WHERE idempotency_key IN"
        " (SELECT value FROM json_each(?))", (json.dumps(keys),))}


def _auto_renew(
    db: sqlite_utils.Database, day: dt.date, today: dt.date, now: str
) -> list[AutoRenewal]:
    """The auto-renewals due, each paid or failed, as written."""
    due = _due_auto_renewals(db, day, now)
    balance, currency = db.execute("SELECT balance_cents, currency FROM account").fetchone()
    planned = plan_auto_renewals(due, balance, currency, _used_keys(db, due), today)
    _write_auto_renewals(db, planned, day, now)
    return planned


def _write_auto_renewals(db: sqlite_utils.Database, planned: Sequence[AutoRenewal],
                         day: dt.date, now: str) -> None:
    """The orders placed and paid, every attempt and its audit entries, the times used."""
    renewed = [p for p in planned if p.failure is None]
    orders.insert_many(db, [(p.order_id, p.shown) for p in renewed], now, "auto", paid=True)
    payments.record_balance_payments(db, [p.payment() for p in renewed], now)
    db.conn.executemany("INSERT INTO auto_renew_attempts VALUES (?, ?, ?, ?, ?, ?)",
                        [p.attempt_row(day, now) for p in planned])
    audit.record_many(db, (entry for p in planned for entry in p.audit_entries()))
    _use_one_time(db, [p.resource for p in renewed])


def _use_one_time(db: sqlite_utils.Database, renewed: Sequence[Resource]) -> None:
    """Each success consumes one time; after the last one the resource returns to Manual."""
    left = [(r.auto_times - 1, r.id) for r in renewed if r.auto_times is not None
            and r.auto_times > 1]
    last = [(r.id,) for r in renewed if r.auto_times is not None and r.auto_times <= 1]
    db.conn.executemany("UPDATE resources SET auto_times = ? WHERE id = ?", left)
    db.conn.executemany("UPDATE resources SET tab = 'manual', auto_period_months = NULL,"
                        " auto_times = NULL WHERE id = ?", last)


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
