"""The audit trail (`u`): who did what and when, newest first, filtered by a text box.

The newest AUDIT_WINDOW entries are read in a worker; the filter runs over those in memory and
the table shows the first SHOWN matches. Times are billing time, UTC+08:00.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from store.audit import AuditEntry
from store.clock import BILLING_OFFSET
from store.money import format_cents
from store.service import Store
from store.text import safe_text
from tui.safe import safe
from tui.watch import DataChanged
from tui.widgets.list_table import ListTable
from tui.widgets.title_bar import TitleBar
from tui.workers import run_store_job

AUDIT_WINDOW = 5_000
SHOWN = 300
IDS_WIDTH = 28
RESULT_WIDTH = 24
DETAIL_WIDTH = 60
PANEL_WIDTH = 78  # the panel's lines fit 80 columns whole
# Who comes before the wide columns: at 80 columns it is on screen, with when, what and how.
COLUMNS = (("time", "Time (UTC+08:00)"), ("action", "Action"), ("result", "Result"),
           ("who", "Who"), ("amount", "Amount"), ("resources", "Resources"),
           ("detail", "Detail"))
WIDE_FROM = 140  # terminal columns; narrower, resources and detail are in the panel below only


def billing_time(stamp: str, seconds: bool = False) -> str:
    """A stored UTC stamp as `2026-11-26 03:00` in UTC+08:00."""
    moment = dt.datetime.fromisoformat(stamp).astimezone(BILLING_OFFSET)
    return moment.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def resources_text(ids: tuple[str, ...], width: int = IDS_WIDTH) -> str:
    """`3: pool-a, pool-b, ...` cut to `width` characters; empty when there are none."""
    if not ids:
        return ""
    return clip(f"{len(ids):,}: {', '.join(ids[:5])}", width)


def matches(entry: AuditEntry, needle: str) -> bool:
    """Whether action, user, SSH client, result, detail or a resource id contains `needle`."""
    if not needle:
        return True
    fields = (entry.action, entry.os_user, entry.ssh_client or "", entry.result, entry.detail)
    return any(needle in field.lower() for field in fields) or any(
        needle in rid.lower() for rid in entry.resource_ids)


def who_text(entry: AuditEntry) -> str:
    """`ops`, or `ops@10.0.0.9` when SSH reported a client address (unverified); in team
    mode the operator the service account acted for."""
    return (entry.operator or entry.os_user) + (f"@{entry.ssh_client}" if entry.ssh_client
                                                else "")


def time_text(entry: AuditEntry) -> str:
    """The wall-clock time; on a simulation, the simulated time after it."""
    wall = billing_time(entry.at)
    return f"{wall} sim {billing_time(entry.simulated_at)}" if entry.simulated_at else wall


def amount_text(entry: AuditEntry, currency: str) -> str:
    return "" if entry.amount_cents is None else format_cents(entry.amount_cents, currency)


def entry_cells(entry: AuditEntry, currency: str, wide: bool = True) -> tuple[Text, ...]:
    """One audit row as table cells; everything came from the database, so all of it is Text.
    Not `wide`: the wall-clock time alone (the panel under the table has the simulated one)."""
    failed = entry.result != "ok"
    when = time_text(entry) if wide else billing_time(entry.at)
    return (Text(when), safe(entry.action),
            safe(clip(safe_text(entry.result), RESULT_WIDTH), style="bold" if failed else ""),
            safe(who_text(entry)), Text(amount_text(entry, currency), justify="right"),
            safe(resources_text(entry.resource_ids)),
            safe(clip(safe_text(entry.detail), DETAIL_WIDTH)))


def entry_details(entry: AuditEntry, currency: str) -> Text:
    """Everything about one entry, for the panel under the table."""
    amount = amount_text(entry, currency)
    simulated = (f" (simulated clock {billing_time(entry.simulated_at, seconds=True)})"
                 if entry.simulated_at else "")
    operator = (f" for {entry.operator} (key {entry.key_fingerprint or 'not known'})"
                if entry.operator else "")
    who = (f"{entry.os_user}{operator}"
           f"{' from ' + entry.ssh_client + ' (SSH, as reported)' if entry.ssh_client else ''}"
           f"  {entry.action}: {entry.result}{'  ' + amount if amount else ''}")
    lines = [f"{billing_time(entry.at, seconds=True)} UTC+08:00{simulated}", who,
             resources_text(entry.resource_ids, PANEL_WIDTH) or "no resources",
             clip(entry.detail, PANEL_WIDTH)]
    return Text("\n".join(safe_text(line) for line in lines), no_wrap=True, overflow="ellipsis")


class AuditScreen(Screen[None]):
    TITLE = "Audit"
    DEFAULT_CSS = """
    AuditScreen #audit-filter-row { height: 1; }
    AuditScreen #audit-filter-label { width: 8; }
    AuditScreen #audit-filter { width: 30; height: 1; border: none; padding: 0 1; }
    AuditScreen #audit-count { width: 1fr; margin-left: 1; color: $text-muted;
                               text-wrap: nowrap; text-overflow: ellipsis; }
    AuditScreen #audit-table { height: 1fr; }
    AuditScreen #audit-details { height: 4; background: $panel; text-wrap: nowrap;
                                 text-overflow: ellipsis; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Search", id="audit.filter"),
        Binding("r", "reload", "Reload", id="audit.reload"),
        Binding("escape", "clear_or_back", "Back", show=False, id="audit.back"),
    ]
    HELP_NOTES = ("/ searches action, user, SSH client, result, detail and resource ids; esc "
                  "clears the search, then goes back.",
                  f"The newest {AUDIT_WINDOW:,} entries are searched; for older ones use "
                  "`renewals audit --since DATE`.")

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.entries: list[AuditEntry] = []
        self.shown: list[AuditEntry] = []
        self.currency = "CNY"
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield TitleBar("Audit trail, newest first")
        with Horizontal(id="audit-filter-row"):
            yield Static(" Search", id="audit-filter-label")
            yield Input(placeholder="action, user, result, detail", id="audit-filter")
            yield Static("loading ...", id="audit-count")
        table: DataTable = ListTable(id="audit-table")
        for key, label in self._columns:
            table.add_column(label, key=key)
        yield table
        yield Static(id="audit-details")
        yield Footer(compact=True, show_command_palette=False)  # 80 columns hold every key

    @property
    def _columns(self) -> tuple[tuple[str, str], ...]:
        """Every column where all fit; else those that fit whole at 80 columns (a column cut
        off at the edge says less than the panel under the table)."""
        return COLUMNS if self.app.size.width >= WIDE_FROM else COLUMNS[:5]

    def on_mount(self) -> None:
        self.query_one("#audit-table", DataTable).focus()
        self.action_reload()

    def action_reload(self) -> None:
        def job(store: Store) -> tuple[list[AuditEntry], str]:
            return store.audit(limit=AUDIT_WINDOW), store.account().currency

        run_store_job(self, self.store, job, self._loaded, group="audit-load")

    def on_data_changed(self, _message: DataChanged) -> None:
        self.action_reload()

    def _loaded(self, outcome: tuple[list[AuditEntry], str]) -> None:
        self.entries, self.currency = outcome
        self.loaded = True
        self._show_matches()

    @on(Input.Changed, "#audit-filter")
    def _show_matches(self) -> None:
        needle = self.query_one("#audit-filter", Input).value.strip().lower()
        found = [entry for entry in self.entries if matches(entry, needle)]
        self.shown = found[:SHOWN]
        table = self.query_one("#audit-table", DataTable)
        cursor, scroll = table.cursor_row, table.scroll_offset
        table.clear()
        shown = len(table.columns)  # as composed: a resize since does not add columns
        wide = shown == len(COLUMNS)
        for entry in self.shown:
            table.add_row(*entry_cells(entry, self.currency, wide)[:shown], key=str(entry.id))
        table.move_cursor(row=cursor, scroll=False)  # a reload keeps the place
        table.scroll_to(scroll.x, scroll.y, animate=False)
        self.query_one("#audit-count", Static).update(Text(self._count_text(len(found))))
        self._show_details()

    def _count_text(self, found: int) -> str:
        scope = (f"newest {len(self.entries):,}" if len(self.entries) >= AUDIT_WINDOW
                 else f"{len(self.entries):,}")
        text = f"{found:,} of {scope} entries"
        return text + (f", first {SHOWN:,} shown" if found > SHOWN else "")

    @on(DataTable.RowHighlighted, "#audit-table")
    def _show_details(self) -> None:
        table = self.query_one("#audit-table", DataTable)
        details = Text("No entries match." if self.loaded else "")
        if self.shown and 0 <= table.cursor_row < len(self.shown):
            details = entry_details(self.shown[table.cursor_row], self.currency)
        self.query_one("#audit-details", Static).update(details)

    @on(Input.Submitted, "#audit-filter")
    def _filter_done(self) -> None:
        self.query_one("#audit-table", DataTable).focus()

    def action_filter(self) -> None:
        self.query_one("#audit-filter", Input).focus()

    def action_clear_or_back(self) -> None:
        search = self.query_one("#audit-filter", Input)
        if search.value or search.has_focus:
            search.value = ""
            self.query_one("#audit-table", DataTable).focus()
        elif len(self.app.screen_stack) > 1:
            self.app.pop_screen()
