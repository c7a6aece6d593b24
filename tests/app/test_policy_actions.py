"""Renewal-policy moves on the Renewals screen at 80x24: keys, the row menu, the terms dialog."""

from __future__ import annotations

import pytest
from textual.widgets import Input, OptionList, Static

from store.models import AutoRenew, Duration, Resource, RowResult, Tab
from store.service import Store
from tui.dialogs.confirm import Confirm
from tui.dialogs.policy import (
    ACTIONS_BY_NAME,
    TAB_NAMES,
    PolicyDialog,
    PolicyResults,
    offered_actions,
    parse_times,
)
from tui.dialogs.row_actions import RowActions
from tui.screens.renewal_actions import policy_summary
from tui.widgets.resource_table import ResourceTable
from tui.widgets.stepper import Stepper

SIZE = (80, 24)


def policy_of(store: Store, rid: str) -> Resource:
    [row] = store.rows([rid])
    return row.resource


def notes(app) -> list[str]:
    return [note.message for note in app._notifications]


async def ready(pilot, app, wait) -> None:
    await wait(pilot, lambda: app.screen.query_one(ResourceTable).row_count > 0
               and not app.screen.query_one(ResourceTable).is_loading, what="the rows")


async def answer_yes(pilot, app, wait) -> None:
    await wait(pilot, lambda: isinstance(app.screen, Confirm), what="the question")
    await pilot.press("y")


async def fill_terms(pilot, app, wait, times: str, period_steps: int = 0) -> PolicyDialog:
    await wait(pilot, lambda: isinstance(app.screen, PolicyDialog), what="the terms dialog")
    dialog = app.screen
    for _ in range(period_steps):
        await pilot.press("right")
    await pilot.press("tab")
    await wait(pilot, lambda: isinstance(app.focused, Input), what="the times field")
    app.focused.value = ""
    for char in times:
        await pilot.press(char)
    await pilot.press("enter")
    return dialog


# keys on checked rows: each move lands on its tab ---------------------------------------------
@pytest.mark.parametrize(("key", "to"), [("P", Tab.PPU), ("c", Tab.CANCELED)])
async def test_a_move_key_on_a_checked_row_moves_it_after_a_yes(app, add, make, store, wait,
                                                                 key, to):
    add(make(3, first_day=5))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app, wait)
        await pilot.press("down", "space", key)
        await answer_yes(pilot, app, wait)
        await wait(pilot, lambda: policy_of(store, "pool-id-000001").tab is to, what="the move")
        await wait(pilot, lambda: app.screen.query_one(ResourceTable).row_count == 2)
        assert app.screen.selected == frozenset()
        assert f"Moved 1 to {TAB_NAMES[to]}" in notes(app)
    assert policy_of(store, "pool-id-000000").tab is Tab.MANUAL


async def test_n_enables_auto_renew_with_the_chosen_period_and_times(app, add, make, store, wait):
    add(make(3, first_day=5))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app, wait)
        await pilot.press("space", "n")
        await fill_terms(pilot, app, wait, "3", period_steps=2)
        await wait(pilot, lambda: policy_of(store, "pool-id-000000").tab is Tab.AUTO)
        assert any("Moved 1 to Auto Renewals (every 3 months, 3 times)" in note
                   for note in notes(app))
    resource = policy_of(store, "pool-id-000000")
    assert (resource.auto_period_months, resource.auto_times) == (3, 3)


async def test_m_restores_an_auto_row_to_manual(app, add, make, store, wait):
    add(make(2, tab=Tab.AUTO, first_day=5))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await ready(pilot, app, wait)
        await pilot.press("m")  # nothing checked: the cursor row
        await answer_yes(pilot, app, wait)
        await wait(pilot, lambda: policy_of(store, "pool-id-000000").tab is Tab.MANUAL)
    assert policy_of(store, "pool-id-000001").tab is Tab.AUTO


