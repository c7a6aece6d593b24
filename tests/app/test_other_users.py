"""Other users write to the same file while the console is open: a confirmation made stale by
them is refused and the fresh preview shown; every screen follows their writes by itself (and on
ctrl+r), keeping the cursor and the checks; a write kept waiting by another writer says so; the
header shows a simulated clock, and a real-clock database under --now is read-only."""

from __future__ import annotations

import sqlite3
import threading

from textual.widgets import Static

from store.clock import Clock
from store.models import Duration, Method, Tab
from store.service import Store
from tui.app import RenewalsApp
from tui.dialogs.payment import PaymentDialog
from tui.dialogs.policy import PolicyResults
from tui.dialogs.renew import RenewDialog
from tui.screens.audit import AuditScreen
from tui.screens.orders import OrdersScreen
from tui.screens.pools import PoolsScreen
from tui.widgets.resource_table import ResourceTable
from tui.widgets.status_bar import StatusBar
from tui.widgets.title_bar import TitleBar

SIZE = (100, 30)
MONTH = Duration(1)


def elsewhere(store: Store) -> Store:
    """Another user's store on the same file (the CLI in another terminal)."""
    return Store(store.path, store.clock)


def renew_elsewhere(store: Store, rid: str) -> None:
    with elsewhere(store) as other:
        other.top_up(10_000_000)
        other.checkout([rid], MONTH, None, Method.BALANCE, f"elsewhere-{rid}")


def table_lines(app) -> list[str]:
    table = app.screen.query_one(ResourceTable)
    return [table.render_line(y).text for y in range(table.size.height)]


def title(app) -> str:
    return app.screen.query_one(TitleBar).render().plain


def watching_app(store: Store) -> RenewalsApp:
    return RenewalsApp(store, due_events_every=None, watch_every=0.1)


async def renewals_ready(pilot, app, wait) -> None:
    await wait(pilot, lambda: app.screen.query_one(ResourceTable).row_count
               and not app.screen.query_one(ResourceTable).is_loading, what="the rows")


# stale confirmation ----------------------------------------------------------------------------
async def test_paying_a_preview_someone_else_made_stale_orders_nothing_and_shows_it_afresh(
        store, add, make, app, wait):
    add(make(3, first_day=5))
    store.top_up(10_000_000)
    async with app.run_test(size=SIZE) as pilot:
        await renewals_ready(pilot, app, wait)
        await pilot.press("space", "r")
        await wait(pilot, lambda: isinstance(app.screen, RenewDialog) and app.screen.shown)
        await pilot.press("enter")
        await wait(pilot, lambda: isinstance(app.screen, PaymentDialog)
                   and app.screen.account is not None)
        renew_elsewhere(store, "pool-id-000000")  # from the CLI, meanwhile
        await pilot.press("y")
        await wait(pilot, lambda: isinstance(app.screen, RenewDialog) and app.screen.changed,
                   what="the renewal dialog again")
        said = str(app.screen.query_one("#changed", Static).render())
        assert "Nothing was ordered" in said
        assert "pool-000000: expiry 2026-12-01 is now 2027-01-01" in said
        await wait(pilot, lambda: app.screen.shown is not None
                   and str(app.screen.shown.first_lines[0].current_expiry) == "2027-01-01")
    orders = store.orders()
    assert len(orders) == 1  # the other user's: renewed and charged once, not twice
    assert store.account().balance_cents == 2 * 10_000_000 - orders[0].total_cents


# screens that follow other users ---------------------------------------------------------------
async def test_renewals_follow_another_users_renewal_keeping_cursor_and_checks(store, add,
                                                                               make, wait):
    add(make(30, first_day=5))
    app = watching_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await renewals_ready(pilot, app, wait)
        await pilot.press("space", "down", "down")
        table = app.screen.query_one(ResourceTable)
        assert table.cursor == 3
        renew_elsewhere(store, "pool-id-000001")
        await wait(pilot, lambda: not any("pool-000001" in line for line in table_lines(app)[:5]),
                   what="the renewed row to move down the expiry order")
        assert table.cursor == 3 and app.screen.selected == {"pool-id-000000"}
        with elsewhere(store) as other:
            other.place_order(["pool-id-000002"], MONTH)
        await wait(pilot, lambda: "pending: 1" in str(app.screen.query_one("#quick-filters")
                                                       .render()), what="the quick counts")
        await wait(pilot, lambda: "(pending)" in "".join(table_lines(app)))


