"""The pool browser: three tabs by kind over the same paged, checkable table as Renewals, with
the pool's own columns, search, sorting, and the Renewals actions on the checked pools."""

from __future__ import annotations

import datetime as dt

import pytest

from store.clock import Clock
from store.models import Billing, Kind, OrderStatus, Resource, Tab
from store.service import Store
from tui.dialogs.confirm import Confirm
from tui.dialogs.payment import PaymentDialog
from tui.dialogs.renew import RenewDialog
from tui.dialogs.row_actions import RowActions
from tui.screens.pools import PoolsScreen
from tui.widgets.resource_table import PAGE_SIZE, ResourceTable
from tui.widgets.status_bar import StatusBar

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
        pool("s3", Kind.STANDARD, "2026-12-31", billing=Billing.PAY_PER_USE, tab=None,
             name="[b]ppu[/b]"),
        pool("l1", Kind.LITE), pool("e1", Kind.SERVER), pool("e2", Kind.SERVER),
    ])
    opened.top_up(1_000_000)
    yield opened
    opened.close()


def lines(app) -> list[str]:
    """The table's lines as drawn, header first."""
    table = app.screen.query_one(ResourceTable)
    return [table.render_line(y).text for y in range(table.size.height)]


def line_of(app, name: str) -> str:
    return next(line for line in lines(app) if name in line)


def names(app) -> list[str]:
    table = app.screen.query_one(ResourceTable)
    return [row.resource.name for row in table.visible_rows() if row]


async def open_pools(pilot, app, wait) -> PoolsScreen:
    await wait(pilot, lambda: isinstance(app.screen, PoolsScreen)
               and not app.screen.table.is_loading)
    return app.screen


async def test_three_tabs_list_pools_by_kind_with_what_fits_80_columns(store, host, wait):
    app = host(store, PoolsScreen)
    async with app.run_test(size=SIZE) as pilot:
        await open_pools(pilot, app, wait)
        assert names(app) == ["standard-s2", "standard-s1", "[b]ppu[/b]"]  # by expiry
        assert lines(app)[0].split() == ["Name", "Status", "Nodes", "Expiry", "^",
                                         "Left/phase", "ID"]
        assert line_of(app, "standard-s1").split()[3:] == ["running", "4", "2026-12-10",
                                                           "14d", "s1"]
        assert line_of(app, "standard-s2").split()[6:8] == ["grace", "6d"]
        assert line_of(app, "ppu").split()[5:8] == ["-", "by", "use"]
        await pilot.press("2")
        await wait(pilot, lambda: names(app) == ["lite-l1"])
        await pilot.press("3")
        await wait(pilot, lambda: names(app) == ["server-e1", "server-e2"])
        assert "2 rows" in app.screen.query_one(StatusBar).render().plain
        await pilot.press("right_square_bracket")
        await wait(pilot, lambda: len(names(app)) == 3)


async def test_a_wide_terminal_shows_flavor_billing_in_words_and_region(store, host, wait):
    app = host(store, PoolsScreen)
    async with app.run_test(size=(200, 30)) as pilot:
        await open_pools(pilot, app, wait)
        assert lines(app)[0].split() == ["Name", "Status", "Flavor", "x", "nodes", "Expiry", "^",
                                         "Billing", "Region", "ID"]
        assert "modelarts.vm.gpu.8a100 x 4" in line_of(app, "standard-s1")
        assert "Yearly/Monthly, expires in 14 days" in line_of(app, "standard-s1")
        assert "Yearly/Monthly, in grace (6 days)" in line_of(app, "standard-s2")
        assert "Pay-per-use" in line_of(app, "ppu")
        assert len(line_of(app, "standard-s1").rstrip()) > 150  # the width is used


async def test_g_goes_to_the_real_last_pool_and_search_finds_one(store, host, wait):
    store.import_resources([pool(f"p{n:03d}", Kind.LITE) for n in range(PAGE_SIZE + 30)])
    app = host(store, PoolsScreen)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pools(pilot, app, wait)
        await pilot.press("2")
        await wait(pilot, lambda: screen.table.row_count == PAGE_SIZE + 31)
        await pilot.press("G")
        await wait(pilot, lambda: screen.table.cursor_row is not None
                   and screen.table.cursor == PAGE_SIZE + 30)
        await pilot.press("slash", *"p129", "enter")
        await wait(pilot, lambda: names(app) == ["lite-p129"])
        await pilot.press("escape")
        await wait(pilot, lambda: screen.table.row_count == PAGE_SIZE + 31)


