"""What the Renewals screen and the pool browser share: tabs over a resource table, quick
filters and search, sorting, checks, and the actions on the checked rows (renewal_actions.py).

A subclass says what its tabs are (`TABS`, `tab_filters`, `tab_of`), which columns its table
shows, and where it starts; everything else is here, once.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import Resize
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widgets import Footer, Tabs
from textual.widgets import Tab as TabLabel

from store.models import Duration, Filters, QuickCounts, ResourceRow
from store.pool_details import PoolDetails
from store.service import Store
from tui.console_config import column_set
from tui.dialogs.policy import ACTIONS_BY_NAME
from tui.dialogs.row_actions import RowActions
from tui.role_keys import RoleKeys
from tui.screens.renewal_actions import RenewalActions, action_bindings
from tui.watch import DataChanged
from tui.widgets.filter_bar import FilterBar, one_filter_cleared, quick_filter_counts
from tui.widgets.resource_table import Query, ResourceTable
from tui.widgets.status_bar import StatusBar
from tui.widgets.title_bar import TitleBar
from tui.workers import run_store_job

FULL_TAB_LABELS_FROM = 100  # columns
TOTAL_DURATION = Duration(1)


def list_bindings(screen: str, tabs: tuple[tuple[str, str, str], ...]) -> list[Binding]:
    """A resource list's keys, their ids starting with the screen's name (`pools.renew`)."""
    return [
        Binding("r", "renew", "Renew", id=f"{screen}.renew"),
        Binding("a", "check_all", "Check all", id=f"{screen}.check-all"),
        Binding("A", "clear_checks", "Clear checks", show=False, id=f"{screen}.clear-checks"),
        Binding("slash", "search", "Search", id=f"{screen}.search"),
        Binding("f", "expiry_filter", "Expiry filter", show=False, id=f"{screen}.expiry-filter"),
        Binding("h", "toggle_hide_pending", "Hide pending orders", show=False,
                id=f"{screen}.hide-pending"),
        Binding("l", "region_filter", "Region filter", show=False, id=f"{screen}.region-filter"),
        Binding("E", "project_filter", "Enterprise project filter", show=False,
                id=f"{screen}.project-filter"),
        Binding("s", "next_sort", "Sort by next column", show=False, id=f"{screen}.sort"),
        Binding("S", "reverse_sort", "Reverse sort", show=False, id=f"{screen}.reverse-sort"),
        *(Binding(str(number), f"show_tab('{value}')", label, show=False,
                  id=f"{screen}.tab-{value}")
          for number, (value, label, _) in enumerate(tabs, 1)),
        Binding("left_square_bracket", "step_tab(-1)", "Previous tab", show=False,
                id=f"{screen}.previous-tab"),
        Binding("right_square_bracket", "step_tab(1)", "Next tab", show=False,
                id=f"{screen}.next-tab"),
        Binding("escape", "clear_step", "Clear search, then filters", show=False,
                id=f"{screen}.clear-step"),
        *action_bindings(screen),
    ]


class ResourceListScreen(RenewalActions, RoleKeys):
    TABS: ClassVar[tuple[tuple[str, str, str], ...]]
    """(value, full label, label when narrow) of each tab, in order."""
    NAME: ClassVar[str]
    """`renewals`, `pools`: the start of its binding ids, its name in the config file."""
    INITIAL_FILTERS: ClassVar[Filters]
    TABS_SET: ClassVar[str]
    """The filter the tabs set (`tab`, `kind`): esc leaves it, the filter bar does not repeat it."""

    filters: reactive[Filters] = reactive(Filters, init=False)
    sort: reactive[tuple[str, bool]] = reactive(("expiry", False), init=False)
    selected: reactive[frozenset[str]] = reactive(frozenset, init=False)
    counts: reactive[QuickCounts | None] = reactive(None, init=False)

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.set_reactive(ResourceListScreen.filters, self.INITIAL_FILTERS)
        self._reload_on_resume = False
        self._known_total: tuple[frozenset[str], int] | None = None
        """A selection whose total came with it (check all), so it is not asked for again."""

    # what a subclass says ------------------------------------------------------------------
    def tab_filters(self, filters: Filters, tab: str) -> Filters:
        """`filters` showing that tab."""
        raise NotImplementedError

    def tab_of(self, filters: Filters) -> str:
        """The tab these filters show."""
        raise NotImplementedError

    @property
    def view_name(self) -> str:
        """What the list shows, in words (the export dialog says it)."""
        return next(label for value, label, _ in self.TABS if value == self.tab_of(self.filters))

    # composing -----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield TitleBar(self.TITLE or "")
        yield Tabs(*[TabLabel(label, id=f"tab-{value}") for value, label, _ in self.TABS])
        filter_bar = FilterBar(self.store, tabs_set=self.TABS_SET, id="filter-bar")
        yield filter_bar.data_bind(ResourceListScreen.filters, ResourceListScreen.counts)
        table = ResourceTable(self.store, Query(self.filters), id="table",
                              on_toggle=self.toggle_checked,
                              columns=column_set(self.app.config, self.NAME))
        yield table.data_bind(ResourceListScreen.selected)
        yield StatusBar(id="status")
        yield Footer(compact=True, show_command_palette=False)  # 80 columns hold every key

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
        for value, label, short in self.TABS:
            self.query_one(f"#tab-{value}", TabLabel).label = label if full else short

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
        tab = (event.tab.id or "").removeprefix("tab-")
        if tab != self.tab_of(self.filters):
            self.filters = self.tab_filters(self.filters, tab)

    def toggle_checked(self, resource_id: str) -> None:
        self.selected = self.selected ^ {resource_id}

    def on_resource_table_count_changed(self, message: ResourceTable.CountChanged) -> None:
        self.status.row_count = message.count

    def on_resource_table_row_chosen(self, message: ResourceTable.RowChosen) -> None:
        row = message.row
        rid = row.resource.id
        run_store_job(self, self.store, lambda store: store.pool_details(rid),
                      partial(self._show_row_actions, row), group="row-actions")

    def _show_row_actions(self, row: ResourceRow, details: PoolDetails | None) -> None:
        bound = self.app.database is not None and self.app.database.bound
        self.app.push_screen(RowActions(row, can_unrenew=bound, details=details),
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
        tabs = [value for value, _, _ in self.TABS]
        current = tabs.index(self.tab_of(self.filters))
        self.action_show_tab(tabs[(current + step) % len(tabs)])

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
        cleared = one_filter_cleared(self.filters, keep=self.TABS_SET)
        if cleared != self.filters:
            self.filters = cleared
        elif len(self.app.screen_stack) > 1:
            self.app.pop_screen()  # nothing left to clear: back, as on the other screens

    def action_toggle_hide_pending(self) -> None:
        self.filters = replace(self.filters, hide_pending=not self.filters.hide_pending)

    def action_next_sort(self) -> None:
        """The next of the orders the columns on screen sort by (the first if the current one
        sorts a column that has dropped out)."""
        column, descending = self.sort
        sorts = self.table.visible_sorts
        following = sorts.index(column) + 1 if column in sorts else 0
        self.sort = (sorts[following % len(sorts)], descending)

    def on_resource_table_sort_clicked(self, message: ResourceTable.SortClicked) -> None:
        """A click on the sort column's header reverses it; on another, sorts by that."""
        column, descending = self.sort
        self.sort = (message.sort, not descending if message.sort == column else False)

    def action_reverse_sort(self) -> None:
        column, descending = self.sort
        self.sort = (column, not descending)

    def action_expiry_filter(self) -> None:
        self.filter_bar.pick_expiry(self.status.row_count)

    def action_region_filter(self) -> None:
        self.filter_bar.pick_value_in_use("region", "Region")

    def action_project_filter(self) -> None:
        self.filter_bar.pick_value_in_use("enterprise_project", "Enterprise project")