async def test_capital_m_modifies_auto_renew_starting_from_the_current_terms(app, add, make,
                                                                             store, wait):
    add(make(2, tab=Tab.AUTO, first_day=5))
    store.set_policy(["pool-id-000000"], Tab.AUTO, AutoRenew(12, 5))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await ready(pilot, app, wait)
        await pilot.press("M")
        await wait(pilot, lambda: isinstance(app.screen, PolicyDialog))
        dialog = app.screen
        assert dialog.query_one("#period", Stepper).render().plain == "< 1 year >"
        assert dialog.query_one("#times", Input).value == "5"
        await fill_terms(pilot, app, wait, "", period_steps=1)  # 2 years, unlimited
        await wait(pilot, lambda: policy_of(store, "pool-id-000000").auto_period_months == 24)
        assert any("Changed auto-renew of 1 (every 2 years, unlimited times)" in note
                   for note in notes(app))
    resource = policy_of(store, "pool-id-000000")
    assert (resource.tab, resource.auto_times) == (Tab.AUTO, None)


async def test_modify_on_manual_rows_says_to_enable_instead(app, add, make, wait):
    add(make(2, first_day=5))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app, wait)
        await pilot.press("M")
        await wait(pilot, lambda: any("use enable auto-renew" in note for note in notes(app)))
        assert not isinstance(app.screen, PolicyDialog)


# refusals and batches ------------------------------------------------------------------------
async def test_a_row_with_a_pending_order_is_refused_with_the_reason(app, add, make, store,
                                                                     wait):
    add(make(3, first_day=5))
    order = store.place_order(["pool-id-000000"], Duration(1))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app, wait)
        await pilot.press("space", "space", "c")
        await answer_yes(pilot, app, wait)
        await wait(pilot, lambda: any("refused" in note for note in notes(app)))
        [note] = [note for note in notes(app) if "refused" in note]
        assert note.startswith("Moved 1 to Renewals Canceled; 1 refused: pool-000000: order "
                               f"{order.id} is pending payment")
        assert app.screen.selected == frozenset({"pool-id-000000"})  # still checked
    assert policy_of(store, "pool-id-000000").tab is Tab.MANUAL
    assert policy_of(store, "pool-id-000001").tab is Tab.CANCELED


async def test_a_batch_moves_every_checked_row_in_one_go(app, add, make, store, wait):
    add(make(30, first_day=5))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app, wait)
        await pilot.press("a")
        await wait(pilot, lambda: len(app.screen.selected) == 30, what="all checked")
        await pilot.press("P")
        await answer_yes(pilot, app, wait)
        await wait(pilot, lambda: app.screen.query_one(ResourceTable).row_count == 0)
        assert app.screen.selected == frozenset()
        assert "Moved 30 to Pay-per-Use After Expiration" in notes(app)
    assert store.count() == 30
    assert {row.resource.tab for row in store.list(limit=-1)} == {Tab.PPU}
    assert len([e for e in store.audit() if e.action == "policy.ppu"]) == 1  # one transaction


async def test_many_refusals_open_the_full_list(app, add, make, store, wait):
    add(make(8, first_day=5))
    store.place_order([f"pool-id-{n:06d}" for n in range(5)], Duration(1))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app, wait)
        await pilot.press("a")
        await wait(pilot, lambda: len(app.screen.selected) == 8)
        await pilot.press("c")
        await answer_yes(pilot, app, wait)
        await wait(pilot, lambda: isinstance(app.screen, PolicyResults), what="the list")
        listed = str(app.screen.query_one("#results-list Static", Static).render())
        assert listed.count("is pending payment") == 5
        await pilot.press("escape")
        await wait(pilot, lambda: not isinstance(app.screen, PolicyResults))
        assert app.screen.selected == frozenset(f"pool-id-{n:06d}" for n in range(5))


# the row-actions menu ------------------------------------------------------------------------
def option_ids(menu: RowActions) -> list[str]:
    options = menu.query_one(OptionList)
    return [options.get_option_at_index(i).id for i in range(options.option_count)]


