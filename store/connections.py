"""A Store's connections: one per thread, the first of them opening the file.

Opening creates a missing database (private, or shared with the folder's group), checks and
migrates its schema without a write lock unless a migration is due (`store.schema`), and notes
whether it runs on a simulated clock. Every write then goes through `writing`: BEGIN IMMEDIATE,
a word to the user when another writer keeps it waiting, and a refusal when --now would write
into a database that runs on the real clock.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from store import audit
from store.clock import Clock
from store.db import BUSY_TIMEOUT_S, Result, connect, create_file, write
from store.errors import NotRenewals, ReadOnlyClock, Refused, StoreError
from store.schema import open_schema


class StoreEvents:
    """What a store tells the person using it while it works. The CLI prints these on stderr;
    the TUI shows them on screen. Called from whichever thread is working."""

    def created(self, path: Path) -> None:
        """A new, empty database file was made."""

    def waiting_for_writer(self, waiting: bool) -> None:
        """A write has waited over a second for another writer (True), or stopped waiting."""


@dataclass(frozen=True)
class DatabaseInfo:
    path: Path
    simulated: bool
    """The database runs on a simulated clock (made by `demo`, or first created under --now)."""
    read_only: bool
    """The database runs on the real clock and this store's clock is fixed (--now): reads only."""
    binding: str = "none"
    """'local' (a ledger made by demo or import), 'cloud' (bound to an account), or 'none'."""
    site: str | None = None
    synced_at: str | None = None
    """The last sync of a bound database (UTC stamp)."""

    @property
    def bound(self) -> bool:
        return self.binding == "cloud"


def clock_of(db: sqlite_utils.Database) -> str:
    """'real' or 'simulated'."""
    return str(db.execute("SELECT clock FROM account").fetchone()[0])


class Connections:
    def __init__(self, path: Path, clock: Clock, who: audit.Identity, events: StoreEvents,
                 shared: bool = False, busy_timeout_s: float = BUSY_TIMEOUT_S) -> None:
        self.path, self.clock, self.who, self.events = path, clock, who, events
        self.shared, self.busy_timeout_s = shared, busy_timeout_s
        self._local = threading.local()
        self._opened = False
        self._lock = threading.Lock()
        self._beside: ThreadPoolExecutor | None = None

    def get(self) -> sqlite_utils.Database:
        """This thread's connection, opened on first use."""
        db = getattr(self._local, "db", None)
        if db is None:
            with self._lock:
                db = self._connect() if self._opened else self._open()
            self._local.db = db
        return db

    def beside(self, read: Callable[[sqlite_utils.Database], Result]) -> Future[Result]:
        """Run `read` on a thread of its own (one of two), with that thread's connection,
        while this one goes on: SQLite lets go of the GIL while a statement runs, so reads run
        on every core.
        The reads see whatever was committed when each ran: callers check (data_version)."""
        with self._lock:
            if self._beside is None:
                self._beside = ThreadPoolExecutor(2, thread_name_prefix="renewals-beside")
        return self._beside.submit(self._read_beside, read)

    def _read_beside(self, read: Callable[[sqlite_utils.Database], Result]) -> Result:
        try:
            return read(self.get())
        except sqlite3.Error:
            self.close()  # that thread's connection: the next read beside opens a fresh one
            raise

    def close(self) -> None:
        """Close this thread's connection."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    def _connect(self) -> sqlite_utils.Database:
        try:
            db = connect(self.path, self.busy_timeout_s)
        except sqlite3.OperationalError as exc:  # no such file, no permission, ...
            raise StoreError(f"cannot open {self.path}: {exc}") from None
        except sqlite3.DatabaseError as exc:  # the file is not SQLite at all
            raise NotRenewals(f"{self.path} is not a renewals database ({exc})") from None
        audit.bind(db, self.clock, self.who)
        return db

    def _open(self) -> sqlite_utils.Database:
        """The first connection: create the file if need be, then check its schema."""
        try:
            created = create_file(self.path, self.shared)
        except FileNotFoundError:
            raise StoreError(f"cannot create {self.path}: the folder {self.path.parent} "
                             "does not exist") from None
        except PermissionError as exc:
            raise StoreError(f"cannot open or create {self.path}: {exc.strerror}") from None
        db = self._connect()
        try:
            open_schema(db, self.path, self.events.waiting_for_writer)
        except BaseException:
            db.close()
            raise
        if created:
            self.events.created(self.path)
            if self.clock.is_fixed:
                with write(db):
                    db.execute("UPDATE account SET clock = 'simulated'")
        self._opened = True
        return db

    def info(self) -> DatabaseInfo:
        clock, binding, site, synced = self.get().execute(
            "SELECT clock, binding, site, synced_at FROM account").fetchone()
        simulated = clock == "simulated"
        return DatabaseInfo(self.path, simulated, self.clock.is_fixed and not simulated,
                            binding, site, synced)

    @contextlib.contextmanager
    def writing(self, approvers: str | None = None) -> Iterator[sqlite_utils.Database]:
        """One write transaction (nested: a savepoint), refused when --now would write into a
        database that runs on the real clock. `approvers`: what the write does, when in team
        mode only an approver may (replacing the ledger's resources, say)."""
        if self.who.role == "viewer":  # team mode (store.team): before any lock is taken
            raise Refused(f"{self.who.operator} is a viewer: reads only; every change needs a "
                          "renewer or an approver")
        if approvers and self.who.role == "renewer":
            raise Refused(f"{self.who.operator} is a renewer: {approvers} needs an approver "
                          "(it replaces what the ledger holds, prices included)")
        with write(self.get(), self.events.waiting_for_writer) as db:
            if self.clock.is_fixed and clock_of(db) == "real":
                raise ReadOnlyClock(
                    f"{self.path} runs on the real clock, so with --now it is for reading only "
                    f"(this write would be dated {self.clock.today()}): drop --now to change "
                    "it, or simulate on a demo database")
            yield db
