"""Following other users' writes: the open console reloads what it shows when the file changes.

A thread of its own keeps one connection open and asks SQLite's `PRAGMA data_version` every
WATCH_SECONDS: the number moves whenever another connection (another process, or one of this
app's workers) has committed. Then every screen on the stack gets `DataChanged` and reloads what
it shows, keeping its cursor, checks and scroll position. `ctrl+r` sends the same message.
"""

from __future__ import annotations

import sqlite3
import threading
from typing import TYPE_CHECKING

from textual.message import Message

from store.errors import StoreError

if TYPE_CHECKING:
    from textual.app import App

    from store.service import Store

WATCH_SECONDS = 1.0


class DataChanged(Message):
    """The database has changed since this screen loaded what it shows: reload it."""


def tell_every_screen(app: App) -> None:
    for screen in app.screen_stack:
        screen.post_message(DataChanged())


class DatabaseWatch:
    """Polls one connection's data_version from a daemon thread until `stop`."""

    def __init__(self, app: App, store: Store, every: float = WATCH_SECONDS) -> None:
        self.app = app
        self.store = store
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="database-watch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _version(self) -> int:
        return int(self.store.db().execute("PRAGMA data_version").fetchone()[0])

    def _run(self) -> None:
        try:
            seen = self._version()
            while not self._stop.wait(self.every):
                version = self._version()
                if version != seen:
                    seen = version
                    self.app.call_from_thread(tell_every_screen, self.app)
        except (sqlite3.Error, StoreError, RuntimeError):
            return  # the file went away, or the app stopped: nothing left to follow
        finally:
            self.store.close()
