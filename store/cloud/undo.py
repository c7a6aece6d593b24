"""Taking things back on a bound database: cancelling an order pending payment
(`cancel_customer_order`) and unsubscribing renewed periods (`cancel_resources_subscription`,
type 2: the renewed periods only, never the resource)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING

from store import audit
from store.cloud import backing, paying, quotes, refresh, renewing, writes
from store.cloud.client import CloudClient
from store.cloud.intents import Plan, attempt
from store.cloud.mapping import order_figures
from store.cloud.throttle import CloudError
from store.errors import NotFound, Refused
from store.ledger import orders
from store.models import Order, OrderStatus, RowResult, Unrenewal

if TYPE_CHECKING:
    from store.service import Store


def cancel(store: Store, client: CloudClient, order_id: str) -> Order:
    """Cancel every pending billing order of a combined order, then the order itself; an
    account order by its billing id on its own."""
    try:
        order = orders.load(store.db(), order_id)
    except NotFound:
        return cancel_account_order(store, client, order_id)
    if order.status is not OrderStatus.PENDING:
        raise Refused(f"order {order_id} is {order.status.value}, not pending payment")
    renewing.read_amounts(store, client, order_id)
    for owed in backing.backings(store.db(), order_id):
        if owed.status == backing.PENDING:
            cancel_one(store, client, owed.cloud_order_id, owed.resource_ids, order_id)
    renewing.read_amounts(store, client, order_id)
    covered = backing.coverage(store.db(), order_id)
    paid = sorted(rid for rid, status in covered.items() if status == backing.PAID)
    with store.writing() as db:
        if paid:
            backing.settle(db, order_id)
        else:
            db.execute("UPDATE orders SET status = 'cancelled', closed_at = ? WHERE id = ?",
                       (store.clock.stamp(), order_id))
            audit.record(db, "order.cancel", resource_ids=order.resource_ids,
                         amount_cents=order.total_cents, detail=order_id)
    if paid:
        raise Refused(f"order {order_id} was paid on the billing system for "
                      f"{', '.join(paid[:3])}: the rest is cancelled")
    return orders.load(store.db(), order_id)


def cancel_one(store: Store, client: CloudClient, cloud_order_id: str,
               resource_ids: Sequence[str], order_id: str | None) -> None:
    plan = Plan("cancel", resource_ids, cloud_order_id=cloud_order_id, local_order_id=order_id)
    try:
        attempt(store, plan, client.settings.timeout_s,
                lambda: writes.cancel_order(client, cloud_order_id))
    except CloudError as error:
        current = client.order(cloud_order_id)
        if current is None or order_figures(current).status == backing.PENDING:
            raise Refused(f"the billing system refused to cancel order {cloud_order_id}: "
                          f"{error}") from None
    current = client.order(cloud_order_id)  # as the system has it now: cancelled, or paid
    with store.writing() as db:
        backing.set_status(db, cloud_order_id, order_figures(current).status if current
                           else backing.CANCELLED)


def cancel_account_order(store: Store, client: CloudClient, cloud_order_id: str) -> Order:
    shown = paying.known_account_order(store, client, cloud_order_id, "cancelling")
    cancel_one(store, client, cloud_order_id, shown.resources, None)
    current = client.order(cloud_order_id)
    status = order_figures(current).status if current else backing.CANCELLED
    if status == backing.PAID:
        raise Refused(f"order {cloud_order_id} was already paid on the billing system")
    return Order(**{**shown.__dict__, "status": OrderStatus.CANCELLED})


def unrenew(store: Store, client: CloudClient, ids: Sequence[str]) -> Unrenewal:
    """Take back the renewed periods of these resources, ten a call; then read them again."""
    unique = list(dict.fromkeys(ids))
    _today, now = store.today_now()
    quotes.resources(store.db(), unique, now)  # unknown ids: NotFound before anything is sent
    results: list[RowResult] = []
    made: list[str] = []
    for start in range(0, len(unique), writes.MAX_RENEWED):
        chunk = unique[start:start + writes.MAX_RENEWED]
        try:
            answer = attempt(store, Plan("unsubscribe", chunk), client.settings.timeout_s,
                             partial(writes.unsubscribe_renewals, client, chunk),
                             renewing.described_renewal)
        except CloudError as error:
            results += [RowResult(rid, False, str(error)) for rid in chunk]
            continue
        failed = {info.resource_id: f"{info.error_code}: {info.error_msg}"
                  for info in answer.value.fail_resource_infos or []}
        made += answer.value.order_ids or []
        results += [RowResult(rid, rid not in failed, failed.get(rid)) for rid in chunk]
    refresh.resources(store, client, unique)
    refresh.money(store, client)
    return Unrenewal(tuple(results), tuple(made))
