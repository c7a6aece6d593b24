"""The schema's single source: sqlite-utils Migrations, applied when a database is opened.

The migrations live in the modules of this package, registered in order as they are imported at
the bottom: `ledger` (the local ledger's schema, 1–4), `cloud` (the mirror of a cloud account,
5–). Add one with `@migration` at the end of the newest module; never change one that has
shipped. `store.schema` opens a database: it refuses foreign and newer files and applies what is
pending.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils
from sqlite_utils.migrations import Migrations

from store.errors import Refused
from store.money import MAX_CENTS

migrations = Migrations("renewals")
KNOWN: list[str] = []
"""The names of this version's migrations, in order: a database's schema number is how many it
has applied, and one that has applied a name not here was written by a newer version."""


def migration(function: Callable[[sqlite_utils.Database], None]) -> Callable[..., None]:
    KNOWN.append(function.__name__)
    return migrations()(function)


MONEY_TABLES = ("resources", "account", "orders", "order_lines", "coupons", "payments", "audit")


def guard_cents(db: sqlite_utils.Database, table: str) -> None:
    """Triggers that make the database itself refuse anything but whole cents within ±MAX_CENTS
    in every `*_cents` column of `table` (SQLite turns an overflowing sum into a REAL).

    A later migration that adds a `*_cents` column calls this again for its table."""
    for column in (c.name for c in db[table].columns if c.name.endswith("_cents")):
        bad = (f"typeof(NEW.{column}) NOT IN ('integer', 'null') "
               f"OR abs(NEW.{column}) > {MAX_CENTS}")
        message = f"{table}.{column} takes whole cents up to {MAX_CENTS:,}"
        for event in ("INSERT", f"UPDATE OF {column}"):
            name = f"{table}_{column}_{event.split()[0].lower()}_is_cents"
            db.execute(f"""CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} ON {table}
                           WHEN {bad} BEGIN SELECT RAISE(ABORT, '{message}'); END""")


def refuse_damaged_money(db: sqlite_utils.Database, table: str) -> None:
    """Stop at a value that is already not whole cents (an older version let a REAL in)."""
    for column in (c.name for c in db[table].columns if c.name.endswith("_cents")):
        row = db.execute(
            f"SELECT rowid, {column} FROM {table} WHERE typeof({column}) NOT IN"
            f" ('integer', 'null') OR abs({column}) > {MAX_CENTS} LIMIT 1").fetchone()
        if row is not None:
            raise Refused(f"{table}.{column} of row {row[0]} holds {row[1]!r}, not whole cents: "
                          "an older renewals let it in; set it right with sqlite3 and open the "
                          "database again")


# Registered in this order (ledger, then cloud); imported last because they use `migration`.
from store.migrations import ledger  # noqa: E402, F401, I001
from store.migrations import cloud  # noqa: E402, F401, I001
