"""The verbs. The CLI and the TUI reach the database through a Store and nothing else.

A Store is safe to share between threads: each thread gets its own SQLite connection
(`store.connections`), and every write goes through `writing`.
"""

from __future__ import annotations

import builtins
import contextlib
import datetime as dt
import uuid
from collections.abc import Sequence
from pathlib import Path

import sqlite_utils

from store import audit, charges, demo, io, queries
from store.audit import Identity
from store.clock import Clock, parse_when, utc_stamp
from store.connections import Connections, DatabaseInfo, StoreEvents
from store.db import BUSY_TIMEOUT_S, write
from store.errors import PaymentFailed, ReadOnlyClock, Refused
from store.ledger import accounts, orders, payments, policy, tick
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
    def __init__(self, path: str | Path, clock: Clock | None = None, *,
                 events: StoreEvents | None = None, identity: Identity | None = None,
                 shared: bool = False, busy_timeout_s: float = BUSY_TIMEOUT_S) -> None:
        """`events` hears of a new file and of waits for other writers; `identity` is who the
        audit trail names (the process's OS account); `shared` makes a new file usable by its
        folder's group."""
        self.path = Path(path)
        self.clock = clock or Clock()
        self._connections = Connections(self.path, self.clock,
                                        identity or Identity.of_this_process(),
                                        events or StoreEvents(), shared, busy_timeout_s)

    @property
    def events(self) -> StoreEvents:
        return self._connections.events

    @events.setter
    def events(self, events: StoreEvents) -> None:
        """Who hears of waits from now on (the TUI takes over from the CLI when it opens)."""
        self._connections.events = events

    # connections -----------------------------------------------------------------------------
    def db(self) -> sqlite_utils.Database:
        """This thread's connection, opened (and the file checked and migrated) on first use."""
        return self._connections.get()

    def close(self) -> None:
        """Close this thread's connection."""
        self._connections.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def writing(self) -> contextlib.AbstractContextManager[sqlite_utils.Database]:
        """A write transaction on this thread's connection (see `Connections.writing`)."""
        return self._connections.writing()

    def info(self) -> DatabaseInfo:
        """Which file, and whether it runs on a simulated clock (or is read-only under --now)."""
        return self._connections.info()

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
        return charges.charge_for(total_cents, chosen)

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
                    seen: Preview | None = None) -> Order:
        """One combined order, pending payment, for the renewable ones among `ids`; refused
        whole (StalePreview) if `seen`, the preview the user confirmed, is out of date."""
        with self.writing() as db:
            today, now = self._today_now()
            return orders.place(db, list(ids), length, align, today, now, seen=seen)

    def pay(self, order_id: str, method: Method, idempotency_key: str | None = None,
            card: str | None = None, coupons: Sequence[str] = ()) -> Payment:
        """Pay in one transaction; a refusal is audited and changes nothing else."""
        key = idempotency_key or new_idempotency_key()
        today, now = self._today_now()
        try:
            with self.writing() as db:
                return payments.pay(db, order_id, method, key, today, now, card, coupons)
        except Refused as exc:
            if not isinstance(exc, ReadOnlyClock):
                with self.writing() as db:
                    audit.record(db, "order.pay", f"failed: {exc}", detail=order_id)
            raise

    def checkout(self, ids: Sequence[str], length: Duration, align: RenewalDay | None,
                 method: Method, idempotency_key: str, card: str | None = None,
                 coupons: Sequence[str] = (), seen: Preview | None = None) -> Payment:
        """Place and pay one order in one transaction.

        `seen`: the preview the user confirmed; if it is out of date nothing is placed
        (StalePreview). A refused payment keeps the order, pending, and raises PaymentFailed
        naming it; a key already used returns that payment again without placing anything.
        """
        today, now = self._today_now()
        if method is Method.ONLINE:
            charges.card_digits(card)      # a mistyped number places no order
        with self.writing() as db:
            replayed = payments.replay(db, idempotency_key)
            if replayed is not None:
                return replayed
            order = orders.place(db, list(ids), length, align, today, now, seen=seen)
            try:
                with write(db):
                    return payments.pay(db, order.id, method, idempotency_key, today, now,
                                        card, coupons)
            except Refused as exc:
                audit.record(db, "order.pay", f"failed: {exc}", detail=order.id)
                failure = PaymentFailed(str(exc), order.id)
        raise failure

    def set_policy(self, ids: Sequence[str], to: Tab,
                   terms: AutoRenew | None = None) -> builtins.list[RowResult]:
        """Move resources between Renewals tabs in one transaction; a result per resource."""
        with self.writing() as db:
            return policy.apply(db, ids, to, terms, *self._today_now())

    def tick(self) -> TickReport:
        """Process every due event up to now; running it again changes nothing."""
        with self.writing() as db:
            return tick.run(db, self.clock.now())

    def cancel_order(self, order_id: str) -> Order:
        with self.writing() as db:
            return orders.cancel(db, order_id, self.clock.stamp())

    def top_up(self, cents: int) -> Account:
        with self.writing() as db:
            accounts.top_up(db, cents)
        return self.account()

    def set_renewal_day(self, day: RenewalDay | None) -> Account:
        with self.writing() as db:
            accounts.set_renewal_day(db, day)
        return self.account()

    def set_deduction_days(self, days: int) -> Account:
        with self.writing() as db:
            accounts.set_deduction_days(db, days)
        return self.account()

    # import/export ---------------------------------------------------------------------------
    def import_resources(self, resources: Sequence[Resource]) -> int:
        """Add or replace resources (read with `io.read_resources`) in one transaction."""
        with self.writing() as db:
            return io.upsert_resources(db, resources)

    def seed_demo(self, count: int = 200, seed: int = 7, replace: bool = False) -> int:
        """Demo resources relative to today, a funded balance and coupons, in one transaction;
        the database becomes a simulation."""
        demo.check_count(count)
        today = self.clock.today()
        resources = demo.generate(count, seed, today)  # before the write: the lock is held
        with self.writing() as db:                     # only to write
            demo.load(db, resources, seed, today, replace=replace)
        return count


def new_idempotency_key() -> str:
    """A fresh key: made once when a payment is about to be asked for, reused on every retry."""
    return uuid.uuid4().hex
