"""Render the README's screenshots: the app itself draws demo data into SVG files.

    .venv/bin/python tests/screenshots.py [NAME ...] [--out DIR]

Every scene starts a fresh app, headless, on its own copy of one demo database (300 resources,
seed 7) at a fixed clock, drives it by keyboard to one view, waits until that view shows what it
must (never a fixed sleep), and saves `NAME.svg` into `screenshots/` (or `--out`). Two runs give
identical files. To add a scene, decorate an async function taking the Pilot:

    @scene("settings")
    async def settings(pilot: Pilot) -> None:
        await pilot.press("...")
        await wait_for_text(pilot, "Renewal day")

The snapshot tests (tests/app/test_snapshots.py) drive the app with the same functions.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import textual.constants
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, TextArea

from store.clock import Clock
from store.db import write
from store.service import Store
from tui.app import RenewalsApp

NOW = "2026-11-26T10:00:00+08:00"
DEMO_RESOURCES, DEMO_SEED = 300, 7
THEME = "textual-dark"
TIMEOUT = 30.0  # seconds; generous for a slow 2-core machine
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"

Drive = Callable[[Pilot], Awaitable[None]]


@dataclass(frozen=True)
class Scene:
    name: str  # the file is NAME.svg
    size: tuple[int, int]  # columns, lines
    drive: Drive


SCENES: list[Scene] = []


def scene(name: str, size: tuple[int, int] = (80, 24)) -> Callable[[Drive], Drive]:
    """Register `drive` as the scene `name`, rendered at `size`."""
    def register(drive: Drive) -> Drive:
        SCENES.append(Scene(name, size, drive))
        return drive

    return register


# the app, steady ---------------------------------------------------------------------------
def demo_database(folder: Path) -> Path:
    """The database every scene copies: 300 demo resources, seed 7, at the fixed clock."""
    path = folder / "demo.db"
    store = Store(path, Clock.from_text(NOW))
    seed_demo(store)
    store.close()
    return path


def seed_demo(store: Store) -> None:
    """The demo data, with the events due at the clock already processed: the app's own pass
    at start then finds nothing to do and pops up nothing.

    The audit trail records the wall-clock time of each write, which would change the pictures
    on every run: here it is set to the simulated time the rows also carry."""
    store.seed_demo(count=DEMO_RESOURCES, seed=DEMO_SEED)
    store.tick()
    with write(store.db()) as db:
        db.execute("UPDATE audit SET at = simulated_at")


def neutral_terminal() -> None:
    """Forget NO_COLOR and TEXTUAL_FILTERS: the files show the app in full colour."""
    os.environ.pop("NO_COLOR", None)
    textual.constants.FILTERS = ""


def steady_app(store: Store) -> RenewalsApp:
    """The app with one theme and no animation, whatever the terminal's settings are."""
    app = RenewalsApp(store)
    app.theme = THEME
    app.animation_level = "none"
    return app


def steady_cursors(app: App) -> None:
    """Stop text cursors blinking, on every screen, so a screenshot never catches one off."""
    for screen in app.screen_stack:
        for field in screen.query("Input, TextArea"):
            if isinstance(field, Input | TextArea):
                field.cursor_blink = False


def screen_text(app: App) -> str:
    """The top screen's text as drawn, one line per terminal line."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def thread_workers_done(app: App) -> bool:
    # Async workers (a renewal flow awaiting its dialog) run as long as the dialog is open.
    return not any(getattr(worker, "_thread_worker", False) and not worker.is_finished
                   for worker in app.workers)


async def wait_until(pilot: Pilot, condition: Callable[[], object], what: str,
                     timeout: float = TIMEOUT) -> None:
    """Let the app run until `condition()` holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}\n{screen_text(pilot.app)}")
        await pilot.pause(0.01)


async def wait_for_text(pilot: Pilot, *texts: str) -> None:
    """Wait until the top screen shows every one of `texts`."""
    def shown() -> bool:
        drawn = screen_text(pilot.app)
        return all(text in drawn for text in texts)

    await wait_until(pilot, shown, f"the screen to show {texts}")


async def wait_for_screen(pilot: Pilot, name: str) -> None:
    """Wait until the top screen is of the class called `name` (e.g. "PaymentDialog")."""
    await wait_until(pilot, lambda: type(pilot.app.screen).__name__ == name, name)


async def settle(pilot: Pilot) -> None:
    """Background reads finished, animations over, cursors steady, everything drawn."""
    await wait_until(pilot, lambda: thread_workers_done(pilot.app), "background work")
    await pilot.wait_for_scheduled_animations()
    steady_cursors(pilot.app)
    await pilot.pause()


# scenes ------------------------------------------------------------------------------------
async def renewals_ready(pilot: Pilot) -> None:
    """The Renewals screen with its rows, quick counts and row count in."""
    await wait_for_text(pilot, "[ ]", " rows", "7d: ", "0 selected")


