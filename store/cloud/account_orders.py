"""The account's pending orders placed elsewhere (the Billing Center, an auto-renewal that could
not pay), as the last sync listed them: shown next to the combined orders placed here, and paid
or cancelled by their billing ids. Their lines are not known here, only their resources."""

from __future__ import annotations

import json
from collections import defaultdict

import sqlite_utils

from store.cloud.backing import PAID, PENDING
from store.errors import NotFound
from store.models import Order, OrderStatus

NOT_OURS = "id NOT IN (SELECT cloud_order_id FROM order_cloud_orders)"


def account_orders(db: sqlite_utils.Database, ids: list[str] | None = None) -> list[Order]:
    """Every one of them (or these), newest first."""
    only = " AND id IN (SELECT value FROM json_each(?))" if ids is not None else ""
    rows = db.execute(f"SELECT id, status, amount_cents, currency, created_at FROM cloud_orders"
                      f" WHERE {NOT_OURS}{only} ORDER BY created_at DESC, id",
                      (json.dumps(ids),) if ids is not None else ()).fetchall()
    members: dict[str, list[str]] = defaultdict(list)
    for oid, rid in db.execute(
            "SELECT order_id, resource_id FROM cloud_order_resources WHERE order_id IN"
            " (SELECT value FROM json_each(?)) ORDER BY rowid",
            (json.dumps([row[0] for row in rows]),)):
        members[oid].append(rid)
    return [Order(id=oid, status=OrderStatus.PENDING if status == PENDING
                  else OrderStatus.PAID if status == PAID else OrderStatus.CANCELLED,
                  total_cents=amount or 0, currency=currency, created_at=created,
                  expires_at=None, source="account", cloud_order_ids=(oid,),
                  resources=tuple(members[oid]))
            for oid, status, amount, currency, created in rows]


def account_order(db: sqlite_utils.Database, order_id: str) -> Order:
    found = account_orders(db, [order_id])
    if not found:
        raise NotFound(f"no such order: {order_id}")
    return found[0]


def with_account_orders(db: sqlite_utils.Database, placed_here: list[Order],
                        status: OrderStatus | None) -> list[Order]:
    """The orders placed here and the account's orders placed elsewhere (of `status`, if
    given), newest first."""
    found = placed_here + [order for order in account_orders(db)
                           if status in (None, order.status)]
    return sorted(found, key=lambda order: order.created_at, reverse=True)
