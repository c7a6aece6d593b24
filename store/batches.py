"""Renewing more resources than one order holds: several orders of at most MAX_ORDER_LINES,
placed and paid one after another.

Each order is its own checkout, so its own transaction: other users' writes wait for one
order at a time, never for the whole batch, and an interruption leaves only whole orders paid.
Each order's idempotency key is the batch's key and its number, so running the same batch
again (after a refused payment, say) returns the orders already paid instead of paying twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from store.errors import Refused, StoreError
from store.models import Method, Payment, Preview
from store.money import format_cents
from store.rules import MAX_ORDER_LINES

if TYPE_CHECKING:
    from store.billing import Billing
    from store.service import Store

OrderProgress = Callable[[int, int], None]
"""(orders paid so far, orders in all): called before the first order and after each."""


@dataclass(frozen=True)
class BatchRenewal:
    """The orders a batch paid, in the order they were paid."""

    payments: tuple[Payment, ...]

    @property
    def renewed(self) -> int:
        return sum(len(payment.order.resource_ids) for payment in self.payments)

    @property
    def charged_cents(self) -> int:
        return sum(payment.charge.due_cents for payment in self.payments)


class BatchStopped(StoreError):
    """An order of the batch was refused: the ones before it stay paid (`done`)."""

    def __init__(self, done: BatchRenewal, of: int, cause: StoreError) -> None:
        paid = len(done.payments)
        super().__init__(f"order {paid + 1} of {of} not paid: {cause}; the {paid} before it "
                         f"are paid ({done.renewed:,} resources renewed)")
        self.done, self.of, self.cause = done, of, cause


def orders_for(renewals: int) -> int:
    """How many orders renewing this many resources takes."""
    return -(-renewals // MAX_ORDER_LINES)


def order_previews(preview: Preview, per_order: int = MAX_ORDER_LINES) -> list[Preview]:
    """The renewable lines of `preview`, in its order, as previews of at most `per_order`."""
    lines = preview.renewable
    return [replace(preview, lines=lines[start:start + per_order])
            for start in range(0, len(lines), per_order)]


def renew_in_orders(store: Store, preview: Preview, method: Method, key: str,
                    card: str | None = None, coupons: Sequence[str] = (),
                    progress: OrderProgress | None = None,
                    billing: Billing | None = None) -> BatchRenewal:
    """Place and pay the renewals of `preview` (what the user confirmed) as orders of at most
    MAX_ORDER_LINES, through `billing` (the store's, unless given). Refused before any order
    when coupons would have to be split between orders or the balance cannot pay for them
    all; BatchStopped when a later order fails."""
    checkout = billing.checkout if billing is not None else store.checkout
    parts = order_previews(preview)
    if not parts:
        raise Refused("nothing to renew")
    keys = [key] if len(parts) == 1 else [f"{key}.{number}" for number in range(1, len(parts) + 1)]
    if len(parts) > 1:
        check_can_pay_all(store, [part for part, part_key in zip(parts, keys, strict=True)
                                  if not already_paid(store, part_key)], method, coupons,
                          len(parts))
    payments: list[Payment] = []
    for number, (part, part_key) in enumerate(zip(parts, keys, strict=True)):
        if progress is not None:
            progress(number, len(parts))
        try:
            payments.append(checkout(
                [line.id for line in part.lines], preview.duration, preview.align, method,
                part_key, card, coupons, part))
        except StoreError as exc:
            if not payments:  # nothing paid: the refusal as it is (StalePreview, say)
                raise
            raise BatchStopped(BatchRenewal(tuple(payments)), len(parts), exc) from exc
    if progress is not None:
        progress(len(parts), len(parts))
    return BatchRenewal(tuple(payments))


def already_paid(store: Store, key: str) -> bool:
    """A part paid by an earlier run of the same batch (its checkout will replay it)."""
    found = store.db().execute("SELECT 1 FROM payments WHERE idempotency_key = ?", (key,))
    return found.fetchone() is not None


def check_can_pay_all(store: Store, unpaid: Sequence[Preview], method: Method,
                      coupons: Sequence[str], orders: int) -> None:
    """Coupons cannot be split between orders; the balance must cover every unpaid order."""
    if coupons:
        raise Refused(f"coupons apply to one order, and these renewals take {orders}: renew at "
                      f"most {MAX_ORDER_LINES:,} at once to use a coupon; nothing was ordered")
    if method is not Method.BALANCE or not unpaid:
        return
    due = sum(part.total_cents for part in unpaid)
    balance, currency = store.account().balance_cents, unpaid[0].currency
    if balance < due:
        raise Refused(f"the balance {format_cents(balance, currency)} does not cover the "
                      f"{len(unpaid)} orders' {format_cents(due, currency)}: top up first; "
                      "nothing was ordered")
