"""The Renewals table's columns: which fit in a width, and what each cell of a row says.

Pure text, no widget: the table draws these cells, and the tests read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rich.cells import cell_len, set_cell_size

from store.models import Kind, Phase, Resource, ResourceRow
from store.money import price_text
from store.text import safe_text

GAP = " "
ELLIPSIS = "…"
MIN_NAME_WIDTH = 24
MAX_NAME_WIDTH = 48


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int
    right: bool = False


# In display order. The name takes whatever width is left over.
COLUMNS = (
    Column("check", "", 3),
    Column("name", "Name", 0),
    Column("id", "ID", 36),
    Column("kind", "Kind", 8),
    Column("region", "Region", 14),
    Column("project", "Project", 14),
    Column("expiry", "Expiry", 10),
    Column("left", "Left/phase", 10),
    Column("price", "Price/month", 16, right=True),
)
# Secondary columns, dropped first to last as the width shrinks.
DROP_ORDER = ("project", "region", "kind", "id")


@lru_cache(maxsize=64)
def layout(width: int) -> tuple[Column, ...]:
    """The columns that fit in `width` cells, the name column sized to fill the rest."""
    columns = list(COLUMNS)
    drops = list(DROP_ORDER)
    while True:
        fixed = sum(column.width for column in columns if column.key != "name")
        name_width = width - 1 - fixed - len(GAP) * (len(columns) - 1)
        if name_width >= MIN_NAME_WIDTH or not drops:
            break
        dropped = drops.pop(0)
        columns = [column for column in columns if column.key != dropped]
    return tuple(
        Column("name", "Name", max(4, min(name_width, MAX_NAME_WIDTH)))
        if column.key == "name" else column
        for column in columns
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


def cell_text(column: Column, row: ResourceRow, checked: bool) -> tuple[str, str | None]:
    """The text of one cell and the component class that styles it, if any."""
    resource = row.resource
    match column.key:
        case "check":
            return ("[x]" if checked else "[ ]"), None
        case "name":
            name = safe_text(resource.name)
            if resource.pending_order:
                suffix = " (pending order)"
                name = fit(name, max(1, column.width - len(suffix))).rstrip() + suffix
            return name, None
        case "id":
            return safe_text(resource.id), None
        case "kind":
            return kind_text(resource), None
        case "region":
            return safe_text(resource.region), None
        case "project":
            return safe_text(resource.enterprise_project), None
        case "expiry":
            return resource.expiry.isoformat(), None
        case "left":
            return phase_word(row)
        case _:
            return price_text(resource.monthly_price_cents, resource.currency), None
