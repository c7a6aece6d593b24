"""A virtual table of resources: SQL hands it one page of rows at a time, never the whole world.

The widget draws each visible line itself (the Line API), so 100,000 rows cost no more than 100:
the row count comes from SQL, rows arrive a page at a time from thread workers and sit in a small
LRU cache, and a row that has not arrived yet is drawn as a placeholder while its page loads.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from store.models import Filters, ResourceRow
from store.service import Store
from tui.widgets.resource_columns import GAP, RENEWAL_COLUMNS, ColumnSet, fit
from tui.workers import run_store_job

PAGE_SIZE = 200
CACHED_PAGES = 16
HEADER_HEIGHT = 1
# What an empty database shows (each line fits 80 columns): how resources get into it.
EMPTY_DATABASE = (
    "  This database holds no resources yet. From a shell (with --db FILE if it",
    "  is not the default one):",
    "",
    "    renewals demo            sample resources relative to today",
    "    renewals import FILE     resources from a .csv or .json file",
    "    renewals cloud sync      the resources of a Huawei Cloud account",
    "",
    "  The list follows: it shows them as soon as they are written.",
)
# Sorts whose descending order is the exact mirror of the ascending one (every ORDER BY term
# flips, ending on the unique id: see store.queries.SORTS), so a page can be read from the end.
MIRRORED_SORTS = frozenset({"expiry", "name", "id"})


@dataclass(frozen=True)
class Query:
    """What the table lists, and in which order."""

    filters: Filters = field(default_factory=Filters)
    sort: str = "expiry"
    descending: bool = False


class ResourceTable(ScrollView, can_focus=True, inherit_bindings=False):
    """Resources matching a query; a check column drawn from a set of ids the screen owns."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False, id="table.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="table.down"),
        Binding("home,g", "first_row", "First row", show=False, id="table.first"),
        Binding("end,G", "last_row", "Last row", show=False, id="table.last"),
        Binding("pageup", "page_up", "Page up", show=False, id="table.page-up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="table.page-down"),
        Binding("ctrl+u", "half_page(-1)", "Half a page up", show=False, id="table.half-up"),
        Binding("ctrl+d", "half_page(1)", "Half a page down", show=False,
                id="table.half-down"),
        Binding("space", "toggle", "Check", id="table.toggle"),
        Binding("enter", "choose", "Actions", show=False, id="table.choose"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "resource-table--header",
        "resource-table--cursor",
        "resource-table--checked",
        "resource-table--soon",
        "resource-table--grace",
        "resource-table--frozen",
        "resource-table--placeholder",
    }

    selected: reactive[frozenset[str]] = reactive(frozenset, init=False)
    """Ids of the checked resources (the screen owns the set and binds it here)."""

    @dataclass
    class RowChosen(Message):
        """The user pressed enter on this row."""

        row: ResourceRow

    @dataclass
    class CountChanged(Message):
        """The query now matches this many rows."""

        count: int

    @dataclass
    class SortClicked(Message):
        """The user clicked the header of a column that sorts by this."""

        sort: str

    def __init__(self, store: Store, query: Query | None = None, *,
                 on_toggle: Callable[[str], None], columns: ColumnSet = RENEWAL_COLUMNS,
                 id: str | None = None) -> None:
        """`on_toggle(resource_id)`: space on a row checks or unchecks it."""
        super().__init__(id=id)
        self._store = store
        self._query = query or Query()
        self.columns = columns
        self._on_toggle = on_toggle
        self._count = 0
        self._database_empty = False  # no resources at all, whatever the filters
        self._cursor = 0
        self._pages: OrderedDict[int, list[ResourceRow]] = OrderedDict()
        self._requested: set[int] = set()
        self._generation = 0  # bumped by every new query or refresh
        self._shown_generation = -1  # the generation whose count and pages are on screen
        self._strips: LRUCache[tuple, Strip] = LRUCache(1024)

    # public interface ----------------------------------------------------------------------
    @property
    def current_query(self) -> Query:
        return self._query

    @property
    def row_count(self) -> int:
        return self._count

    @property
    def cursor(self) -> int:
        return self._cursor

    @property
    def is_loading(self) -> bool:
        """True until the latest query or refresh has arrived."""
        return self._shown_generation != self._generation

    @property
    def cursor_row(self) -> ResourceRow | None:
        """The row under the cursor, if it has been loaded."""
        return self._cached_row(self._cursor) if self._count else None

    def set_query(self, filters: Filters, sort: str = "expiry", descending: bool = False) -> None:
        """List something else: the cursor goes back to the top; only visible pages load."""
        self._query = Query(filters, sort, descending)
        self._reload(keep_cursor=False)

    def refresh_data(self) -> None:
        """Fetch the count and the visible rows again (after a write), keeping the cursor."""
        self._reload(keep_cursor=True)

    @property
    def visible_sorts(self) -> list[str]:
        """The orders the columns on screen sort by, left to right."""
        return self.columns.sorts(self.scrollable_content_region.width)

    def visible_rows(self) -> list[ResourceRow | None]:
        """The rows on screen now, top to bottom (None where a page is still loading)."""
        top = self.scroll_offset.y
        bottom = min(self._count, top + self._body_height)
        return [self._cached_row(index) for index in range(top, bottom)]

    # loading -------------------------------------------------------------------------------
    def on_mount(self) -> None:
        self._reload(keep_cursor=False)

    def _reload(self, keep_cursor: bool) -> None:
        self._generation += 1
        self._requested.clear()
        generation, query = self._generation, self._query
        top = self.scroll_offset.y if keep_cursor else 0
        cursor = self._cursor if keep_cursor else 0
        wanted = {cursor // PAGE_SIZE}
        wanted |= set(range(top // PAGE_SIZE, (top + self._body_height) // PAGE_SIZE + 1))

        def job(store: Store) -> tuple[int, dict[int, list[ResourceRow]], bool]:
            count = store.count(query.filters)
            pages = {page: _fetch_page(store, query, page, count)
                     for page in sorted(wanted) if page * PAGE_SIZE < count}
            return count, pages, count == 0 and store.count() == 0

        deliver = partial(self._reloaded, generation, keep_cursor)
        run_store_job(self, self._store, job, deliver, group="table-reload")

    def _reloaded(self, generation: int, keep_cursor: bool,
                  result: tuple[int, dict[int, list[ResourceRow]], bool]) -> None:
        if generation != self._generation:
            return
        self._count, pages, self._database_empty = result
        self._pages = OrderedDict(pages)
        self._shown_generation = generation
        self.virtual_size = Size(0, self._count + HEADER_HEIGHT)
        if not keep_cursor:
            self.scroll_to(y=0, animate=False)
        self._move_cursor(self._cursor if keep_cursor else 0)
        self.refresh()
        self.post_message(self.CountChanged(self._count))

    def _request_page(self, page: int) -> None:
        if self.is_loading or page in self._requested:
            return  # a reload on its way brings the visible pages with it
        self._requested.add(page)
        generation, query, count = self._generation, self._query, self._count
        run_store_job(
            self, self._store, lambda store: _fetch_page(store, query, page, count),
            partial(self._page_loaded, generation, page), group="table-page", exclusive=False,
        )

    def _page_loaded(self, generation: int, page: int, rows: list[ResourceRow]) -> None:
        if generation != self._generation:
            return
        self._requested.discard(page)
        self._pages[page] = rows
        while len(self._pages) > CACHED_PAGES:
            self._pages.popitem(last=False)
        self.refresh()

    def _cached_row(self, index: int) -> ResourceRow | None:
        page, offset = divmod(index, PAGE_SIZE)
        rows = self._pages.get(page)
        if rows is None:
            return None
        self._pages.move_to_end(page)
        return rows[offset] if offset < len(rows) else None

    # cursor --------------------------------------------------------------------------------
    @property
    def _body_height(self) -> int:
        return max(1, self.scrollable_content_region.height - HEADER_HEIGHT)

    def _move_cursor(self, index: int) -> None:
        self._cursor = max(0, min(index, self._count - 1))
        top = self.scroll_offset.y
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False)
        elif self._cursor >= top + self._body_height:
            self.scroll_to(y=self._cursor - self._body_height + 1, animate=False)
        self.refresh()

    def action_cursor_up(self) -> None:
        self._move_cursor(self._cursor - 1)

    def action_cursor_down(self) -> None:
        self._move_cursor(self._cursor + 1)

    def action_first_row(self) -> None:
        self._move_cursor(0)

    def action_last_row(self) -> None:
        self._move_cursor(self._count - 1)

    def action_page_up(self) -> None:
        self._move_cursor(self._cursor - self._body_height)

    def action_page_down(self) -> None:
        self._move_cursor(self._cursor + self._body_height)

    def action_half_page(self, direction: int) -> None:
        self._move_cursor(self._cursor + direction * max(1, self._body_height // 2))

    def action_toggle(self) -> None:
        """Check or uncheck the cursor row, at once: a message would come after the keys
        typed ahead (`space j space r` must find both rows checked when `r` comes)."""
        row = self.cursor_row
        if row is not None:
            self._on_toggle(row.resource.id)
            self._move_cursor(self._cursor + 1)

    def action_choose(self) -> None:
        row = self.cursor_row
        if row is not None:
            self.post_message(self.RowChosen(row))

    def on_click(self, event: Click) -> None:
        if event.y < HEADER_HEIGHT:
            column = self.columns.column_at(self.scrollable_content_region.width, event.x)
            if column is not None and column.sort:
                self.post_message(self.SortClicked(column.sort))
            return
        index = self.scroll_offset.y + event.y - HEADER_HEIGHT
        if index >= self._count:
            return
        self._move_cursor(index)
        if event.x < 4:
            self.action_toggle()
        elif event.chain > 1:
            self.action_choose()

    # drawing -------------------------------------------------------------------------------
    def watch_selected(self) -> None:
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y < HEADER_HEIGHT:
            return self._header_strip(width)
        index = self.scroll_offset.y + y - HEADER_HEIGHT
        if index >= self._count:
            return self._message_strip(y, width)
        row = self._cached_row(index)
        if row is None:
            self._request_page(index // PAGE_SIZE)
            return self._placeholder_strip(index == self._cursor, width)
        checked = row.resource.id in self.selected
        return self._row_strip(row, checked, index == self._cursor, width)

    def _style(self, *classes: str) -> Style:
        style = self.rich_style
        for name in classes:
            style += self.get_component_rich_style(name, partial=True)
        return style

    def _header_strip(self, width: int) -> Strip:
        query = self._query
        key = ("header", width, query.sort, query.descending)
        strip = self._strips.get(key)
        if strip is None:
            style = self._style("resource-table--header")
            titles = self.columns.header(width, query.sort, query.descending)
            strip = Strip([Segment(" " + titles, style)]).adjust_cell_length(width, style)
            self._strips[key] = strip
        return strip

    def _row_strip(self, row: ResourceRow, checked: bool, is_cursor: bool, width: int) -> Strip:
        key = (row, checked, is_cursor, width)
        strip = self._strips.get(key)
        if strip is not None:
            return strip
        states = ["resource-table--checked"] if checked else []
        if is_cursor:
            states.append("resource-table--cursor")
        base = self._style(*states)
        segments = [Segment(">" if is_cursor else " ", base)]
        for position, column in enumerate(self.columns.layout(width)):
            text, style_class = self.columns.cell_text(column, row, checked)
            if position:
                segments.append(Segment(GAP, base))
            if style_class:
                style = base + self.get_component_rich_style(style_class, partial=True)
            else:
                style = base
            segments.append(Segment(fit(text, column.width, column.right), style))
        strip = Strip(segments).adjust_cell_length(width, base)
        self._strips[key] = strip
        return strip

    def _placeholder_strip(self, is_cursor: bool, width: int) -> Strip:
        classes = ["resource-table--placeholder"]
        if is_cursor:
            classes.append("resource-table--cursor")
        style = self._style(*classes)
        marker = ">" if is_cursor else " "
        return Strip([Segment(f"{marker}... loading", style)]).adjust_cell_length(width, style)

    def _message_strip(self, y: int, width: int) -> Strip:
        style = self._style("resource-table--placeholder")
        text = ""
        if self._count == 0 and self.is_loading:
            text = "  loading..." if y == HEADER_HEIGHT else ""
        elif self._count == 0:
            lines = EMPTY_DATABASE if self._database_empty else ("  No resources match.",)
            line = y - HEADER_HEIGHT
            text = lines[line] if 0 <= line < len(lines) else ""
        return Strip([Segment(text, style)]).adjust_cell_length(width, style)


def _fetch_page(store: Store, query: Query, page: int, count: int) -> list[ResourceRow]:
    """One page of rows. A page nearer the end is read backwards from the end, because SQLite
    walks past every skipped row of an OFFSET: the last page of 100,000 rows stays instant."""
    offset = page * PAGE_SIZE
    limit = max(0, min(PAGE_SIZE, count - offset))
    from_end = count - offset - limit
    if query.sort in MIRRORED_SORTS and from_end < offset:
        rows = store.list(query.filters, query.sort, not query.descending,
                          limit=limit, offset=from_end)
        return rows[::-1]
    return store.list(query.filters, query.sort, query.descending, limit=PAGE_SIZE, offset=offset)
