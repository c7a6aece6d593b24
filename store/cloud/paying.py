"""Paying and cancelling on a bound database, through `pay_orders` and `cancel_customer_order`.

A combined order (placed here) is paid by paying each of its billing orders still pending, in
turn, each call an intent first; lines no billing order covers yet (a renewal that never acted)
are renewed first. Before anything is paid, the orders' amounts are read back: if they are not
what the user was shown, nothing is paid. The cash balance is checked first too, so a renewal
is not left half paid for want of money the console could see. A pending order of the account
placed elsewhere (listed by the sync) is paid or cancelled on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from store.cloud import backing, refresh, renewing, writes
from store.cloud.account_orders import account_order
from store.cloud.client import CloudClient
from store.cloud.coupons import chosen_coupons
from store.cloud.intents import Plan, attempt
from store.cloud.mapping import order_figures
from store.cloud.throttle import CloudError
from store.errors import InsufficientBalance, NotFound, PaymentFailed, Refused
from store.ledger import orders
from store.ledger.payments import replay
from store.models import Charge, Duration, Method, Order, OrderStatus, Payment
from store.money import format_cents

if TYPE_CHECKING:
    from store.service import Store

NOT_OFFERED = ("{method} payment is not offered on a database bound to a cloud account: the "
               "billing API pays renewal orders from the account (its balance and coupons) "
               "only; use the Billing Center for a card or monthly settlement")


class AmountChanged(PaymentFailed):
    """The billing system asks another amount than the one the user confirmed: nothing paid;
    the order waits, pending."""


def amount_changed(order: Order, shown_cents: int) -> AmountChanged:
    return AmountChanged(
        f"the billing system asks {format_cents(order.total_cents, order.currency)} for order "
        f"{order.id}, not the {format_cents(shown_cents, order.currency)} shown: nothing was "
        f"paid", order.id)


def check_method(method: Method) -> None:
    if method is not Method.BALANCE:
        raise Refused(NOT_OFFERED.format(method="online card" if method is Method.ONLINE
                                         else "monthly settlement"))


def pay(store: Store, client: CloudClient, order_id: str, key: str, coupons: Sequence[str],
        expected_cents: int | None = None, length: Duration | None = None) -> Payment:
    """Pay a combined order (or an account order by its billing id); see the module.
    `expected_cents`: the total the user confirmed (default: the order's total as stored)."""
    db = store.db()
    replayed = replay(db, key, order_id)
    if replayed is not None:
        return replayed
    chosen = chosen_coupons(store.db(), coupons)
    try:
        order = orders.load(db, order_id)
    except NotFound:
        return pay_account_order(store, client, order_id, chosen)
    if order.status is OrderStatus.PAID:
        return already_paid(store, order, client)
    if order.status is not OrderStatus.PENDING:
        raise Refused(f"order {order_id} is {order.status.value}: there is nothing to pay")
    expected = order.total_cents if expected_cents is None else expected_cents
    waiting = backing.unbacked(db, order_id)
    if waiting:  # a renewal that never acted: made now, then paid with the rest
        renewing.renew_lines(store, client, order_id, waiting,
                             length or Duration(order.lines[0].months))
    renewing.read_amounts(store, client, order_id)
    order = orders.load(store.db(), order_id)
    if order.status is OrderStatus.PAID:
        return already_paid(store, order, client)
    if order.total_cents != expected:
        raise amount_changed(order, expected)
    to_pay = [b for b in backing.backings(store.db(), order_id) if b.status == backing.PENDING]
    if not to_pay:  # its billing orders are neither paid nor payable (in review, say)
        states = ", ".join(f"{b.cloud_order_id} in status {b.status}"
                           for b in backing.backings(store.db(), order_id))
        raise Refused(f"order {order_id} has nothing the billing system lets pay now "
                      f"({states}): nothing was paid or renewed; run renewals cloud sync later")
    check_balance(store, client, order, sum(b.amount_cents or 0 for b in to_pay), chosen)
    for number, owed in enumerate(to_pay):
        pay_one(store, client, owed, order_id, chosen if number == 0 else [])
    renewing.read_amounts(store, client, order_id)
    return record_payment(store, client, order_id, key)


def check_balance(store: Store, client: CloudClient, order: Order, due: int,
                  chosen: list[tuple[str, int]]) -> None:
    """Without coupons, refuse before paying anything when the cash balance cannot cover it."""
    balance = refresh.money(store, client)
    if not chosen and balance < due:
        raise InsufficientBalance(
            f"insufficient balance: {format_cents(balance, order.currency)} available, "
            f"{format_cents(due, order.currency)} due; nothing was paid (order {order.id} "
            "stays pending)")


def pay_one(store: Store, client: CloudClient, owed: backing.Backing, order_id: str,
            chosen: list[tuple[str, int]]) -> None:
    plan = Plan("pay", owed.resource_ids, cloud_order_id=owed.cloud_order_id,
                local_order_id=order_id, amount_cents=owed.amount_cents)
    try:
        attempt(store, plan, client.settings.timeout_s,
                lambda: writes.pay(client, owed.cloud_order_id, chosen))
    except CloudError as error:
        renewing.read_amounts(store, client, order_id)  # paid elsewhere meanwhile, perhaps
        current = backing.backings(store.db(), order_id)
        if any(b.cloud_order_id == owed.cloud_order_id and b.status == backing.PAID
               for b in current):
            return
        raise PaymentFailed(f"the billing system refused to pay order {owed.cloud_order_id}: "
                            f"{error}; nothing more was paid", order_id) from None


def record_payment(store: Store, client: CloudClient, order_id: str, key: str) -> Payment:
    """The payment as the billing system's paid orders add up; the mirror read again."""
    paid = backing.backings(store.db(), order_id)
    discount = sum(b.discount_cents or 0 for b in paid)
    charge = Charge(sum(b.amount_cents or 0 for b in paid) + discount, discount,
                    sum(b.coupon_cents or 0 for b in paid))
    balance = refresh.money(store, client)
    order = orders.load(store.db(), order_id)
    refresh.resources(store, client, list(order.resource_ids))
    with store.writing() as db:
        db.execute(
            "INSERT INTO payments (order_id, idempotency_key, method, total_cents,"
            " discount_cents, coupon_cents, charged_cents, balance_after_cents, created_at)"
            " VALUES (?, ?, 'balance', ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (order_id, key, charge.total_cents, charge.discount_cents, charge.coupon_cents,
             sum(b.paid_cents or 0 for b in paid), balance, store.clock.stamp()))
    return Payment(order=orders.load(store.db(), order_id), method=Method.BALANCE,
                   charge=charge, balance_after_cents=balance)


