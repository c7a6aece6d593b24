"""A yes/no question. Focus starts on No; `y` confirms, `n` or `esc` declines."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from tui.dialogs.base import Dialog
from tui.safe import safe, safe_lines


class Confirm(Dialog[bool]):
    DEFAULT_CSS = """
    Confirm {
        align: center middle;
    }
    Confirm > #confirm-box {
        width: 60;
        max-width: 100%;
        height: auto;
        border: round $warning;
        background: $surface;
        padding: 0 1;
    }
    Confirm #confirm-question {
        width: 1fr;
        padding: 1 0;
    }
    Confirm #confirm-buttons {
        height: auto;
        align-horizontal: right;
    }
    Confirm #confirm-buttons Button {
        margin-left: 1;
    }
    """
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]
    AUTO_FOCUS = "#no"

    def __init__(self, question: str, title: str = "Please confirm") -> None:
        super().__init__()
        self.question = safe_lines(question)
        self.title_text = safe(title)

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box") as box:
            box.border_title = self.title_text
            yield Static(self.question, id="confirm-question")
            with Horizontal(id="confirm-buttons"):
                yield Button("No (n)", id="no")
                yield Button("Yes (y)", id="yes", variant="warning")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
