"""What every screen may show about the console as a whole, held by the App.

`ConsoleState` is mixed into the App (and into the tests' bare host app): which database is open
and on which clock, and whether a write is waiting for another writer. `StoreWatch` makes the
store's events reach it from the worker threads where they happen.
"""

from __future__ import annotations

import threading
from pathlib import Path

from textual.app import App
from textual.reactive import reactive

from store.audit import Identity
from store.config import Config
from store.connections import DatabaseInfo, StoreEvents
from store.service import Store
from tui.role_keys import role_refusal


class ConsoleState:
    """Mixed into an App: the state the title bar of every screen shows."""

    store: Store
    config: Config = Config(Path())
    """The user's settings (the defaults until the App is given a config file's)."""
    identity: Identity | None = None
    """Team mode: the operator this console acts for, and their role (store.team)."""

    def refused_for_role(self, verb: str) -> bool:
        """A change the operator's role may not make, refused with the reason (the store
        refuses it too): from a menu, where no key was greyed."""
        refusal = role_refusal(self.identity, verb)
        if refusal is not None:
            self.notify(refusal, severity="warning")  # type: ignore[attr-defined]
        return refusal is not None
    database: reactive[DatabaseInfo | None] = reactive(None)
    """The open file and its clock; None until it has been read."""
    writer_waiting: reactive[bool] = reactive(False)
    sync_step: reactive[str] = reactive("")
    """What a cloud sync in progress is doing, or empty."""
    due_events_done: reactive[tuple[int, int]] = reactive((0, 0))
    """What the last pass of due events that did anything did: (events, failed auto-renewals);
    the audit trail (`u`) has each one."""


class StoreWatch(StoreEvents):
    """The store's events, delivered to the app's thread."""

    def __init__(self, app: App) -> None:
        self.app = app

    def waiting_for_writer(self, waiting: bool) -> None:
        if threading.current_thread() is threading.main_thread():
            self._set(waiting)
        else:
            self.app.call_from_thread(self._set, waiting)

    def _set(self, waiting: bool) -> None:
        self.app.writer_waiting = waiting  # type: ignore[attr-defined]