def already_paid(store: Store, order: Order, client: CloudClient) -> Payment:
    """An order found paid (by an earlier attempt whose answer was lost, say): nothing is paid
    again; the payment as recorded, or (found paid by reconciling) recorded now from the
    billing orders."""
    row = store.db().execute(
        "SELECT total_cents, discount_cents, coupon_cents, balance_after_cents FROM payments"
        " WHERE order_id = ?", (order.id,)).fetchone()
    if row is None:
        made = record_payment(store, client, order.id, f"found-paid:{order.id}")
        return Payment(**{**made.__dict__, "replayed": True})
    total, discount, coupon, balance = row
    return Payment(order=order, method=Method.BALANCE, charge=Charge(total, discount, coupon),
                   balance_after_cents=balance, replayed=True)


def known_account_order(store: Store, client: CloudClient, cloud_order_id: str,
                        doing: str) -> Order:
    """The account order as last synced; one the mirror does not list (any more) is looked
    up on the billing system to say why."""
    try:
        return account_order(store.db(), cloud_order_id)
    except NotFound:
        current = client.order(cloud_order_id)
        if current is None:
            raise
    status = order_figures(current).status
    if status == backing.PENDING:
        raise Refused(f"order {cloud_order_id} is not in this database yet: run renewals cloud "
                      f"sync, then look at it before {doing} it")
    word = {backing.PAID: "already paid", backing.CANCELLED: "cancelled"}.get(
        status, f"in status {status}")
    raise Refused(f"order {cloud_order_id} is {word} on the billing system: nothing was done")


def pay_account_order(store: Store, client: CloudClient, cloud_order_id: str,
                      chosen: list[tuple[str, int]]) -> Payment:
    shown = known_account_order(store, client, cloud_order_id, "paying")
    current = client.order(cloud_order_id)
    if current is None:
        raise NotFound(f"the billing system knows no order {cloud_order_id}")
    figures = order_figures(current)
    if figures.status != backing.PENDING:
        with store.writing() as db:
            backing.set_status(db, cloud_order_id, figures.status)
        word = {backing.PAID: "already paid", backing.CANCELLED: "cancelled"}.get(
            figures.status, f"in status {figures.status}")
        raise Refused(f"order {cloud_order_id} is {word} on the billing system: nothing was "
                      "paid")
    if figures.amount_cents != shown.total_cents:
        asked = Order(**{**shown.__dict__, "total_cents": figures.amount_cents or 0})
        raise amount_changed(asked, shown.total_cents)
    check_balance(store, client, shown, shown.total_cents, chosen)
    plan = Plan("pay", shown.resources, cloud_order_id=cloud_order_id,
                amount_cents=shown.total_cents)
    attempt(store, plan, client.settings.timeout_s,
            lambda: writes.pay(client, cloud_order_id, chosen))
    listed = client.order(cloud_order_id)
    if listed is None:
        raise CloudError(f"order {cloud_order_id} was paid, but the billing system no longer "
                         "lists it: run renewals cloud sync")
    paid = order_figures(listed)
    with store.writing() as db:
        backing.set_status(db, cloud_order_id, paid.status)
    balance = refresh.money(store, client)
    refresh.resources(store, client, list(shown.resources))
    return Payment(order=Order(**{**shown.__dict__, "status": OrderStatus.PAID,
                                  "paid_cents": paid.cash_cents}),
                   method=Method.BALANCE,
                   charge=Charge((paid.amount_cents or 0) + paid.discount_cents,
                                 paid.discount_cents, paid.coupon_cents),
                   balance_after_cents=balance)
