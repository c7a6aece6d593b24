"""Placing a renewal on a bound database: one combined order here, backed by the billing
system's renewal orders.

The order is made from the preview the user confirmed (the billing system's quotes, fresh, and
the mirror unchanged since), then `renewal_resources` is called ten main resources at a time,
each call an intent first. A resource the system refuses leaves the order with its code and
message; the rest goes ahead. The orders' amounts are then read back from the system: they, not
the quotes, are the order's total.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from store.cloud import backing, quotes, writes
from store.cloud.client import CloudClient
from store.cloud.intents import Plan, attempt
from store.cloud.mapping import order_figures, utc_time
from store.cloud.reconcile import API_TIME, RENEWAL, SEARCH_BEFORE
from store.cloud.throttle import CloudError
from store.errors import Refused, StalePreview
from store.ledger import orders
from store.models import Duration, Order, Preview, RowResult
from store.preview import changes_since

if TYPE_CHECKING:
    from store.service import Store

QUOTES_FRESH_FOR = dt.timedelta(minutes=10)


def confirmed(store: Store, ids: Sequence[str], length: Duration, seen: Preview | None) -> Preview:
    """The preview to order: `seen` if its quotes are fresh and nothing moved on the mirror
    since (expiry, tab, pending order); StalePreview otherwise. No `seen`: quote now."""
    if seen is None:
        return store.preview(ids, length)
    if sorted(line.id for line in seen.lines) != sorted(dict.fromkeys(ids)):
        raise StalePreview(["the resources asked for are not the ones previewed"])
    if seen.quoted_at is None or not seen.fresh:
        raise StalePreview(["the prices shown were not the billing system's fresh quotes"])
    age = dt.datetime.now(dt.UTC) - utc_time(seen.quoted_at, "a quote's time")
    if age > QUOTES_FRESH_FOR:
        raise StalePreview([f"the quotes are {age.seconds // 60} minutes old"])
    if seen.duration != length:
        raise StalePreview(["the duration differs"])
    today, now = store.today_now()
    found = quotes.resources(store.db(), list(dict.fromkeys(ids)), now)
    refused = quotes.refusals(found, today)
    answers: dict[str, tuple[int | None, str | None]] = {
        line.id: (line.fee_cents, None) if line.renewable else (None, line.reason)
        for line in seen.lines if refused[line.id] is None}
    now_shown = quotes.quoted_preview(found, ids, length, today, answers, seen.currency,
                                      seen.quoted_at)
    changed = changes_since(seen, now_shown)
    if changed:
        raise StalePreview(changed)
    return seen


def place(store: Store, client: CloudClient, ids: Sequence[str], length: Duration,
          seen: Preview | None) -> Order:
    """The combined order, its renewal orders made on the account; pending payment."""
    shown = confirmed(store, ids, length, seen)
    today, now = store.today_now()
    with store.writing() as db:
        order = orders.insert(db, shown, today, now, source=backing.SOURCE)
    refused = renew_lines(store, client, order.id, [line.id for line in shown.renewable],
                          length)
    read_amounts(store, client, order.id)
    placed = orders.load(store.db(), order.id)
    if placed.status.value == "cancelled":
        reasons = "; ".join(f"{r.id}: {r.reason}" for r in refused[:3])
        raise Refused(f"the billing system renewed none of them ({reasons}): nothing was "
                      "ordered")
    return Order(**{**placed.__dict__, "refused": tuple(refused)})


def renew_lines(store: Store, client: CloudClient, order_id: str, ids: list[str],
                length: Duration) -> list[RowResult]:
    """`renewal_resources` for these lines of the order, ten a call; the refused ones leave
    the order. InDoubt stops it: the lines not sent yet stay for the next attempt."""
    period_type, period_num = quotes.period_of(length)
    fees = dict(store.db().execute(
        "SELECT resource_id, base_fee_cents + extra_fee_cents FROM order_lines"
        " WHERE order_id = ?", (order_id,)).fetchall())
    refused: list[RowResult] = []
    for start in range(0, len(ids), writes.MAX_RENEWED):
        chunk = ids[start:start + writes.MAX_RENEWED]
        plan = Plan("renew", chunk, local_order_id=order_id,
                    request={"period_type": period_type, "period_num": period_num},
                    amount_cents=sum(fees.get(rid, 0) for rid in chunk))
        try:
            answer = attempt(store, plan, client.settings.timeout_s,
                             partial(writes.renew, client, chunk, period_type, period_num),
                             described_renewal, partial(attach_made, order_id, chunk))
        except CloudError as error:  # refused whole (it did not act)
            failed = {rid: str(error) for rid in chunk}
        else:
            failed = refusals_of(answer.value)
            made = answer.value.order_ids or []
            if len(made) > 1:  # which resources each holds, as the resource query says
                members = cover(client, made, [rid for rid in chunk if rid not in failed])
                with store.writing() as db:
                    for cloud_order_id in made:
                        backing.attach(db, order_id, cloud_order_id, members[cloud_order_id],
                                       None)
        with store.writing() as db:
            backing.drop_lines(db, order_id, [rid for rid in chunk if rid in failed])
            backing.settle(db, order_id)
        refused += [RowResult(rid, False, why) for rid, why in failed.items()]
    return refused


def refusals_of(value: Any) -> dict[str, str]:
    return {info.resource_id: f"{info.error_code}: {info.error_msg}"
            for info in value.fail_resource_infos or []}


def attach_made(order_id: str, chunk: list[str], db: Any, value: Any) -> None:
    """The orders a renewal call made join the combined order as the intent closes; each is
    taken to hold every resource renewed until the resource query says which (`cover`)."""
    renewed = [rid for rid in chunk if rid not in refusals_of(value)]
    for cloud_order_id in value.order_ids or []:
        backing.attach(db, order_id, cloud_order_id, renewed, None)


def quoted_total(db: Any, order_id: str) -> int:
    """What the quotes shown for the order's lines add up to."""
    return int(db.execute("SELECT COALESCE(SUM(base_fee_cents + extra_fee_cents), 0)"
                          " FROM order_lines WHERE order_id = ?", (order_id,)).fetchone()[0])


