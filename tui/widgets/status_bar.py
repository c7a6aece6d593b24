"""One line under the table: what is checked, what renewing it costs, how many rows are listed."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from store.models import Duration
from store.money import format_cents


class StatusBar(Widget):
    """`12 selected  CNY 1,234.00 for 1 month` on the left, `1,234 rows` on the right."""

    DEFAULT_CSS = """
    StatusBar {
        height: 1;
    }
    """

    selected_count: reactive[int] = reactive(0)
    total_cents: reactive[int | None] = reactive(0)
    """The renewal total of the checked rows, or None while it is being worked out."""
    currency: reactive[str] = reactive("CNY")
    duration: reactive[Duration] = reactive(Duration(1))
    row_count: reactive[int | None] = reactive(None)
    """Rows matching the view, or None while counting."""
    note: reactive[str] = reactive("")
    """A short word about work in progress, e.g. `checking all...`."""
    waiting: reactive[bool] = reactive(False)
    """A write is waiting for another writer to finish."""

    def render(self) -> Text:
        left = Text(f" {self.selected_count:,} selected", style="bold")
        if self.total_cents is None:
            left.append("  total ...")
        else:
            left.append(f"  {format_cents(self.total_cents, self.currency)} for {self.duration}")
        if self.waiting:
            left.append("  waiting for another writer…", style="bold reverse")
        if self.note:
            left.append(f"  {self.note}", style="italic")
        count = self.row_count
        rows = "counting..." if count is None else f"{count:,} row{'' if count == 1 else 's'}"
        right = Text(f"{rows} ")
        gap = max(1, self.size.width - left.cell_len - right.cell_len)
        return Text.assemble(left, " " * gap, right, no_wrap=True, overflow="ellipsis")
