"""A value chosen from a fixed list with left/right: a duration, a day, a format."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static


class Stepper(Static, can_focus=True):
    """One value out of a fixed list, stepped with left/right."""

    DEFAULT_CSS = """
    Stepper {
        width: auto; padding: 0 1; background: $boost;
        &:focus {
            background: $block-cursor-background; color: $block-cursor-foreground;
            text-style: bold;
        }
        &:disabled { text-style: dim; }
    }
    """

    BINDINGS = [
        Binding("left", "step(-1)", "Previous value", show=False, id="stepper.previous"),
        Binding("right", "step(1)", "Next value", show=False, id="stepper.next"),
    ]
    index: reactive[int] = reactive(0, layout=True)

    class Changed(Message):
        def __init__(self, stepper: Stepper, index: int) -> None:
            super().__init__()
            self.stepper = stepper
            self.index = index

        @property
        def control(self) -> Stepper:
            return self.stepper

    def __init__(self, labels: Sequence[str], index: int = 0, *, id: str | None = None,
                 disabled: bool = False) -> None:
        super().__init__(id=id, disabled=disabled)
        self.labels = tuple(labels)
        self.set_reactive(Stepper.index, index)

    def render(self) -> Text:
        return Text(f"< {self.labels[self.index]} >")

    def action_step(self, delta: int) -> None:
        self.move_to(self.index + delta)

    def move_to(self, index: int, announce: bool = True) -> None:
        index = max(0, min(len(self.labels) - 1, index))
        if index != self.index:
            self.index = index
            if announce:
                self.post_message(self.Changed(self, index))
