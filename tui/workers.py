"""Run a store read in a thread worker and hand its result back to the UI thread."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TypeVar

from textual.widget import Widget
from textual.worker import Worker, get_current_worker

from store.errors import StoreError
from store.service import Store

Result = TypeVar("Result")


def run_store_job(
    node: Widget,
    store: Store,
    job: Callable[[Store], Result],
    deliver: Callable[[Result], object],
    *,
    group: str,
    exclusive: bool = True,
) -> Worker[None]:
    """Run `job(store)` in a thread with its own connection; `deliver(result)` on the UI thread.

    Thread workers run in the event loop's thread pool, whose few threads outlive each job: the
    connection a thread opened stays open for its next job (opening one checks the schema, a
    cost every search letter would pay again). A cancelled job (an exclusive one replaced by a
    newer one) delivers nothing; a database error becomes a notification rather than a crash,
    and closes the connection, so the next job starts afresh.
    """

    def work() -> None:
        worker = get_current_worker()
        try:
            result = job(store)
        except (sqlite3.Error, StoreError) as exc:
            store.close()
            node.call_later(node.notify, f"Database error: {exc}", severity="error")
            return
        if not worker.is_cancelled:
            node.call_later(deliver, result)

    return node.run_worker(work, thread=True, group=group, exclusive=exclusive, name=group)
