"""A DataTable with the keys every list of the console has, as the resource table has them:
j/k, g/G and home/end to the first and last row, PgUp/PgDn, ctrl+d/u half a page."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import DataTable


class ListTable(DataTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("k", "cursor_up", "Up", show=False, id="list.up"),
        Binding("j", "cursor_down", "Down", show=False, id="list.down"),
        Binding("home,g", "scroll_top", "First row", show=False, id="list.first"),
        Binding("end,G", "scroll_bottom", "Last row", show=False, id="list.last"),
        Binding("ctrl+u", "half_page(-1)", "Half a page up", show=False, id="list.half-up"),
        Binding("ctrl+d", "half_page(1)", "Half a page down", show=False, id="list.half-down"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)

    def action_half_page(self, direction: int) -> None:
        step = max(1, (self.scrollable_content_region.height - 1) // 2)
        self.move_cursor(row=max(0, min(self.row_count - 1, self.cursor_row + direction * step)))

    @property
    def cursor_key(self) -> str | None:
        """The key of the row under the cursor (as given to add_row), or None when empty."""
        if not self.row_count:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return str(row_key.value)
