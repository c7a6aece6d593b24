"""AI Dedicated Resource Pools: Elastic Clusters (Standard and Lite tabs) and Elastic Servers.

The table holds a window of rows fetched by SQL a page at a time (more as the cursor nears the
end of what is loaded), never every pool at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from functools import partial
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static, Tabs
from textual.widgets import Tab as TabLabel

from store.batches import BatchRenewal
from store.models import Billing, Filters, Kind, Payment, Phase, ResourceRow
from store.rules import phase
from store.service import Store
from tui.dialogs.row_actions import RowActions, renew_refusal
from tui.flows import payments_of, renew_flow
from tui.safe import safe
from tui.watch import DataChanged
from tui.widgets.title_bar import TitleBar
from tui.workers import run_store_job

PAGE_SIZE = 100
PREFETCH_ROWS = 20  # fetch the next page when the cursor is this close to the last loaded row
KINDS = ((Kind.STANDARD, "Cluster: Standard"), (Kind.LITE, "Cluster: Lite"),
         (Kind.SERVER, "Elastic Servers"))
PHASE_WORDS = {Phase.GRACE: "grace", Phase.RETENTION: "frozen", Phase.DELETED: "deleted"}
KIND_NOUNS = {Kind.STANDARD: "Standard pools", Kind.LITE: "Lite pools",
              Kind.SERVER: "Elastic Servers"}
COLUMNS = (("name", "Name"), ("status", "Status"), ("flavor", "Flavor x nodes"),
           ("expiry", "Expiry"), ("billing", "Billing"), ("region", "Region"), ("id", "ID"))


def kind_binding(number: int) -> Binding:
    kind, label = KINDS[number - 1]
    return Binding(str(number), f"show_kind('{kind.value}')", label, show=False,
                   id=f"pools.tab-{kind.value}")


def pool_cells(row: ResourceRow) -> tuple[Text, ...]:
    """A pool as table cells; everything from the database is Text, never markup."""
    resource = row.resource
    expiry = "-" if resource.billing is Billing.PAY_PER_USE else str(resource.expiry)
    if row.phase is not Phase.IN_USE:
        expiry += f" {PHASE_WORDS[row.phase]}"
    return (safe(resource.name), safe(row.status),
            safe(f"{resource.flavor or '-'} x {resource.node_count}"), Text(expiry),
            Text(resource.billing.value), safe(resource.region), safe(resource.id))


def with_expiry(row: ResourceRow, new_expiry: dt.date) -> ResourceRow:
    """The same row after a renewal moved its expiry (same 'today')."""
    today = row.resource.expiry - dt.timedelta(days=row.days_left)
    resource = replace(row.resource, expiry=new_expiry)
    return ResourceRow(resource, phase(new_expiry, today), (new_expiry - today).days)


class PoolsScreen(Screen[None]):
    TITLE = "AI Dedicated Resource Pools"
    DEFAULT_CSS = """
    PoolsScreen Tabs {
        height: 2;
    }
    PoolsScreen #pools {
        height: 1fr;
    }
    PoolsScreen #pools-note {
        height: 1;
        color: $text-muted;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "actions", "Actions", id="pools.actions"),
        Binding("r", "renew", "Renew", id="pools.renew"),
        *(kind_binding(number) for number in range(1, len(KINDS) + 1)),
        Binding("left_square_bracket", "step_kind(-1)", "Previous tab", show=False,
                id="pools.previous-tab"),
        Binding("right_square_bracket", "step_kind(1)", "Next tab", show=False,
                id="pools.next-tab"),
        Binding("j", "move(1)", "Down", show=False, id="pools.down"),
        Binding("k", "move(-1)", "Up", show=False, id="pools.up"),
        Binding("g", "first_row", "First row", show=False, id="pools.first"),
        Binding("G", "last_row", "Last loaded row", show=False, id="pools.last"),
        Binding("escape", "back", "Back", id="pools.back"),
    ]
    AUTO_FOCUS = "#pools"

    kind: reactive[Kind] = reactive(Kind.STANDARD, init=False)

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.rows: dict[str, ResourceRow] = {}
        self.total: int | None = None
        self.generation = 0
        self.loading = False

    def compose(self) -> ComposeResult:
        yield TitleBar("AI Dedicated Resource Pools")
        yield Tabs(*[TabLabel(f"{n} {label}", id=f"kind-{kind.value}")
                     for n, (kind, label) in enumerate(KINDS, 1)])
        table: DataTable = DataTable(id="pools", cursor_type="row", zebra_stripes=True)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        yield table
        yield Static("loading ...", id="pools-note")
        yield Footer()

    @property
    def table(self) -> DataTable:
        return self.query_one("#pools", DataTable)

    def on_mount(self) -> None:
        self._load(reset=True)

    # tabs ----------------------------------------------------------------------------------
    def action_show_kind(self, kind: str) -> None:
        self.kind = Kind(kind)

    def action_step_kind(self, delta: int) -> None:
        kinds = [kind for kind, _ in KINDS]
        self.kind = kinds[(kinds.index(self.kind) + delta) % len(kinds)]

    def watch_kind(self, kind: Kind) -> None:
        self.query_one(Tabs).active = f"kind-{kind.value}"
        self._load(reset=True)

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        event.stop()
        if event.tab.id:
            self.kind = Kind(event.tab.id.removeprefix("kind-"))

    # loading -------------------------------------------------------------------------------
    def _load(self, reset: bool, keep: bool = False) -> None:
        """The first page (`reset`), or the next one. `keep`: the pages already loaded, again,
        with the cursor and scroll position where they were (another user wrote)."""
        if reset:
            self.generation += 1
        elif self.loading:
            return
        self.loading = True
        filters, offset = Filters(kind=self.kind), 0 if reset else len(self.rows)
        limit = max(PAGE_SIZE, len(self.rows)) if keep else PAGE_SIZE

        def job(store: Store) -> tuple[int | None, list[ResourceRow]]:
            count = store.count(filters) if reset else None
            return count, store.list(filters, sort="name", limit=limit, offset=offset)

        deliver = partial(self._page_arrived, self.generation, reset, keep)
        run_store_job(self, self.store, job, deliver, group="pools-page")

    def on_data_changed(self, _message: DataChanged) -> None:
        self._load(reset=True, keep=True)

    def _page_arrived(self, generation: int, reset: bool, keep: bool,
                      result: tuple[int | None, list[ResourceRow]]) -> None:
        if generation != self.generation:
            return
        count, rows = result
        table = self.table
        cursor, scroll = table.cursor_coordinate, table.scroll_offset
        if reset:
            table.clear()
            self.rows = {}
            self.total = count
        for row in rows:
            if row.resource.id not in self.rows:  # a write between pages can shift OFFSET
                self.rows[row.resource.id] = row
                table.add_row(*pool_cells(row), key=row.resource.id)
        if keep:
            table.move_cursor(row=cursor.row, column=cursor.column, scroll=False)
            table.scroll_to(scroll.x, scroll.y, animate=False)
        self.loading = False
        self._show_note()

    def _show_note(self) -> None:
        noun = KIND_NOUNS[self.kind]
        shown = f" (first {len(self.rows):,} loaded)" if len(self.rows) < (self.total or 0) else ""
        text = f"{noun}: {self.total or 0:,}{shown}. enter: actions   r: renew   1-3: tabs"
        self.query_one("#pools-note", Static).update(text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        near_end = event.cursor_row >= self.table.row_count - PREFETCH_ROWS
        if near_end and len(self.rows) < (self.total or 0):
            self._load(reset=False)

    # moving --------------------------------------------------------------------------------
    def action_move(self, delta: int) -> None:
        self.table.move_cursor(row=self.table.cursor_row + delta)

    def action_first_row(self) -> None:
        self.table.move_cursor(row=0)

    def action_last_row(self) -> None:
        self.table.move_cursor(row=self.table.row_count - 1)

    # actions -------------------------------------------------------------------------------
    @property
    def cursor_row(self) -> ResourceRow | None:
        table = self.table
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return self.rows.get(str(row_key.value))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_actions()

    def action_actions(self) -> None:
        row = self.cursor_row
        if row is None:
            return

        def chosen(action: str | None) -> None:
            if action == "renew":
                self._renew(row)

        self.app.push_screen(RowActions(row), chosen)

    def action_renew(self) -> None:
        row = self.cursor_row
        if row is not None:
            self._renew(row)

    def _renew(self, row: ResourceRow) -> None:
        reason = renew_refusal(row)
        if reason:
            self.notify(f"{row.resource.name} cannot be renewed: {reason}",
                        severity="warning", timeout=8, markup=False)
            return
        self.run_worker(partial(self._renew_flow, [row.resource.id]), group="renew",
                        exclusive=True)

    async def _renew_flow(self, ids: list[str]) -> None:
        payment = await renew_flow(self.app, self.store, ids)
        if payment is not None:
            self._show_renewed(payment)

    def _show_renewed(self, outcome: Payment | BatchRenewal) -> None:
        for line in (line for paid in payments_of(outcome) for line in paid.order.lines):
            row = self.rows.get(line.resource_id)
            if row is None:
                continue
            renewed = with_expiry(row, line.new_expiry)
            self.rows[line.resource_id] = renewed
            for (column, _label), cell in zip(COLUMNS, pool_cells(renewed), strict=True):
                self.table.update_cell(line.resource_id, column, cell)

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
