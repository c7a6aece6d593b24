"""A plan as the database keeps it (migration 10): one `plans` row, its preview's lines in
`plan_lines` in the order they were shown. Reading and writing only; the rules are in
`store.team.plans`."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

import sqlite_utils

from store.clock import BILLING_OFFSET
from store.errors import NotFound
from store.models import Duration, Preview, PreviewLine, RenewalDay, Tab

STATUSES = ("awaiting_approval", "approved", "ready", "applied", "expired")


@dataclass(frozen=True)
class Plan:
    id: str
    created_at: str
    author: str
    duration: Duration
    align: RenewalDay | None
    currency: str
    total_cents: int
    line_count: int
    renewable_count: int
    needs_approval: bool
    """Its total is above the renewer's limit: it applies only once an approver approved it."""
    approved_by: str | None = None
    approved_at: str | None = None
    applied_by: str | None = None
    applied_at: str | None = None
    order_ids: tuple[str, ...] = ()
    quoted_at: str | None = None
    """When the billing system quoted its prices (a bound database); None: the local rules."""
    expired: bool = False
    """Older than the plans' age limit when it was read (and not applied)."""

    @property
    def status(self) -> str:
        if self.applied_at is not None:
            return "applied"
        if self.expired:
            return "expired"
        if self.approved_by is not None:
            return "approved"
        return "awaiting_approval" if self.needs_approval else "ready"


def when(stamp: str | None) -> str:
    """A stored UTC stamp to the second in billing time, as a person reads it."""
    if not stamp:
        return "-"
    return f"{dt.datetime.fromisoformat(stamp).astimezone(BILLING_OFFSET):%Y-%m-%d %H:%M:%S} UTC+8"


def new_plan_id(today: dt.date) -> str:
    return f"PLAN{today:%Y%m%d}-{secrets.token_hex(3).upper()}"


def insert(db: sqlite_utils.Database, plan_id: str, preview: Preview, author: str, now: str,
           needs_approval: bool) -> None:
    """The plan and every line of `preview`, as shown. Inside a write transaction."""
    align = None if preview.align is None else str(preview.align)
    db.execute(
        "INSERT INTO plans (id, created_at, author, duration_count, duration_unit, align,"
        " currency, total_cents, quoted_at, needs_approval) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (plan_id, now, author, preview.duration.count, preview.duration.unit, align,
         preview.currency, preview.total_cents, preview.quoted_at, int(needs_approval)))
    db.conn.executemany(
        "INSERT INTO plan_lines VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ((plan_id, position, ln.id, ln.name, ln.current_expiry.isoformat(),
          ln.new_expiry.isoformat() if ln.new_expiry else None, ln.months, ln.extra_days,
          ln.base_fee_cents, ln.extra_fee_cents, int(ln.renewable), ln.reason,
          ln.tab.value if ln.tab else None, ln.pending_order, int(ln.quoted))
         for position, ln in enumerate(preview.lines)))


PLAN_COLUMNS = ("p.id, p.created_at, p.author, p.duration_count, p.duration_unit, p.align,"
                " p.currency, p.total_cents, p.needs_approval, p.approved_by, p.approved_at,"
                " p.applied_by, p.applied_at, p.order_ids, p.quoted_at,"
                " (SELECT count(*) FROM plan_lines WHERE plan_id = p.id),"
                " (SELECT count(*) FROM plan_lines WHERE plan_id = p.id AND renewable)")


def _plan(row: tuple, expired_before: str) -> Plan:
    (plan_id, created_at, author, count, unit, align, currency, total, needs, approved_by,
     approved_at, applied_by, applied_at, order_ids, quoted_at, lines, renewable) = row
    return Plan(
        id=plan_id, created_at=created_at, author=author, duration=Duration(count, unit),
        align=None if align is None else ("last" if align == "last" else int(align)),
        currency=currency, total_cents=total, line_count=lines, renewable_count=renewable,
        needs_approval=bool(needs), approved_by=approved_by, approved_at=approved_at,
        applied_by=applied_by, applied_at=applied_at, order_ids=tuple(json.loads(order_ids)),
        quoted_at=quoted_at,
        expired=applied_at is None and created_at < expired_before)


def load(db: sqlite_utils.Database, plan_id: str, expired_before: str) -> Plan:
    row = db.execute(f"SELECT {PLAN_COLUMNS} FROM plans p WHERE p.id = ?",
                     (plan_id,)).fetchone()
    if row is None:
        raise NotFound(f"no plan {plan_id!r} (renewals plans lists them)")
    return _plan(row, expired_before)


def load_all(db: sqlite_utils.Database, expired_before: str) -> list[Plan]:
    """Newest first."""
    rows = db.execute(f"SELECT {PLAN_COLUMNS} FROM plans p ORDER BY p.created_at DESC, p.id")
    return [_plan(row, expired_before) for row in rows]


def lines(db: sqlite_utils.Database, plan_id: str) -> tuple[PreviewLine, ...]:
    rows = db.execute(
        "SELECT resource_id, name, current_expiry, new_expiry, months, extra_days,"
        " base_fee_cents, extra_fee_cents, renewable, reason, tab, pending_order, quoted"
        " FROM plan_lines WHERE plan_id = ? ORDER BY position", (plan_id,))
    return tuple(
        PreviewLine(id=rid, name=name, current_expiry=dt.date.fromisoformat(expiry),
                    new_expiry=dt.date.fromisoformat(new) if new else None, months=months,
                    extra_days=extra, base_fee_cents=base, extra_fee_cents=extra_fee,
                    renewable=bool(renewable), reason=reason, tab=Tab(tab) if tab else None,
                    pending_order=pending, quoted=bool(quoted))
        for (rid, name, expiry, new, months, extra, base, extra_fee, renewable, reason, tab,
             pending, quoted) in rows)


def saved_preview(db: sqlite_utils.Database, plan: Plan) -> Preview:
    """The preview the plan was made from, line for line (its prices as they were then)."""
    return Preview(lines(db, plan.id), plan.duration, plan.align, plan.currency,
                   quoted_at=plan.quoted_at)


def approve(db: sqlite_utils.Database, plan_id: str, approver: str, now: str) -> None:
    db.execute("UPDATE plans SET approved_by = ?, approved_at = ? WHERE id = ?",
               (approver, now, plan_id))


def applied(db: sqlite_utils.Database, plan_id: str, by: str, now: str,
            order_ids: Sequence[str]) -> None:
    db.execute("UPDATE plans SET applied_by = ?, applied_at = ?, order_ids = ? WHERE id = ?",
               (by, now, json.dumps(list(order_ids)), plan_id))


def paid_under(db: sqlite_utils.Database, key: str) -> list[str]:
    """The orders paid with this idempotency key or one of its numbered parts (`KEY.2`)."""
    rows = db.execute("SELECT order_id FROM payments WHERE idempotency_key = ? OR"
                      " idempotency_key GLOB ? ORDER BY rowid", (key, f"{key}.[0-9]*"))
    return [str(row[0]) for row in rows]


def approved_plan_of(db: sqlite_utils.Database, order_id: str) -> str | None:
    """The approved plan that placed this order, if one did."""
    row = db.execute(
        "SELECT id FROM plans WHERE approved_by IS NOT NULL AND EXISTS"
        " (SELECT 1 FROM json_each(order_ids) WHERE value = ?)", (order_id,)).fetchone()
    return None if row is None else str(row[0])
