"""A resource table's columns: which fit in a width, and what each cell of a row says.

Pure text, no widget: the table draws these cells, and the tests read them. `RENEWAL_COLUMNS`
are the Renewals screen's; the pool browser has its own set (pool_columns.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from rich.cells import cell_len, set_cell_size

from store.models import Kind, Phase, Resource, ResourceRow
from store.money import price_text
from store.text import safe_text

GAP = " "
ELLIPSIS = "…"
MIN_NAME_WIDTH = 24
MAX_NAME_WIDTH = 48  # past this, the other columns share the width (a wide terminal is used)
SHORT_ID_LENGTH = 8  # as git and docker shorten ids: enough to tell repeated names apart
SORT_MARKS = {False: " ^", True: " v"}  # ASCII: every terminal font has it


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int
    right: bool = False
    sort: str | None = None
    """The list order this column's header sorts by (store.queries.SORTS), if any."""


CellText = Callable[[Column, ResourceRow, bool], tuple[str, str | None]]


@dataclass(frozen=True)
class ColumnSet:
    """Columns in display order (the name takes whatever width is left over) and, as the width
    shrinks, which to swap for a narrower one or drop (None), first to last."""

    columns: tuple[Column, ...]
    narrower: tuple[tuple[str, Column | None], ...]
    cell_text: CellText

    ALWAYS = frozenset({"check", "name"})

    @property
    def names(self) -> list[str]:
        """The columns a config file may choose (`visible_columns`)."""
        return [c.key for c in self.columns if c.key not in self.ALWAYS]

    def only(self, keys: Iterable[str]) -> ColumnSet:
        """These columns (with the check and the name), still dropping by width."""
        keep = self.ALWAYS | set(keys)
        return replace(self, columns=tuple(c for c in self.columns if c.key in keep),
                       narrower=tuple(swap for swap in self.narrower if swap[0] in keep))

    def layout(self, width: int) -> tuple[Column, ...]:
        return _layout(self, width)

    def sorts(self, width: int) -> list[str]:
        """The orders the visible columns sort by, left to right, each once."""
        return list(dict.fromkeys(c.sort for c in self.layout(width) if c.sort))

    def header(self, width: int, sort: str, descending: bool) -> str:
        """Column titles, the sort column's marked with its direction (`Expiry ^`)."""
        titles, marked = [], False
        for column in self.layout(width):
            title = column.title
            if column.sort == sort and not marked:
                title, marked = title + SORT_MARKS[descending], True
            titles.append(fit(title, column.width, column.right))
        return GAP.join(titles)

    def column_at(self, width: int, x: int) -> Column | None:
        """The column under cell `x` of a line (after the one-cell cursor mark)."""
        left = 1
        for column in self.layout(width):
            if left <= x < left + column.width + len(GAP):
                return column
            left += column.width + len(GAP)
        return None


@lru_cache(maxsize=64)
def _layout(columns: ColumnSet, width: int) -> tuple[Column, ...]:
    """The columns that fit in `width` cells, the name column sized to fill the rest."""
    shown = list(columns.columns)
    swaps = list(columns.narrower)
    while True:
        fixed = sum(column.width for column in shown if column.key != "name")
        name_width = width - 1 - fixed - len(GAP) * (len(shown) - 1)
        if name_width >= MIN_NAME_WIDTH or not swaps:
            break
        key, replacement = swaps.pop(0)
        shown = [replacement if column.key == key else column for column in shown]
        shown = [column for column in shown if column is not None]
    others = [column for column in shown if column.key not in ("check", "name")]
    share = max(0, name_width - MAX_NAME_WIDTH) // max(1, len(others))
    name_width -= share * len(others)
    return tuple(
        replace(column, width=max(4, name_width)) if column.key == "name"
        else replace(column, width=column.width + share) if column in others
        else column
        for column in shown
    )


def fit(text: str, width: int, right: bool = False) -> str:
    """Pad or cut `text` to exactly `width` cells (wide characters counted as two)."""
    length = cell_len(text)
    if length > width:
        return set_cell_size(text, width - 1) + ELLIPSIS if width > 1 else text[:width]
    padding = " " * (width - length)
    return padding + text if right else text + padding


def phase_word(row: ResourceRow) -> tuple[str, str | None]:
    """`12d`, `today`, `grace 3d`, `frozen 20d` (days since expiry), and its style class."""
    if row.phase is Phase.IN_USE:
        word = "today" if row.days_left == 0 else f"{row.days_left}d"
        return word, "resource-table--soon" if row.days_left <= 7 else None
    if row.phase is Phase.GRACE:
        return f"grace {-row.days_left}d", "resource-table--grace"
    if row.phase is Phase.RETENTION:
        return f"frozen {-row.days_left}d", "resource-table--frozen"
    return "deleted", "resource-table--frozen"


SERVICE_PREFIX = "hws.service.type."


def kind_text(resource: Resource) -> str:
    """`standard`, `lite`, `server`; for another cloud service, that service (`ecs`, `obs`)."""
    if resource.kind is Kind.OTHER and resource.service_type:
        return safe_text(resource.service_type.removeprefix(SERVICE_PREFIX))
    return resource.kind.value


def common_cell(column: Column, row: ResourceRow, checked: bool) -> tuple[str, str | None]:
    """The cells both tables have: check, name, id, short id, region, expiry, days left."""
    resource = row.resource
    match column.key:
        case "check":
            return ("[x]" if checked else "[ ]"), None
        case "name":
            name = safe_text(resource.name)
            if resource.pending_order:
                suffix = " (pending)"  # short: the name keeps its width at 80 columns
                name = fit(name, max(1, column.width - len(suffix))).rstrip() + suffix
            return name, None
        case "id":
            return safe_text(resource.id), None
        case "short_id":
            return safe_text(resource.id[:SHORT_ID_LENGTH]), None
        case "region":
            return safe_text(resource.region), None
        case "expiry":
            return resource.expiry.isoformat(), None
        case "left":
            return phase_word(row)
    raise KeyError(column.key)


def renewal_cell(column: Column, row: ResourceRow, checked: bool) -> tuple[str, str | None]:
    """The text of one Renewals cell and the component class that styles it, if any."""
    resource = row.resource
    match column.key:
        case "kind":
            return kind_text(resource), None
        case "project":
            return safe_text(resource.enterprise_project), None
        case "price":
            return price_text(resource.monthly_price_cents, resource.currency), None
    return common_cell(column, row, checked)


SHORT_ID = Column("short_id", "ID", SHORT_ID_LENGTH, sort="id")
RENEWAL_COLUMNS = ColumnSet(
    columns=(
        Column("check", "", 3),
        Column("name", "Name", 0, sort="name"),
        Column("id", "ID", 36, sort="id"),
        Column("kind", "Kind", 8, sort="kind"),
        Column("region", "Region", 14, sort="region"),
        Column("project", "Project", 14),
        Column("expiry", "Expiry", 10, sort="expiry"),
        Column("left", "Left/phase", 10, sort="expiry"),
        Column("price", "Price/month", 16, right=True, sort="price"),
    ),
    narrower=(("project", None), ("region", None), ("kind", None), ("id", SHORT_ID)),
    cell_text=renewal_cell,
)
