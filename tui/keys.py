"""Every key binding the console declares, by id: what the config file's `[keys]` table may
change (Textual's keymap takes binding id -> keys), and what `renewals config keys` lists."""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass

from textual.binding import Binding
from textual.dom import DOMNode

import tui
from tui.app import RenewalsApp

PACKAGES = ("tui.screens", "tui.dialogs", "tui.widgets")


@dataclass(frozen=True)
class DeclaredKey:
    id: str
    key: str
    description: str
    where: str


def _console_classes() -> list[type[DOMNode]]:
    for package in PACKAGES:
        folder = importlib.import_module(package).__path__
        for module in pkgutil.iter_modules(folder):
            importlib.import_module(f"{package}.{module.name}")
    found: list[type[DOMNode]] = []
    waiting: list[type[DOMNode]] = [DOMNode]
    while waiting:
        for subclass in waiting.pop().__subclasses__():
            waiting.append(subclass)
            if subclass.__module__.startswith(f"{tui.__name__}."):
                found.append(subclass)
    return found


def declared_keys() -> list[DeclaredKey]:
    """Each binding with an id, once, sorted by id."""
    keys: dict[str, DeclaredKey] = {}
    for cls in [RenewalsApp, *_console_classes()]:
        for binding in cls.__dict__.get("BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id and binding.id not in keys:
                keys[binding.id] = DeclaredKey(binding.id, binding.key,
                                               binding.description or binding.action,
                                               cls.__name__)
    return sorted(keys.values(), key=lambda declared: declared.id)
