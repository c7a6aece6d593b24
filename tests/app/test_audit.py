"""Due events when the app starts, and the Audit screen (`u`) that shows them, at 80x24."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from rich.text import Text
from textual.widgets import DataTable, Static

from store.audit import AuditEntry, Identity
from store.clock import Clock
from store.models import AutoRenew, Kind, Resource, Tab, TickReport
from store.service import Store
from tui.app import RenewalsApp
from tui.due_events import tick_summary
from tui.screens.audit import (
    AuditScreen,
    billing_time,
    matches,
    resources_text,
    time_text,
    who_text,
)
from tui.widgets.resource_table import ResourceTable
from tui.widgets.title_bar import TitleBar

SIZE = (80, 24)
DEDUCTION_MOMENT = "2026-11-26T03:00:00+08:00"  # 7 days before an expiry on 2026-12-03


def auto_pool(rid: str, expiry: str = "2026-12-03") -> Resource:
    return Resource(id=rid, name=f"pool-{rid}", kind=Kind.STANDARD,
                    expiry=dt.date.fromisoformat(expiry), monthly_price_cents=10_000,
                    yearly_price_cents=100_000, tab=Tab.AUTO)


def ticking_app(tmp_path, balance_cents: int) -> tuple[RenewalsApp, Store]:
    store = Store(tmp_path / "tick.db", Clock.from_text(DEDUCTION_MOMENT))
    store.import_resources([auto_pool("a"), auto_pool("later", "2027-03-01")])
    store.set_policy(["a", "later"], Tab.AUTO, AutoRenew(1, None))
    if balance_cents:
        store.top_up(balance_cents)
    return RenewalsApp(store), store


def notes(app) -> list[str]:
    return [note.message for note in app._notifications]


def title(app) -> str:
    return app.screen.query_one(TitleBar).render().plain


# due events ----------------------------------------------------------------------------------
async def test_on_the_deduction_day_the_app_auto_renews_at_start_and_says_so(tmp_path, wait):
    """In the title bar, not in a toast over the rows: the audit trail (u) has the rest."""
    app, store = ticking_app(tmp_path, 1_000_000)
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot, lambda: "due events: 1 (u)" in title(app), what="the title")
        assert notes(app) == []
        await pilot.press("2")
        table = app.screen.query_one(ResourceTable)
        await wait(pilot, lambda: any(row and row.resource.id == "a"
                                      and str(row.resource.expiry) == "2027-01-03"
                                      for row in table.visible_rows()), what="the new expiry")
    [row] = store.rows(["a"])
    assert str(row.resource.expiry) == "2027-01-03"
    assert store.account().balance_cents == 1_000_000 - 10_000
    store.close()


async def test_a_failed_auto_renewal_is_an_error_and_shows_in_the_audit(tmp_path, wait):
    app, store = ticking_app(tmp_path, 0)
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot, lambda: any(n.severity == "error" for n in app._notifications))
        [note] = notes(app)
        assert note.startswith("Due events: 1 auto-renewal failed (pool-a: insufficient balance")
        assert "1 auto-renewal failed: u" in title(app) and "due events: 1 (u)" in title(app)
        await pilot.press("u")
        await wait(pilot, lambda: isinstance(app.screen, AuditScreen) and app.screen.loaded)
        screen = app.screen
        assert screen.shown[0].action == "tick.auto-renew"
        assert screen.shown[0].result.startswith("failed: insufficient balance")
        details = str(screen.query_one("#audit-details", Static).render())
        assert "tick.auto-renew: failed: insufficient balance" in details
    [row] = store.rows(["a"])
    assert str(row.resource.expiry) == "2026-12-03"
    store.close()


async def test_nothing_due_says_nothing(tmp_path, wait):
    store = Store(tmp_path / "quiet.db", Clock.from_text("2026-11-26T10:00:00+08:00"))
    store.import_resources([auto_pool("later", "2027-03-01")])
    app = RenewalsApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot, lambda: app.due_events.passes == 1, what="the pass")
        assert notes(app) == []
    store.close()


def test_the_summary_counts_every_kind_of_event():
    report = TickReport(expired_orders=("o1", "o2"), auto_renewed=(("a", "o3"),),
                        auto_failed=(("b", "no money"), ("c", "no money")),
                        to_pay_per_use=("d",), deleted=("e", "f", "g"))
    assert tick_summary(report, {"b": "pool-b"}) == (
        "Due events: 1 auto-renewed, 2 auto-renewals failed (pool-b: no money; 1 more; audit "
        "trail: u), 2 unpaid orders expired, 1 converted to pay-per-use, 3 deleted after "
        "retention")


# the audit screen ----------------------------------------------------------------------------
def table_rows(screen: AuditScreen) -> list[list[str]]:
    table = screen.query_one("#audit-table", DataTable)
    return [[cell.plain if isinstance(cell, Text) else str(cell) for cell in table.get_row_at(i)]
            for i in range(table.row_count)]


async def open_audit(pilot, app, wait) -> AuditScreen:
    await pilot.press("u")
    await wait(pilot, lambda: isinstance(app.screen, AuditScreen) and app.screen.loaded)
    return app.screen


async def test_the_audit_lists_every_write_newest_first(app, add, make, store, wait):
    add(make(3, first_day=5))
    store.top_up(50_000)
    store.set_policy(["pool-id-000000", "pool-id-000001"], Tab.CANCELED)
    store.set_renewal_day("last")
    async with app.run_test(size=(160, 30)) as pilot:  # wide: every column
        screen = await open_audit(pilot, app, wait)
        rows = table_rows(screen)
        assert [row[1] for row in rows] == ["settings.renewal-day", "policy.canceled",
                                            "account.top-up", "import"]
        # the wall clock, then the simulated clock's midnight, both in UTC+08:00
        wall = billing_time(Clock().stamp())[:10]
        assert rows[0][0].startswith(wall) and rows[0][0].endswith(" sim 2026-11-26 00:00")
        assert rows[1][5] == "2: pool-id-000000, pool-i..."
        assert rows[2][4] == "CNY 500.00"
        assert rows[2][3] == Identity.of_this_process().os_user
        assert "4 of 4 entries" in str(screen.query_one("#audit-count", Static).render())


async def test_the_filter_keeps_matching_rows_and_esc_clears_it_then_leaves(app, add, make,
                                                                            store, wait):
    add(make(3, first_day=5))
    store.set_policy(["pool-id-000000"], Tab.CANCELED)
    store.set_policy(["pool-id-000001"], Tab.PPU)
    store.set_deduction_days(3)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_audit(pilot, app, wait)
        await pilot.press("slash", *"policy")
        await wait(pilot, lambda: len(table_rows(screen)) == 2)
        assert [row[1] for row in table_rows(screen)] == ["policy.ppu", "policy.canceled"]
        assert "2 of 4 entries" in str(screen.query_one("#audit-count", Static).render())
        await pilot.press("enter")  # back to the table, the filter kept
        await pilot.press("escape")
        await wait(pilot, lambda: len(table_rows(screen)) == 4)
        await pilot.press("escape")
        await wait(pilot, lambda: not isinstance(app.screen, AuditScreen))


def test_audit_cells_read_plainly():
    entry = AuditEntry(1, "2026-11-25T19:00:00.000000+00:00", "ops", "10.0.0.9",
                       "policy.auto", ("a", "b"), None, "ok", "enable auto-renew")
    assert billing_time(entry.at) == "2026-11-26 03:00" == time_text(entry)
    simulated = replace(entry, simulated_at="2030-01-01T00:00:00.000000+00:00")
    assert time_text(simulated) == "2026-11-26 03:00 sim 2030-01-01 08:00"
    assert resources_text(entry.resource_ids) == "2: a, b"
    assert who_text(entry) == "ops@10.0.0.9" and who_text(replace(entry, ssh_client=None)) == "ops"
    assert matches(entry, "10.0.0") and matches(entry, "auto") and matches(entry, "b")
    assert not matches(entry, "failed")


async def test_at_80_columns_the_table_keeps_the_columns_that_fit_and_the_panel_the_rest(
        app, add, make, store, wait):
    add(make(3, first_day=5))
    store.set_policy(["pool-id-000000"], Tab.CANCELED)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_audit(pilot, app, wait)
        table = screen.query_one("#audit-table", DataTable)
        assert [c.value for c in table.columns] == ["time", "action", "result", "who", "amount"]
        details = str(screen.query_one("#audit-details", Static).render())
        assert "pool-id-000000" in details
