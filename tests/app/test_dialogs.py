"""The renewal dialog, the payment modal and the flow joining them, at 80x24 in a tiny host app."""

from __future__ import annotations

import datetime as dt

import pytest
from rich.text import Text
from textual.widgets import Checkbox, DataTable, Static

from store.clock import Clock
from store.db import write
from store.models import Billing, Kind, Method, OrderStatus, Payment, Resource
from store.service import Store
from tui.dialogs.confirm import Confirm
from tui.dialogs.payment import PaymentDialog
from tui.dialogs.renew import PREVIEW_ROWS, RenewDialog
from tui.flows import renew_flow
from tui.widgets.stepper import Stepper

TODAY = "2020-04-20"  # RULES.md §4's examples expire 2020-04-28: in use on this day
SIZE = (80, 24)


def resource(rid: str, expiry: str, monthly: int = 10_000, **fields) -> Resource:
    return Resource(
        id=rid, name=fields.pop("name", f"pool-{rid}"), kind=Kind(fields.pop("kind", "standard")),
        expiry=dt.date.fromisoformat(expiry), monthly_price_cents=monthly,
        yearly_price_cents=monthly * 10, **fields)


@pytest.fixture
def store(tmp_path) -> Store:
    """Two resources on RULES.md §4's day and a balance (in place of conftest's `store`)."""
    opened = Store(tmp_path / "renewals.db", Clock.from_text(TODAY))
    opened.import_resources([resource("a", "2020-04-28"), resource("b", "2020-05-10", 20_000)])
    opened.top_up(1_000_000)
    yield opened
    opened.close()


def add_coupons(store: Store, *rows: tuple) -> None:
    with write(store.db()) as db:
        db.conn.executemany(
            "INSERT INTO coupons (id, kind, amount_cents, percent_off, expires) VALUES (?,?,?,?,?)",
            rows)


def start_renewal(app, ids: list[str]) -> None:
    """Run the renewal flow on the host app in a worker, as the real app does; its outcome lands
    in `app.outcome`, "running" until the flow ends."""
    app.outcome = "running"

    async def renew() -> None:
        app.outcome = await renew_flow(app, app.store, ids)

    app.run_worker(renew(), exclusive=True)


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def cell(screen, row_key: str, column: str) -> str:
    value = screen.query_one("#preview", DataTable).get_cell(row_key, column)
    return value.plain if isinstance(value, Text) else str(value)


async def open_renew(pilot, app, wait, ids: list[str]) -> RenewDialog:
    start_renewal(app, ids)
    await wait(pilot, lambda: isinstance(app.screen, RenewDialog))
    dialog = app.screen
    await wait(pilot, lambda: "order total" in text_of(dialog, "#summary"))
    return dialog


async def open_payment(pilot, app, wait, ids: list[str]) -> PaymentDialog:
    await open_renew(pilot, app, wait, ids)
    await pilot.press("enter")
    await wait(pilot, lambda: isinstance(app.screen, PaymentDialog))
    dialog = app.screen
    await wait(pilot, lambda: dialog.account is not None)
    return dialog


def expiry_of(store: Store, rid: str) -> str:
    return store.db().execute("SELECT expiry FROM resources WHERE id = ?", (rid,)).fetchone()[0]


# renewal dialog ----------------------------------------------------------------------------
async def test_dialog_opens_with_one_month_and_shows_the_preview(store, host, wait):
    app = host(store)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_renew(pilot, app, wait, ["a", "b"])
        assert dialog.query_one("#duration", Stepper).render().plain == "< 1 month >"
        assert cell(dialog, "a", "new") == "2020-05-28"
        assert cell(dialog, "b", "new") == "2020-06-10"
        assert "2 of 2 renewable" in text_of(dialog, "#summary")
        assert "order total CNY 300.00" in text_of(dialog, "#summary")


async def test_d_aligns_to_the_renewal_day_as_documented(store, host, wait):
    store.set_renewal_day(15)
    app = host(store)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_renew(pilot, app, wait, ["a"])
        await wait(pilot, lambda: dialog.saved_day == 15)
        await pilot.press("d")
        await wait(pilot, lambda: cell(dialog, "a", "new") == "2020-06-15")
        assert cell(dialog, "a", "extra") == "+18"
        assert "to day 15" in text_of(dialog, "#summary")
        await pilot.press("d")
        await wait(pilot, lambda: cell(dialog, "a", "new") == "2020-05-28")


