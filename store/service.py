"""The verbs. The CLI and the TUI reach the database through a Store and nothing else.

A Store is safe to share between threads: each thread gets its own SQLite connection
(`store.connections`), and every write goes through `writing`.
"""

from __future__ import annotations

import builtins
import contextlib
import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import sqlite_utils

from store import audit, batches, charges, demo, io, pool_details, queries, records
from store.audit import Identity
from store.batches import BatchRenewal, OrderProgress
from store.billing import Billing, Progress
from store.clock import Clock, parse_since, utc_stamp
from store.cloud import require_sdk
from store.connections import Connections, DatabaseInfo, StoreEvents
from store.db import BUSY_TIMEOUT_S, reading
from store.errors import NotFound
from store.ledger import accounts, orders, payments, summary
from store.ledger.ledger import LocalLedger
from store.models import (
    Account,
    AutoRenew,
    Charge,
    Duration,
    Filters,
    Method,
    Order,
    OrderStatus,
    Payment,
    Preview,
    PreviewSummary,
    QuickCounts,
    RenewalDay,
    Resource,
    ResourceRow,
    RowResult,
    Tab,
    TickReport,
    Unrenewal,
    WeekExpiry,
)
from store.progress import RowsDone, reporting
from store.team.gate import gated
from store.team.plans import PLAN_MAX_AGE, Plans

if TYPE_CHECKING:
    from store.cloud.binding import CloudStatus
    from store.cloud.client import CloudClient
    from store.cloud.sync import SyncReport

EVERYTHING = Filters()


