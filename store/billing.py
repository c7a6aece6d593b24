"""Who the verbs act on: one small interface, two implementations.

`store.ledger.LocalLedger` applies the billing rules itself, in SQLite (a database made by demo
or import). `store.cloud.billing.CloudBilling` asks a Huawei Cloud account's billing system (a
database bound by `cloud sync`). The Store picks one by the database's binding for every verb;
reads come from SQLite either way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

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

Progress = Callable[[int, int], None]
"""(done, of): how far a long preview has got (the cloud's quotes come ten at a time)."""


class Billing(Protocol):
    def preview(self, ids: Sequence[str], length: Duration, align: RenewalDay | None,
                progress: Progress | None = None) -> Preview: ...

    def place_order(self, ids: Sequence[str], length: Duration, align: RenewalDay | None,
                    seen: Preview | None) -> Order: ...

    def pay(self, order_id: str, method: Method, key: str, card: str | None,
            coupons: Sequence[str]) -> Payment: ...

    def checkout(self, ids: Sequence[str], length: Duration, align: RenewalDay | None,
                 method: Method, key: str, card: str | None, coupons: Sequence[str],
                 seen: Preview | None) -> Payment: ...

    def cancel_order(self, order_id: str) -> Order: ...

    def unrenew(self, ids: Sequence[str]) -> Unrenewal: ...

    def set_policy(self, ids: Sequence[str], to: Tab,
                   terms: AutoRenew | None) -> list[RowResult]: ...

    def tick(self) -> TickReport: ...

    def top_up(self, cents: int) -> None: ...

    def set_renewal_day(self, day: RenewalDay | None) -> None: ...

    def set_deduction_days(self, days: int) -> None: ...
