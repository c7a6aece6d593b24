"""Hostile text never reaches the terminal: every screen and dialog, drawn over a database whose
names, ids, regions, coupons and currency carry terminal escapes, C1 controls, bidi overrides and
markup, shows them as visible escapes (`\\x1b`) and writes no control character at all.

What is drawn is checked in the SVG Textual renders of the whole screen (dialogs, toasts and
footer included): a control character there would be a control character on the terminal.
"""

from __future__ import annotations

import datetime as dt
import time
import unicodedata

from textual.pilot import Pilot

from store.db import write
from store.models import Duration, Kind, Resource, Tab
from tui.app import RenewalsApp
from tui.dialogs.payment import PaymentDialog
from tui.dialogs.policy import PolicyResults
from tui.dialogs.renew import RenewDialog
from tui.screens.audit import AuditScreen
from tui.screens.orders import OrderLinesDialog, OrdersScreen
from tui.screens.pools import PoolsScreen

TODAY = dt.date(2026, 11, 26)
SIZE = (120, 36)
ATTACKS = (
    "\x1b]0;PWNED\x07",        # OSC: retitles the terminal
    "\x1b[2J",                 # CSI: wipes the screen
    "\u009b31m",               # C1 CSI
    "\x07\x08\r\n\t\x00\x7f",  # BEL, BS, CR, LF, TAB, NUL, DEL
    "\u202e\u200b\u2028",      # bidi override, zero width, line separator
    "[bold red]x[/]",          # markup
)
UNSAFE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def hostile(label: str, number: int) -> str:
    return f"{label}{ATTACKS[number % len(ATTACKS)]}{number}"


def hostile_resources() -> list[Resource]:
    tabs = (Tab.MANUAL,) * 3 + (Tab.CANCELED,) * 5 + (Tab.AUTO, Tab.PPU)
    kinds = (Kind.STANDARD, Kind.LITE, Kind.SERVER)
    return [
        Resource(id=hostile("id", n), name=hostile("name", n), kind=kinds[n % 3],
                 expiry=TODAY + dt.timedelta(days=n - 3), monthly_price_cents=10_000,
                 yearly_price_cents=100_000, region=hostile("region", n),
                 enterprise_project=hostile("project", n), flavor=hostile("flavor", n),
                 status=hostile("status", n), tab=tab)
        for n, tab in enumerate(tabs)
    ]


def unsafe_characters(app: RenewalsApp) -> list[str]:
    svg = app.export_screenshot()
    return sorted({f"U+{ord(c):04X}" for c in svg
                   if c != "\n" and unicodedata.category(c) in UNSAFE})


async def settle(pilot: Pilot) -> None:
    """Let every database job finish and the screen redraw (the renewal flow's own worker waits
    on its dialogs, so it is left running)."""
    deadline = time.monotonic() + 10
    while any(not worker.is_finished and worker.group != "renew" for worker in pilot.app.workers):
        assert time.monotonic() < deadline, list(pilot.app.workers)
        await pilot.pause()
    await pilot.pause()


async def test_no_screen_or_dialog_writes_a_control_character(store, add, wait):
    add(hostile_resources())
    store.place_order([hostile("id", 1)], Duration(1))
    with write(store.db()) as db:
        db.execute("INSERT INTO coupons (id, kind, amount_cents) VALUES (?, 'cash', 100)",
                   (hostile("coupon", 2),))
        db.execute("UPDATE account SET currency = ?", ("\x1b[2J",))
    app = RenewalsApp(store, due_events_every=None)
    leaks: dict[str, list[str]] = {}

    async def look(scene: str) -> None:
        await settle(pilot)
        found = unsafe_characters(app)
        if found:
            leaks[scene] = found

    async with app.run_test(size=SIZE) as pilot:
        await look("renewals")
        for key in "234":
            await pilot.press(key)
            await look(f"renewals tab {key}")
        await pilot.press("1")
        for key, scene in (("l", "region picker"), ("E", "project picker"),
                           ("enter", "row actions")):
            await pilot.press(key)
            await look(scene)
            await pilot.press("escape")
        await pilot.press("space", "space", "r")
        await wait(pilot, lambda: isinstance(app.screen, RenewDialog)
                   and app.screen.shown is not None)
        await look("renewal dialog")
        await pilot.press("down", "down")
        await look("renewal dialog, a refused line's reason")
        await pilot.press("enter")
        await wait(pilot, lambda: isinstance(app.screen, PaymentDialog)
                   and app.screen.account is not None)
        await look("payment dialog")
        await pilot.press("y")
        await wait(pilot, lambda: not app.screen.paying)
        await look("payment refused")
        await pilot.press("escape")
        await look("back on renewals, with the pending-order toast")

        await pilot.press("4", "a")
        await wait(pilot, lambda: len(app.screen.selected) >= 5)
        await pilot.press("c")
        await look("confirm dialog")
        await pilot.press("y")
        await wait(pilot, lambda: isinstance(app.screen, PolicyResults))
        await look("policy results")
        await pilot.press("escape")

        await pilot.press("p")
        await wait(pilot, lambda: isinstance(app.screen, PoolsScreen)
                   and not app.screen.table.is_loading)
        await look("pools")
        await pilot.press("enter")
        await look("pool row actions")
        await pilot.press("escape", "r")
        await look("pool renewal (a dialog, or a toast saying why not)")
        if isinstance(app.screen, RenewDialog):
            await pilot.press("escape")
        for key in "23":
            await pilot.press(key)
            await look(f"pools tab {key}")

        await pilot.press("o")
        await wait(pilot, lambda: isinstance(app.screen, OrdersScreen) and app.screen.loaded)
        await look("orders")
        await pilot.press("enter")
        await wait(pilot, lambda: isinstance(app.screen, OrderLinesDialog))
        await look("order lines")
        await pilot.press("escape")

        await pilot.press("u")
        await wait(pilot, lambda: isinstance(app.screen, AuditScreen) and app.screen.loaded)
        await look("audit")
        for key, scene in (("w", "overview"), ("comma", "settings"), ("question_mark", "help")):
            await pilot.press(key)
            await look(scene)
        await pilot.press("escape")
    assert leaks == {}