class Store:
    def __init__(self, path: str | Path, clock: Clock | None = None, *,
                 events: StoreEvents | None = None, identity: Identity | None = None,
                 shared: bool = False, busy_timeout_s: float = BUSY_TIMEOUT_S,
                 plan_max_age: dt.timedelta = PLAN_MAX_AGE) -> None:
        """`events` hears of new files and waits for writers; `identity` is who the audit
        names; `shared`: a new file for its folder's group; `plan_max_age`: how long plans hold."""
        self.path = Path(path)
        self.clock = clock or Clock()
        self._cloud: CloudClient | None = None
        self.plans = Plans(self, plan_max_age)  # saved renewals: make, approve, apply
        self._connections = Connections(self.path, self.clock,
                                        identity or Identity.of_this_process(),
                                        events or StoreEvents(), shared, busy_timeout_s)

    @property
    def events(self) -> StoreEvents:
        return self._connections.events

    @events.setter
    def events(self, events: StoreEvents) -> None:  # the TUI takes over from the CLI
        self._connections.events = events

    # connections -----------------------------------------------------------------------------
    def db(self) -> sqlite_utils.Database:
        """This thread's connection, opened (and the file checked and migrated) on first use."""
        return self._connections.get()

    def close(self) -> None:  # this thread's connection
        self._connections.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def writing(self, approvers: str | None = None) -> contextlib.AbstractContextManager[
            sqlite_utils.Database]:  # a write transaction: see Connections.writing
        return self._connections.writing(approvers)

    def info(self) -> DatabaseInfo:
        """Which file, and whether it runs on a simulated clock (or is read-only under --now)."""
        return self._connections.info()

    def today_now(self) -> tuple[dt.date, str]:  # the billing day and the store's UTC stamp
        return self.clock.today(), self.clock.stamp()

    # reads -----------------------------------------------------------------------------------
    def list(self, filters: Filters = EVERYTHING, sort: str = "expiry", descending: bool = False,
             limit: int = 100, offset: int = 0) -> builtins.list[ResourceRow]:
        today, now = self.today_now()
        return queries.list_rows(self.db(), filters, today, now, sort=sort,
                                 descending=descending, limit=limit, offset=offset)

    def record_lines(self, filters: Filters = EVERYTHING) -> Iterator[str]:
        """Every matching resource's record (`io.RECORD_FIELDS`) as a line of JSON, streamed:
        for listings of any size."""
        return records.json_lines(self.db(), filters, *self.today_now())

    def export(self, filters: Filters, fmt: str, stream: TextIO, sort: str = "expiry",
               descending: bool = False, progress: RowsDone | None = None) -> int:
        """Write every matching resource, as `csv` or `json`, row by row as SQLite builds
        them; returns how many. `progress(rows written)` hears how far it has come."""
        today, now = self.today_now()
        if fmt == "json":
            lines = records.json_lines(self.db(), filters, today, now, sort, descending,
                                       io.EXPORT_FIELDS)
            return io.write_json(reporting(lines, progress), stream)
        if fmt == "csv":
            rows = records.value_rows(self.db(), filters, today, now, sort, descending)
            return io.write_csv(reporting(rows, progress), stream)
        raise ValueError(f"export format is csv or json, not {fmt!r}")

    def count(self, filters: Filters = EVERYTHING) -> int:
        return queries.count(self.db(), filters, *self.today_now(),
                             beside=self._connections.beside)

    def quick_counts(self, filters: Filters = EVERYTHING, total: bool = True) -> QuickCounts:
        return queries.quick_counts(self.db(), filters, *self.today_now(), total=total)

    def matching_ids(self, filters: Filters = EVERYTHING) -> builtins.list[str]:
        return queries.matching_ids(self.db(), filters, *self.today_now())

    def check_all(self, filters: Filters, checked: frozenset[str],
                  length: Duration) -> tuple[frozenset[str], int]:
        """`checked` and every id the filters match, with their renewal total (as
        `selection_total`), read at one moment."""
        today, now = self.today_now()
        with reading(self.db()) as db:
            matching = frozenset(queries.matching_ids(db, filters, today, now, ordered=False))
            union = checked | matching if checked else matching
            if len(union) == len(matching):
                return union, queries.matching_total(db, filters, today, now, length)
            return union, queries.renewal_total(db, list(union), length)

    def distinct(self, column: str) -> builtins.list[str]:
        return queries.distinct_values(self.db(), column)

    def preview(self, ids: Sequence[str], length: Duration, align: RenewalDay | None = None,
                progress: Progress | None = None) -> Preview:
        """What renewing would cost: by the rules here, or a bound database's quotes (progress)."""
        return self.billing().preview(ids, length, align, progress)

    def preview_summary(self, ids: Sequence[str], length: Duration,
                        align: RenewalDay | None = None, progress: Progress | None = None,
                        first: int = 300) -> PreviewSummary:
        """The preview as a screen shows it: counted and totalled in SQL by the rules here,
        with its first `first` lines; on a bound database the billing system's quotes, summed."""
        if self.binding() == "cloud":
            return self.preview(ids, length, align, progress).summary(first)
        today, now = self.today_now()
        return summary.summarize(self.db(), ids, length, align, today, now, first,
                                 beside=self._connections.beside)

    def confirmed_preview(self, shown: PreviewSummary) -> Preview:
        """The whole preview behind `shown`, to order exactly that; StalePreview (nothing to
        order) if what it was worked out from moved since."""
        if shown.full is not None:
            return shown.full
        today, now = self.today_now()
        return summary.confirm(self.db(), shown, today, now)

    def selection_total(self, ids: Sequence[str], length: Duration) -> int:
        """The renewal price of these resources for a duration, before alignment."""
        return queries.renewal_total(self.db(), list(ids), length)

    def expiry_by_week(self, weeks: int = 12) -> builtins.list[WeekExpiry]:
        return queries.expiry_by_week(self.db(), self.clock.today(), weeks)

    def pool_details(self, resource_id: str) -> pool_details.PoolDetails | None:
        """What the last sync read of a pool from ModelArts (None on a local ledger)."""
        return pool_details.read(self.db(), resource_id)

    def rows(self, ids: Sequence[str]) -> builtins.list[ResourceRow]:
        """These resources as listed today, in the order asked; unknown ids are left out."""
        today, now = self.today_now()
        found = queries.resources_by_id(self.db(), ids, now)
        return [queries.to_row(found[rid], today) for rid in ids if rid in found]

    def quote(self, total_cents: int, coupons: Sequence[str] = ()) -> Charge:
        """What paying `total_cents` with these coupons would charge; changes nothing. A bound
        database checks the coupons; what they take off, the billing system says when paid."""
        if self.binding() == "cloud":
            from store.cloud.coupons import chosen_coupons  # a bound database's only

            chosen_coupons(self.db(), coupons)
            return Charge(total_cents, 0, 0)
        chosen = payments.usable_coupons(self.db(), coupons, self.clock.today())
        return charges.charge_for(total_cents, chosen)

    def order(self, order_id: str) -> Order:
        """A combined order, or on a bound database one of the account's pending orders."""
        try:
            return orders.load(self.db(), order_id)
        except NotFound:
            if self.binding() != "cloud":
                raise
            from store.cloud.account_orders import account_order  # a bound database's only

            return account_order(self.db(), order_id)

    def orders(self, status: OrderStatus | None = None) -> builtins.list[Order]:
        """Newest first; on a bound database the account's pending orders placed elsewhere
        come with the ones placed here."""
        found = orders.list_orders(self.db(), status)
        if self.binding() != "cloud":
            return found
        from store.cloud.account_orders import with_account_orders  # a bound database's only

        return with_account_orders(self.db(), found, status)

    def account(self, include_used_coupons: bool = False) -> Account:
        return accounts.load(self.db(), include_used_coupons)

    def audit(self, since: str | None = None,
              limit: int = -1) -> builtins.list[audit.AuditEntry]:
        """Audit rows newest first; `since` is read like --now, or is `today`, `yesterday` or a
        span back from the real time (`2h`), which stamps the audit trail."""
        moment = parse_since(since, Clock.wall_now()) if since else None
        stamp = utc_stamp(moment) if moment else None
        return audit.entries(self.db(), stamp, limit)

    # writes: through the billing backend of the database ------------------------------------
    def billing(self, approved: Preview | None = None) -> Billing:
        """The local ledger, or the cloud account the database is bound to; in team mode
        behind the role's gate (`approved`: an approved plan's renewal, to be let through)."""
        if self.binding() == "cloud":
            require_sdk()
            from store.cloud.billing import CloudBilling  # the SDK loads only for a bound database

            return gated(CloudBilling(self), self, approved)
        return gated(LocalLedger(self), self, approved)

    @property
    def identity(self) -> Identity:  # who the audit names; in team mode, with a role
        return self._connections.who

    def binding(self) -> str:
        """'local', 'cloud', or 'none' for a new database that is neither yet."""
        return str(self.db().execute("SELECT binding FROM account").fetchone()[0])

    def place_order(self, ids: Sequence[str], length: Duration, align: RenewalDay | None = None,
                    seen: Preview | None = None) -> Order:
        """One order, pending payment, of `ids`' renewable ones; StalePreview if `seen` moved."""
        return self.billing().place_order(ids, length, align, seen)

    def pay(self, order_id: str, method: Method, idempotency_key: str | None = None,
            card: str | None = None, coupons: Sequence[str] = ()) -> Payment:
        """Pay in one transaction; a refusal changes nothing."""
        key = idempotency_key or new_idempotency_key()
        return self.billing().pay(order_id, method, key, card, coupons)

    def check_method(self, method: Method) -> None:
        """Refused when the backend does not offer `method` (a bound database: account only)."""
        if self.binding() == "cloud":
            from store.cloud.paying import check_method

            check_method(method)

    def checkout(self, ids: Sequence[str], length: Duration, align: RenewalDay | None,
                 method: Method, idempotency_key: str, card: str | None = None,
                 coupons: Sequence[str] = (), seen: Preview | None = None) -> Payment:
        """Place and pay one order in one transaction.

        `seen`: the preview the user confirmed; if it is out of date nothing is placed
        (StalePreview). A refused payment keeps the order, pending, and raises PaymentFailed
        naming it; a key already used returns that payment again without placing anything.
        """
        return self.billing().checkout(ids, length, align, method, idempotency_key, card,
                                       coupons, seen)

    def renew_in_orders(self, preview: Preview, method: Method, idempotency_key: str,
                        card: str | None = None, coupons: Sequence[str] = (),
                        progress: OrderProgress | None = None) -> BatchRenewal:
        """`preview` (as confirmed) in orders of MAX_ORDER_LINES at most (store.batches)."""
        return batches.renew_in_orders(self, preview, method, idempotency_key, card, coupons,
                                       progress)

    def unrenew(self, ids: Sequence[str]) -> Unrenewal:
        """Take back renewed periods (a bound database's billing system; not a local ledger)."""
        return self.billing().unrenew(ids)

    def pending_renewal(self, ids: Sequence[str], length: Duration) -> Order | None:
        """A bound database's order for these resources an earlier attempt left pending."""
        if self.binding() != "cloud":
            return None
        from store.cloud.billing import CloudBilling

        return CloudBilling(self).pending_renewal(ids, length)

    def set_policy(self, ids: Sequence[str], to: Tab,
                   terms: AutoRenew | None = None) -> builtins.list[RowResult]:
        """Move resources between Renewals tabs in one transaction; a result per resource."""
        return self.billing().set_policy(ids, to, terms)

    def tick(self) -> TickReport:
        """Process every due event up to now; running it again changes nothing."""
        return self.billing().tick()

    def cancel_order(self, order_id: str) -> Order:
        return self.billing().cancel_order(order_id)

    def top_up(self, cents: int) -> Account:
        self.billing().top_up(cents)
        return self.account()

    def set_renewal_day(self, day: RenewalDay | None) -> Account:
        self.billing().set_renewal_day(day)
        return self.account()

    def set_deduction_days(self, days: int) -> Account:
        self.billing().set_deduction_days(days)
        return self.account()

    # import/export ---------------------------------------------------------------------------
    def import_file(self, path: str | Path, progress: RowsDone | None = None) -> int:
        """Add or replace a .json or .csv file's resources, each checked as it is read, in one
        transaction: the first bad one (ImportFailed) imports nothing; `progress`: rows read."""
        rows = io.rows_in(path)  # a file of the wrong kind opens no database
        with self.writing(approvers="an import") as db:
            accounts.claim_local(db, "an import")
            return io.import_rows(db, reporting(rows, progress))

    def import_resources(self, resources: Iterable[Resource]) -> int:
        """Add or replace resources (read with `io.read_resources`) in one transaction."""
        with self.writing(approvers="an import") as db:
            accounts.claim_local(db, "an import")
            return io.upsert_resources(db, resources)

    def seed_demo(self, count: int = 200, seed: int = 7, replace: bool = False) -> int:
        """Demo resources relative to today, a funded balance and coupons, in one transaction;
        the database becomes a simulation."""
        demo.check_count(count)
        today = self.clock.today()
        resources = demo.generate(count, seed, today)  # before the write: the lock is held
        with self.writing(approvers="demo data") as db:  # only to write
            accounts.claim_local(db, "demo data")
            demo.load(db, resources, seed, today, replace=replace)
        return count

    # the cloud account of a bound database ---------------------------------------------------
    # (store.cloud is imported here, when used: the SDK costs a second to load)
    def cloud_client(self) -> CloudClient:
        """The billing system's client for this database (built once, on first use)."""
        if self._cloud is None:
            require_sdk()
            from store.cloud.binding import client_for

            self._cloud = client_for(self)
        return self._cloud

    def sync_cloud(self, site: str | None = None,
                   progress: Callable[[str], None] = lambda _step: None) -> SyncReport:
        """Bind a new database to the credentials' account, or sync a bound one again."""
        require_sdk()
        from store.cloud.binding import client_for, run_sync

        self._cloud = client_for(self, site)
        return run_sync(self, self._cloud, progress)

    def cloud_status(self) -> CloudStatus:
        require_sdk()
        from store.cloud.binding import status

        return status(self)

    def last_quoted_preview(self, ids: Sequence[str], length: Duration) -> Preview:
        """On a bound database: the preview priced by the quotes kept last time (no call)."""
        from store.cloud.quotes import last_quoted_preview

        return last_quoted_preview(self.db(), ids, length, *self.today_now())


def new_idempotency_key() -> str:
    """A fresh key: made once when a payment is about to be asked for, reused on every retry."""
    return uuid.uuid4().hex
