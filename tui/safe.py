"""Untrusted text for widgets: database values as Rich `Text`, shown literally.

Every name, id, region, reason or detail that reaches a widget goes through `safe` (or `safe_lines`
for several lines): never parsed as markup, and never a terminal escape (`store.text.safe_text`).
"""

from __future__ import annotations

from rich.text import Text

from store.text import safe_lines as safe_lines_text
from store.text import safe_text


def safe(value: object, style: str = "", justify: str | None = None) -> Text:
    """One value (or a one-line message holding values) as literal, terminal-safe Text."""
    return Text(safe_text(value), style=style, justify=justify)  # type: ignore[arg-type]


def safe_lines(text: str, **options: object) -> Text:
    """Several lines as Text: the line breaks stay, nothing else can act on the terminal."""
    return Text(safe_lines_text(text), **options)  # type: ignore[arg-type]
