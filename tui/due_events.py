"""Due events while the app is open: `store.tick()` at start and every minute, in a worker.

When a pass did something, the app says so in one line (an auto-renew failure as an error) and
every screen on the stack gets a `DataChanged` message to reload what it shows.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from store.errors import StoreError
from store.models import TickReport
from tui.watch import tell_every_screen
from tui.workers import run_store_job

if TYPE_CHECKING:
    from textual.app import App

    from store.service import Store

TICK_SECONDS = 60.0
FAILURES_NAMED = 1


FIRST_PASS_DELAY = 0.5


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def tick_summary(report: TickReport, names: dict[str, str] | None = None) -> str:
    """`Due events: 3 auto-renewed, 1 auto-renewal failed (pool-a: insufficient balance)`."""
    names = names or {}
    parts = []
    if report.auto_renewed:
        parts.append(f"{len(report.auto_renewed):,} auto-renewed")
    if report.auto_failed:
        failed = "; ".join(f"{names.get(rid, rid)}: {reason}"
                           for rid, reason in report.auto_failed[:FAILURES_NAMED])
        others = len(report.auto_failed) - FAILURES_NAMED
        more = f"; {others:,} more" if others > 0 else ""
        parts.append(f"{plural(len(report.auto_failed), 'auto-renewal')} failed "
                     f"({failed}{more}; audit trail: u)")
    if report.expired_orders:
        parts.append(f"{plural(len(report.expired_orders), 'unpaid order')} expired")
    if report.to_pay_per_use:
        parts.append(f"{len(report.to_pay_per_use):,} converted to pay-per-use")
    if report.deleted:
        parts.append(f"{len(report.deleted):,} deleted after retention")
    return "Due events: " + ", ".join(parts)


def event_count(report: TickReport) -> int:
    """How many things one pass did (the audit trail records what and to which)."""
    return (len(report.expired_orders) + len(report.auto_renewed) + len(report.auto_failed)
            + len(report.to_pay_per_use) + len(report.deleted))


def process_due_events(store: Store) -> tuple[TickReport, dict[str, str]] | Exception:
    """One pass, with the names of resources whose auto-renewal failed."""
    try:
        report = store.tick()
        failed = [rid for rid, _ in report.auto_failed[:FAILURES_NAMED]]
        return report, {row.resource.id: row.resource.name for row in store.rows(failed)}
    except (sqlite3.Error, StoreError) as exc:
        return exc


class DueEvents:
    """Runs the passes for one app; never two at once."""

    def __init__(self, app: App, store: Store, every: float | None = TICK_SECONDS) -> None:
        self.app = app
        self.store = store
        self.every = every
        self.running = False
        self.passes = 0
        """Passes finished so far (failed ones included)."""

    def start(self) -> None:
        """A pass shortly, then one every `every` seconds.

        The first pass waits a moment so the first rows draw before it competes for the CPU.
        """
        self.app.set_timer(FIRST_PASS_DELAY, self.run)
        if self.every:
            self.app.set_interval(self.every, self.run, name="due-events")

    def run(self) -> None:
        if self.running:
            return
        self.running = True
        run_store_job(self.app, self.store, process_due_events, self._done, group="due-events",
                      exclusive=False)

    def _done(self, outcome: tuple[TickReport, dict[str, str]] | Exception) -> None:
        self.running = False
        self.passes += 1
        if isinstance(outcome, Exception):
            self.app.notify(f"Due events not processed: {outcome}", severity="error",
                            markup=False)
            return
        report, names = outcome
        if report.nothing_done:
            return
        # The title bar says how many (a toast would cover the rows and dialogs for seconds,
        # ten lines of it at 100,000 resources); only failed auto-renewals also get one.
        self.app.due_events_done = (event_count(report), len(report.auto_failed))  # type: ignore[attr-defined]
        if report.auto_failed and self.app.config.due_event_toasts:  # type: ignore[attr-defined]
            self.app.notify(tick_summary(report, names), title="Due events", severity="error",
                            markup=False)
        tell_every_screen(self.app)
