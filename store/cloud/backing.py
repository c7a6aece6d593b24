"""A combined order placed from this console on a bound database, and the billing system's
orders behind it (`order_cloud_orders`): which resources each covers, its amount and status.

The combined order is what the user sees (its lines as quoted); the billing system's orders are
what is paid. It is paid when every one of them is, cancelled when none is left to pay, and
pending otherwise: a line no order covers yet is renewed again when the order is paid.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlite_utils

from store.clock import Clock
from store.cloud.mapping import OrderFigures

PENDING, PAID, CANCELLED = 6, 5, 4  # the billing API's order status
SOURCE = "cloud"  # orders.source of a combined order backed by the billing system


@dataclass(frozen=True)
class Backing:
    cloud_order_id: str
    resource_ids: tuple[str, ...]
    amount_cents: int | None
    status: int
    paid_cents: int | None = None
    coupon_cents: int | None = None
    discount_cents: int | None = None


def attach(db: sqlite_utils.Database, order_id: str, cloud_order_id: str,
           resource_ids: list[str], amount_cents: int | None, status: int = PENDING) -> None:
    db.execute(
        "INSERT INTO order_cloud_orders (order_id, cloud_order_id, resource_ids, amount_cents,"
        " status) VALUES (?, ?, ?, ?, ?) ON CONFLICT (order_id, cloud_order_id) DO UPDATE SET"
        " resource_ids = excluded.resource_ids",
        (order_id, cloud_order_id, json.dumps(resource_ids), amount_cents, status))


def backings(db: sqlite_utils.Database, order_id: str) -> list[Backing]:
    return [Backing(cid, tuple(json.loads(ids)), amount, status, paid, coupon, discount)
            for cid, ids, amount, status, paid, coupon, discount in db.execute(
                "SELECT cloud_order_id, resource_ids, amount_cents, status, paid_cents,"
                " coupon_cents, discount_cents FROM order_cloud_orders WHERE order_id = ?"
                " ORDER BY rowid", (order_id,)).fetchall()]


def local_order_of(db: sqlite_utils.Database, cloud_order_id: str) -> str | None:
    row = db.execute("SELECT order_id FROM order_cloud_orders WHERE cloud_order_id = ?",
                     (cloud_order_id,)).fetchone()
    return row[0] if row else None


def line_ids(db: sqlite_utils.Database, order_id: str) -> list[str]:
    return [rid for (rid,) in db.execute(
        "SELECT resource_id FROM order_lines WHERE order_id = ? ORDER BY rowid", (order_id,))]


def coverage(db: sqlite_utils.Database, order_id: str) -> dict[str, int]:
    """Each line's resource → the status of the billing order covering it: paid before
    pending before any other (in review, processing, ...) before cancelled; lines no billing
    order was made for are left out."""
    def rank(status: int) -> int:
        return {PAID: 0, PENDING: 1, CANCELLED: 3}.get(status, 2)

    found: dict[str, int] = {}
    for backing in backings(db, order_id):
        for rid in backing.resource_ids:
            if rid not in found or rank(backing.status) < rank(found[rid]):
                found[rid] = backing.status
    return found


def unbacked(db: sqlite_utils.Database, order_id: str) -> list[str]:
    """The order's lines no billing order was made for (a renewal call that did not act):
    to renew when it is paid. A line with a billing order in any state is never renewed
    again from here: one cancelled on the account leaves the order when the rest is paid."""
    covered = coverage(db, order_id)
    return [rid for rid in line_ids(db, order_id) if rid not in covered]


def set_status(db: sqlite_utils.Database, cloud_order_id: str, status: int, *,
               amount_cents: int | None = None, paid_cents: int | None = None,
               coupon_cents: int | None = None, discount_cents: int | None = None) -> None:
    db.execute(
        "UPDATE order_cloud_orders SET status = ?, amount_cents = COALESCE(?, amount_cents),"
        " paid_cents = COALESCE(?, paid_cents), coupon_cents = COALESCE(?, coupon_cents),"
        " discount_cents = COALESCE(?, discount_cents) WHERE cloud_order_id = ?",
        (status, amount_cents, paid_cents, coupon_cents, discount_cents, cloud_order_id))
    if status != PENDING:  # no longer pending on the account's mirror either
        db.execute("DELETE FROM cloud_orders WHERE id = ?", (cloud_order_id,))


def record(db: sqlite_utils.Database, cloud_order_id: str, figures: OrderFigures) -> None:
    """A billing order as the system lists it now: its status, amount, coupons, discount."""
    set_status(db, cloud_order_id, figures.status, amount_cents=figures.amount_cents,
               paid_cents=figures.cash_cents if figures.status == PAID else None,
               coupon_cents=figures.coupon_cents, discount_cents=figures.discount_cents)


def record_and_settle(db: sqlite_utils.Database, cloud_order_id: str,
                      figures: OrderFigures) -> None:
    """`record`, then the combined order it backs (if any) follows it."""
    record(db, cloud_order_id, figures)
    local = local_order_of(db, cloud_order_id)
    if local:
        settle(db, local)


def drop_lines(db: sqlite_utils.Database, order_id: str, resource_ids: list[str]) -> None:
    """Lines the billing system refused to renew leave the order; its total follows."""
    db.conn.executemany("DELETE FROM order_lines WHERE order_id = ? AND resource_id = ?",
                        [(order_id, rid) for rid in resource_ids])
    recount_total(db, order_id)


def recount_total(db: sqlite_utils.Database, order_id: str) -> None:
    """The total is what the billing system's live orders ask, plus the quotes of lines that
    no order covers yet."""
    live = [b for b in backings(db, order_id) if b.status != CANCELLED]
    covered = {rid for backing in live for rid in backing.resource_ids}
    quoted = db.execute(
        "SELECT resource_id, base_fee_cents + extra_fee_cents FROM order_lines"
        " WHERE order_id = ?", (order_id,)).fetchall()
    total = sum(b.amount_cents if b.amount_cents is not None else sum(
        fee for rid, fee in quoted if rid in b.resource_ids) for b in live)
    total += sum(fee for rid, fee in quoted if rid not in covered)
    db.execute("UPDATE orders SET total_cents = ? WHERE id = ?", (total, order_id))


def settle(db: sqlite_utils.Database, order_id: str) -> str:
    """The combined order's status from its billing orders: paid when its lines are paid but
    for ones whose billing order was cancelled (those leave it); cancelled when every line's
    billing order was cancelled (or the system let it lapse); pending otherwise."""
    lines, covered = line_ids(db, order_id), coverage(db, order_id)
    cancelled = [rid for rid in lines if covered.get(rid) == CANCELLED]
    if any(covered.get(rid) == PAID for rid in lines) and all(
            covered.get(rid) in (PAID, CANCELLED) for rid in lines):
        drop_lines(db, order_id, cancelled)  # paid for the rest: those were not renewed
        status = "paid"
    elif len(cancelled) == len(lines):
        status = "cancelled"
    else:
        return "pending_payment"
    db.execute("UPDATE orders SET status = ?, closed_at = COALESCE(closed_at, ?) WHERE id = ?"
               " AND status = 'pending_payment'", (status, Clock.wall_stamp(), order_id))
    return status
