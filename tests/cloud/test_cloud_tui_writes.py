"""The console renews, pays and takes renewals back on a bound database: the renewal dialog and
the payment modal make the billing system's orders and pay them (balance only, and it says
why), and the row menu's "take back the renewal" asks first, its answer starting on No."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import Button, Static

from store.service import Store
from tui.app import RenewalsApp
from tui.dialogs.confirm import Confirm
from tui.dialogs.payment import PaymentDialog
from tui.dialogs.payment_widgets import MethodChoice
from tui.dialogs.renew import RenewDialog
from tui.dialogs.row_actions import RowActions
from tui.widgets.resource_table import ResourceTable

from .fake_cloud import FakeCloud
from .helpers import wait_for

TODAY = dt.date.today()
SIZE = (100, 30)


@pytest.fixture
def bound_store(fake_cloud: FakeCloud, cloud_environ, tmp_path) -> Store:
    fake_cloud.set_balance(1_000_000)
    for number in range(3):
        fake_cloud.add_resource(f"res-{number}", f"pool-{number}",
                                TODAY + dt.timedelta(days=5 + number), 10_000, 100_000)
    store = Store(tmp_path / "cloud.db")
    store.sync_cloud()
    yield store
    store.close()


async def opened(app: RenewalsApp, pilot) -> None:
    await wait_for(pilot, lambda: app.database is not None
                   and app.screen.query_one(ResourceTable).row_count == 3)


async def test_renew_and_pay_through_the_dialogs(bound_store, fake_cloud):
    before = fake_cloud.expiry_text("res-0")
    app = RenewalsApp(bound_store, due_events_every=None, watch_every=None)
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await pilot.press("space", "r")
        await wait_for(pilot, lambda: isinstance(app.screen, RenewDialog)
                       and app.screen.shown is not None and app.screen.shown.fresh)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PaymentDialog)
                       and app.screen.account is not None)
        dialog = app.screen
        assert dialog.query_one("#online", MethodChoice).disabled
        assert dialog.query_one("#settlement", MethodChoice).disabled
        assert "not offered on a database bound" in str(
            dialog.query_one("#message", Static).render())
        await pilot.press("y")
        await wait_for(pilot, lambda: not isinstance(app.screen, PaymentDialog))
        await wait_for(pilot, lambda: any(n.title == "Renewed" for n in app._notifications))
    paid = [o for o in fake_cloud.orders.values() if o.order_type == 2]
    assert len(paid) == 1 and paid[0].status == 5 and list(paid[0].lines) == ["res-0"]
    assert fake_cloud.expiry_text("res-0") != before
    assert fake_cloud.balance_cents == 1_000_000 - 10_000


async def test_take_back_a_renewal_from_the_row_menu(bound_store, fake_cloud):
    before = fake_cloud.expiry_text("res-0")
    every = ["res-0", "res-1", "res-2"]  # all renewed: res-0 stays the first row
    bound_store.checkout(every, _one_month(), None, _balance(), "key-1",
                         seen=bound_store.preview(every, _one_month()))
    assert fake_cloud.expiry_text("res-0") != before
    app = RenewalsApp(bound_store, due_events_every=None, watch_every=None)
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RowActions))
        await pilot.press("end", "enter")  # the last choice: take back the renewal
        await wait_for(pilot, lambda: isinstance(app.screen, Confirm))
        assert app.focused is not None and isinstance(app.focused, Button)
        assert app.focused.id == "no"
        await pilot.press("y")
        await wait_for(pilot, lambda: any("taken back" in n.message
                                          for n in app._notifications))
    assert fake_cloud.expiry_text("res-0") == before
    assert fake_cloud.count("cancel_resources_subscription") == 1


def _one_month():
    from store.models import Duration

    return Duration(1)


def _balance():
    from store.models import Method

    return Method.BALANCE


async def test_an_order_placed_in_the_billing_center_is_paid_from_the_orders_screen(
        bound_store, fake_cloud):
    from tui.screens.orders import OrdersScreen

    from .test_cloud_quotes import place_renewal_on_the_account

    place_renewal_on_the_account(fake_cloud, "res-2")
    bound_store.sync_cloud()
    [cloud_order] = [o for o in fake_cloud.orders.values() if o.status == 6]
    app = RenewalsApp(bound_store, due_events_every=None, watch_every=None)
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot)
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, OrdersScreen)
                       and app.screen.loaded)
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, PaymentDialog)
                       and app.screen.account is not None)
        await pilot.press("y")
        await wait_for(pilot, lambda: any(f"Order {cloud_order.order_id} paid" in (n.title or "")
                                          for n in app._notifications))
        assert isinstance(app.screen, OrdersScreen)
    assert cloud_order.status == 5 and fake_cloud.balance_cents == 1_000_000 - 10_000
