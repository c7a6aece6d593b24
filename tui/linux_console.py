"""The Linux virtual console (TERM=linux): its fonts lack the partial blocks (▁▂▅▇▌▏▔ …) that
Textual draws for scrollbar ends, tall button edges, toast edges and the tabs' underline, and
shows a box for each. There the console draws whole cells only: `adapt` swaps the scrollbar
drawing, and the `-linux-console` class on the App turns on the rules in app.tcss."""

from __future__ import annotations

import os

from textual.app import App
from textual.scrollbar import ScrollBar, ScrollBarRender

CLASS = "-linux-console"


class WholeCellScrollBar(ScrollBarRender):
    """A thumb of whole cells (its colour shows it), no eighth-of-a-cell ends."""

    VERTICAL_BARS = [" "] * 8
    HORIZONTAL_BARS = [" "] * 8


def is_linux_console() -> bool:
    return os.environ.get("TERM") == "linux"


def adapt(app: App) -> None:
    if is_linux_console():
        ScrollBar.renderer = WholeCellScrollBar  # one process, one terminal
        app.add_class(CLASS)
