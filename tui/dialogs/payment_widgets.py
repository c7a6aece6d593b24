"""The payment modal's own widgets: radio buttons and checkboxes readable without colour, a card
field that leaves `y` to the dialog, and a Pay button that Enter does not press."""

from __future__ import annotations

from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Checkbox, Input, RadioButton


class PayButton(Button):
    """The Pay button. Enter on it only reminds that `y` pays."""

    class EnterPressed(Message):
        pass

    def action_press(self) -> None:
        self.post_message(self.EnterPressed())


class CheckMark(Checkbox):
    """A checkbox drawn `[x]` / `[ ]`, readable without colour."""

    @property
    def _button(self) -> Content:
        return Content("[x]" if self.value else "[ ]")


class MethodChoice(RadioButton):
    """A radio button drawn `(*)` / `( )`, readable without colour."""

    @property
    def _button(self) -> Content:
        return Content("(*)" if self.value else "( )")


class CardInput(Input):
    """A card number field that leaves letters (like `y`) to the dialog's bindings."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return character is not None and (character.isdigit() or character in " -")
