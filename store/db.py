"""Open the database: WAL, a busy timeout, foreign keys, durable commits; and one write helper."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import platformdirs
import sqlite_utils

BUSY_TIMEOUT_MS = 30_000


def default_path() -> Path:
    """`--db` / `RENEWALS_DB`, else the user data folder (created when first needed)."""
    env = os.environ.get("RENEWALS_DB")
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir("renewals", appauthor=False)) / "renewals.db"


def connect(path: str | Path) -> sqlite_utils.Database:
    """A new connection for the calling thread. Transactions are explicit (see `write`)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(target, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")
    if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        conn.execute("PRAGMA journal_mode = WAL")
    return sqlite_utils.Database(conn)


@contextlib.contextmanager
def write(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One write transaction, taken with BEGIN IMMEDIATE so read-then-write never deadlocks.

    Nested use joins the outer transaction through a savepoint.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
        db.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")
        raise