async def check_rows(pilot: Pilot) -> None:
    """Three rows checked (the 2nd, 4th and 7th by expiry), their total worked out."""
    await renewals_ready(pilot)
    await pilot.press("down", "space", "down", "space", "down", "down", "space")
    await wait_for_text(pilot, "3 selected  CNY")


@scene("renewals")
async def renewals(pilot: Pilot) -> None:
    await check_rows(pilot)


async def pool_list(pilot: Pilot) -> None:
    """The pool browser's Standard clusters, the cursor on the third."""
    await renewals_ready(pilot)
    await pilot.press("p")
    await wait_for_screen(pilot, "PoolsScreen")
    await wait_for_text(pilot, " rows", "Status")
    await pilot.press("down", "down")


@scene("pools")
async def pools(pilot: Pilot) -> None:
    await pool_list(pilot)


@scene("pools-wide", size=(200, 40))
async def pools_wide(pilot: Pilot) -> None:
    """The same at 200 columns: flavors, billing in words, regions and whole IDs."""
    await pool_list(pilot)
    await wait_for_text(pilot, "Flavor x nodes", "Yearly/Monthly, ")


async def renew_dialog_aligned(pilot: Pilot) -> None:
    """The renewal dialog for the checked rows, with "Renew to renewal date" on."""
    await check_rows(pilot)
    await pilot.press("r")
    await wait_for_screen(pilot, "RenewDialog")
    await wait_for_text(pilot, "order total")
    await pilot.press("d")
    await wait_for_text(pilot, "[x] Renew to renewal date", " to day ", "order total")


@scene("renew-dialog")
async def renew_dialog(pilot: Pilot) -> None:
    await renew_dialog_aligned(pilot)


async def payment_with_coupon(pilot: Pilot) -> None:
    """On from the aligned renewal dialog to payment, with the first coupon ticked."""
    await renew_dialog_aligned(pilot)
    await pilot.press("enter")
    await wait_for_screen(pilot, "PaymentDialog")
    await wait_for_text(pilot, "after paying")
    # Focus starts on Cancel; the field before it is the last coupon.
    await pilot.press("shift+tab")
    await wait_until(pilot, lambda: isinstance(pilot.app.focused, Checkbox), "a coupon focused")
    await pilot.press("space")
    await wait_for_text(pilot, "coupons -")
    await pilot.press("tab")  # back on Cancel


@scene("payment")
async def payment(pilot: Pilot) -> None:
    await payment_with_coupon(pilot)



@scene("settings")
async def settings(pilot: Pilot) -> None:
    """Settings with the renewal day moved to 15 (not saved yet): both meanings spelled out."""
    await renewals_ready(pilot)
    await pilot.press("comma")
    await wait_for_screen(pilot, "SettingsScreen")
    await wait_for_text(pilot, "Saved: renewal day")
    await pilot.press(*["right"] * 15)
    await wait_for_text(pilot, "< day 15 >", "Unsaved changes")


@scene("audit")
async def audit(pilot: Pilot) -> None:
    """The audit trail, newest first: the demo's due events, orders and payments."""
    await renewals_ready(pilot)
    await pilot.press("u")
    await wait_for_screen(pilot, "AuditScreen")
    await wait_for_text(pilot, " entries", "tick.")


@scene("overview")
async def overview(pilot: Pilot) -> None:
    """Resources and money expiring in each of the next 12 weeks, as bars."""
    await renewals_ready(pilot)
    await pilot.press("w")
    await wait_for_screen(pilot, "OverviewScreen")
    await wait_for_text(pilot, "12 weeks: ", "to renew each for 1 month")

# running -----------------------------------------------------------------------------------
async def render(scene: Scene, database: Path, out: Path) -> Path:
    """Run `scene` on a copy of `database`; write OUT/NAME.svg."""
    copy = database.with_name(f"{scene.name}.db")
    shutil.copyfile(database, copy)
    store = Store(copy, Clock.from_text(NOW))
    try:
        app = steady_app(store)
        async with app.run_test(size=scene.size) as pilot:
            await scene.drive(pilot)
            await settle(pilot)
            app.save_screenshot(filename=f"{scene.name}.svg", path=str(out))
    finally:
        store.close()
    return out / f"{scene.name}.svg"


async def render_all(names: list[str], out: Path) -> None:
    chosen = [s for s in SCENES if not names or s.name in names]
    unknown = set(names) - {s.name for s in SCENES}
    if unknown:
        raise SystemExit(f"no such scene: {', '.join(sorted(unknown))}; "
                         f"scenes: {', '.join(s.name for s in SCENES)}")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        database = demo_database(Path(folder))
        for chosen_scene in chosen:
            path = await render(chosen_scene, database, out)
            print(path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help="scenes to render (default: all)")
    parser.add_argument("--out", type=Path, default=SCREENSHOTS,
                        help=f"folder for the SVGs (default: {SCREENSHOTS})")
    args = parser.parse_args(argv)
    neutral_terminal()
    asyncio.run(render_all(args.names, args.out))


if __name__ == "__main__":
    sys.exit(main())
