"""End to end: the installed `renewals` in a real terminal (tmux, 80x24), check -> renew -> pay.

The test types what a user types, reads the screen with `tmux capture-pane`, and afterwards
checks the database itself: one paid order for exactly the checked resources, their expiries a
month later, the balance down by exactly the order total.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

from terminal import NEEDS_TMUX, NOW, POLL, RENEWALS, TIMEOUT, Terminal

from store.clock import Clock
from store.models import OrderStatus
from store.rules import add_months
from store.service import Store

pytestmark = NEEDS_TMUX


def renewals(db: Path, *args: str) -> None:
    subprocess.run([str(RENEWALS), "--db", str(db), "--now", NOW, *args], check=True,
                   capture_output=True, text=True, timeout=60)


def checked_names(screen: str) -> list[str]:
    """Names on the rows drawn with `[x]` (a row starts with `>` at the cursor, else a space)."""
    return [line[5:].split()[0] for line in screen.splitlines() if line[1:4] == "[x]"]


def resources(db: Path, names: list[str]) -> dict[str, tuple[str, dt.date]]:
    """Name -> (ID, expiry) of the resources called `names`, read straight from the file."""
    found = {}
    with closing(sqlite3.connect(db)) as conn:
        for name in names:
            rows = conn.execute("SELECT id, expiry FROM resources WHERE name = ?",
                                (name,)).fetchall()
            assert len(rows) == 1, f"{len(rows)} resources are called {name}"
            rid, expiry = rows[0]
            found[name] = (rid, dt.date.fromisoformat(expiry))
    return found


def test_check_renew_pay_in_a_real_terminal(tmp_path):
    assert RENEWALS.exists(), f"the console script is not installed next to {sys.executable}"
    db = tmp_path / "e2e.db"
    renewals(db, "demo", "--resources", "200")
    renewals(db, "account", "--top-up", "10000000")  # whatever the demo prices, it can pay
    renewals(db, "tick")  # auto-renewals due now are charged here, not when the app opens
    with closing(Store(db, Clock.from_text(NOW))) as store:
        balance_before = store.account().balance_cents
        orders_before = {order.id for order in store.orders()}

    terminal = Terminal(tmp_path)
    try:
        terminal.start([str(RENEWALS), "--db", str(db), "--now", NOW])
        terminal.wait_for_text("0 selected", " rows", "[ ]")
        terminal.press("Space", "Space")
        screen = terminal.wait_for_text("2 selected  CNY")
        names = checked_names(screen)
        assert len(names) == 2, screen
        before = resources(db, names)

        terminal.press("r")
        screen = terminal.wait_for_text("Renew 2 resources", "order total")
        assert "2 of 2 renewable, order total" in screen, screen
        terminal.press("Enter")
        terminal.wait_for_text("Payment", "after paying", "Pay (y)")
        terminal.press("y")
        terminal.wait_for(lambda s: "Pay (y)" not in s and "0 selected" in s,
                          "the payment to go through and the checks to clear")

        terminal.press("C-q")
        deadline = time.monotonic() + TIMEOUT
        while terminal.exit_code() is None:
            assert time.monotonic() < deadline, f"ctrl+q did not quit:\n{terminal.screen()}"
            time.sleep(POLL)
        assert terminal.exit_code() == 0, terminal.screen()
    finally:
        terminal.close()

    with closing(Store(db, Clock.from_text(NOW))) as store:
        new_orders = [order for order in store.orders() if order.id not in orders_before]
        balance_after = store.account().balance_cents
    assert [order.status for order in new_orders] == [OrderStatus.PAID]
    order = new_orders[0]
    assert {line.resource_id for line in order.lines} == {rid for rid, _ in before.values()}
    after = resources(db, names)
    for name in names:
        assert after[name][1] == add_months(before[name][1], 1), name
    assert balance_before - balance_after == order.total_cents > 0


HOSTILE = [  # names an import file could carry: retitle the terminal, wipe it, colour it
    {"id": "evil-title", "name": "\u001b]0;PWNED\u0007x", "kind": "standard",
     "expiry": "2026-12-01", "monthly_price_cents": 1000, "region": "\u001b]2;PWNED\u0007"},
    {"id": "evil-wipe\u001b[2J", "name": "wipe\u001b[2J\u001b[Hgone", "kind": "lite",
     "expiry": "2026-12-02", "monthly_price_cents": 1000, "enterprise_project": "\u009b31m"},
    {"id": "evil-bidi", "name": "\u202eevil\u2028two", "kind": "server",
     "expiry": "2026-12-03", "monthly_price_cents": 1000, "tab": "canceled"},
]
VISITS = (  # (key, what the screen then shows, or with "!" what it no longer shows)
    ("2", " 0 rows"), ("4", "  1 row"), ("1", " 2 rows"),
    ("Enter", "Policy"), ("Escape", "!Policy"), ("p", " running "),  # its row, loaded
    ("Enter", "Policy"), ("Escape", "!Policy"), ("o", "Orders, newest first"),
    ("u", "Audit trail"), ("w", "Expiry overview"), (",", "Settings"), ("?", "Keys"),
)


def test_hostile_names_never_reach_the_terminal(tmp_path):
    db = tmp_path / "hostile.db"
    source = tmp_path / "hostile.json"
    source.write_text(json.dumps(HOSTILE))
    renewals(db, "import", str(source))
    terminal = Terminal(tmp_path)
    try:
        terminal.start([str(RENEWALS), "--db", str(db), "--now", NOW])
        terminal.tmux("select-pane", "-t", "app", "-T", "operator-title")
        screen = terminal.wait_for_text("0 selected", "[ ]")
        assert "\\x1b]0;PWNED\\x07x" in screen  # shown, visibly, not acted on
        for key, expected in VISITS:
            terminal.press(key)  # one at a time: ESC then p at once would read as alt+p
            if expected.startswith("!"):
                screen = terminal.wait_for(lambda s, gone=expected[1:]: gone not in s, expected)
            else:
                screen = terminal.wait_for_text(expected)
            title = terminal.tmux("display-message", "-p", "-t", "app", "#{pane_title}")
            assert title.strip() == "operator-title", (key, screen)
            assert "today 2026-11-26" in screen, (key, screen)  # never wiped
    finally:
        terminal.close()