async def test_pools_orders_and_audit_follow_other_users_too(store, add, make, wait):
    add(make(5, first_day=5))
    app = watching_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await renewals_ready(pilot, app, wait)
        await pilot.press("p")
        await wait(pilot, lambda: isinstance(app.screen, PoolsScreen)
                   and not app.screen.table.is_loading)
        await pilot.press("down")
        renew_elsewhere(store, "pool-id-000000")
        await wait(pilot, lambda: any("pool-000000" in line and "2027-01-01" in line
                                      for line in table_lines(app)), what="the pool's new expiry")
        assert app.screen.table.cursor == 1

        await pilot.press("o")
        await wait(pilot, lambda: isinstance(app.screen, OrdersScreen) and app.screen.loaded)
        assert len(app.screen.orders) == 1
        with elsewhere(store) as other:
            other.place_order(["pool-id-000003"], MONTH)
        await wait(pilot, lambda: len(app.screen.orders) == 2, what="the new order")

        await pilot.press("u")
        await wait(pilot, lambda: isinstance(app.screen, AuditScreen) and app.screen.loaded)
        with elsewhere(store) as other:
            other.set_policy(["pool-id-000004"], Tab.CANCELED)
        await wait(pilot, lambda: app.screen.entries[0].action == "policy.canceled")


async def test_ctrl_r_reloads_by_hand(store, add, make, app, wait):
    add(make(5, first_day=5))
    async with app.run_test(size=SIZE) as pilot:  # this app does not watch by itself
        await renewals_ready(pilot, app, wait)
        with elsewhere(store) as other:
            other.set_policy(["pool-id-000000"], Tab.CANCELED)
        await pilot.pause(0.3)
        assert app.screen.query_one(ResourceTable).row_count == 5
        await pilot.press("ctrl+r")
        await wait(pilot, lambda: app.screen.query_one(ResourceTable).row_count == 4)


# a writer kept waiting -------------------------------------------------------------------------
async def test_a_write_kept_waiting_by_another_writer_says_so(store, add, make, app, wait):
    add(make(5, first_day=5))
    locked, release = threading.Event(), threading.Event()

    def hold_the_lock() -> None:
        conn = sqlite3.connect(store.path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        locked.set()
        release.wait(30)
        conn.execute("ROLLBACK")
        conn.close()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        async with app.run_test(size=SIZE) as pilot:
            await renewals_ready(pilot, app, wait)
            locked.wait(5)
            await pilot.press("c", "y")  # cancel renewal of the cursor row: a write
            await wait(pilot, lambda: "waiting for another writer" in title(app), timeout=10)
            assert "waiting for another writer" in app.screen.query_one(StatusBar
                                                                        ).render().plain
            release.set()
            await wait(pilot, lambda: "waiting for another writer" not in title(app),
                       timeout=10)
            await wait(pilot, lambda: app.screen.query_one(ResourceTable).row_count == 4)
    finally:
        release.set()
        holder.join()


# the clock in the header -----------------------------------------------------------------------
async def test_the_header_says_when_the_clock_is_simulated(store, add, make, app, wait):
    add(make(2))
    async with app.run_test(size=(80, 24)) as pilot:
        await renewals_ready(pilot, app, wait)
        assert " SIMULATED CLOCK " in title(app) and "renewals.db" in title(app)


async def test_a_real_clock_database_under_now_is_read_only_and_runs_no_due_events(tmp_path,
                                                                                   make, wait):
    with Store(tmp_path / "real.db") as real:  # made on the real clock
        real.import_resources(make(3, first_day=-25))
    store = Store(tmp_path / "real.db", Clock.from_text("2026-11-26"))
    app = RenewalsApp(store, due_events_every=60, watch_every=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait(pilot, lambda: app.database is not None)
        await renewals_ready(pilot, app, wait)
        assert "READ ONLY" in title(app)
        await pilot.press("c", "y")
        await wait(pilot, lambda: any("runs on the real clock" in note.message
                                      for note in app._notifications))
        assert app.due_events.passes == 0 and not isinstance(app.screen, PolicyResults)
    with Store(tmp_path / "real.db") as real:
        assert real.count() == 3 and [e.action for e in real.audit()] == ["import"]
