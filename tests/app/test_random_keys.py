"""Fast or clumsy fingers: thousands of keys drawn from every screen's and dialog's bindings,
plus enter, esc, space and the arrows, pressed into the app at 80x24 on demo data. Nothing may
escape as an exception, and no payment may happen without its `y`: on the payment dialog, or
on the confirmation of a plan's apply (the Plans screen pays a saved plan from the balance)."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import pkgutil
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual import events
from textual.binding import Binding
from textual.dom import DOMNode

import tui
from store.clock import Clock
from store.service import Store
from tui.app import RenewalsApp
from tui.dialogs.confirm import Confirm
from tui.dialogs.payment import PaymentDialog

QUITTING = {"q", "ctrl+q", "ctrl+c"}  # leaving the app ends the walk, not a failure
MOVING = ["enter", "enter", "escape", "escape", "space", "up", "down", "left", "right", "tab",
          "shift+tab", "pageup", "pagedown", "home", "end", "y", "n", "backspace", "1", "5",
          "r", "r", "y"]  # more renewals and payments than a uniform draw would reach
KEYS_PER_WALK = 600
WALKS = 5
KEY_INTERVAL = 0.006  # seconds
SETTLE_EVERY = 25


def our_binding_keys() -> list[str]:
    """Every key a screen, dialog or widget of ours binds itself."""
    keys: set[str] = set()
    for info in pkgutil.walk_packages(tui.__path__, "tui."):
        if info.name.startswith("tui.cli"):
            continue
        module = importlib.import_module(info.name)
        for cls in vars(module).values():
            if inspect.isclass(cls) and issubclass(cls, DOMNode) and \
                    cls.__module__ == module.__name__:
                for binding in cls.__dict__.get("BINDINGS", []):
                    if isinstance(binding, Binding):
                        keys.update(key.strip() for key in binding.key.split(","))
    return sorted(keys - QUITTING)


KEYS = our_binding_keys() + MOVING
CHARACTERS = {"enter": "\r", "space": " ", "escape": "\x1b", "tab": "\t", "slash": "/",
              "comma": ",", "question_mark": "?", "plus": "+", "minus": "-",
              "left_square_bracket": "[", "right_square_bracket": "]"}


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("keys") / "demo.db"
    with Store(path, Clock.from_text("2026-11-26")) as store:
        store.seed_demo(300)
    return path


def payments(path: Path) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT COUNT(*) FROM payments").fetchone()[0]


def type_key(app: RenewalsApp, key: str) -> None:
    """One key as the terminal driver delivers it."""
    character = CHARACTERS.get(key, key if len(key) == 1 else None)
    event = events.Key(key, character)
    event.set_sender(app)
    assert app._driver is not None
    app._driver.send_message(event)


async def walk(path: Path, keys: list[str], bursts: list[bool]) -> tuple[int, int]:
    """Type `keys` at about 150 a second, as a fast typist or key repeat does (a burst: the
    same key twice before either is handled), settling every SETTLE_EVERY keys; returns
    (payments made, paying y presses received). A key typed ahead lands where the app is
    when it is handled, so the dialogs themselves count their `y`: the payment dialog's pay
    action and a plan apply's confirmation have no other key, and no mouse is used here."""
    store = Store(path, Clock.from_text("2026-11-26"))
    app = RenewalsApp(store, due_events_every=None, watch_every=None)
    paying_presses = 0
    pay, answer = PaymentDialog.action_pay, Confirm.action_answer

    def counted_pay(dialog: PaymentDialog) -> None:
        nonlocal paying_presses
        paying_presses += 1
        pay(dialog)

    def counted_answer(dialog: Confirm, yes: bool) -> None:
        nonlocal paying_presses
        paying_presses += yes and dialog.title_text.plain == "Apply plan"
        answer(dialog, yes)

    PaymentDialog.action_pay = counted_pay  # type: ignore[method-assign]
    Confirm.action_answer = counted_answer  # type: ignore[method-assign]
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            for number, (key, burst) in enumerate(zip(keys, bursts, strict=True)):
                if not app.is_running:
                    break
                for _ in range(2 if burst else 1):
                    type_key(app, key)
                await asyncio.sleep(KEY_INTERVAL)
                if number % SETTLE_EVERY == 0:
                    await pilot.pause()
            await pilot.pause()
            assert app._exception is None
    finally:
        PaymentDialog.action_pay = pay  # type: ignore[method-assign]
        Confirm.action_answer = answer  # type: ignore[method-assign]
    store.close()
    return payments(path), paying_presses


@settings(max_examples=WALKS, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(keys=st.lists(st.sampled_from(KEYS), min_size=KEYS_PER_WALK, max_size=KEYS_PER_WALK),
       bursts=st.lists(st.integers(0, 9).map(lambda n: n == 0),  # one key in ten: doubled
                       min_size=KEYS_PER_WALK, max_size=KEYS_PER_WALK))
def test_random_keys_never_crash_and_never_pay_without_y(demo_file, tmp_path_factory,
                                                         monkeypatch, keys, bursts):
    folder = tmp_path_factory.mktemp("walk")
    monkeypatch.chdir(folder)  # an export lands here, not in the checkout
    path = folder / "demo.db"
    shutil.copy(demo_file, path)
    before = payments(path)
    made, presses = asyncio.run(walk(path, keys, bursts))
    assert made - before <= presses
