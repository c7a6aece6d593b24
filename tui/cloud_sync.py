"""Syncing a bound database from the console: once by itself when the app opens, and on `C`.

The sync runs in a thread worker; each step it reports (reading the resources, the pools, ...)
shows in every screen's title bar, and when it is done the title bar says how long ago it was,
the screens reload what they show (they follow the database), and one line says what changed.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from store.errors import StoreError
from tui.watch import tell_every_screen
from tui.workers import run_store_job

if TYPE_CHECKING:
    from store.cloud.sync import SyncReport
    from store.service import Store
    from tui.app import RenewalsApp


def summary(report: SyncReport) -> str:
    changes = [f"{report.added:,} new" if report.added else "",
               f"{report.gone:,} gone" if report.gone else ""]
    changed = ", ".join(word for word in changes if word) or "no resources added or gone"
    resolved = (f"; {len(report.reconciled):,} calls left in doubt found out (see Audit)"
                if report.reconciled else "")
    return (f"Synced {report.resources:,} resources ({changed}), {report.pending_orders:,} "
            f"pending orders, {report.requests:,} requests{resolved}")


class CloudSync:
    def __init__(self, app: RenewalsApp, store: Store) -> None:
        self.app = app
        self.store = store
        self.running = False

    def run(self) -> None:
        if self.running:
            return
        self.running = True
        self.app.sync_step = "syncing…"

        def job(store: Store) -> tuple[SyncReport, object] | Exception:
            try:
                report = store.sync_cloud(progress=self._step_from_worker)
                return report, store.info()
            except (StoreError, sqlite3.Error) as exc:  # reported; `_done` always runs
                return exc

        run_store_job(self.app, self.store, job, self._done, group="cloud-sync",
                      exclusive=False)

    def _step_from_worker(self, step: str) -> None:
        self.app.call_from_thread(setattr, self.app, "sync_step", f"syncing: {step}…")

    def _done(self, outcome: tuple[SyncReport, object] | Exception) -> None:
        self.running = False
        self.app.sync_step = ""
        if isinstance(outcome, Exception):
            self.app.notify(f"Sync failed: {outcome}", severity="error", timeout=10)
            return
        report, info = outcome
        self.app.database = info  # type: ignore[assignment]
        tell_every_screen(self.app)
        self.app.notify(summary(report), title="Cloud sync", timeout=6)
        for warning in report.warnings:
            self.app.notify(warning, severity="warning", timeout=10)
