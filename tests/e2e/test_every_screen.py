"""Every screen and dialog of the installed `renewals` in a real 80x24 terminal (tmux): its
headers whole, no date or amount cut, nothing cut off with an ellipsis, and its footer keys
on screen. (One at 200x60 too: a wide terminal is used.)"""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

import pytest
from terminal import NEEDS_TMUX, NOW, RENEWALS, Terminal

pytestmark = NEEDS_TMUX

# a date cut short: 2026-12-0, 2026-1, 2026- (not inside an order id such as ORD20261126-3F)
PARTIAL_DATE = re.compile(r"(?<![\w-])20\d\d-(\d\d-\d|\d|)(?![\w-])")
AMOUNT = re.compile(r"CNY [\d,]+(\.\d*)?")
WAIT = "Wait for the preview to finish."

# (keys to get there, text that says it is there, header words in order, footer keys)
VISITS = (
    ((), "Manual", ["Name", "ID", "Expiry", "^", "Left/phase", "Price/month"],
     ["space Check", "r Renew", "a Check all", "/ Search", "? Help", "p Pools", "o Orders"]),
    (("p",), "Standard",
     ["Name", "Status", "Nodes", "Expiry", "^", "Left/phase", "ID"],
     ["space Check", "r Renew", "/ Search", "o Orders"]),
    (("Enter",), "Renew (r)", [], []),
    (("Escape", "G", "r"), "Renew 1 resource",
     ["Name", "Expiry", "New expiry", "+Days", "Fee"], []),
    (("Enter",), "Payment method", [], []),
    (("Escape", "Escape", "o"), "Orders, newest first",
     ["Order", "Status", "Total", "Items", "Created"],
     ["v Lines", "y Pay", "c Cancel order", "/ Search", "q Back/quit"]),
    (("Enter",), "esc: close", ["Name", "Expiry", "New expiry", "+Days", "Fee", "ID"], []),
    (("Escape", "u"), "Audit trail", ["Time", "(UTC+08:00)", "Action", "Result", "Who",
                                      "Amount"], ["/ Search", "r Reload", "? Help"]),
    (("w",), "Expiry overview", ["Week", "Count", "1-month", "value"], ["m Bars"]),
    ((",",), "Settings", [], ["enter Save"]),
    (("L",), "Plans, newest first", ["Plan", "Status", "By", "Total", "Renewals", "Made"],
     ["v Lines", "A Approve", "y Apply", "q Back/quit"]),
    (("?",), "Keys  (esc closes)", [], []),
)


def demo_database(folder: Path) -> Path:
    """A demo database and one pending order (for the Orders screen and its lines)."""
    db = folder / "demo.db"
    run = [str(RENEWALS), "--db", str(db), "--now", NOW]
    subprocess.run([*run, "demo"], check=True, capture_output=True, timeout=60)
    listed = json.loads(subprocess.run([*run, "list", "--tab", "manual", "--expiring", "30",
                                        "--json"], check=True, capture_output=True,
                                       timeout=60).stdout)
    subprocess.run([*run, "renew", listed[-1]["id"], "--months", "1", "--yes"], check=True,
                   capture_output=True, timeout=60)
    return db


def problems(screen: str, header: list[str], footer: list[str]) -> list[str]:
    lines = screen.splitlines()
    found = [f"cut date {m.group()!r}" for m in PARTIAL_DATE.finditer(screen)]
    found += [f"cut text in {line.strip()!r}" for line in lines[1:-1] if "…" in line]
    found += [f"cut amount {m.group()!r}" for m in AMOUNT.finditer(screen)
              if not re.fullmatch(r"CNY [\d,]+\.\d\d", m.group())]
    if header and not any(line.split()[:len(header)] == header
                          or " ".join(header) in " ".join(line.split()) for line in lines):
        found.append(f"no whole header {header}")
    found += [f"footer lacks {key!r}" for key in footer if key not in lines[-1]]
    return found


@pytest.fixture
def console(tmp_path):
    db = demo_database(tmp_path)
    terminal = Terminal(tmp_path)
    terminal.env |= {"XDG_CONFIG_HOME": str(tmp_path / "config"),
                     "XDG_STATE_HOME": str(tmp_path / "state"), "TERM": "xterm-256color"}
    yield terminal, db
    terminal.close()


def test_every_screen_at_80x24_shows_its_values_whole_and_its_keys(console):
    terminal, db = console
    terminal.start([str(RENEWALS), "--db", str(db), "--now", NOW])
    terminal.wait_for_text("rows")
    seen = {}
    for keys, marker, header, footer in VISITS:
        terminal.press(*keys)

        def there(text: str, marker=marker, footer=footer) -> bool:
            return marker in text and all(
                word not in text for word in ("loading", "computing", "counting")) and all(
                key in text.splitlines()[-1] for key in footer)

        def refused(text: str) -> bool:  # another write refreshed the preview under the key
            return WAIT in text and "computing" not in text

        screen = terminal.wait_for(lambda text: there(text) or refused(text), marker)
        for _again in range(10):
            if there(screen):
                break
            time.sleep(0.5)
            terminal.press(keys[-1])
            screen = terminal.wait_for(lambda text: there(text) or refused(text), marker)
        seen[marker] = problems(screen, header, footer)
    assert {marker: found for marker, found in seen.items() if found} == {}


def test_a_wide_terminal_is_used_to_its_edge(console):
    terminal, db = console
    terminal.start([str(RENEWALS), "--db", str(db), "--now", NOW], size=(200, 60))
    screen = terminal.wait_for_text("rows")
    rows = [line for line in screen.splitlines() if line[1:4] in ("[ ]", "[x]")]
    assert rows and all(len(line.rstrip()) > 190 for line in rows[:5]), screen
    terminal.press("p")
    screen = terminal.wait_for_text("Flavor x nodes", "Billing", "Yearly/Monthly, ")
    assert "Region" in screen


def test_the_checks_catch_what_they_look_for():
    screen = ("title\n Name  Expiry\n pool-a  2026-12-0\n pool-b  2027-01-01  CNY 1,2\n"
              " pool-c…  ORD20261126-3F  2026-\n r Renew")
    found = problems(screen, ["Name", "Expiry", "Price"], ["r Renew", "o Orders"])
    assert found == ["cut date '2026-12-0'", "cut date '2026-'",
                     "cut text in 'pool-c…  ORD20261126-3F  2026-'", "cut amount 'CNY 1,2'",
                     "no whole header ['Name', 'Expiry', 'Price']", "footer lacks 'o Orders'"]
