"""The local ledger's side of `store.billing.Billing`: every verb one transaction in SQLite."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from store import audit, charges
from store.billing import Progress
from store.db import write
from store.errors import PaymentFailed, ReadOnlyClock, Refused
from store.ledger import accounts, orders, payments, policy, tick
from store.models import (
    AutoRenew,
    Duration,
    Method,
    Order,
    Payment,
    Preview,
    RenewalDay,
    RowResult,
    Tab,
    TickReport,
    Unrenewal,
)

if TYPE_CHECKING:
    from store.service import Store


class LocalLedger:
    def __init__(self, store: Store) -> None:
        self.store = store

    def preview(self, ids: Sequence[str], length: Duration, align: RenewalDay | None,
                progress: Progress | None = None) -> Preview:
        """Worked out here at once: no progress to tell."""
        today, now = self.store.today_now()
        return orders.marked_preview(self.store.db(), list(ids), length, align, today, now)

    def place_order(self, ids: Sequence[str], length: Duration, align: RenewalDay | None,
                    seen: Preview | None) -> Order:
        with self.store.writing() as db:
            today, now = self.store.today_now()
            return orders.place(db, list(ids), length, align, today, now, seen=seen)

    def pay(self, order_id: str, method: Method, key: str, card: str | None,
            coupons: Sequence[str]) -> Payment:
        """A refusal by the rules (not by the clock) is audited and changes nothing else."""
        today, now = self.store.today_now()
        try:
            with self.store.writing() as db:
                return payments.pay(db, order_id, method, key, today, now, card, coupons)
        except Refused as exc:
            if not isinstance(exc, ReadOnlyClock):
                with self.store.writing() as db:
                    audit.record(db, "order.pay", f"failed: {exc}", detail=order_id)
            raise

    def checkout(self, ids: Sequence[str], length: Duration, align: RenewalDay | None,
                 method: Method, key: str, card: str | None, coupons: Sequence[str],
                 seen: Preview | None) -> Payment:
        today, now = self.store.today_now()
        if method is Method.ONLINE:
            charges.card_digits(card)      # a mistyped number places no order
        # The order's lines are worked out before the write lock is taken (unless the preview
        # the user confirmed still holds), so other users' writes wait only for them to be
        # written; if anything was committed meanwhile, they are worked out again inside.
        db = self.store.db()
        if seen is not None and orders.still_holds(db, seen, ids, length, align, today, now):
            ahead = seen
        else:
            ahead = orders.marked_preview(db, list(ids), length, align, today, now)
        drafted = orders.draft(ahead, today, now)
        with self.store.writing() as db:
            replayed = payments.replay(db, key)
            if replayed is not None:
                return replayed
            holds = orders.still_holds(db, ahead, ids, length, align, today, now)
            order = orders.place(db, list(ids), length, align, today, now, seen=seen,
                                 ahead=drafted if holds else None)
            try:
                with write(db):
                    return payments.pay(db, order.id, method, key, today, now, card, coupons,
                                        placed=order)
            except Refused as exc:
                audit.record(db, "order.pay", f"failed: {exc}", detail=order.id)
                failure = PaymentFailed(str(exc), order.id)
        raise failure

    def cancel_order(self, order_id: str) -> Order:
        with self.store.writing() as db:
            return orders.cancel(db, order_id, self.store.clock.stamp())

    def unrenew(self, ids: Sequence[str]) -> Unrenewal:
        raise Refused("taking back a renewal is not offered on a local ledger: its billing "
                      "rules (RULES.md) have no refund rule to apply")

    def set_policy(self, ids: Sequence[str], to: Tab,
                   terms: AutoRenew | None) -> list[RowResult]:
        with self.store.writing() as db:
            return policy.apply(db, ids, to, terms, *self.store.today_now())

    def tick(self) -> TickReport:
        with self.store.writing() as db:
            return tick.run(db, self.store.clock.now())

    def top_up(self, cents: int) -> None:
        with self.store.writing() as db:
            accounts.top_up(db, cents)

    def set_renewal_day(self, day: RenewalDay | None) -> None:
        with self.store.writing() as db:
            accounts.set_renewal_day(db, day)

    def set_deduction_days(self, days: int) -> None:
        with self.store.writing() as db:
            accounts.set_deduction_days(db, days)
