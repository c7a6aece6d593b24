"""The cloud account's side of `store.billing.Billing`, on a database bound by `cloud sync`.

Previews are priced by the billing system's quotes. Renewing, paying and changing policies
through the API are not built yet: each says so rather than acting on the mirror alone, since a
change made only here would be a lie about the account. Due events are the billing system's own,
and a top-up is not an API call at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from store.billing import Progress
from store.clock import Clock
from store.cloud import NO_ALIGN, quotes
from store.errors import Refused
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
)

if TYPE_CHECKING:
    from store.service import Store

NOT_YET = ("{what} through the billing system is not built yet: this database mirrors a Huawei "
           "Cloud account, and changing only the mirror would not change the account")


class CloudBilling:
    def __init__(self, store: Store) -> None:
        self.store = store

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
        raise Refused(NOT_YET.format(what="renewing"))

    def pay(self, order_id: str, method: Method, key: str, card: str | None,
            coupons: Sequence[str]) -> Payment:
        raise Refused(NOT_YET.format(what="paying"))

    def checkout(self, ids: Sequence[str], length: Duration, align: RenewalDay | None,
                 method: Method, key: str, card: str | None, coupons: Sequence[str],
                 seen: Preview | None) -> Payment:
        raise Refused(NOT_YET.format(what="renewing and paying"))

    def cancel_order(self, order_id: str) -> Order:
        raise Refused(NOT_YET.format(what="cancelling an order"))

    def set_policy(self, ids: Sequence[str], to: Tab,
                   terms: AutoRenew | None) -> list[RowResult]:
        raise Refused(NOT_YET.format(what="changing a renewal policy"))

    def tick(self) -> TickReport:
        raise Refused("the billing system runs its own due events (auto-renewals, expiries, "
                      "deletions) for a bound database: run `renewals cloud sync` to see them")

    def top_up(self, cents: int) -> None:
        raise Refused("the billing API has no top-up: add money in the Billing Center, then "
                      "run `renewals cloud sync`")

    def set_renewal_day(self, day: RenewalDay | None) -> None:
        raise Refused(NOT_YET.format(what="setting the renewal day"))

    def set_deduction_days(self, days: int) -> None:
        raise Refused(NOT_YET.format(what="setting the deduction days"))
