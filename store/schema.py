"""Opening a database: refuse what is not ours (or is newer), migrate only when needed.

Every process opens the file, so the check is a read that takes no lock: a reader never waits
behind a writer just to learn that the schema is up to date. Only a database with pending
migrations takes the write lock, and re-checks under it.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from pathlib import Path

import sqlite_utils

from store.db import write
from store.errors import NotRenewals
from store.migrations import KNOWN, migrations


def tables(db: sqlite_utils.Database) -> set[str]:
    return {row[0] for row in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}


def columns(db: sqlite_utils.Database, table: str) -> set[str]:
    return {row[1] for row in db.execute(f"PRAGMA table_info({table})")}


@functools.cache
def expected_columns() -> dict[str, frozenset[str]]:
    """Each table's columns in this version's schema (built once, in memory)."""
    db = sqlite_utils.Database(sqlite3.connect(":memory:", isolation_level=None),
                               execute_plugins=False)
    migrations.apply(db)
    found = {table: frozenset(columns(db, table)) for table in tables(db)}
    db.close()
    return found


def applied(db: sqlite_utils.Database) -> list[str]:
    return [done.name for done in migrations.applied(db)]


def check(db: sqlite_utils.Database, path: Path) -> int:
    """Refuse a file that is not a renewals database or comes from a newer version; returns
    the number of migrations still to apply. A read: it takes no lock."""
    found = tables(db)
    done = applied(db)
    others = sorted(found - {migrations.migrations_table})
    if others and not done:  # tables of another program, its own migrations perhaps
        raise NotRenewals(f"{path} is not a renewals database (it holds other tables: "
                          f"{', '.join(others[:5])})")
    if any(name not in KNOWN for name in done):
        raise NotRenewals(f"{path} was written by a newer renewals: schema {len(done)}, this "
                          f"version knows {len(KNOWN)}; upgrade renewals to open it")
    if len(done) == len(KNOWN):
        _check_columns(db, path)
    return len(KNOWN) - len(done)


def _check_columns(db: sqlite_utils.Database, path: Path) -> None:
    for table, wanted in expected_columns().items():
        present = columns(db, table)
        if present != wanted:
            extra = ", ".join(sorted(present - wanted)) or "none"
            missing = ", ".join(sorted(wanted - present)) or "none"
            raise NotRenewals(
                f"{path}: table {table} is not what renewals schema {len(KNOWN)} has (extra "
                f"columns: {extra}; missing: {missing}): written by a newer or another program")


def open_schema(db: sqlite_utils.Database, path: Path,
                waiting: Callable[[bool], None] | None = None) -> bool:
    """Check the file and bring its schema up to date; True when migrations ran."""
    try:
        pending = check(db, path)
    except sqlite3.DatabaseError as exc:
        raise NotRenewals(f"{path} is not a renewals database ({exc})") from None
    if not pending:
        return False
    with write(db, waiting):
        if check(db, path):  # another process may have migrated while we waited
            migrations.apply(db)
    check(db, path)
    return True
