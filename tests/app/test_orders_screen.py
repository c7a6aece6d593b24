"""The orders screen: lists orders newest first, shows lines, pays and cancels pending ones."""

from __future__ import annotations

import datetime as dt

import pytest
from rich.text import Text
from textual.widgets import DataTable, Static

from store.clock import Clock
from store.models import Duration, Kind, Method, OrderStatus, Resource
from store.service import Store
from tui.dialogs.confirm import Confirm
from tui.dialogs.payment import PaymentDialog
from tui.screens.orders import OrderLinesDialog, OrdersScreen

TODAY = "2026-11-26"
SIZE = (80, 24)


def resource(rid: str, expiry: str, monthly: int = 10_000) -> Resource:
    return Resource(id=rid, name=f"pool-{rid}", kind=Kind.STANDARD,
                    expiry=dt.date.fromisoformat(expiry), monthly_price_cents=monthly,
                    yearly_price_cents=monthly * 10)


@pytest.fixture
def store(tmp_path) -> Store:
    """Three resources and a balance (in place of conftest's `store`)."""
    opened = Store(tmp_path / "renewals.db", Clock.from_text(TODAY))
    opened.import_resources([resource("a", "2026-12-10"), resource("b", "2026-12-20", 20_000),
                             resource("c", "2026-12-30")])
    opened.top_up(1_000_000)
    yield opened
    opened.close()


def cell(screen: OrdersScreen, order_id: str, column: str) -> str:
    value = screen.query_one("#orders", DataTable).get_cell(order_id, column)
    return value.plain if isinstance(value, Text) else str(value)


async def open_orders(pilot, app, wait, count: int) -> OrdersScreen:
    await wait(pilot, lambda: isinstance(app.screen, OrdersScreen))
    screen = app.screen
    await wait(pilot, lambda: screen.loaded)
    assert screen.query_one("#orders", DataTable).row_count == count
    return screen


def place_two(store: Store) -> tuple[str, str]:
    """A paid order, then a pending one (placed an hour later, so listed first)."""
    today = store.clock
    store.clock = Clock.from_text(f"{TODAY}T09:00:00")
    store.checkout(["a"], Duration(1), None, Method.BALANCE, "key-1")
    store.clock = Clock.from_text(f"{TODAY}T10:00:00")
    pending = store.place_order(["b", "c"], Duration(1))
    store.clock = today
    return store.orders(OrderStatus.PAID)[0].id, pending.id


async def test_lists_orders_newest_first_with_status_total_and_lines(store, host, wait):
    paid_id, pending_id = place_two(store)
    app = host(store, OrdersScreen)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_orders(pilot, app, wait, 2)
        table = screen.query_one("#orders", DataTable)
        assert [key.value for key in table.rows] == [pending_id, paid_id]
        assert cell(screen, pending_id, "status") == "pending payment"
        assert cell(screen, paid_id, "status") == "paid"
        assert cell(screen, pending_id, "total") == "CNY 300.00"
        assert cell(screen, pending_id, "items") == "2"


async def test_enter_shows_the_order_lines(store, host, wait):
    place_two(store)
    app = host(store, OrdersScreen)
    async with app.run_test(size=SIZE) as pilot:
        await open_orders(pilot, app, wait, 2)
        await pilot.press("enter")
        await wait(pilot, lambda: isinstance(app.screen, OrderLinesDialog))
        lines = app.screen.query_one(DataTable)
        assert lines.row_count == 2
        await wait(pilot, lambda: lines.get_cell("b", "name").plain == "pool-b")
        assert lines.get_cell("c", "new") == "2027-01-30"
        await pilot.press("escape")
        await wait(pilot, lambda: isinstance(app.screen, OrdersScreen))


async def test_y_pays_the_pending_order_in_the_payment_modal(store, host, wait):
    _paid_id, pending_id = place_two(store)
    app = host(store, OrdersScreen)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_orders(pilot, app, wait, 2)
        await pilot.press("y")
        await wait(pilot, lambda: isinstance(app.screen, PaymentDialog))
        dialog = app.screen
        assert pending_id in str(dialog.query_one("#order", Static).render())
        await wait(pilot, lambda: dialog.account is not None)
        await pilot.press("y")
        await wait(pilot, lambda: cell(screen, pending_id, "status") == "paid")
    assert store.order(pending_id).status is OrderStatus.PAID
    assert store.account().balance_cents == 1_000_000 - 10_000 - 30_000


async def test_paying_a_paid_order_says_there_is_nothing_to_pay(store, host, wait):
    place_two(store)
    app = host(store, OrdersScreen)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_orders(pilot, app, wait, 2)
        await pilot.press("down", "y")
        await wait(pilot, lambda: any("nothing to pay" in n.message
                                          for n in app._notifications))
        assert app.screen is screen


async def test_c_cancels_a_pending_order_after_confirming(store, host, wait):
    _paid_id, pending_id = place_two(store)
    app = host(store, OrdersScreen)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_orders(pilot, app, wait, 2)
        await pilot.press("c")
        await wait(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("n")
        await wait(pilot, lambda: app.screen is screen)
        assert store.order(pending_id).status is OrderStatus.PENDING
        await pilot.press("x")
        await wait(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("y")
        await wait(pilot, lambda: cell(screen, pending_id, "status") == "cancelled")
    assert store.order(pending_id).status is OrderStatus.CANCELLED


async def test_no_orders_says_so_and_esc_goes_back(store, host, wait):
    app = host(store, OrdersScreen)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_orders(pilot, app, wait, 0)
        assert "No orders yet" in str(screen.query_one("#orders-note", Static).render())
        await pilot.press("escape")
        await wait(pilot, lambda: not isinstance(app.screen, OrdersScreen))


async def test_slash_searches_the_orders_and_esc_clears_then_goes_back(store, host, wait):
    paid_id, pending_id = place_two(store)
    app = host(store, OrdersScreen)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_orders(pilot, app, wait, 2)
        table = screen.query_one("#orders", DataTable)
        await pilot.press("slash", *"pending", "enter")
        await wait(pilot, lambda: [key.value for key in table.rows] == [pending_id])
        assert "(of 2; esc clears the search)" in str(
            screen.query_one("#orders-note", Static).render())
        assert table.has_focus
        await pilot.press("escape")
        await wait(pilot, lambda: table.row_count == 2)
        assert app.screen is screen
        await pilot.press("escape")
        await wait(pilot, lambda: not isinstance(app.screen, OrdersScreen))


async def test_every_list_key_moves_the_cursor(store, host, wait):
    for _ in range(19):
        store.place_order(["a"], Duration(1))
        store.cancel_order(store.orders(OrderStatus.PENDING)[0].id)
    app = host(store, OrdersScreen)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_orders(pilot, app, wait, 19)
        table = screen.query_one("#orders", DataTable)
        moves = [("j", 1), ("k", 0), ("G", 18), ("g", 0), ("ctrl+d", None), ("ctrl+u", 0),
                 ("pagedown", None), ("end", 18), ("home", 0)]
        for key, row in moves:
            await pilot.press(key)
            if row is None:
                assert table.cursor_row > 1, key
            else:
                assert table.cursor_row == row, key
