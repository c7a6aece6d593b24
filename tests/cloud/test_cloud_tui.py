"""The console on a bound database, against the fake billing system: the header names the site
and the last sync, the first sync of a session starts by itself, `C` syncs again with its steps
shown, no due events run, and the renewal dialog shows the last quotes, then fresh ones."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import Static

from store.models import Duration
from store.service import Store
from tui.app import RenewalsApp
from tui.dialogs.renew import RenewDialog
from tui.widgets.resource_table import ResourceTable
from tui.widgets.title_bar import TitleBar

from .fake_cloud import FakeCloud
from .helpers import TODAY, wait_for

SIZE = (100, 30)


@pytest.fixture
def bound_store(fake_cloud: FakeCloud, cloud_environ, tmp_path) -> Store:
    for number in range(15):
        fake_cloud.add_resource(f"res-{number:02d}", f"pool-{number:02d}",
                                TODAY + dt.timedelta(days=5 + number), 10_000 + number,
                                100_000)
    store = Store(tmp_path / "cloud.db")
    store.sync_cloud()
    yield store
    store.close()


def title(app: RenewalsApp) -> str:
    return app.screen.query_one(TitleBar).render().plain


async def test_the_session_starts_with_a_sync_and_shows_the_site(bound_store, fake_cloud):
    fake_cloud.add_resource("res-new", "pool-new", TODAY + dt.timedelta(days=2), 1, 10)
    app = RenewalsApp(bound_store, due_events_every=60, watch_every=None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.database is not None and not app.sync_step
                       and app.screen.query_one(ResourceTable).row_count == 16)
        assert "intl, synced just now" in title(app)
        assert app.due_events.passes == 0  # the billing system runs those
        assert any("Synced 16 resources (1 new)" in note.message for note in app._notifications)
        requests_before = len(fake_cloud.requests)
        fake_cloud.fail("list_pay_per_use_customer_resources", "slow", seconds=0.5)
        await pilot.press("C")
        await wait_for(pilot, lambda: "syncing" in title(app))
        await wait_for(pilot, lambda: not app.sync_step)
        assert len(fake_cloud.requests) > requests_before


async def test_the_renewal_dialog_shows_the_last_quotes_then_fresh_ones(bound_store,
                                                                        fake_cloud):
    bound_store.preview(["res-00", "res-01"], Duration(1))
    fake_cloud.resources["res-00"].monthly_cents = 55_555  # the price moved since
    app = RenewalsApp(bound_store, due_events_every=None, watch_every=None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.database is not None
                       and app.screen.query_one(ResourceTable).row_count == 15)
        fake_cloud.fail("list_renew_rate_on_period", "slow", seconds=1.0)
        await pilot.press("space", "space", "r")
        await wait_for(pilot, lambda: isinstance(app.screen, RenewDialog)
                       and app.screen.shown is not None)
        summary = str(app.screen.query_one("#summary", Static).render())
        assert summary.startswith("last quoted ") or "asking the billing system" in summary
        await wait_for(pilot, lambda: app.screen.shown.fresh)
        summary = str(app.screen.query_one("#summary", Static).render())
        assert "as the billing system quoted it at" in summary
        assert app.screen.shown.total_cents == 55_555 + 10_001
        await pilot.press("d")
        await wait_for(pilot, lambda: "whole periods only" in str(
            app.screen.query_one("#refusal", Static).render()))  # in the dialog, not a toast
        assert app.screen.align is None


async def test_a_synced_pool_s_menu_shows_what_modelarts_said(fake_cloud, cloud_environ,
                                                              tmp_path):
    fake_cloud.add_resource("res-p", "pool-a", TODAY + dt.timedelta(days=9), 10_000, 100_000,
                            project_id="proj-1", region="cn-north-4")
    fake_cloud.add_pool("proj-1", "pool-a", "res-p", nodes=4, region="cn-north-4",
                        azs=("cn-north-4a",))
    store = Store(tmp_path / "cloud.db")
    store.sync_cloud()
    app = RenewalsApp(store, due_events_every=None, watch_every=None)
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one(ResourceTable)
        await wait_for(pilot, lambda: table.cursor_row is not None)
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "RowActions")
        details = str(app.screen.query_one("#row-details", Static).render())
        assert ("Pool     Dedicate; jobs Train, Infer, Notebook; zones cn-north-4a; made "
                in details) and "4 of 4 nodes available" in details
    store.close()