def described_renewal(value: Any) -> dict[str, Any]:
    fails = [f"{info.resource_id} {info.error_code}" for info in value.fail_resource_infos or []]
    return {"order_ids": list(value.order_ids or []),
            "why": f"refused: {', '.join(fails)}" if fails else ""}


def cover(client: CloudClient, made: list[str], renewed: list[str]) -> dict[str, list[str]]:
    """Which renewed resources each of several new orders holds, as the resource query by
    order id says."""
    wanted = set(renewed)
    return {cloud_order_id: [item.resource_id for item in
                             client.all_resources(order_id=cloud_order_id)
                             if item.resource_id in wanted]
            for cloud_order_id in made}


def read_amounts(store: Store, client: CloudClient, order_id: str) -> dict[str, Any]:
    """The billing system's figures for the order's billing orders (amount, status, coupons),
    into the database; the combined order's total follows them. Returns them by order id."""
    placed = orders.load(store.db(), order_id)
    ours = {b.cloud_order_id for b in backing.backings(store.db(), order_id)}
    if not ours:
        return {}
    since = (utc_time(placed.created_at, "the order's time") - SEARCH_BEFORE).strftime(API_TIME)
    listed = {o.order_id: o for o in client.orders_since(since, RENEWAL) if o.order_id in ours}
    missing = ours - listed.keys()
    if missing:
        raise CloudError(f"the billing system does not list order {', '.join(sorted(missing))}"
                         " among the account's renewal orders: nothing more was done")
    figures = {cid: order_figures(order) for cid, order in listed.items()}
    with store.writing() as db:
        for cid, fig in figures.items():
            backing.record(db, cid, fig)
        backing.recount_total(db, order_id)
        backing.settle(db, order_id)
    return figures
