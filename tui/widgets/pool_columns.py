"""The pool browser's columns: a pool's status, flavor and nodes, and its billing in words.

Pure text, like resource_columns.py, whose widths and dropping rules these follow.
"""

from __future__ import annotations

from store.models import Billing, Phase, ResourceRow
from store.text import safe_text
from tui.widgets.resource_columns import SHORT_ID, Column, ColumnSet, common_cell, phase_word

SUBSCRIPTION = "Yearly/Monthly"
PAY_PER_USE = "Pay-per-use"


def days(count: int) -> str:
    return f"{count:,} day{'s' if count != 1 else ''}"


def billing_label(row: ResourceRow) -> str:
    """`Yearly/Monthly, expires in 12 days`, `… in grace (3 days)`, or `Pay-per-use`."""
    if row.resource.billing is Billing.PAY_PER_USE:
        return PAY_PER_USE
    if row.phase is Phase.IN_USE:
        when = "today" if row.days_left == 0 else f"in {days(row.days_left)}"
        return f"{SUBSCRIPTION}, expires {when}"
    if row.phase is Phase.GRACE:
        return f"{SUBSCRIPTION}, in grace ({days(-row.days_left)})"
    if row.phase is Phase.RETENTION:
        return f"{SUBSCRIPTION}, frozen ({days(-row.days_left)})"
    return f"{SUBSCRIPTION}, deleted"


def pool_cell(column: Column, row: ResourceRow, checked: bool) -> tuple[str, str | None]:
    resource = row.resource
    by_use = resource.billing is Billing.PAY_PER_USE
    match column.key:
        case "status":
            return safe_text(row.status), None
        case "nodes":
            return safe_text(f"{resource.flavor or '-'} x {resource.node_count:,}"), None
        case "node_count":
            return f"{resource.node_count:,}", None
        case "expiry" if by_use:
            return "-", None
        case "left" if by_use:
            return "by use", None
        case "billing":
            style = None if by_use else phase_word(row)[1]
            return billing_label(row), style
    return common_cell(column, row, checked)


POOL_COLUMNS = ColumnSet(
    columns=(
        Column("check", "", 3),
        Column("name", "Name", 0, sort="name"),
        Column("status", "Status", 9),
        Column("nodes", "Flavor x nodes", 34),
        Column("expiry", "Expiry", 10, sort="expiry"),
        Column("billing", "Billing", 37, sort="expiry"),
        Column("region", "Region", 14, sort="region"),
        Column("id", "ID", 36, sort="id"),
    ),
    narrower=(("id", SHORT_ID), ("region", None),
              ("nodes", Column("node_count", "Nodes", 5, right=True)),
              ("billing", Column("left", "Left/phase", 10, sort="expiry"))),
    cell_text=pool_cell,
)
