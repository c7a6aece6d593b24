"""Paying an order on the local ledger: coupons, the payment method, and every expiry moved —
all or nothing. (What a payment costs is in `store.charges`.)"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace

import sqlite_utils

from store import audit, rules
from store.charges import card_digits, charge_for, check_coupon_limits
from store.errors import CardDeclined, InsufficientBalance, NotFound, Refused
from store.ledger import orders
from store.models import Billing, Charge, Coupon, Method, Order, OrderStatus, Payment
from store.money import format_cents

DECLINED_SUFFIX = "0002"
KEY_USED_ELSEWHERE = "this payment key was already used for another order"
INSERT_PAYMENT = (
    "INSERT INTO payments (order_id, idempotency_key, method, card_last4, total_cents,"
    " discount_cents, coupon_cents, charged_cents, balance_after_cents, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


def card_last4(card: str | None) -> str:
    """Charge the card (numbers ending 0002 decline) and keep only its last four digits."""
    digits = card_digits(card)
    if digits.endswith(DECLINED_SUFFIX):
        raise CardDeclined(f"the card ending {digits[-4:]} was declined: nothing was charged")
    return digits[-4:]


def load_coupons(db: sqlite_utils.Database, where: str = "1", params: tuple = ()) -> list[Coupon]:
    rows = db.execute(
        "SELECT id, kind, amount_cents, percent_off, expires, used_by_order FROM coupons"
        f" WHERE {where} ORDER BY kind, id", params).fetchall()
    return [Coupon(cid, kind, amount, pct, dt.date.fromisoformat(exp) if exp else None, used)
            for cid, kind, amount, pct, exp, used in rows]


def usable_coupons(
    db: sqlite_utils.Database, ids: Sequence[str], today: dt.date
) -> list[Coupon]:
    """The coupons asked for, checked: they exist, are unused and unexpired, within the limits."""
    unique = list(dict.fromkeys(ids))
    found = {c.id: c for c in load_coupons(
        db, "id IN (SELECT value FROM json_each(?))", (json.dumps(unique),))}
    for cid in unique:
        coupon = found.get(cid)
        if coupon is None:
            raise NotFound(f"no such coupon: {cid}")
        if coupon.used_by_order:
            raise Refused(f"coupon {cid} was already used for order {coupon.used_by_order}")
        if coupon.expires is not None and coupon.expires < today:
            raise Refused(f"coupon {cid} expired on {coupon.expires}")
    chosen = [found[cid] for cid in unique]
    check_coupon_limits(chosen)
    return chosen


def _check_lines_current(db: sqlite_utils.Database, order: Order, today: dt.date) -> None:
    """Every line still starts from the resource's expiry, and still renews it."""
    ids = [line.resource_id for line in order.lines]
    current = {rid: (dt.date.fromisoformat(expiry), Billing(billing)) for rid, expiry, billing in
               db.execute("SELECT id, expiry, billing FROM resources WHERE id IN"
                          " (SELECT value FROM json_each(?))", (json.dumps(ids),)).fetchall()}
    for line in order.lines:
        expiry, billing = current[line.resource_id]
        if expiry != line.old_expiry:
            raise Refused(f"{line.resource_id} now expires {expiry}, not {line.old_expiry}: "
                          "cancel this order and renew again")
        reason = rules.refusal(billing, expiry, today, None) or rules.still_expired_reason(
            line.new_expiry, today)
        if reason:
            raise Refused(f"{line.resource_id}: {reason}")


def replay(db: sqlite_utils.Database, key: str, order_id: str | None = None) -> Payment | None:
    """The payment already made with this idempotency key (for this order), if any."""
    row = db.execute(
        "SELECT order_id, method, card_last4, total_cents, discount_cents, coupon_cents,"
        " balance_after_cents FROM payments WHERE idempotency_key = ?", (key,)).fetchone()
    if row is None:
        return None
    paid_order, method, last4, total, discount, coupon, balance_after = row
    if order_id is not None and paid_order != order_id:
        raise Refused(KEY_USED_ELSEWHERE)
    return Payment(order=orders.load(db, paid_order), method=Method(method),
                   charge=Charge(total, discount, coupon), balance_after_cents=balance_after,
                   card_last4=last4, replayed=True)


