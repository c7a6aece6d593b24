"""The base of every dialog: a modal screen that dismisses once and ignores keys that arrive
before it has drawn itself.

Textual's `dismiss` pops whatever screen is on top. Two Enters that arrive together (a key
repeat, a double press over SSH) would dismiss a menu twice and pop the screen beneath it, which
crashes the app once only the main screen is left. A Dialog dismisses once, and only while it
is the screen on top; later calls do nothing. And a key typed ahead can land on a dialog that
is pushed but not yet composed: until its widgets exist, its actions are not taken (the key is
dropped rather than acting on a half-built dialog).
"""

from __future__ import annotations

import asyncio
from typing import ClassVar, TypeVar

from textual.await_complete import AwaitComplete
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen

Result = TypeVar("Result")


class Dialog(ModalScreen[Result]):
    # A modal screen takes none of the app's keys: `?` lists this dialog's own, as on a screen.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "app.help", "Keys", show=False, id="dialog.help"),
    ]
    _dismissed = False

    @property
    def dismissed(self) -> bool:
        """Dismissed already: a worker's result that arrives now has nowhere to go."""
        return self._dismissed

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.is_mounted and not self._dismissed

    def dismiss(self, result: Result | None = None) -> AwaitComplete:
        if self._dismissed or not self.is_active:
            return AwaitComplete(asyncio.sleep(0))
        self._dismissed = True
        return super().dismiss(result)
