"""The verbs. The CLI and the TUI reach the database through a Store and nothing else.

A Store is safe to share between threads: each thread gets its own SQLite connection.
"""

from __future__ import annotations

import builtins
import datetime as dt
import threading
import uuid
from collections.abc import Sequence
from pathlib import Path

import sqlite_utils

from store import accounts, audit, demo, io, orders, payments, policy, queries, tick
from store.clock import Clock, parse_when, utc_stamp
from store.db import connect, write
from store.errors import PaymentFailed, Refused, StoreError
from store.migrations import migrate
from store.models import (
    Account,
    AuditEntry,
    AutoRenew,
    Charge,
    Duration,
    Filters,
    Method,
    Order,
    OrderStatus,
    Payment,
    Preview,
    QuickCounts,
    RenewalDay,
    Resource,
    ResourceRow,
    RowResult,
    Tab,
    TickReport,
    WeekExpiry,
)

EVERYTHING = Filters()


class Store:
    def __init__(self, path: str | Path, clock: Clock | None = None) -> None:
        self.path = Path(path)
        self.clock = clock or Clock()
        self._local = threading.local()
        self._migrated = False
        self._lock = threading.Lock()

    # connections -----------------------------------------------------------------------------
    def db(self) -> sqlite_utils.Database:
        """This thread's connection, opened (and the schema brought up to date) on first use."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = connect(self.path)
            with self._lock:
                if not self._migrated:
                    migrate(db)
                    self._migrated = True
            self._local.db = db
        return db

    def close(self) -> None:
        """Close this thread's connection."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    def _today_now(self) -> tuple[dt.date, str]:
        return self.clock.today(), self.clock.stamp()

    # reads -----------------------------------------------------------------------------------
    def list(self, filters: Filters = EVERYTHING, sort: str = "expiry", descending: bool = False,
             limit: int = 100, offset: int = 0) -> builtins.list[ResourceRow]:
        today, now = self._today_now()
        return queries.list_rows(self.db(), filters, today, now, sort=sort,
                                 descending=descending, limit=limit, offset=offset)

    def count(self, filters: Filters = EVERYTHING) -> int:
        return queries.count(self.db(), filters, *self._today_now())

    def quick_counts(self, filters: Filters = EVERYTHING) -> QuickCounts:
        return queries.quick_counts(self.db(), filters, *self._today_now())

    def matching_ids(self, filters: Filters = EVERYTHING) -> builtins.list[str]:
        return queries.matching_ids(self.db(), filters, *self._today_now())

    def distinct(self, column: str) -> builtins.list[str]:
        return queries.distinct_values(self.db(), column)

    def preview(self, ids: Sequence[str], length: Duration,
                align: RenewalDay | None = None) -> Preview:
        return orders.preview(self.db(), list(ids), length, align, *self._today_now())

    def selection_total(self, ids: Sequence[str], length: Duration) -> int:
        """The renewal price of these resources for a duration, before alignment."""
        return queries.renewal_total(self.db(), list(ids), length)

    def expiry_by_week(self, weeks: int = 12) -> builtins.list[WeekExpiry]:
        return queries.expiry_by_week(self.db(), self.clock.today(), weeks)

    def rows(self, ids: Sequence[str]) -> builtins.list[ResourceRow]:
        """These resources as listed today, in the order asked; unknown ids are left out."""
        today, now = self._today_now()
        found = queries.resources_by_id(self.db(), ids, now)
        return [queries.to_row(found[rid], today) for rid in ids if rid in found]

    def quote(self, total_cents: int, coupons: Sequence[str] = ()) -> Charge:
        """What paying `total_cents` with these coupons would charge. Changes nothing."""
        chosen = payments.usable_coupons(self.db(), coupons, self.clock.today())
        return payments.charge_for(total_cents, chosen)

    def order(self, order_id: str) -> Order:
        return orders.load(self.db(), order_id)

    def orders(self, status: OrderStatus | None = None) -> builtins.list[Order]:
        return orders.list_orders(self.db(), status)

    def account(self, include_used_coupons: bool = False) -> Account:
        return accounts.load(self.db(), include_used_coupons)

    def audit(self, since: str | None = None, limit: int = -1) -> builtins.list[AuditEntry]:
        """Audit rows newest first; `since` is read like --now (a date or ISO datetime)."""
        stamp = utc_stamp(parse_when(since)) if since else None
        return audit.entries(self.db(), stamp, limit)

    # writes ----------------------------------------------------------------------------------
    def place_order(self, ids: Sequence[str], length: Duration, align: RenewalDay | None = None,
                    expected_total_cents: int | None = None) -> Order:
        """One combined order, pending payment, for the renewable ones among `ids`."""
        with write(self.db()) as db:
            today, now = self._today_now()
            return orders.place(db, list(ids), length, align, today, now,
                                expected_total_cents=expected_total_cents)

    def pay(self, order_id: str, method: Method, idempotency_key: str | None = None,
            card: str | None = None, coupons: Sequence[str] = ()) -> Payment:
        """Pay in one transaction; a refusal is audited and changes nothing else."""
        key = idempotency_key or new_idempotency_key()
        today, now = self._today_now()
        try:
            with write(self.db()) as db:
                return payments.pay(db, order_id, method, key, today, now, card, coupons)
        except StoreError as exc:
            with write(self.db()) as db:
                audit.record(db, now, "order.pay", f"failed: {exc}", detail=order_id)
            raise

    def checkout(self, ids: Sequence[str], length: Duration, align: RenewalDay | None,
                 expected_total_cents: int, method: Method, idempotency_key: str,
                 card: str | None = None, coupons: Sequence[str] = ()) -> Payment:
        """Place and pay one order in one transaction.

        A refused payment keeps the order, pending, and raises PaymentFailed naming it; a key
        already used returns that payment again without placing anything.
        """
        today, now = self._today_now()
        if method is Method.ONLINE:
            payments.card_digits(card)      # a mistyped number places no order
        with write(self.db()) as db:
            replayed = payments.replay(db, idempotency_key)
            if replayed is not None:
                return replayed
            order = orders.place(db, list(ids), length, align, today, now, expected_total_cents)
            try:
                with write(db):
                    return payments.pay(db, order.id, method, idempotency_key, today, now,
                                        card, coupons)
            except Refused as exc:
                audit.record(db, now, "order.pay", f"failed: {exc}", detail=order.id)
                failure = PaymentFailed(str(exc), order.id)
        raise failure

    def set_policy(self, ids: Sequence[str], to: Tab,
                   terms: AutoRenew | None = None) -> builtins.list[RowResult]:
        """Move resources between Renewals tabs in one transaction; a result per resource."""
        with write(self.db()) as db:
            return policy.apply(db, ids, to, terms, *self._today_now())

    def tick(self) -> TickReport:
        """Process every due event up to now; running it again changes nothing."""
        with write(self.db()) as db:
            return tick.run(db, self.clock.now())

    def cancel_order(self, order_id: str) -> Order:
        with write(self.db()) as db:
            return orders.cancel(db, order_id, self.clock.stamp())

    def top_up(self, cents: int) -> Account:
        with write(self.db()) as db:
            accounts.top_up(db, cents, self.clock.stamp())
        return self.account()

    def set_renewal_day(self, day: RenewalDay | None) -> Account:
        with write(self.db()) as db:
            accounts.set_renewal_day(db, day, self.clock.stamp())
        return self.account()

    def set_deduction_days(self, days: int) -> Account:
        with write(self.db()) as db:
            accounts.set_deduction_days(db, days, self.clock.stamp())
        return self.account()

    # import/export ---------------------------------------------------------------------------
    def import_resources(self, resources: Sequence[Resource]) -> int:
        """Add or replace resources (read with `io.read_resources`) in one transaction."""
        return io.upsert_resources(self.db(), resources, self.clock.stamp())

    def seed_demo(self, count: int = 200, seed: int = 7, replace: bool = False) -> int:
        """Demo resources relative to today, a funded balance and coupons."""
        return demo.seed(self, count, seed, replace=replace)


def new_idempotency_key() -> str:
    """A fresh key: made once when a payment is about to be asked for, reused on every retry."""
    return uuid.uuid4().hex