@pytest.mark.parametrize(("day", "expiry", "new_expiry", "extra"), [
    ("last", "2024-03-25", "2024-04-30", "+5"),
    (1, "2024-03-25", "2024-05-01", "+6"),
])
async def test_the_other_documented_alignments(tmp_path, day, expiry, new_expiry, extra, host,
                                               wait):
    store = Store(tmp_path / "renewals.db", Clock.from_text("2024-03-20"))
    store.import_resources([resource("x", expiry)])
    store.set_renewal_day(day)
    app = host(store)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_renew(pilot, app, wait, ["x"])
        await wait(pilot, lambda: dialog.saved_day == day)
        await pilot.press("d")
        await wait(pilot, lambda: cell(dialog, "x", "new") == new_expiry)
        assert cell(dialog, "x", "extra") == extra
    store.close()


async def test_unset_renewal_day_proposes_the_first_and_saves_it_on_continue(store, host, wait):
    app = host(store)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_renew(pilot, app, wait, ["a"])
        await pilot.press("d")
        await wait(pilot, lambda: cell(dialog, "a", "new") == "2020-06-01")
        assert "Continuing saves day 1 as your renewal day" in text_of(dialog, "#day-note")
        await pilot.press("tab", "right")  # the day field: day 1 -> day 2
        await wait(pilot, lambda: cell(dialog, "a", "new") == "2020-06-02")
        await pilot.press("enter")
        await wait(pilot, lambda: isinstance(app.screen, PaymentDialog))
        assert store.account().renewal_day == 2


async def test_changing_the_duration_updates_the_total(store, host, wait):
    app = host(store)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_renew(pilot, app, wait, ["a", "b"])
        await pilot.press("right")
        await wait(pilot, lambda: "CNY 600.00" in text_of(dialog, "#summary"))
        assert cell(dialog, "a", "new") == "2020-06-28"
        await pilot.press("plus")
        await wait(pilot, lambda: "CNY 900.00" in text_of(dialog, "#summary"))
        await pilot.press("minus", "minus", "minus")
        await wait(pilot, lambda: "1 month" in text_of(dialog, "#summary"))
        assert "CNY 300.00" in text_of(dialog, "#summary")


async def test_non_renewable_rows_stay_with_their_reason_and_out_of_the_total(store, host, wait):
    store.import_resources([resource("ppu", "2020-06-01", billing=Billing.PAY_PER_USE, tab=None),
                            resource("gone", "2020-01-01")])
    app = host(store)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_renew(pilot, app, wait, ["a", "ppu", "gone"])
        assert cell(dialog, "ppu", "fee") == "not renewable"
        assert [c.value for c in dialog.query_one("#preview", DataTable).columns] == [
            "name", "expiry", "new", "extra", "fee"]  # the why is under the table at 80
        assert "1 of 3 renewable" in text_of(dialog, "#summary")
        assert "order total CNY 100.00" in text_of(dialog, "#summary")
        await pilot.press("tab")  # the preview table (the day field is off), soonest expiry first
        assert app.focused is dialog.query_one("#preview")
        await wait(pilot, lambda: "deleted" in text_of(dialog, "#reason"))
        await pilot.press("down", "down")   # past "a" (2020-04-28) to "ppu" (2020-06-01)
        await wait(pilot, lambda: "pay-per-use" in text_of(dialog, "#reason"))


async def test_a_wide_terminal_shows_each_reason_in_its_row(store, host, wait):
    store.import_resources([resource("ppu", "2020-06-01", billing=Billing.PAY_PER_USE, tab=None),
                            resource("gone", "2020-01-01")])
    app = host(store)
    async with app.run_test(size=(140, 40)) as pilot:
        dialog = await open_renew(pilot, app, wait, ["a", "ppu", "gone"])
        assert cell(dialog, "ppu", "note").startswith("pay-per-use")
        assert cell(dialog, "gone", "note").startswith("deleted")
        assert cell(dialog, "a", "note") == ""