async def test_a_pay_per_use_pool_says_why_it_cannot_renew(store, host, wait):
    app = host(store, PoolsScreen)
    async with app.run_test(size=SIZE) as pilot:
        await open_pools(pilot, app, wait)
        await pilot.press("G", "enter")  # the last row: the pay-per-use pool
        await wait(pilot, lambda: isinstance(app.screen, RowActions))
        refusal = str(app.screen.query_one("#refusal").render())
        assert "pay-per-use" in refusal
        await pilot.press("escape", "r")
        await wait(pilot, lambda: isinstance(app.screen, RenewDialog)
                   and app.screen.shown is not None)
        assert "pay-per-use" in str(app.screen.shown)
    assert store.orders() == []


async def test_two_checked_pools_renew_together_and_move_their_expiries(store, host, wait):
    app = host(store, PoolsScreen)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pools(pilot, app, wait)
        await pilot.press("space", "space", "r")
        await wait(pilot, lambda: isinstance(app.screen, RenewDialog)
                   and app.screen.shown is not None)
        await pilot.press("enter")
        await wait(pilot, lambda: isinstance(app.screen, PaymentDialog)
                   and app.screen.account is not None)
        await pilot.press("y")
        await wait(pilot, lambda: app.screen is screen and "2027-01-10" in line_of(app, "-s1"))
        assert "2026-12-20" in line_of(app, "-s2") and not screen.selected
    [order] = store.orders()
    assert order.status is OrderStatus.PAID
    assert sorted(line.resource_id for line in order.lines) == ["s1", "s2"]


async def test_the_row_menu_offers_the_renewal_policy_moves(store, host, wait):
    app = host(store, PoolsScreen)
    async with app.run_test(size=SIZE) as pilot:
        await open_pools(pilot, app, wait)
        await pilot.press("down", "enter")  # standard-s1, on Manual Renewals
        await wait(pilot, lambda: isinstance(app.screen, RowActions))
        assert set(app.screen.refusals) >= {"auto", "ppu", "canceled"}
        await pilot.press("c")
        await wait(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("y")
        await wait(pilot, lambda: store.rows(["s1"])[0].resource.tab is Tab.CANCELED)


async def test_esc_leaves_the_pool_browser_once_nothing_is_left_to_clear(store, host, wait):
    app = host(store, PoolsScreen)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pools(pilot, app, wait)
        await pilot.press("h")
        await wait(pilot, lambda: screen.filters.hide_pending)
        await pilot.press("escape")
        await wait(pilot, lambda: not screen.filters.hide_pending)
        assert screen.filters.kind is Kind.STANDARD and app.screen is screen
        await pilot.press("escape")
        await wait(pilot, lambda: not isinstance(app.screen, PoolsScreen))


def test_the_row_menu_says_what_the_pool_api_said_and_only_that():
    from store.models import Phase, ResourceRow
    from store.pool_details import PoolDetails
    from tui.dialogs.row_actions import pool_line

    row = ResourceRow(pool("s1", Kind.STANDARD), Phase.IN_USE, 14)
    details = PoolDetails("s1", "Dedicate", "Train, Infer", "cn-north-4a",
                          "2026-01-01T20:00:00.000000+00:00", 3, 4)
    assert pool_line(row, details) == ("Pool     Dedicate; jobs Train, Infer; zones cn-north-4a;"
                                       " made 2026-01-02; 3 of 4 nodes available")
    assert pool_line(row, PoolDetails("s1")) == "Pool     type not given"
    assert "not known here" in pool_line(row, None)
    server = ResourceRow(pool("e1", Kind.SERVER), Phase.IN_USE, 14)
    assert pool_line(server, None) is None


async def test_a_local_pool_s_menu_says_its_pool_details_are_not_known(store, host, wait):
    app = host(store, PoolsScreen)
    async with app.run_test(size=SIZE) as pilot:
        await open_pools(pilot, app, wait)
        await pilot.press("down", "enter")
        await wait(pilot, lambda: isinstance(app.screen, RowActions))
        assert "not known here" in str(app.screen.query_one("#row-details").render())


async def test_t_filters_the_pools_by_status(store, host, wait):
    app = host(store, PoolsScreen)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_pools(pilot, app, wait)
        await pilot.press("t")
        await wait(pilot, lambda: type(app.screen).__name__ == "ChoiceMenu")
        await pilot.press("down", "down", "enter")  # any, in use, in grace
        await wait(pilot, lambda: names(app) == ["standard-s2"])
        assert "expired (grace)" in str(screen.query_one("#filters-in-force").render())
        await pilot.press("t")
        await wait(pilot, lambda: type(app.screen).__name__ == "ChoiceMenu")
        await pilot.press("up", "enter")  # the menu opens on grace; up is in use
        await wait(pilot, lambda: names(app) == ["standard-s1", "[b]ppu[/b]"])
