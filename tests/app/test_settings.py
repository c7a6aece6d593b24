"""The Settings screen (renewal day, deduction day) and "Renew to renewal date" (R) at 80x24."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable, Static

from store.models import Tab
from tui.dialogs.payment import PaymentDialog
from tui.dialogs.renew import RenewDialog
from tui.screens.settings import SettingsScreen, deduction_meaning, renewal_day_meaning
from tui.widgets.resource_table import ResourceTable

SIZE = (80, 24)


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def open_settings(pilot, app, wait) -> SettingsScreen:
    await pilot.press("comma")
    await wait(pilot, lambda: isinstance(app.screen, SettingsScreen), what="settings")
    screen = app.screen
    await wait(pilot, lambda: screen.saved is not None, what="the saved settings")
    return screen


async def test_settings_show_the_saved_values_and_what_they_mean(app, store, wait):
    store.set_renewal_day(15)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(pilot, app, wait)
        assert screen.renewal_day == 15 and screen.deduction_days == 7
        assert "day 15 of a month" in text_of(screen, "#renewal-day-meaning")
        assert ("charges the balance at 03:00 UTC+08:00, 7 days before expiry"
                in text_of(screen, "#deduction-meaning"))
        assert "Saved: renewal day 15; auto-renew deduction 7 days" in text_of(
            screen, "#settings-state")


async def test_keys_change_both_settings_and_enter_saves_them(app, store, wait):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_settings(pilot, app, wait)
        await pilot.press(*["right"] * 20)          # not set -> day 20
        await pilot.press("down", *["left"] * 4)    # 7 -> 3 days before expiry
        assert "Unsaved changes" in text_of(screen, "#settings-state")
        assert "03:00 UTC+08:00, 3 days before expiry" in text_of(screen, "#deduction-meaning")
        await pilot.press("enter")
        await wait(pilot, lambda: store.account().deduction_days == 3, what="the save")
        await wait(pilot, lambda: "Unsaved" not in text_of(screen, "#settings-state"))
        assert any("Saved: renewal day 20" in n.message for n in app._notifications)
    account = store.account()
    assert (account.renewal_day, account.deduction_days) == (20, 3)
    assert [e.action for e in store.audit()][:2] == ["settings.deduction-days",
                                                     "settings.renewal-day"]


async def test_the_last_day_and_unset_can_be_chosen(app, store, wait):
    store.set_renewal_day(28)
    async with app.run_test(size=SIZE) as pilot:
        await open_settings(pilot, app, wait)
        await pilot.press("right", "enter")
        await wait(pilot, lambda: store.account().renewal_day == "last")
        await pilot.press(*["left"] * 40, "enter")
        await wait(pilot, lambda: store.account().renewal_day is None)


async def test_esc_drops_unsaved_changes(app, store, wait):
    async with app.run_test(size=SIZE) as pilot:
        await open_settings(pilot, app, wait)
        await pilot.press("right", "escape")
        await wait(pilot, lambda: not isinstance(app.screen, SettingsScreen))
        assert any("not saved" in n.message for n in app._notifications)
    assert store.account().renewal_day is None


def test_the_meanings_read_well_for_edge_values():
    assert "proposes day 1" in renewal_day_meaning(None)
    assert "the last day of a month" in renewal_day_meaning("last")
    assert "03:00 UTC+08:00, on the expiry day" in deduction_meaning(0)
    assert "1 day before expiry" in deduction_meaning(1)


# renew to renewal date -----------------------------------------------------------------------
def preview_cell(dialog: RenewDialog, rid: str, column: str) -> str:
    value = dialog.query_one("#preview", DataTable).get_cell(rid, column)
    return value.plain if isinstance(value, Text) else str(value)


async def test_capital_r_renews_the_checked_rows_to_the_renewal_day(app, add, make, store,
                                                                    wait):
    add(make(3, first_day=5))  # expiries 2026-12-01, 12-02, 12-03
    store.set_renewal_day(15)
    store.top_up(10_000_000)
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot, lambda: app.screen.query_one(ResourceTable).row_count == 3)
        await pilot.press("space", "space", "R")
        await wait(pilot, lambda: isinstance(app.screen, RenewDialog), what="the dialog")
        dialog = app.screen
        await wait(pilot, lambda: dialog.shown is not None and dialog.shown.align == 15)
        assert "[x] Renew to renewal date" in str(dialog.query_one("#align-toggle").render())
        assert [preview_cell(dialog, f"pool-id-00000{n}", "new") for n in (0, 1)] == [
            "2027-01-15", "2027-01-15"]
        assert preview_cell(dialog, "pool-id-000000", "extra") == "+14"
        await pilot.press("enter")
        await wait(pilot, lambda: isinstance(app.screen, PaymentDialog))
        payment = app.screen
        await wait(pilot, lambda: payment.account is not None)
        await pilot.press("y")
        await wait(pilot, lambda: not app.screen.selected, what="the payment")
    expiries = {row.resource.id: str(row.resource.expiry) for row in store.list(limit=-1)}
    assert expiries == {"pool-id-000000": "2027-01-15", "pool-id-000001": "2027-01-15",
                        "pool-id-000002": "2026-12-03"}
    assert {row.resource.tab for row in store.list(limit=-1)} == {Tab.MANUAL}
