"""Orders: one combined order per renewal, placed pending payment, paid or cancelled whole."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections import defaultdict
from collections.abc import Sequence

import sqlite_utils

from store import audit, queries, rules
from store.errors import NotFound, Refused, StalePreview
from store.models import Duration, Order, OrderLine, OrderStatus, Preview, RenewalDay
from store.money import MAX_CENTS, format_cents
from store.preview import build_preview, changes_since

ORDER_COLUMNS = """o.id, o.status, o.total_cents, o.currency, o.created_at, o.expires_at,
    o.closed_at, p.charged_cents, p.method, o.source"""


def new_order_id(today: dt.date) -> str:
    return f"ORD{today:%Y%m%d}-{secrets.token_hex(4).upper()}"


def new_order_ids(today: dt.date, count: int) -> list[str]:
    """`count` ids as `new_order_id` makes them, from one draw of randomness."""
    prefix, digits = f"ORD{today:%Y%m%d}-", secrets.token_hex(4 * count).upper()
    return [prefix + digits[8 * n:8 * n + 8] for n in range(count)]


def preview(
    db: sqlite_utils.Database, ids: list[str], length: Duration, align: RenewalDay | None,
    today: dt.date, now: str,
) -> Preview:
    unique = list(dict.fromkeys(ids))
    return build_preview(unique, queries.resources_by_id(db, unique, now), length, align, today)


def place(
    db: sqlite_utils.Database, ids: list[str], length: Duration, align: RenewalDay | None,
    today: dt.date, now: str, seen: Preview | None = None, source: str = "manual",
    ahead: Preview | None = None,
) -> Order:
    """Place one order for the renewable ones among `ids`. Call inside a write transaction.

    `seen`: the preview the user confirmed. If any of its resources has changed since (expiry,
    price, tab, pending order), the order is refused whole with StalePreview naming them.
    `ahead`: `preview` of the same request worked out before this transaction, when nothing
    has been committed since (so it still holds, and is not worked out again)."""
    shown = ahead or preview(db, ids, length, align, today, now)
    if seen is not None:
        if sorted(line.id for line in seen.lines) != sorted(line.id for line in shown.lines):
            raise StalePreview(["the resources asked for are not the ones previewed"])
        changed = changes_since(seen, shown)
        if changed or (seen.duration, seen.align, seen.currency) != (length, align,
                                                                      shown.currency):
            raise StalePreview(changed or ["the duration, renewal day or currency differs"])
    return insert(db, shown, today, now, source)


def order_refusal(shown: Preview) -> str | None:
    """Why the renewable lines of `shown` cannot be one order, or None when they can."""
    lines = shown.renewable
    if not lines:
        reasons = "; ".join(f"{line.id}: {line.reason}" for line in shown.lines[:3])
        return f"nothing to renew ({reasons})"
    if len(lines) > rules.MAX_ORDER_LINES:
        return (f"one order renews at most {rules.MAX_ORDER_LINES:,} resources, "
                f"not {len(lines):,}")
    if shown.total_cents > MAX_CENTS:
        return (f"an order total of {format_cents(shown.total_cents, shown.currency)} is "
                f"above the limit of {format_cents(MAX_CENTS, shown.currency)} for one "
                "amount: renew fewer resources at once")
    return None


def insert(db: sqlite_utils.Database, shown: Preview, today: dt.date, now: str,
           source: str = "manual") -> Order:
    """A pending order of the renewable lines of `shown`, as they are. Call inside a write."""
    reason = order_refusal(shown)
    if reason is not None:
        raise Refused(reason)
    order_id = new_order_id(today)
    insert_many(db, [(order_id, shown)], now, source)
    audit.record_many(db, [placed_entry(order_id, shown)])
    # As `load` would read it back (10,000 lines need not make the round trip).
    return Order(id=order_id, status=OrderStatus.PENDING, total_cents=shown.total_cents,
                 currency=shown.currency, created_at=now, expires_at=unpaid_until(now),
                 lines=tuple(OrderLine(ln.id, ln.current_expiry, ln.new_expiry, ln.months,
                                       ln.extra_days, ln.base_fee_cents, ln.extra_fee_cents)
                             for ln in shown.renewable if ln.new_expiry is not None),
                 source=source)


def unpaid_until(now: str) -> str:
    """When an order placed at `now` (a UTC stamp) lapses unpaid."""
    lapses = dt.datetime.fromisoformat(now) + dt.timedelta(days=rules.UNPAID_ORDER_DAYS)
    return lapses.isoformat(timespec="microseconds")


def insert_many(db: sqlite_utils.Database, placed: Sequence[tuple[str, Preview]], now: str,
                source: str = "manual", paid: bool = False) -> None:
    """Orders pending payment, each under its id holding the renewable lines of its preview
    (each one checked with `order_refusal` first), in two statements. `paid`: they are paid at
    once, in this same write (`payments.record_balance_payments`), so they go in paid at `now`.
    The caller records their audit entries (`placed_entry`). Call inside a write transaction."""
    expires = unpaid_until(now)
    status, closed = ("paid", now) if paid else ("pending_payment", None)
    db.conn.executemany(
        "INSERT INTO orders (id, status, total_cents, currency, created_at, expires_at, closed_at,"
        " source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(order_id, status, shown.total_cents, shown.currency, now, expires, closed, source)
         for order_id, shown in placed],
    )
    db.conn.executemany(
        "INSERT INTO order_lines VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(order_id, ln.id, ln.current_expiry.isoformat(), ln.new_expiry.isoformat()
          if ln.new_expiry else None, ln.months, ln.extra_days, ln.base_fee_cents,
          ln.extra_fee_cents) for order_id, shown in placed for ln in shown.renewable],
    )


def placed_entry(order_id: str, shown: Preview) -> audit.Entry:
    """What the audit trail says of an order placed for `shown`."""
    return audit.Entry("order.place", resource_ids=[ln.id for ln in shown.renewable],
                       amount_cents=shown.total_cents, detail=f"{order_id}: {shown.duration}"
                       + (f", aligned to {shown.align}" if shown.align is not None else ""))


def cancel(db: sqlite_utils.Database, order_id: str, now: str) -> Order:
    """Cancel a pending order. Call inside a write transaction."""
    order = load(db, order_id)
    if order.status is not OrderStatus.PENDING:
        raise Refused(f"order {order_id} is {order.status.value}, not pending payment")
    db.execute("UPDATE orders SET status = 'cancelled', closed_at = ? WHERE id = ?",
               (now, order_id))
    audit.record(db, "order.cancel", resource_ids=[ln.resource_id for ln in order.lines],
                 amount_cents=order.total_cents, detail=order_id)
    return load(db, order_id)


def _lines_by_order(db: sqlite_utils.Database, order_ids: list[str]) -> dict[str, list[OrderLine]]:
    lines: dict[str, list[OrderLine]] = defaultdict(list)
    cursor = db.execute(
        "SELECT order_id, resource_id, old_expiry, new_expiry, months, extra_days,"
        " base_fee_cents, extra_fee_cents FROM order_lines"
        " WHERE order_id IN (SELECT value FROM json_each(?)) ORDER BY rowid",
        (json.dumps(order_ids),),
    )
    for oid, rid, old, new, months, extra, base, extra_fee in cursor.fetchall():
        lines[oid].append(OrderLine(rid, dt.date.fromisoformat(old), dt.date.fromisoformat(new),
                                    months, extra, base, extra_fee))
    return lines


def _orders(db: sqlite_utils.Database, where: str, params: tuple) -> list[Order]:
    rows = db.execute(
        f"SELECT {ORDER_COLUMNS} FROM orders o LEFT JOIN payments p ON p.order_id = o.id"
        f" WHERE {where} ORDER BY o.created_at DESC, o.id", params).fetchall()
    lines = _lines_by_order(db, [row[0] for row in rows])
    backed = _cloud_orders_by_order(db, [row[0] for row in rows if row[-1] == "cloud"])
    return [
        Order(id=oid, status=OrderStatus(status), total_cents=total, currency=currency,
              created_at=created, expires_at=expires, lines=tuple(lines[oid]),
              paid_at=closed if status == "paid" else None, paid_cents=charged, method=method,
              source=source, cloud_order_ids=tuple(backed[oid]))
        for oid, status, total, currency, created, expires, closed, charged, method, source
        in rows
    ]


def _cloud_orders_by_order(db: sqlite_utils.Database,
                           order_ids: list[str]) -> dict[str, list[str]]:
    """The billing system's orders behind combined orders placed on a bound database."""
    found: dict[str, list[str]] = defaultdict(list)
    if order_ids:
        for oid, cloud_id in db.execute(
                "SELECT order_id, cloud_order_id FROM order_cloud_orders WHERE order_id IN"
                " (SELECT value FROM json_each(?)) ORDER BY rowid", (json.dumps(order_ids),)):
            found[oid].append(cloud_id)
    return found


def load(db: sqlite_utils.Database, order_id: str) -> Order:
    found = _orders(db, "o.id = ?", (order_id,))
    if not found:
        raise NotFound(f"no such order: {order_id}")
    return found[0]


def list_orders(db: sqlite_utils.Database, status: OrderStatus | None = None) -> list[Order]:
    if status is None:
        return _orders(db, "1", ())
    return _orders(db, "o.status = ?", (status.value,))