def pay(
    db: sqlite_utils.Database, order_id: str, method: Method, key: str, today: dt.date, now: str,
    card: str | None = None, coupon_ids: Sequence[str] = (), placed: Order | None = None,
) -> Payment:
    """Pay an order in full. Call inside one write transaction: a refusal changes nothing.

    `placed`: the order as `orders.place` returned it in this same transaction (a checkout):
    worked out from the resources as they are now, it is neither read back nor checked again."""
    replayed = replay(db, key, order_id)
    if replayed is not None:
        return replayed
    order = placed if placed is not None else orders.load(db, order_id)
    if order.status is not OrderStatus.PENDING:
        raise Refused(f"order {order_id} is {order.status.value}: there is nothing to pay")
    if order.expires_at is not None and order.expires_at <= now:
        raise Refused(f"order {order_id} went unpaid for {rules.UNPAID_ORDER_DAYS} days "
                      "and has expired: renew again")
    if placed is None:
        _check_lines_current(db, order, today)
    charge = charge_for(order.total_cents, usable_coupons(db, coupon_ids, today))
    last4 = card_last4(card) if method is Method.ONLINE else None
    balance, currency = db.execute("SELECT balance_cents, currency FROM account").fetchone()
    if method is Method.BALANCE:
        refusal = balance_refusal(balance, currency, charge.due_cents, order.currency)
        if refusal is not None:
            raise refusal
        balance -= charge.due_cents
        db.execute("UPDATE account SET balance_cents = ?", (balance,))
    db.conn.executemany("UPDATE resources SET expiry = ? WHERE id = ?",
                        [(ln.new_expiry.isoformat(), ln.resource_id) for ln in order.lines])
    db.execute("UPDATE orders SET status = 'paid', closed_at = ? WHERE id = ?", (now, order_id))
    db.execute(INSERT_PAYMENT, (order_id, key, method.value, last4, charge.total_cents,
                                charge.discount_cents, charge.coupon_cents, charge.due_cents,
                                balance, now))
    db.conn.executemany("UPDATE coupons SET used_by_order = ? WHERE id = ?",
                        [(order_id, cid) for cid in dict.fromkeys(coupon_ids)])
    audit.record_many(db, [paid_entry(order_id, [ln.resource_id for ln in order.lines],
                                      charge.due_cents, method)])
    paid = replace(order, status=OrderStatus.PAID, paid_at=now, paid_cents=charge.due_cents,
                   method=method.value)  # as `orders.load` would read it back
    return Payment(order=paid, method=method, charge=charge, balance_after_cents=balance,
                   card_last4=last4)


def balance_refusal(balance_cents: int, currency: str, due_cents: int,
                    order_currency: str) -> Refused | None:
    """Why the balance cannot pay `due_cents` of an order in `order_currency` (an
    InsufficientBalance when it is short), or None when it can."""
    if currency != order_currency:
        return Refused(f"the balance is in {currency}; this order is in {order_currency}")
    if balance_cents < due_cents:
        return InsufficientBalance(
            f"insufficient balance: {format_cents(balance_cents, currency)} available, "
            f"{format_cents(due_cents, order_currency)} due; nothing was charged")
    return None


def paid_entry(order_id: str, resource_ids: Sequence[str], due_cents: int,
               method: Method) -> audit.Entry:
    """What the audit trail says of a paid order."""
    return audit.Entry("order.pay", resource_ids=resource_ids, amount_cents=due_cents,
                       detail=f"{order_id} by {method.value}")


@dataclass(frozen=True)
class BalancePayment:
    """A pending order paid in full from the balance, as `pay` records it."""

    order_id: str
    key: str
    new_expiries: tuple[tuple[str, dt.date], ...]   # (resource id, new expiry) per line
    charge: Charge
    balance_after_cents: int


def record_balance_payments(db: sqlite_utils.Database, paid: Sequence[BalancePayment],
                            now: str) -> None:
    """Orders paid from the balance one after the other, each checked first (its key unused,
    `balance_refusal`), and placed paid in this same write (`orders.insert_many`, paid): the
    balance after the last, the new expiries and the payments, a statement each. The caller
    records their audit entries (`paid_entry`). Call inside a write transaction."""
    if not paid:
        return
    db.execute("UPDATE account SET balance_cents = ?", (paid[-1].balance_after_cents,))
    db.conn.executemany("UPDATE resources SET expiry = ? WHERE id = ?",
                        [(new.isoformat(), rid) for p in paid for rid, new in p.new_expiries])
    db.conn.executemany(INSERT_PAYMENT, [
        (p.order_id, p.key, Method.BALANCE.value, None, p.charge.total_cents,
         p.charge.discount_cents, p.charge.coupon_cents, p.charge.due_cents,
         p.balance_after_cents, now) for p in paid])
