"""The default screen: the four Renewals tabs, quick filters, checks, and the actions on the
checked rows (renew, renewal policy, export: see renewal_actions.py)."""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.events import Resize
from textual.reactive import reactive
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Tabs
from textual.widgets import Tab as TabLabel

from store.models import Duration, Filters, QuickCounts, ResourceRow, Tab
from store.service import Store
from tui.dialogs.policy import ACTIONS_BY_NAME
from tui.dialogs.row_actions import RowActions
from tui.screens.renewal_actions import ACTION_BINDINGS, RenewalActions
from tui.watch import DataChanged
from tui.widgets.filter_bar import FilterBar, one_filter_cleared, quick_filter_counts
from tui.widgets.resource_table import Query, ResourceTable
from tui.widgets.status_bar import StatusBar
from tui.widgets.title_bar import TitleBar
from tui.workers import run_store_job

# (tab, full label, label when narrow)
TABS = (
    (Tab.MANUAL, "Manual Renewals", "Manual"),
    (Tab.AUTO, "Auto Renewals", "Auto"),
    (Tab.PPU, "Pay-per-Use After Expiration", "Pay-per-Use"),
    (Tab.CANCELED, "Renewals Canceled", "Canceled"),
)
FULL_TAB_LABELS_FROM = 100  # columns
SORTS = ("expiry", "name", "price", "region", "kind", "id")
TOTAL_DURATION = Duration(1)


def tab_binding(number: int) -> Binding:
    tab, label, _ = TABS[number - 1]
    return Binding(str(number), f"show_tab('{tab.value}')", label, show=False,
                   id=f"renewals.tab-{tab.value}")