async def test_the_row_menu_offers_the_moves_allowed_from_the_tab(app, add, make, store, wait):
    add(make(2, first_day=5))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app, wait)
        await pilot.press("enter")
        await wait(pilot, lambda: isinstance(app.screen, RowActions))
        assert option_ids(app.screen) == ["renew", "auto", "ppu", "canceled"]
        await pilot.press("c")  # chosen in the menu: the same question as the key asks
        await wait(pilot, lambda: isinstance(app.screen, Confirm))
        assert "Cancel renewal: 1 resource?" in str(app.screen.question)
        await pilot.press("y")
        await wait(pilot, lambda: policy_of(store, "pool-id-000000").tab is Tab.CANCELED)
        await pilot.press("4", "enter")
        await wait(pilot, lambda: isinstance(app.screen, RowActions))
        assert option_ids(app.screen) == ["renew", "auto", "ppu", "manual"]


async def test_the_row_menu_shows_why_a_pending_row_cannot_move(app, add, make, store, wait):
    add(make(2, first_day=5))
    store.place_order(["pool-id-000000"], Duration(1))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app, wait)
        await pilot.press("enter")
        await wait(pilot, lambda: isinstance(app.screen, RowActions))
        menu = app.screen
        reason = str(menu.query_one("#policy-refusal", Static).render())
        assert "Cannot change the renewal policy: order" in reason
        assert "pending payment" in reason
        options = menu.query_one(OptionList)
        assert all(options.get_option_at_index(i).disabled for i in (1, 2, 3))
        await pilot.press("P")
        await wait(pilot, lambda: any("pending payment" in note for note in notes(app)))
        assert app.screen is menu
    assert policy_of(store, "pool-id-000000").tab is Tab.MANUAL


# the terms dialog ----------------------------------------------------------------------------
@pytest.mark.parametrize("times", ["0", "100", "x1"])
async def test_the_terms_dialog_refuses_times_out_of_range(app, add, make, store, wait, times):
    add(make(1, first_day=5))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app, wait)
        await pilot.press("n")
        dialog = await fill_terms(pilot, app, wait, times)
        await wait(pilot, lambda: "1 to 99" in str(dialog.query_one("#policy-error").render()))
        assert app.screen is dialog
        await pilot.press("escape")
        await wait(pilot, lambda: app.screen is not dialog)
    assert policy_of(store, "pool-id-000000").tab is Tab.MANUAL


def test_times_are_1_to_99_or_blank_for_unlimited():
    assert [parse_times(text) for text in ("", " unlimited ", "1", "99")] == [None, None, 1, 99]
    for bad in ("0", "100", "-1", "2.5", "many"):
        with pytest.raises(ValueError):
            parse_times(bad)


def test_each_tab_offers_the_moves_of_the_rules():
    def names(tab):
        return [action.name for action in offered_actions(tab)]

    assert names(Tab.MANUAL) == ["auto", "ppu", "canceled"]
    assert names(Tab.AUTO) == ["modify", "ppu", "canceled", "manual"]
    assert names(Tab.PPU) == ["auto", "canceled", "manual"]
    assert names(Tab.CANCELED) == ["auto", "ppu", "manual"]


def test_the_summary_names_the_first_refusals():
    results = [RowResult("a", True), *(RowResult(f"r{n}", False, "why") for n in range(5))]
    text = policy_summary(ACTIONS_BY_NAME["canceled"], results, None, {"r0": "pool-r0"})
    assert text == ("Moved 1 to Renewals Canceled; 5 refused: pool-r0: why; r1: why; r2: why; "
                    "...")


async def test_help_and_the_palette_list_the_new_actions(app, add, make, wait):
    add(make(2, first_day=5))
    wanted = {"Enable auto-renew", "Modify auto-renew", "Change to pay-per-use after expiration",
              "Cancel renewal", "Restore to manual renewal", "Renew to renewal date",
              "Export view", "Settings", "Audit trail", "Expiry overview"}
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app, wait)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert wanted <= titles
        await pilot.press("question_mark")
        await wait(pilot, lambda: type(app.screen).__name__ == "HelpScreen")
        shown = str(app.screen.query_one("#help-body Static", Static).render())
        for keys, title in (("n", "Enable auto-renew"), ("R", "Renew to renewal date"),
                            ("e", "Export view"), (",", "Settings"), ("u", "Audit trail"),
                            ("w", "Expiry overview"), ("E", "Enterprise project filter")):
            assert any(line.split()[:1] == [keys] and title in line
                       for line in shown.splitlines()), (keys, title)
