"""Orders: one combined order per renewal, placed pending payment, paid or cancelled whole."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

import sqlite_utils

from store import audit, queries, rules
from store.db import data_version, read_mark, unmoved
from store.errors import NotFound, Refused, StalePreview
from store.models import Duration, Order, OrderLine, OrderStatus, Preview, RenewalDay
from store.money import MAX_CENTS, format_cents
from store.preview import build_preview, changes_since

ORDER_COLUMNS = """o.id, o.status, o.total_cents, o.currency, o.created_at, o.expires_at,
    o.closed_at, p.charged_cents, p.method, o.source"""
INSERT_ORDER = ("INSERT INTO orders (id, status, total_cents, currency, created_at, expires_at,"
                " closed_at, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
INSERT_LINE = "INSERT INTO order_lines VALUES (?, ?, ?, ?, ?, ?, ?, ?)"


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


def marked_preview(
    db: sqlite_utils.Database, ids: list[str], length: Duration, align: RenewalDay | None,
    today: dt.date, now: str,
) -> Preview:
    """`preview`, marked with where the connection stood (read outside any transaction), so
    that `still_holds` can tell later that it need not be worked out again."""
    before = data_version(db)
    found = preview(db, ids, length, align, today, now)
    return replace(found, read=read_mark(db, before, today, now))


def still_holds(
    db: sqlite_utils.Database, shown: Preview, ids: Sequence[str], length: Duration,
    align: RenewalDay | None, today: dt.date, now: str,
) -> bool:
    """`shown` is what `preview` of this request would work out on `db` now: it is of these
    ids, duration and renewal day, on this day, nothing was committed since it was read, and
    no pending order has lapsed since (which would free its resources)."""
    mark = shown.read
    if mark is None or mark.today != today or not unmoved(mark, db):
        return False
    if (shown.duration, shown.align) != (length, align) or \
            [line.id for line in shown.lines] != list(dict.fromkeys(ids)):
        return False
    lapsed = db.execute(
        "SELECT EXISTS (SELECT 1 FROM orders WHERE status = 'pending_payment'"
        " AND expires_at > ? AND expires_at <= ?)", (mark.now, now)).fetchone()[0]
    return not lapsed


def place(
    db: sqlite_utils.Database, ids: list[str], length: Duration, align: RenewalDay | None,
    today: dt.date, now: str, seen: Preview | None = None, source: str = "manual",
    ahead: Draft | None = None,
) -> Order:
    """Place one order for the renewable ones among `ids`. Call inside a write transaction.

    `seen`: the preview the user confirmed. If any of its resources has changed since (expiry,
    price, tab, pending order), the order is refused whole with StalePreview naming them.
    `ahead`: the order drafted before this transaction from a preview of the same request that
    still holds (`still_holds`; `seen` itself, when that does), so not worked out again."""
    drafted = ahead or draft(preview(db, ids, length, align, today, now), today, now, source)
    shown = drafted.shown
    if seen is not None and seen is not shown:
        if sorted(line.id for line in seen.lines) != sorted(line.id for line in shown.lines):
            raise StalePreview(["the resources asked for are not the ones previewed"])
        changed = changes_since(seen, shown)
        if changed or (seen.duration, seen.align, seen.currency) != (length, align,
                                                                      shown.currency):
            raise StalePreview(changed or ["the duration, renewal day or currency differs"])
    return write_draft(db, drafted)


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


@dataclass(frozen=True)
class Draft:
    """An order worked out from a preview before it is written (`draft`, `write_draft`): the
    order as `load` will read it back (pending, its id drawn; 10,000 lines need not make the
    round trip) and its lines as `order_lines` rows, so a write lock waits for neither."""

    shown: Preview
    order: Order
    rows: list[tuple]


def draft(shown: Preview, today: dt.date, now: str, source: str = "manual") -> Draft:
    """The pending order of the renewable lines of `shown`, as they are, placed at `now`."""
    order_id = new_order_id(today)
    lines = tuple(OrderLine(ln.id, ln.current_expiry, ln.new_expiry, ln.months, ln.extra_days,
                            ln.base_fee_cents, ln.extra_fee_cents)
                  for ln in shown.renewable if ln.new_expiry is not None)
    order = Order(id=order_id, status=OrderStatus.PENDING, total_cents=shown.total_cents,
                  currency=shown.currency, created_at=now, expires_at=unpaid_until(now),
                  lines=lines, source=source)
    return Draft(shown, order, line_rows(order_id, shown))


def write_draft(db: sqlite_utils.Database, drafted: Draft) -> Order:
    """Write a drafted order, pending payment, and audit it; refused (`order_refusal`) when
    its lines cannot be one order. Call inside a write transaction."""
    reason = order_refusal(drafted.shown)
    if reason is not None:
        raise Refused(reason)
    order = drafted.order
    db.execute(INSERT_ORDER, (order.id, "pending_payment", order.total_cents, order.currency,
                              order.created_at, order.expires_at, None, order.source))
    db.conn.executemany(INSERT_LINE, drafted.rows)
    audit.record_many(db, [placed_entry(order.id, drafted.shown)])
    return order


def insert(db: sqlite_utils.Database, shown: Preview, today: dt.date, now: str,
           source: str = "manual") -> Order:
    """A pending order of the renewable lines of `shown`, as they are. Call inside a write."""
    return write_draft(db, draft(shown, today, now, source))


def line_rows(order_id: str, shown: Preview) -> list[tuple]:
    """The `order_lines` rows of an order of the renewable lines of `shown`."""
    return [(order_id, ln.id, ln.current_expiry.isoformat(), ln.new_expiry.isoformat()
             if ln.new_expiry else None, ln.months, ln.extra_days, ln.base_fee_cents,
             ln.extra_fee_cents) for ln in shown.renewable]


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
    db.conn.executemany(INSERT_ORDER, [
        (order_id, status, shown.total_cents, shown.currency, now, expires, closed, source)
        for order_id, shown in placed])
    db.conn.executemany(INSERT_LINE, [row for order_id, shown in placed
                                      for row in line_rows(order_id, shown)])


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