class RenewalsScreen(RenewalActions, Screen[None]):
    TITLE = "Renewals"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "renew", "Renew", id="renewals.renew"),
        Binding("a", "check_all", "Check all", id="renewals.check-all"),
        Binding("A", "clear_checks", "Clear checks", show=False, id="renewals.clear-checks"),
        Binding("slash", "search", "Search", id="renewals.search"),
        Binding("f", "expiry_filter", "Expiry filter", show=False, id="renewals.expiry-filter"),
        Binding("h", "toggle_hide_pending", "Hide pending orders", show=False,
                id="renewals.hide-pending"),
        Binding("t", "kind_filter", "Kind filter", show=False, id="renewals.kind-filter"),
        Binding("l", "region_filter", "Region filter", show=False, id="renewals.region-filter"),
        Binding("E", "project_filter", "Enterprise project filter", show=False,
                id="renewals.project-filter"),
        Binding("s", "next_sort", "Sort by next column", show=False, id="renewals.sort"),
        Binding("S", "reverse_sort", "Reverse sort", show=False, id="renewals.reverse-sort"),
        *(tab_binding(number) for number in range(1, 5)),
        Binding("left_square_bracket", "step_tab(-1)", "Previous tab", show=False,
                id="renewals.previous-tab"),
        Binding("right_square_bracket", "step_tab(1)", "Next tab", show=False,
                id="renewals.next-tab"),
        Binding("escape", "clear_step", "Clear search, then filters", show=False,
                id="renewals.clear-step"),
        *ACTION_BINDINGS,
    ]
    HELP_NOTES = (
        "Left/phase: days until expiry (12d, today); after expiry, days since it:",
        "  grace Nd = expired, still usable and renewable; frozen Nd = unusable until renewed.",
        "[x] = checked; > = cursor row. Checks survive sorting, filters and tab switches;",
        "  a checks every row matching the tab and filters, not just those on screen.",
        "The status bar total is the renewal price for 1 month, before any alignment.",
        "Policy keys (n M P c m) and R act on the checked rows, or on the cursor row if none.",
    )

    filters: reactive[Filters] = reactive(lambda: Filters(tab=Tab.MANUAL), init=False)
    sort: reactive[tuple[str, bool]] = reactive(("expiry", False), init=False)
    selected: reactive[frozenset[str]] = reactive(frozenset, init=False)
    counts: reactive[QuickCounts | None] = reactive(None, init=False)

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self._reload_on_resume = False
        self._known_total: tuple[frozenset[str], int] | None = None
        """A selection whose total came with it (check all), so it is not asked for again."""

    def compose(self) -> ComposeResult:
        yield TitleBar("Renewals")
        yield Tabs(*[TabLabel(label, id=f"tab-{tab.value}") for tab, label, _ in TABS])
        filter_bar = FilterBar(self.store, id="filter-bar")
        yield filter_bar.data_bind(RenewalsScreen.filters, RenewalsScreen.counts)
        table = ResourceTable(self.store, Query(self.filters), id="table",
                              on_toggle=self.toggle_checked)
        yield table.data_bind(RenewalsScreen.selected)
        yield StatusBar(id="status")
        yield Footer(compact=True)

    @property
    def table(self) -> ResourceTable:
        return self.query_one(ResourceTable)

    @property
    def filter_bar(self) -> FilterBar:
        return self.query_one(FilterBar)

    @property
    def status(self) -> StatusBar:
        return self.query_one(StatusBar)

    def on_mount(self) -> None:
        self.watch(self.app, "writer_waiting", self._writer_waiting)
        self.query_one(Tabs).can_focus = False
        self.table.focus()
        self._load_counts()
        run_store_job(self, self.store, lambda store: store.account().currency,
                      self._set_currency, group="account")

    def _writer_waiting(self, waiting: bool) -> None:
        self.status.waiting = waiting

    def _set_currency(self, currency: str) -> None:
        self.status.currency = currency

    def on_resize(self, event: Resize) -> None:
        full = event.size.width >= FULL_TAB_LABELS_FROM
        for tab, label, short in TABS:
            self.query_one(f"#tab-{tab.value}", TabLabel).label = label if full else short

    # reactive state pushed down ------------------------------------------------------------
    def watch_filters(self) -> None:
        self._query_changed()
        self._load_counts()

    def watch_sort(self, sort: tuple[str, bool]) -> None:
        column, descending = sort
        self.filter_bar.sort_label = f"{column} {'desc' if descending else 'asc'}"
        self._query_changed()

    def _query_changed(self) -> None:
        self.status.row_count = None
        self.table.set_query(self.filters, *self.sort)

    def watch_selected(self, selected: frozenset[str]) -> None:
        self.status.selected_count = len(selected)
        if not selected:
            self.status.total_cents = 0
            return
        if self._known_total is not None and self._known_total[0] is selected:
            self.status.total_cents = self._known_total[1]
            return
        self.status.total_cents = None
        ids = list(selected)
        run_store_job(self, self.store, lambda store: store.selection_total(ids, TOTAL_DURATION),
                      self._set_total, group="selection-total")

    def _set_total(self, cents: int) -> None:
        self.status.total_cents = cents

    def _load_counts(self) -> None:
        filters = self.filters
        run_store_job(self, self.store, lambda store: quick_filter_counts(store, filters),
                      self._set_counts, group="quick-counts")

    def _set_counts(self, counts: QuickCounts) -> None:
        self.counts = counts

    def refresh_all(self) -> None:
        """After a write: rows, counts and the selection total fetched again."""
        self.table.refresh_data()
        self._load_counts()
        self._known_total = None
        self.watch_selected(self.selected)

    def on_screen_suspend(self) -> None:
        # Another full screen (pools, orders) may change data; a modal on top reports back itself.
        self._reload_on_resume = not isinstance(self.app.screen, ModalScreen)

    def on_screen_resume(self) -> None:
        if self._reload_on_resume:
            self._reload_on_resume = False
            self.refresh_all()

    # messages from below -------------------------------------------------------------------
    @on(Tabs.TabActivated)
    def _tab_activated(self, event: Tabs.TabActivated) -> None:
        tab = Tab(event.tab.id.removeprefix("tab-"))
        if tab is not self.filters.tab:
            self.filters = replace(self.filters, tab=tab)

    def toggle_checked(self, resource_id: str) -> None:
        self.selected = self.selected ^ {resource_id}

    def on_resource_table_count_changed(self, message: ResourceTable.CountChanged) -> None:
        self.status.row_count = message.count

    def on_resource_table_row_chosen(self, message: ResourceTable.RowChosen) -> None:
        row = message.row
        bound = self.app.database is not None and self.app.database.bound
        self.app.push_screen(RowActions(row, with_policies=True, can_unrenew=bound),
                             lambda choice: self._row_action_done(row, choice))

    def _row_action_done(self, row: ResourceRow, choice: str | None) -> None:
        if choice == "renew":
            self.start_renewal([row.resource.id])
        elif choice in ACTIONS_BY_NAME:
            self.start_policy(ACTIONS_BY_NAME[choice], [row.resource.id])
        elif choice == "unrenew":
            self.start_unrenew(row)

    def on_data_changed(self, _message: DataChanged) -> None:
        self.refresh_all()

    def on_filter_bar_search_changed(self, message: FilterBar.SearchChanged) -> None:
        self.filters = replace(self.filters, search=message.text.strip() or None)

    def on_filter_bar_picked(self, message: FilterBar.Picked) -> None:
        self.filters = message.apply(self.filters)

    def on_filter_bar_search_submitted(self) -> None:
        self.table.focus()

    # actions -------------------------------------------------------------------------------
    def action_show_tab(self, tab: str) -> None:
        self.query_one(Tabs).active = f"tab-{tab}"

    def action_step_tab(self, step: int) -> None:
        tabs = [tab for tab, _, _ in TABS]
        current = tabs.index(self.filters.tab or Tab.MANUAL)
        self.action_show_tab(tabs[(current + step) % len(tabs)].value)

    def action_check_all(self) -> None:
        filters, checked = self.filters, self.selected
        self.status.note = "checking all..."
        run_store_job(self, self.store,
                      lambda store: store.check_all(filters, checked, TOTAL_DURATION),
                      self._check_all_done, group="check-all")

    def _check_all_done(self, checked_and_total: tuple[frozenset[str], int]) -> None:
        """All matching rows checked, with their total (worked out with them, in one job).
        Rows toggled meanwhile keep their checks; then the total is asked for again."""
        checked, total = checked_and_total
        self.status.note = ""
        if self.selected <= checked:
            self._known_total = (checked, total)
        else:
            checked = checked | self.selected
        self.selected = checked

    def action_clear_checks(self) -> None:
        self.selected = frozenset()

    def action_search(self) -> None:
        self.filter_bar.search_input.focus()

    def action_clear_step(self) -> None:
        if self.filter_bar.search_input.has_focus or self.filters.search:
            self.filter_bar.clear_search()
            self.filters = replace(self.filters, search=None)
            self.table.focus()
            return
        self.filters = one_filter_cleared(self.filters)

    def action_toggle_hide_pending(self) -> None:
        self.filters = replace(self.filters, hide_pending=not self.filters.hide_pending)

    def action_next_sort(self) -> None:
        column, descending = self.sort
        self.sort = (SORTS[(SORTS.index(column) + 1) % len(SORTS)], descending)

    def action_reverse_sort(self) -> None:
        column, descending = self.sort
        self.sort = (column, not descending)

    def action_expiry_filter(self) -> None:
        self.filter_bar.pick_expiry(self.status.row_count)

    def action_kind_filter(self) -> None:
        self.filter_bar.pick_kind()

    def action_region_filter(self) -> None:
        self.filter_bar.pick_value_in_use("region", "Region")

    def action_project_filter(self) -> None:
        self.filter_bar.pick_value_in_use("enterprise_project", "Enterprise project")

