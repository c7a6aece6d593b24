"""`?`: every key active where it was pressed, built from the bindings themselves.

The footer, this list and the command palette all read the same Binding objects, so they agree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import ActiveBinding, Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Label, Static

from tui.dialogs.base import Dialog

KEY_COLUMN = 12
DESCRIPTION_COLUMN = 28


def section_name(node: DOMNode) -> str:
    """Where a binding lives, as a user would name it."""
    if isinstance(node, App):
        return "Everywhere"
    if isinstance(node, Screen):
        return f"{node.title or type(node).__name__} screen"
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", type(node).__name__)


def help_sections(
    app: App, bindings: Iterable[ActiveBinding]
) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """[(section, [(keys, description, binding id)])]: keys sharing an action are listed
    together; the id is what the config file's [keys] table names (empty: not configurable)."""
    sections: dict[str, dict[tuple[str, str], tuple[list[str], list[str]]]] = {}
    for active in bindings:
        binding: Binding = active.binding
        if binding.system or not binding.description:
            continue
        actions = sections.setdefault(section_name(active.node), {})
        keys, ids = actions.setdefault((binding.action, binding.description), ([], []))
        display = app.get_key_display(binding)
        if display not in keys:
            keys.append(display)
        if binding.id and binding.id not in ids:
            ids.append(binding.id)
    return [
        (section, [(" ".join(keys), description, " ".join(ids))
                   for (_, description), (keys, ids) in actions.items()])
        for section, actions in sections.items()
    ]


def help_text(app: App, bindings: Iterable[ActiveBinding], notes: Sequence[str]) -> Text:
    text = Text()
    for section, rows in help_sections(app, bindings):
        text.append(f"{section}\n", style="bold underline")
        for keys, description, ids in rows:
            text.append(f"  {keys:<{KEY_COLUMN}}", style="bold")
            text.append(f"{description:<{DESCRIPTION_COLUMN}}")
            text.append(f" {ids}\n", style="dim")
        text.append("\n")
    for note in notes:
        text.append(f"{note}\n\n")
    return text


class HelpScreen(Dialog[None]):
    """Every active key with what it does; esc, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close help", id="help.close"),
    ]

    def __init__(self, bindings: Iterable[ActiveBinding], notes: Sequence[str] = ()) -> None:
        super().__init__()
        self._shown_bindings = list(bindings)
        self._notes = notes

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Label("Keys  (esc closes)", id="help-title")
            with VerticalScroll(id="help-body"):
                yield Static(help_text(self.app, self._shown_bindings, self._notes))

    def action_close(self) -> None:
        self.dismiss(None)
