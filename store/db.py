"""Open the database: WAL, a busy timeout, foreign keys, durable commits; and one write helper.

Files are private unless shared: a new database is 0600 (0660 for a team's setgid folder), and
SQLite gives its -wal and -shm files the same mode.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import stat
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

import platformdirs
import sqlite_utils

from store.collection import collection_paused
from store.errors import Busy, StoreError
from store.models import ReadMark

Result = TypeVar("Result")
# `Connections.beside`: run a read on another thread's connection, its result to come.
Beside = Callable[[Callable[[sqlite_utils.Database], Any]], Future]

BUSY_TIMEOUT_S = 30.0
WAIT_NOTICE_S = 1.0  # a writer kept waiting this long is told why
PRIVATE_FILE, SHARED_FILE = 0o600, 0o660
PRIVATE_FOLDER = 0o700


def data_folder() -> Path:
    """The user data folder (`~/.local/share/renewals` on Linux)."""
    return Path(platformdirs.user_data_dir("renewals", appauthor=False))


def default_path() -> Path:
    """`renewals.db` in the user data folder (`--db` / `RENEWALS_DB` choose another)."""
    return data_folder() / "renewals.db"


def make_private_folder(folder: Path) -> None:
    """Create the data folder (and its parents) for this user only."""
    folder.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)


def create_file(path: Path, shared: bool = False) -> bool:
    """Create an empty database file with its mode set exactly (whatever the umask); False when
    it exists already (another process may have just made it).

    Shared means the folder's group may use it too, which only works in a setgid folder: there
    SQLite's -wal and -shm files get that group as well, not their creator's own.
    """
    if path.is_symlink() and not path.exists():
        raise StoreError(f"{path} is a symbolic link to a file that does not exist: create the "
                         "database at its real path")
    if shared and not path.exists() and not path.parent.stat().st_mode & stat.S_ISGID:
        raise StoreError(f"a shared database needs a setgid folder, so every file in it gets "
                         f"the team's group: chgrp GROUP {path.parent} && chmod 2770 "
                         f"{path.parent}")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        return False
    try:
        os.fchmod(fd, SHARED_FILE if shared else PRIVATE_FILE)
    finally:
        os.close(fd)
    return True


def connect(path: str | Path, busy_timeout_s: float = BUSY_TIMEOUT_S) -> sqlite_utils.Database:
    """A new connection for the calling thread. Transactions are explicit (see `write`)."""
    conn = sqlite3.connect(Path(path), isolation_level=None, timeout=busy_timeout_s)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")
    if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        conn.execute("PRAGMA journal_mode = WAL")
    # execute_plugins=False: no sqlite-utils plugin (an entry point of any installed package)
    # runs on our connections, and none is searched for: the search costs ~20 ms a process.
    return sqlite_utils.Database(conn, execute_plugins=False)


def _busy_timeout(db: sqlite_utils.Database) -> float:
    return float(db.execute("PRAGMA busy_timeout").fetchone()[0]) / 1000


def _set_busy_timeout(db: sqlite_utils.Database, seconds: float) -> None:
    db.execute(f"PRAGMA busy_timeout = {max(0, round(seconds * 1000))}")


def _try_begin(db: sqlite_utils.Database, seconds: float) -> bool:
    """BEGIN IMMEDIATE, waiting up to `seconds` for the write lock; False if it stayed locked."""
    total = _busy_timeout(db)
    _set_busy_timeout(db, seconds)
    try:
        db.execute("BEGIN IMMEDIATE")
        return True
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return False
        raise
    finally:
        _set_busy_timeout(db, total)


def begin_immediate(db: sqlite_utils.Database,
                    waiting: Callable[[bool], None] | None = None) -> None:
    """Take the write lock. When another writer holds it past WAIT_NOTICE_S, `waiting(True)`
    says so (and `waiting(False)` once the wait is over); past the busy timeout, Busy."""
    total = _busy_timeout(db)
    if _try_begin(db, min(WAIT_NOTICE_S, total)):
        return
    if total <= WAIT_NOTICE_S:
        raise Busy(total)
    if waiting:
        waiting(True)
    try:
        if not _try_begin(db, total - WAIT_NOTICE_S):
            raise Busy(total)
    finally:
        if waiting:
            waiting(False)


def data_version(db: sqlite_utils.Database) -> int:
    """Changes when another connection commits (SQLite's PRAGMA data_version): the same number
    twice means what was read in between still holds."""
    return int(db.execute("PRAGMA data_version").fetchone()[0])


def read_mark(db: sqlite_utils.Database, version_before: int, today: dt.date,
              now: str) -> ReadMark | None:
    """Where this connection stands after reads begun at data_version `version_before`
    (None if another connection committed meanwhile): while `unmoved` says so of it, nothing
    they read has been committed since, by this connection or another."""
    version = data_version(db)
    if version != version_before:
        return None
    return ReadMark(db, version, db.conn.total_changes, today, now)


def unmoved(mark: ReadMark, db: sqlite_utils.Database) -> bool:
    """Nothing committed since `mark` was taken on `db` (False for another connection's)."""
    return (mark.source is db and data_version(db) == mark.version
            and db.conn.total_changes == mark.changes)


def read_unmoved(db: sqlite_utils.Database, read: Callable[..., Result],
                 *request: Any) -> Result | None:
    """`read(db, *request)` in one snapshot, or None when a commit came while it ran: for a
    read `beside` another, which then holds with it only if neither saw a commit."""
    version = data_version(db)
    with reading(db):
        found = read(db, *request)
    return found if data_version(db) == version else None


@contextlib.contextmanager
def reading(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """Several reads that see one snapshot (a deferred transaction, rolled back: it writes
    nothing but scratch rows in the connection's own temp tables). Inside a write, its own."""
    if db.conn.in_transaction:
        yield db
        return
    db.execute("BEGIN")
    try:
        yield db
    finally:
        db.execute("ROLLBACK")


@contextlib.contextmanager
def write(db: sqlite_utils.Database,
          waiting: Callable[[bool], None] | None = None) -> Iterator[sqlite_utils.Database]:
    """One write transaction, taken with BEGIN IMMEDIATE so read-then-write never deadlocks.

    Nested use joins the outer transaction through a savepoint. No garbage-collection pass
    runs while the lock is held (`store.collection`).
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    begin_immediate(db, waiting)
    with collection_paused():
        try:
            yield db
            db.execute("COMMIT")
        except BaseException:
            if db.conn.in_transaction:
                db.execute("ROLLBACK")
            raise
