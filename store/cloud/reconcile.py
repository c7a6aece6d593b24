"""Finding out what a call in doubt did, before anything is sent again.

Each open intent that no live process will finish (see `intents.settled_by_nobody`) is looked
up on the billing system by what it was meant to do:

- a renewal: the renewal orders made since half an hour before the intent, and the resources of
  each (`list_pay_per_use_customer_resources` by `order_id`); those holding the intent's
  resources are its orders, and join the combined order it was for;
- a payment or a cancellation: the order's status;
- an unsubscribe: the unsubscribe orders since the intent, holding its resources;
- a policy change: the resources' `expire_policy` now (asking again is harmless anyway);
- a renewal setting: the API cannot read it back, so it stays unknown (say so).

Combined orders are then settled from their billing orders, and the resources touched read
again. Also run by `cloud sync` and when the console starts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from store.cloud import backing, refresh
from store.cloud.client import CloudClient
from store.cloud.intents import Intent, close, open_intents, settled_by_nobody, wall_now
from store.cloud.mapping import order_figures, utc_time

if TYPE_CHECKING:
    from store.service import Store

SEARCH_BEFORE = dt.timedelta(minutes=30)  # clocks differ: look well before the intent
API_TIME = "%Y-%m-%dT%H:%M:%SZ"
RENEWAL, UNSUBSCRIBE = "2", "4"  # list_customer_orders' order_type
Found = tuple[str, set[str]]  # what happened, in words; the resources to read again


def reconcile(store: Store, client: CloudClient) -> list[str]:
    """Resolve every open intent nobody else is finishing; what was found, one line each."""
    found: list[str] = []
    touched: set[str] = set()
    for intent in open_intents(store.db()):
        if settled_by_nobody(intent, wall_now()):
            line, ids = RESOLVERS[intent.operation](store, client, intent)
            found.append(line)
            touched |= ids
    if touched:
        refresh.resources(store, client, sorted(touched))
    return found


def _since(intent: Intent) -> str:
    return (utc_time(intent.created_at, "an intent's time") - SEARCH_BEFORE).strftime(API_TIME)


def _orders_holding(client: CloudClient, intent: Intent,
                    order_type: str) -> list[tuple[Any, list[str]]]:
    """The orders of `order_type` since the intent that hold some of its resources."""
    wanted = set(intent.resource_ids)
    with_ours = []
    for order in client.orders_since(_since(intent), order_type):
        members = {item.resource_id for item in client.all_resources(order_id=order.order_id)}
        if members & wanted:
            with_ours.append((order, sorted(members & wanted)))
    return with_ours


def _renewal(store: Store, client: CloudClient, intent: Intent) -> Found:
    known = {cid for (cid,) in store.db().execute(
        "SELECT cloud_order_id FROM order_cloud_orders")}
    made = [(order, ids) for order, ids in _orders_holding(client, intent, RENEWAL)
            if order.order_id not in known]
    local = intent.local_order_id
    with store.writing() as db:
        for order, ids in made:
            figures = order_figures(order)
            if local:
                backing.attach(db, local, str(order.order_id), ids,
                               figures.amount_cents, figures.status)
        if local:
            backing.recount_total(db, local)
            backing.settle(db, local)
        order_ids = [str(order.order_id) for order, _ in made]
        what = (f"it did: order {', '.join(order_ids)}" if order_ids
                else "it did not act: no renewal order holds those resources")
        close(db, intent.id, "reconciled", {"order_ids": order_ids}, None,
              f"reconciled: {what}")
    return f"renewal in doubt since {intent.created_at}: {what}", set(intent.resource_ids)


STATUS_WORDS = {backing.PAID: "paid", backing.PENDING: "not paid (still pending)",
                backing.CANCELLED: "cancelled"}


def _order_status(store: Store, client: CloudClient, intent: Intent) -> Found:
    order_id = intent.cloud_order_id or ""
    order = client.order(order_id)
    with store.writing() as db:
        if order is None:
            what = f"the billing system knows no order {order_id}"
        else:
            figures = order_figures(order)
            what = f"order {order_id} is {STATUS_WORDS.get(figures.status, figures.status)}"
            backing.record_and_settle(db, order_id, figures)
        close(db, intent.id, "reconciled", {}, None, f"reconciled: {what}")
    return f"{intent.operation} of order {order_id} in doubt: {what}", set(intent.resource_ids)


def _unsubscribe(store: Store, client: CloudClient, intent: Intent) -> Found:
    made = _orders_holding(client, intent, UNSUBSCRIBE)
    order_ids = [str(order.order_id) for order, _ in made]
    what = (f"it did: order {', '.join(order_ids)}" if order_ids
            else "it did not act: no unsubscribe order holds those resources")
    with store.writing() as db:
        close(db, intent.id, "reconciled", {"order_ids": order_ids}, None,
              f"reconciled: {what}")
    return f"unsubscribe in doubt since {intent.created_at}: {what}", set(intent.resource_ids)


def _policy(store: Store, client: CloudClient, intent: Intent) -> Found:
    items = client.resources_by_ids(list(intent.resource_ids))
    policies = ", ".join(f"{item.resource_id} {item.expire_policy}" for item in items)
    what = f"expire_policy now {policies or 'unknown (resources not found)'}"
    with store.writing() as db:
        close(db, intent.id, "reconciled", {"why": what}, None, f"reconciled: {what}")
    return f"{intent.operation} in doubt: {what}", set(intent.resource_ids)


def _setting(store: Store, _client: CloudClient, intent: Intent) -> Found:
    what = ("unknown: the billing API cannot read the renewal settings back; set it again to "
            "be sure")
    column = {"EXPIRE_DATE": "renewal_day_set_at", "DEDUCTION_DATE": "deduction_days_set_at"}
    with store.writing() as db:
        name = column.get(str(intent.request.get("config_name")))
        if name:
            db.execute(f"UPDATE account SET {name} = NULL")
        close(db, intent.id, "reconciled", {"why": what}, None, f"reconciled: {what}")
    return f"renewal setting in doubt: {what}", set()


RESOLVERS: dict[str, Callable[[Store, CloudClient, Intent], Found]] = {
    "renew": _renewal, "pay": _order_status, "cancel": _order_status,
    "unsubscribe": _unsubscribe, "auto_renew": _policy, "cancel_auto_renew": _policy,
    "to_on_demand": _policy, "renew_config": _setting,
}


def settle_orders(store: Store, client: CloudClient, pending: set[str]) -> list[str]:
    """Combined orders still pending here whose billing orders are no longer pending on the
    account (`pending`: the ids a sync just listed): paid or cancelled elsewhere, or lapsed.
    Returns a warning for each billing order the account no longer lists at all."""
    warnings = []
    db = store.db()
    waiting = db.execute(
        "SELECT c.cloud_order_id FROM order_cloud_orders c JOIN orders o ON o.id = c.order_id"
        " WHERE o.status = 'pending_payment' AND c.status = ?", (backing.PENDING,)).fetchall()
    for (cloud_order_id,) in waiting:
        if cloud_order_id in pending:
            continue
        order = client.order(cloud_order_id)
        if order is None:
            warnings.append(f"billing order {cloud_order_id} (of order "
                            f"{backing.local_order_of(db, cloud_order_id)}) is not on the "
                            "account any more: its order stays pending here")
            continue
        with store.writing() as db:
            backing.record_and_settle(db, cloud_order_id, order_figures(order))
    return warnings
