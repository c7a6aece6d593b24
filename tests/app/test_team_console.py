"""The console in team mode: the title says who and as what; a viewer's changes are refused
at the key with the reason, and a viewer's console runs no due events (it may write nothing)."""

from __future__ import annotations

from store.audit import Identity
from store.service import Store
from tui.app import RenewalsApp
from tui.dialogs.renew import RenewDialog
from tui.widgets.resource_table import ResourceTable
from tui.widgets.title_bar import TitleBar


def console(store, role: str, limit: int | None = None) -> RenewalsApp:
    return RenewalsApp(store, due_events_every=60, watch_every=None, identity=Identity(
        "renewals", "10.0.0.9", "bob", "SHA256:x", role, limit))


def started(app: RenewalsApp, monkeypatch) -> list[int]:
    calls: list[int] = []
    monkeypatch.setattr(app.due_events, "start", lambda: calls.append(1))
    return calls


async def test_a_viewer_sees_who_they_are_and_is_refused_at_the_key(store, add, make, wait,
                                                                    monkeypatch):
    add(make(5, first_day=3))
    app = console(store, "viewer")
    due_events = started(app, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait(pilot, lambda: not app.screen.query_one(ResourceTable).is_loading)
        assert "bob (viewer)" in app.screen.query_one(TitleBar).render().plain
        keys = app.screen.active_bindings
        assert not keys["r"].enabled and not keys["c"].enabled  # greyed in the footer
        assert keys["space"].enabled and keys["slash"].enabled
        await pilot.press("space", "r")
        await wait(pilot, lambda: any("bob is a viewer: reads only" in n.message
                                      for n in app._notifications))
        assert not isinstance(app.screen, RenewDialog)
        await pilot.press("c")  # cancel renewal: a policy move
        await wait(pilot, lambda: sum("reads only" in n.message for n in app._notifications) == 2)
        assert due_events == []  # a viewer's console writes nothing, due events included


async def test_a_renewer_renews_as_anyone_would(store, add, make, wait, monkeypatch):
    add(make(5, first_day=3))
    app = console(store, "renewer")
    due_events = started(app, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait(pilot, lambda: not app.screen.query_one(ResourceTable).is_loading)
        assert "bob (renewer)" in app.screen.query_one(TitleBar).render().plain
        await pilot.press("r")
        await wait(pilot, lambda: isinstance(app.screen, RenewDialog))
        assert due_events == [1]


def limited_renewer(store, monkeypatch) -> tuple[RenewalsApp, Store]:
    """bob, a renewer whose limit (CNY 0.01) every renewal is above; the store acts as him,
    as the CLI's does."""
    app = console(store, "renewer", limit=1)
    app.store = Store(store.path, store.clock, identity=app.identity)
    started(app, monkeypatch)
    return app, app.store


async def open_renewal(pilot, app, wait) -> RenewDialog:
    await wait(pilot, lambda: not app.screen.query_one(ResourceTable).is_loading)
    await pilot.press("space", "r")
    await wait(pilot, lambda: isinstance(app.screen, RenewDialog))
    return app.screen


async def test_above_the_limit_a_renewer_saves_the_renewal_as_a_plan(store, add, make, wait,
                                                                      monkeypatch):
    add(make(5, first_day=3))
    app, store = limited_renewer(store, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_renewal(pilot, app, wait)
        hint = "above your renewer's limit of CNY 0.01: p saves it as a plan for an approver"
        await wait(pilot, lambda: hint in dialog.query_one("#refusal").render().plain)
        await pilot.press("enter")  # refused in the dialog, not at the payment
        await pilot.pause()
        assert app.screen is dialog
        await pilot.press("p")
        await wait(pilot, lambda: any(n.title == "Plan saved" for n in app._notifications))
        assert not isinstance(app.screen, RenewDialog)
    plans = store.plans.list()
    assert len(plans) == 1 and plans[0].author == "bob" and plans[0].needs_approval
    assert plans[0].status == "awaiting_approval" and store.orders() == []
    saved = next(n.message for n in app._notifications if n.title == "Plan saved")
    assert f"renewals approve {plans[0].id}" in saved and "Nothing is paid yet" in saved


async def test_a_plan_keeps_its_renewal_day_without_saving_the_account_s(store, add, make,
                                                                         wait, monkeypatch):
    add(make(5, first_day=3))
    app, store = limited_renewer(store, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_renewal(pilot, app, wait)
        await pilot.press("d")  # to the renewal date: day 1, not the account's (unset)
        await wait(pilot, lambda: dialog.shown is not None and dialog.shown.align == 1)
        await pilot.press("p")
        await wait(pilot, lambda: any(n.title == "Plan saved" for n in app._notifications))
    assert store.plans.list()[0].align == 1 and store.account().renewal_day is None
