"""The cloud account's side of `store.billing.Billing`, on a database bound by `cloud sync`.

Previews are priced by the billing system's quotes; renewing, paying, cancelling, policies and
settings are the billing API's calls (`renewing`, `paying`, `undo`, `policies`), each written
down as an intent before it is made. Every verb first finds out what any call left in doubt
did (`reconcile`), so nothing is sent twice. Due events are the billing system's own, and a
top-up is not an API call at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from store.billing import Progress
from store.clock import Clock
from store.cloud import NO_ALIGN, backing, paying, policies, quotes, reconcile, renewing, undo
from store.cloud.client import CloudClient
from store.cloud.coupons import chosen_coupons
from store.errors import PaymentFailed, Refused
from store.ledger import orders
from store.models import (
    AutoRenew,
    Duration,
    Method,
    Order,
    OrderStatus,
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


class CloudBilling:
    def __init__(self, store: Store) -> None:
        self.store = store

    def _ready(self) -> CloudClient:
        """Before any call that changes the account: the database may be written (not under
        --now), and every call left in doubt is resolved."""
        with self.store.writing():
            pass
        client = self.store.cloud_client()
        reconcile.reconcile(self.store, client)
        return client

    def preview(self, ids: Sequence[str], length: Duration, align: RenewalDay | None,
                progress: Progress | None = None) -> Preview:
        """Fresh quotes, ten resources a call; kept for the next preview."""
        if align is not None:
            raise Refused(NO_ALIGN)
        db = self.store.db()
        today, now = self.store.today_now()
        found = quotes.resources(db, list(dict.fromkeys(ids)), now)
        refused = quotes.refusals(found, today)
        asked = [rid for rid in dict.fromkeys(ids) if refused[rid] is None]
        answers = quotes.ask(self.store.cloud_client(), asked, length,
                             progress or (lambda _done, _of: None))
        quoted_at = Clock.wall_stamp()
        currency = db.execute("SELECT currency FROM account").fetchone()[0]
        if not self.store.info().read_only:  # under --now on a real-clock database: shown only
            with self.store.writing() as db:
                quotes.keep(db, answers, length.months, currency, quoted_at)
        return quotes.quoted_preview(found, ids, length, today, answers, currency, quoted_at)

    def place_order(self, ids: Sequence[str], length: Duration, align: RenewalDay | None,
                    seen: Preview | None) -> Order:
        """The renewal orders, pending; refused (the order kept, pending) when the billing
        system's amounts are not the quotes shown."""
        if align is not None:
            raise Refused(NO_ALIGN)
        order = renewing.place(self.store, self._ready(), ids, length, seen)
        quoted = renewing.quoted_total(self.store.db(), order.id)
        if order.total_cents != quoted:
            raise paying.amount_changed(order, quoted)
        return order

    def pay(self, order_id: str, method: Method, key: str, card: str | None,
            coupons: Sequence[str]) -> Payment:
        paying.check_method(method)
        return paying.pay(self.store, self._ready(), order_id, key, coupons)

    def checkout(self, ids: Sequence[str], length: Duration, align: RenewalDay | None,
                 method: Method, key: str, card: str | None, coupons: Sequence[str],
                 seen: Preview | None) -> Payment:
        """Place, then pay what was quoted: an order whose amounts differ, or that cannot be
        paid, is left pending on the account (PaymentFailed names it)."""
        paying.check_method(method)
        if align is not None:
            raise Refused(NO_ALIGN)
        client = self._ready()
        chosen_coupons(self.store.db(), coupons)  # a bad coupon places no order
        replayed = paying.replay(self.store.db(), key)
        if replayed is not None:
            return replayed
        order = renewing.place(self.store, client, ids, length, seen)
        expected = renewing.quoted_total(self.store.db(), order.id)
        try:
            payment = paying.pay(self.store, client, order.id, key, coupons, expected, length)
        except PaymentFailed:
            raise
        except Refused as exc:
            raise PaymentFailed(str(exc), order.id) from None
        return Payment(**{**payment.__dict__,
                          "order": Order(**{**payment.order.__dict__, "refused": order.refused})})

    def pending_renewal(self, ids: Sequence[str], length: Duration) -> Order | None:
        """A combined order placed here for these resources (some of them, no others) and
        this duration, still pending after what was in doubt is resolved: an earlier attempt
        to carry on with rather than renew again."""
        started = Clock.wall_stamp()
        self._ready()
        db = self.store.db()
        # An order whose call in doubt was found out just now (paid after all, say) is
        # carried on with too: renewing its resources again would renew them twice.
        found_out = {oid for (oid,) in db.execute(
            "SELECT local_order_id FROM cloud_intents WHERE state = 'reconciled'"
            " AND closed_at >= ? AND local_order_id IS NOT NULL", (started,))}
        wanted = set(ids)
        return next((order for order in orders.list_orders(db)
                     if order.source == backing.SOURCE and order.lines
                     and (order.status is OrderStatus.PENDING
                          or order.status is OrderStatus.PAID and order.id in found_out)
                     and set(order.resource_ids) <= wanted
                     and order.lines[0].months == length.months), None)

    def cancel_order(self, order_id: str) -> Order:
        return undo.cancel(self.store, self._ready(), order_id)

    def unrenew(self, ids: Sequence[str]) -> Unrenewal:
        return undo.unrenew(self.store, self._ready(), ids)

    def set_policy(self, ids: Sequence[str], to: Tab,
                   terms: AutoRenew | None) -> list[RowResult]:
        return policies.set_policy(self.store, self._ready(), ids, to, terms)

    def tick(self) -> TickReport:
        raise Refused("the billing system runs its own due events (auto-renewals, expiries, "
                      "deletions) for a bound database: run `renewals cloud sync` to see them")

    def top_up(self, cents: int) -> None:
        raise Refused("the billing API has no top-up: add money in the Billing Center, then "
                      "run `renewals cloud sync`")

    def set_renewal_day(self, day: RenewalDay | None) -> None:
        value = policies.renewal_day_value(day)  # refused before anything is read or sent
        policies.set_config(self.store, self._ready(), "EXPIRE_DATE", value, "renewal_day",
                            str(day))

    def set_deduction_days(self, days: int) -> None:
        value = policies.deduction_days_value(days)
        policies.set_config(self.store, self._ready(), "DEDUCTION_DATE", value,
                            "deduction_days", days)