async def test_a_large_preview_shows_a_window_and_totals_everything(store, host, wait):
    many = [resource(f"r{n:04d}", "2020-05-01", 1_000) for n in range(PREVIEW_ROWS + 50)]
    store.import_resources(many)
    app = host(store)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_renew(pilot, app, wait, [r.id for r in many])
        assert dialog.query_one("#preview", DataTable).row_count == PREVIEW_ROWS
        assert "and 50 more" in text_of(dialog, "#more")
        assert "order total CNY 3,500.00" in text_of(dialog, "#summary")


async def test_esc_in_the_renewal_dialog_creates_nothing(store, host, wait):
    app = host(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_renew(pilot, app, wait, ["a"])
        await pilot.press("escape")
        await wait(pilot, lambda: app.outcome != "running")
        assert app.outcome is None
        assert store.orders() == []


# payment modal -----------------------------------------------------------------------------
async def test_payment_focus_starts_on_cancel_and_esc_creates_nothing(store, host, wait):
    app = host(store)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_payment(pilot, app, wait, ["a"])
        assert app.focused is dialog.query_one("#cancel")
        assert "CNY 10,000.00 -> CNY 9,900.00" in text_of(dialog, "#balance")
        await pilot.press("escape")
        await wait(pilot, lambda: app.outcome != "running")
        assert app.outcome is None
        assert store.orders() == []


async def test_enter_never_pays_not_even_on_the_pay_button(store, host, wait):
    app = host(store)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_payment(pilot, app, wait, ["a"])
        dialog.query_one("#pay").focus()
        await pilot.press("enter")
        await wait(pilot, lambda: "press y" in text_of(dialog, "#message"))
        assert app.screen is dialog
        assert store.orders() == []


async def test_y_pays_once_moves_expiries_and_takes_exactly_the_shown_amount(store, host, wait):
    app = host(store)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_payment(pilot, app, wait, ["a", "b"])
        assert "Amount due: CNY 300.00" in text_of(dialog, "#due")
        await pilot.press("y", "y")
        await wait(pilot, lambda: app.outcome != "running")
        await pilot.press("y")  # a late press lands on the host: nothing happens
    assert isinstance(app.outcome, Payment)
    assert app.outcome.charge.due_cents == 30_000
    orders = store.orders()
    assert [order.status for order in orders] == [OrderStatus.PAID]
    assert (expiry_of(store, "a"), expiry_of(store, "b")) == ("2020-05-28", "2020-06-10")
    assert store.account().balance_cents == 1_000_000 - 30_000


async def test_success_notifies_what_was_renewed_to_when(store, host, wait):
    app = host(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_payment(pilot, app, wait, ["a"])
        await pilot.press("y")
        await wait(pilot, lambda: app.outcome != "running")
        messages = [note.message for note in app._notifications]
    assert any("Renewed 1 resource to 2020-05-28" in m and "paid CNY 100.00" in m
               for m in messages)


async def test_insufficient_balance_keeps_the_order_pending_then_pays_it_after_a_top_up(store, host,
                                                                                      wait):
    store.db().execute("UPDATE account SET balance_cents = 5000")
    app = host(store)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_payment(pilot, app, wait, ["a"])
        await pilot.press("y")
        await wait(pilot, lambda: "insufficient balance" in text_of(dialog, "#message"))
        assert "nothing was charged" in text_of(dialog, "#message")
        [pending] = store.orders()
        assert pending.status is OrderStatus.PENDING
        assert pending.id in text_of(dialog, "#message")
        assert store.account().balance_cents == 5000
        assert app.screen is dialog
        store.top_up(100_000)
        await pilot.press("y")
        await wait(pilot, lambda: app.outcome != "running")
    assert isinstance(app.outcome, Payment)
    assert app.outcome.order.id == pending.id
    assert [order.status for order in store.orders()] == [OrderStatus.PAID]
    assert store.account().balance_cents == 105_000 - 10_000
    assert expiry_of(store, "a") == "2020-05-28"


async def test_a_declined_card_keeps_the_order_pending_then_balance_pays_it(store, host, wait):
    app = host(store)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_payment(pilot, app, wait, ["a"])
        dialog.query_one("#method").focus()
        await pilot.press("down", "enter")
        await wait(pilot, lambda: dialog.method is Method.ONLINE)
        await pilot.press("tab", *"4111 1111 1111 0002")
        await pilot.press("y")
        await wait(pilot, lambda: "declined" in text_of(dialog, "#message"))
        [pending] = store.orders()
        assert pending.status is OrderStatus.PENDING
        assert store.account().balance_cents == 1_000_000
        dialog.query_one("#method").focus()
        await pilot.press("up", "enter")
        await wait(pilot, lambda: dialog.method is Method.BALANCE)
        await pilot.press("y")
        await wait(pilot, lambda: app.outcome != "running")
    assert isinstance(app.outcome, Payment)
    assert app.outcome.order.id == pending.id
    assert app.outcome.method is Method.BALANCE
    assert len(store.orders()) == 1


async def test_a_bad_card_number_is_refused_before_anything_is_placed(store, host, wait):
    app = host(store)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_payment(pilot, app, wait, ["a"])
        dialog.query_one("#method").focus()
        await pilot.press("down", "enter", "tab", *"1234", "y")
        await wait(pilot, lambda: "12" in text_of(dialog, "#message"))
        assert store.orders() == []


async def test_coupons_reduce_the_amount_due_and_the_charge_is_what_was_shown(store, host, wait):
    add_coupons(store, ("OFF10", "discount", 0, 10, "2020-12-31"),
                ("CASH50", "cash", 5_000, 0, None), ("OLD", "cash", 9_000, 0, "2020-01-01"))
    app = host(store)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_payment(pilot, app, wait, ["a", "b"])
        assert len(dialog.coupons) == 2  # the expired one is not offered
        for box in dialog.query(Checkbox):
            box.value = True
        await wait(pilot, lambda: "Amount due: CNY 220.00" in text_of(dialog, "#due"))
        await pilot.press("y")
        await wait(pilot, lambda: app.outcome != "running")
    assert app.outcome.charge.due_cents == 22_000
    assert store.account().balance_cents == 1_000_000 - 22_000
    assert {c.id for c in store.account().coupons} == {"OLD"}


async def test_at_most_three_cash_coupons_can_be_checked(store, host, wait):
    add_coupons(store, *[(f"C{n}", "cash", 100, 0, None) for n in range(4)])
    app = host(store)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_payment(pilot, app, wait, ["a"])
        boxes = list(dialog.query(Checkbox))
        for box in boxes:
            box.value = True
            await pilot.pause()
        await wait(pilot, lambda: not boxes[3].value)
        assert "At most 3 cash coupons" in text_of(dialog, "#message")
        assert "Amount due: CNY 97.00" in text_of(dialog, "#due")


# confirm ------------------------------------------------------------------------------------
async def test_confirm_starts_on_no_and_y_confirms(store, host, wait):
    app = host(store)
    answers: list[bool] = []
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(Confirm("Cancel order X?"), answers.append)
        await wait(pilot, lambda: getattr(app.focused, "id", None) == "no")
        await pilot.press("enter")
        app.push_screen(Confirm("Cancel order X?"), answers.append)
        await wait(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("y")
        await wait(pilot, lambda: len(answers) == 2)
    assert answers == [False, True]


async def test_b_c_and_m_choose_the_payment_method(store, host, wait):
    app = host(store)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_payment(pilot, app, wait, ["a"])
        await pilot.press("m")
        await wait(pilot, lambda: dialog.method is Method.SETTLEMENT)
        await pilot.press("c")
        await wait(pilot, lambda: dialog.method is Method.ONLINE)
        assert app.focused is dialog.query_one("#card")
        await pilot.press("b")  # typed into the card number: not a digit, not a choice
        assert dialog.method is Method.ONLINE
        dialog.query_one("#cancel").focus()
        await pilot.press("b")
        await wait(pilot, lambda: dialog.method is Method.BALANCE)
        await pilot.press("m", "y")
        await wait(pilot, lambda: app.outcome != "running")
    assert isinstance(app.outcome, Payment) and app.outcome.method is Method.SETTLEMENT



async def test_a_refused_continue_is_said_in_the_dialog_not_in_a_toast(store, host, wait):
    store.import_resources([resource("ppu", "2020-06-01", billing=Billing.PAY_PER_USE, tab=None)])
    app = host(store)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_renew(pilot, app, wait, ["ppu"])
        await pilot.press("enter")
        await wait(pilot, lambda: "None of these resources can be renewed" in text_of(
            dialog, "#refusal"))
        assert not app._notifications and app.screen is dialog
        await pilot.press("plus")  # a new preview: the refusal goes with the old one
        await wait(pilot, lambda: text_of(dialog, "#refusal") == "")
