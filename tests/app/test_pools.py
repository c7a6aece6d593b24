"""The pool browser: three tabs by kind, a paged table, row actions and renewing one pool."""

from __future__ import annotations

import datetime as dt

import pytest
from rich.text import Text
from textual.widgets import DataTable, Static

from store.clock import Clock
from store.models import Billing, Kind, OrderStatus, Resource
from store.service import Store
from tui.dialogs.payment import PaymentDialog
from tui.dialogs.renew import RenewDialog
from tui.dialogs.row_actions import RowActions
from tui.screens.pools import PAGE_SIZE, PoolsScreen

TODAY = "2026-11-26"
SIZE = (80, 24)


def pool(rid: str, kind: Kind, expiry: str = "2026-12-10", **fields) -> Resource:
    return Resource(id=rid, name=fields.pop("name", f"{kind.value}-{rid}"), kind=kind,
                    expiry=dt.date.fromisoformat(expiry), monthly_price_cents=10_000,
                    yearly_price_cents=100_000, flavor="modelarts.vm.gpu.8a100", node_count=4,
                    region="cn-north-4", **fields)


@pytest.fixture
def store(tmp_path) -> Store:
    """Pools of each kind and a balance (in place of conftest's `store`)."""
    opened = Store(tmp_path / "renewals.db", Clock.from_text(TODAY))
    opened.import_resources([
        pool("s1", Kind.STANDARD), pool("s2", Kind.STANDARD, "2026-11-20"),
        pool("s3", Kind.STANDARD, billing=Billing.PAY_PER_USE, tab=None, name="[b]ppu[/b]"),
        pool("l1", Kind.LITE), pool("e1", Kind.SERVER), pool("e2", Kind.SERVER),
    ])
    opened.top_up(1_000_000)
    yield opened
    opened.close()


def names(screen: PoolsScreen) -> list[str]:
    table = screen.query_one("#pools", DataTable)
    return [table.get_row_at(index)[0].plain for index in range(table.row_count)]


def cell(screen: PoolsScreen, rid: str, column: str) -> str:
    value = screen.query_one("#pools", DataTable).get_cell(rid, column)
    return value.plain if isinstance(value, Text) else str(value)


async def open_pools(pilot, app, wait) -> PoolsScreen:
    await wait(pilot, lambda: isinstance(app.screen, PoolsScreen))
    screen = app.screen
    await wait(pilot, lambda: screen.total is not None and not screen.loading)
    return screen


async def test_three_tabs_list_pools_by_kind(store, host, wait):
    app = host(store, PoolsScreen)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pools(pilot, app, wait)
        assert names(screen) == ["[b]ppu[/b]", "standard-s1", "standard-s2"]
        assert cell(screen, "s1", "flavor") == "modelarts.vm.gpu.8a100 x 4"
        assert cell(screen, "s1", "status") == "running"
        assert cell(screen, "s2", "expiry") == "2026-11-20 grace"
        assert cell(screen, "s3", "billing") == "pay-per-use"
        await pilot.press("2")
        await wait(pilot, lambda: names(screen) == ["lite-l1"])
        await pilot.press("3")
        await wait(pilot, lambda: names(screen) == ["server-e1", "server-e2"])
        assert "Elastic Servers: 2" in str(screen.query_one("#pools-note", Static).render())
        await pilot.press("right_square_bracket")
        await wait(pilot, lambda: len(names(screen)) == 3)


async def test_pages_load_as_the_cursor_nears_the_end(store, host, wait):
    store.import_resources([pool(f"p{n:03d}", Kind.LITE) for n in range(PAGE_SIZE + 30)])
    app = host(store, PoolsScreen)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pools(pilot, app, wait)
        await pilot.press("2")
        await wait(pilot, lambda: screen.total == PAGE_SIZE + 31 and not screen.loading)
        assert len(names(screen)) == PAGE_SIZE
        await pilot.press("G")
        await wait(pilot, lambda: len(names(screen)) == PAGE_SIZE + 31)


async def test_a_pay_per_use_pool_says_why_it_cannot_renew(store, host, wait):
    app = host(store, PoolsScreen)
    async with app.run_test(size=SIZE) as pilot:
        await open_pools(pilot, app, wait)
        await pilot.press("enter")  # the first row: the pay-per-use pool
        await wait(pilot, lambda: isinstance(app.screen, RowActions))
        refusal = str(app.screen.query_one("#refusal", Static).render())
        assert "pay-per-use" in refusal
        await pilot.press("r")
        await wait(pilot, lambda: any("cannot be renewed: pay-per-use" in n.message
                                          for n in app._notifications))
        assert isinstance(app.screen, PoolsScreen)
        assert store.orders() == []


async def test_renewing_a_pool_from_its_actions_moves_its_expiry(store, host, wait):
    app = host(store, PoolsScreen)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pools(pilot, app, wait)
        await pilot.press("down", "enter")
        await wait(pilot, lambda: isinstance(app.screen, RowActions))
        await pilot.press("enter")  # the highlighted action: Renew
        await wait(pilot, lambda: isinstance(app.screen, RenewDialog))
        dialog = app.screen
        await wait(pilot, lambda: dialog.shown is not None)
        await pilot.press("enter")
        await wait(pilot, lambda: isinstance(app.screen, PaymentDialog))
        payment = app.screen
        await wait(pilot, lambda: payment.account is not None)
        await pilot.press("y")
        await wait(pilot, lambda: cell(screen, "s1", "expiry") == "2027-01-10")
    [order] = store.orders()
    assert order.status is OrderStatus.PAID
    assert [line.resource_id for line in order.lines] == ["s1"]


async def test_esc_leaves_the_pool_browser(store, host, wait):
    app = host(store, PoolsScreen)
    async with app.run_test(size=SIZE) as pilot:
        await open_pools(pilot, app, wait)
        await pilot.press("escape")
        await wait(pilot, lambda: not isinstance(app.screen, PoolsScreen))
