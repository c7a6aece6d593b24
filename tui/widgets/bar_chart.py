"""A horizontal bar chart drawn with plain characters, the numbers beside each bar.

Each line is `label  #####       figure  figure`: it reads without colour, and a non-zero value
always gets at least one block so a small week is never mistaken for an empty one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

BLOCK = "\u2588"  # a full block: one cell wide in every terminal font
GAP = 2


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    figures: tuple[str, ...] = ()


def bar_length(value: int, largest: int, width: int) -> int:
    """Cells for `value` when `largest` fills `width`; at least 1 for any non-zero value."""
    if value <= 0 or largest <= 0 or width <= 0:
        return 0
    return max(1, round(value * width / largest))


def chart_lines(bars: Sequence[Bar], width: int, headings: Sequence[str] = ()) -> list[str]:
    """The chart as plain lines `width` cells wide. `headings`: (label, bars, *figures)."""
    header = Bar(headings[0], 0, tuple(headings[2:])) if headings else None
    rows = ([header] if header else []) + list(bars)
    label_width = max((len(row.label) for row in rows), default=0)
    columns = max((len(row.figures) for row in rows), default=0)
    figure_widths = [max(len(row.figures[i]) for row in rows if i < len(row.figures))
                     for i in range(columns)]
    bar_width = max(0, width - label_width - GAP * (1 + columns) - sum(figure_widths))
    largest = max((bar.value for bar in bars), default=0)
    lines = []
    if header:
        title = headings[1] if len(headings) > 1 else ""
        lines.append(_line(header, title[:bar_width].ljust(bar_width), label_width,
                           figure_widths))
    for bar in bars:
        blocks = BLOCK * bar_length(bar.value, largest, bar_width)
        lines.append(_line(bar, blocks.ljust(bar_width), label_width, figure_widths))
    return lines


def _line(bar: Bar, middle: str, label_width: int, figure_widths: list[int]) -> str:
    cells = [bar.label.ljust(label_width), middle]
    cells += [figure.rjust(w) for figure, w in zip(bar.figures, figure_widths, strict=False)]
    return (" " * GAP).join(cells)


class BarChart(Widget):
    """Bars with their figures; `headings` names the label, the bars and each figure column."""

    DEFAULT_CSS = """
    BarChart {
        height: auto;
    }
    """

    bars: reactive[tuple[Bar, ...]] = reactive((), layout=True)

    def __init__(self, headings: Sequence[str] = (), *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.headings = tuple(headings)

    def render(self) -> Text:
        lines = chart_lines(self.bars, self.size.width, self.headings)
        text = Text(no_wrap=True, overflow="crop")
        for number, line in enumerate(lines):
            style = "bold" if self.headings and number == 0 else ""
            text.append(line + ("\n" if number < len(lines) - 1 else ""), style=style)
        return text

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(self.bars) + (1 if self.headings else 0)
