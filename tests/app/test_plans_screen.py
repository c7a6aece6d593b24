"""The Plans screen (L): a plan made by one operator is approved by another on the console and
applied by its author; a viewer's approve and apply keys are greyed and say why."""

from __future__ import annotations

from store.audit import Identity
from store.models import Duration
from store.service import Store
from tui.app import RenewalsApp
from tui.dialogs.confirm import Confirm
from tui.screens.plans import PlanLinesDialog, PlansScreen

LIMIT = 100


def operator(store: Store, name: str, role: str) -> RenewalsApp:
    who = Identity("renewals", None, name, f"SHA256:{name}", role, LIMIT)
    return RenewalsApp(Store(store.path, store.clock, identity=who), due_events_every=None,
                       watch_every=None, identity=who)


def plan_of(store: Store, make, add) -> str:
    add(make(3, first_day=3))
    store.top_up(10_000_000)
    ann = Store(store.path, store.clock,
                identity=Identity("renewals", None, "ann", "SHA256:ann", "renewer", LIMIT))
    return ann.plans.make(ann.matching_ids(), Duration(1)).id


async def open_plans(pilot, app, wait) -> PlansScreen:
    await pilot.press("L")
    await wait(pilot, lambda: isinstance(app.screen, PlansScreen)
               and "awaiting" in str(app.screen.query_one("#plans-note").render()))
    return app.screen


async def test_an_approver_approves_then_the_author_applies_on_the_console(store, make, add,
                                                                           wait):
    plan_id = plan_of(store, make, add)
    bea = operator(store, "bea", "approver")
    async with bea.run_test(size=(80, 24)) as pilot:
        screen = await open_plans(pilot, bea, wait)
        assert screen.cursor_plan.id == plan_id and screen.cursor_plan.author == "ann"
        await pilot.press("enter")
        await wait(pilot, lambda: isinstance(bea.screen, PlanLinesDialog))
        await pilot.press("escape")
        await pilot.press("A")
        await wait(pilot, lambda: isinstance(bea.screen, Confirm))
        await pilot.press("y")
        await wait(pilot, lambda: any(n.message == f"Plan {plan_id} approved"
                                      for n in bea._notifications))
    assert store.plans.get(plan_id).approved_by == "bea"
    ann = operator(store, "ann", "renewer")
    async with ann.run_test(size=(80, 24)) as pilot:
        await pilot.press("L")
        await wait(pilot, lambda: isinstance(ann.screen, PlansScreen)
                   and ann.screen.cursor_plan is not None)
        assert not ann.screen.active_bindings["A"].enabled  # a renewer approves nothing
        await pilot.press("y")
        await wait(pilot, lambda: isinstance(ann.screen, Confirm))
        await pilot.press("y")
        await wait(pilot, lambda: any(n.title == "Plan applied" for n in ann._notifications))
    assert store.plans.get(plan_id).status == "applied" and len(store.orders()) == 1


async def test_a_viewer_s_plan_keys_are_greyed_and_say_why(store, make, add, wait):
    plan_of(store, make, add)
    cy = operator(store, "cy", "viewer")
    async with cy.run_test(size=(80, 24)) as pilot:
        screen = await open_plans(pilot, cy, wait)
        keys = screen.active_bindings
        assert not keys["A"].enabled and not keys["y"].enabled and keys["enter"].enabled
        await pilot.press("y")
        await wait(pilot, lambda: any("cy is a viewer: reads only; to apply a plan" in n.message
                                      for n in cy._notifications))
        assert cy.screen is screen
