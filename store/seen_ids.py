"""The ids an import file has given so far, to refuse a duplicate with where it first came.

They live in a private temporary SQLite file (`sqlite3.connect("")`, deleted when closed), not
in a Python dict: 100,000 ids and their lines would take ~20 MiB of memory, the file takes a
bounded page cache. Rows are checked a batch at a time.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from types import TracebackType
from typing import Any

from store.errors import ImportFailed

Located = tuple[str, dict[str, Any]]  # ("line 4" or "item 3", parsed fields with an "id")


class SeenIds:
    def __init__(self) -> None:
        self._conn = sqlite3.connect("", isolation_level=None)
        self._conn.execute("PRAGMA journal_mode = OFF")  # thrown away, never read back
        self._conn.execute("CREATE TABLE seen (id TEXT PRIMARY KEY, at TEXT NOT NULL)"
                           " WITHOUT ROWID")
        self._conn.execute("BEGIN")  # one transaction: no commit (and no sync) per batch

    def __enter__(self) -> SeenIds:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._conn.close()

    def add(self, batch: Sequence[Located]) -> None:
        """Note the batch's ids; ImportFailed names the first that came before (in this batch
        or an earlier one)."""
        before = self._conn.total_changes
        self._conn.executemany("INSERT OR IGNORE INTO seen VALUES (?, ?)",
                               [(fields["id"], where) for where, fields in batch])
        if self._conn.total_changes - before == len(batch):
            return
        for where, fields in batch:  # the first kept `at` of an id is where it first came
            (first,) = self._conn.execute("SELECT at FROM seen WHERE id = ?",
                                          (fields["id"],)).fetchone()
            if first != where:
                raise ImportFailed(f"{where}, field id: duplicate id {fields['id']!r} "
                                   f"(first at {first})")
