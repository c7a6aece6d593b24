"""Opening a database: readers never wait behind a writer, a waiting writer says so, and a file
that is not a renewals database (or is a newer one) is refused in one line."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
import sqlite_utils
from builders import TODAY, insert, resource

from store.clock import Clock
from store.migrations import KNOWN
from store.service import Store

RENEWALS = [sys.executable, "-m", "tui"]
HOLD_LOCK = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("ROLLBACK")
"""


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "shared.db"
    with Store(path, Clock.from_text(TODAY)) as store:
        insert(store, resource("a", "2026-12-10"), balance_cents=100)
    return path


class Writer:
    """Another process holding the write lock until `release()`."""

    def __init__(self, path: Path) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(path)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "locked"

    @property
    def holding(self) -> bool:
        return self.process.poll() is None

    def release(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        self.process.wait(timeout=10)


def renewals(db: Path, *args: str, env: dict[str, str] | None = None,
             wait: bool = True) -> subprocess.CompletedProcess | subprocess.Popen:
    command = [*RENEWALS, "--db", str(db), "--now", TODAY, *args]
    environment = {**os.environ, **(env or {})}
    if not wait:
        return subprocess.Popen(command, env=environment, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
    return subprocess.run(command, env=environment, capture_output=True, text=True, timeout=60)


def test_a_reader_does_not_wait_for_a_writer(db_path):
    writer = Writer(db_path)
    try:
        done = renewals(db_path, "account", "--json")
        assert done.returncode == 0, done.stderr
        assert writer.holding  # the read finished while the other process still held the lock
    finally:
        writer.release()


def test_a_waiting_writer_says_so_then_writes(db_path):
    writer = Writer(db_path)
    try:
        topping_up = renewals(db_path, "account", "--top-up", "1", wait=False)
        assert topping_up.stderr is not None
        first_line = topping_up.stderr.readline()  # said while the lock is still held
    finally:
        writer.release()
    _out, rest = topping_up.communicate(timeout=60)
    assert first_line == "waiting for another writer…\n", rest
    assert topping_up.returncode == 0, rest
    with closing(sqlite3.connect(db_path)) as conn:
        assert conn.execute("SELECT balance_cents FROM account").fetchone()[0] == 200


def test_past_the_busy_timeout_a_writer_gives_up_in_one_line(db_path):
    writer = Writer(db_path)
    try:
        done = renewals(db_path, "account", "--top-up", "1",
                        env={"RENEWALS_BUSY_TIMEOUT": "1.5"})
    finally:
        writer.release()
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert lines == ["waiting for another writer…",
                     "error: the database stayed locked by another writer for 1.5 s: nothing "
                     "was changed; try again"]


def test_a_bad_busy_timeout_is_exit_2(db_path):
    done = renewals(db_path, "list", env={"RENEWALS_BUSY_TIMEOUT": "soon"})
    assert done.returncode == 2 and "RENEWALS_BUSY_TIMEOUT" in done.stderr


# files that are not ours, or newer ----------------------------------------------------------------
def refused(path: Path, *words: str) -> None:
    done = renewals(path, "list")
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    for word in words:
        assert word in done.stderr, done.stderr


def test_a_newer_schema_is_refused_at_open(db_path):
    with closing(sqlite3.connect(db_path)) as conn, conn:
        conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
                     " VALUES ('renewals', 'm099_from_the_future', '2030-01-01')")
    refused(db_path, f"written by a newer renewals: schema {len(KNOWN) + 1}, "
                     f"this version knows {len(KNOWN)}")


def test_an_extra_column_is_refused_at_open(db_path):
    with closing(sqlite3.connect(db_path)) as conn, conn:
        conn.execute("ALTER TABLE resources ADD COLUMN colour TEXT")
    refused(db_path, "table resources is not what renewals schema", "extra columns: colour")


def test_a_file_that_is_not_sqlite_is_refused(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 100)
    refused(path, "is not a renewals database", "file is not a database")
    assert path.read_text().startswith("these are my notes")


def test_another_programs_database_is_refused_untouched(tmp_path):
    path = tmp_path / "other.db"
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("CREATE TABLE invoices (id INTEGER)")
    refused(path, "is not a renewals database (it holds other tables: invoices)")
    with closing(sqlite3.connect(path)) as conn:
        assert [row[0] for row in conn.execute("SELECT name FROM sqlite_master")] == ["invoices"]


def test_the_console_refuses_a_newer_database_before_it_starts(db_path):
    with closing(sqlite3.connect(db_path)) as conn, conn:
        conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
                     " VALUES ('renewals', 'm099_from_the_future', '2030-01-01')")
    done = subprocess.run([*RENEWALS, "--db", str(db_path)], capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 1 and "written by a newer renewals" in done.stderr


def test_another_programs_sqlite_utils_migrations_are_not_mistaken_for_ours(tmp_path):
    path = tmp_path / "other.db"
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("CREATE TABLE _sqlite_migrations (migration_set TEXT, name TEXT, "
                     "applied_at TEXT)")
        conn.execute("INSERT INTO _sqlite_migrations VALUES ('invoicing', 'm001', '2026-01-01')")
        conn.execute("CREATE TABLE invoices (id INTEGER)")
    refused(path, "is not a renewals database (it holds other tables: invoices)")


def test_the_columns_opening_checks_are_those_the_migrations_build():
    """store.schema keeps a copy of the schema's columns (so that opening need not migrate a
    database in memory first); after a new migration, update EXPECTED_COLUMNS to this."""
    from store import schema
    from store.migrations import migrations as every_migration

    with closing(sqlite_utils.Database(sqlite3.connect(":memory:"))) as db:
        every_migration.apply(db)
        built = {table: frozenset(schema.columns(db, table)) for table in schema.tables(db)}
    assert built == schema.EXPECTED_COLUMNS
