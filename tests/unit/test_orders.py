"""Placing, paying and cancelling orders: one combined order, paid whole or not at all."""

from __future__ import annotations

import datetime as dt

import pytest
from builders import insert, resource

from store.clock import Clock
from store.db import write
from store.errors import (
    CardDeclined,
    InsufficientBalance,
    NotFound,
    PaymentFailed,
    Refused,
    StalePreview,
)
from store.models import Billing, Duration, Method, OrderStatus, Tab
from store.service import Store

MONTH = Duration(1)


def expiry_of(store: Store, rid: str) -> str:
    return store.db().execute("SELECT expiry FROM resources WHERE id = ?", (rid,)).fetchone()[0]


def add_coupons(store: Store, *rows: tuple) -> None:
    with write(store.db()) as db:
        db.conn.executemany(
            "INSERT INTO coupons (id, kind, amount_cents, percent_off, expires) VALUES (?,?,?,?,?)",
            rows)


def test_preview_lists_every_id_and_totals_only_renewable(store):
    insert(store, resource("a", "2026-12-10"), resource("b", "2026-12-01", 20_000),
           resource("ppu", "2026-12-01", billing=Billing.PAY_PER_USE, tab=None))
    shown = store.preview(["a", "ppu", "b"], MONTH)
    assert [line.id for line in shown.lines] == ["a", "ppu", "b"]
    assert [line.renewable for line in shown.lines] == [True, False, True]
    assert "pay-per-use" in shown.lines[1].reason
    assert shown.total_cents == 30_000


def test_preview_of_unknown_id_is_not_found(store):
    with pytest.raises(NotFound, match="nope"):
        store.preview(["nope"], MONTH)


def test_aligned_preview_charges_extra_days_pro_rata(store):
    insert(store, resource("a", "2026-11-28", 3_000))
    line = store.preview(["a"], MONTH, align=15).lines[0]
    assert (line.new_expiry, line.extra_days) == (dt.date(2027, 1, 15), 18)
    # Dec 29–31 is 3/31 of December, Jan 1–15 is 15/31 of January.
    assert line.extra_fee_cents == round(3_000 * 18 / 31)


def test_place_order_is_pending_and_holds_one_line_per_renewable(store):
    insert(store, resource("a", "2026-12-10"), resource("b", "2026-12-01"),
           resource("gone", "2026-10-01"))
    order = store.place_order(["a", "b", "gone"], MONTH)
    assert order.status is OrderStatus.PENDING
    assert [line.resource_id for line in order.lines] == ["a", "b"]
    assert order.total_cents == 20_000
    assert expiry_of(store, "a") == "2026-12-10"


def test_a_resource_with_a_pending_order_is_refused(store):
    insert(store, resource("a", "2026-12-10"))
    first = store.place_order(["a"], MONTH)
    line = store.preview(["a"], MONTH).lines[0]
    assert not line.renewable and first.id in line.reason
    with pytest.raises(Refused, match="nothing to renew"):
        store.place_order(["a"], MONTH)


def renew_elsewhere(store, rid: str) -> None:
    """Another user renews `rid` and pays, through their own store on the same file."""
    with Store(store.path, store.clock) as other:
        other.top_up(1_000_000)
        other.checkout([rid], MONTH, None, Method.BALANCE, "elsewhere")


def reprice(store, rid: str, monthly: int) -> None:
    with write(store.db()) as db:
        db.execute("UPDATE resources SET monthly_price_cents = ? WHERE id = ?", (monthly, rid))


@pytest.mark.parametrize(("change", "said"), [
    (lambda store: renew_elsewhere(store, "a"), "pool-a: expiry 2026-12-10 is now 2027-01-10"),
    (lambda store: store.place_order(["a"], MONTH), "pool-a: order ORD"),
    (lambda store: store.set_policy(["a"], Tab.CANCELED), "pool-a: moved from manual to canceled"),
    (lambda store: reprice(store, "a", 20_000), "pool-a: its price or renewal changed"),
])
def test_an_order_carries_what_the_user_saw_and_is_refused_whole_when_it_moved(store, change,
                                                                               said):
    insert(store, resource("a", "2026-12-10"), resource("b", "2026-12-20"))
    shown = store.preview(["a", "b"], MONTH)
    change(store)
    placed_before = len(store.orders())
    for attempt in (lambda: store.place_order(["a", "b"], MONTH, seen=shown),
                    lambda: store.checkout(["a", "b"], MONTH, None, Method.SETTLEMENT, "k",
                                           seen=shown)):
        with pytest.raises(StalePreview) as refused:
            attempt()
        assert said in str(refused.value) and "nothing was ordered" in str(refused.value)
    assert len(store.orders()) == placed_before


def test_a_pending_order_that_went_away_also_makes_the_preview_stale(store):
    insert(store, resource("a", "2026-12-10"))
    pending = store.place_order(["a"], MONTH)
    shown = store.preview(["a"], MONTH)
    assert not shown.lines[0].renewable
    store.cancel_order(pending.id)
    with pytest.raises(StalePreview, match=f"order {pending.id} is no longer pending"):
        store.place_order(["a"], MONTH, seen=shown)


def test_an_unchanged_preview_places_exactly_what_was_seen(store):
    insert(store, resource("a", "2026-12-10"), resource("gone", "2026-01-01"))
    shown = store.preview(["a", "gone"], MONTH)
    order = store.place_order(["a", "gone"], MONTH, seen=shown)
    assert [line.resource_id for line in order.lines] == ["a"]
    assert order.total_cents == shown.total_cents


def test_pay_from_balance_moves_every_expiry_once(store):
    insert(store, resource("a", "2026-12-10"), resource("b", "2026-11-30"),
           balance_cents=100_000)
    order = store.place_order(["a", "b"], Duration(2))
    paid = store.pay(order.id, Method.BALANCE, "key-1")
    assert paid.order.status is OrderStatus.PAID
    assert paid.charge.due_cents == 40_000 and paid.balance_after_cents == 60_000
    assert (expiry_of(store, "a"), expiry_of(store, "b")) == ("2027-02-10", "2027-01-31")
    assert store.account().balance_cents == 60_000


def test_paying_twice_with_one_key_charges_once(store):
    insert(store, resource("a", "2026-12-10"), balance_cents=100_000)
    order = store.place_order(["a"], MONTH)
    store.pay(order.id, Method.BALANCE, "same")
    again = store.pay(order.id, Method.BALANCE, "same")
    assert again.replayed
    assert store.account().balance_cents == 90_000
    assert expiry_of(store, "a") == "2027-01-10"


def test_paying_a_paid_order_with_a_new_key_is_refused(store):
    insert(store, resource("a", "2026-12-10"), balance_cents=100_000)
    order = store.place_order(["a"], MONTH)
    store.pay(order.id, Method.BALANCE, "one")
    with pytest.raises(Refused, match="paid"):
        store.pay(order.id, Method.BALANCE, "two")
    assert store.account().balance_cents == 90_000


def test_insufficient_balance_changes_nothing_and_is_audited(store):
    insert(store, resource("a", "2026-12-10"), balance_cents=9_999)
    order = store.place_order(["a"], MONTH)
    with pytest.raises(InsufficientBalance, match="nothing was charged"):
        store.pay(order.id, Method.BALANCE, "k")
    assert store.order(order.id).status is OrderStatus.PENDING
    assert store.account().balance_cents == 9_999
    assert expiry_of(store, "a") == "2026-12-10"
    assert store.audit()[0].result.startswith("failed: insufficient balance")


def test_online_payment_keeps_only_the_last_four_digits(store):
    insert(store, resource("a", "2026-12-10"), balance_cents=0)
    order = store.place_order(["a"], MONTH)
    paid = store.pay(order.id, Method.ONLINE, "k", card="4111 1111 1111 1111")
    assert paid.card_last4 == "1111"
    stored = store.db().execute("SELECT * FROM payments").fetchall()
    assert "4111111111111111" not in repr(stored)
    assert store.account().balance_cents == 0


def test_a_card_ending_0002_is_declined(store):
    insert(store, resource("a", "2026-12-10"))
    order = store.place_order(["a"], MONTH)
    with pytest.raises(CardDeclined):
        store.pay(order.id, Method.ONLINE, "k", card="4000000000000002")
    assert store.order(order.id).status is OrderStatus.PENDING


@pytest.mark.parametrize("card", [None, "", "1234", "4111-1111-abcd-1111", "1" * 20])
def test_online_payment_needs_a_card_number(store, card):
    insert(store, resource("a", "2026-12-10"))
    order = store.place_order(["a"], MONTH)
    with pytest.raises(Refused, match="12–19 digits"):
        store.pay(order.id, Method.ONLINE, "k", card=card)


def test_settlement_leaves_the_balance_alone(store):
    insert(store, resource("a", "2026-12-10"), balance_cents=5)
    order = store.place_order(["a"], MONTH)
    store.pay(order.id, Method.SETTLEMENT, "k")
    assert store.account().balance_cents == 5
    assert expiry_of(store, "a") == "2027-01-10"


def test_discount_applies_before_cash_coupons(store):
    insert(store, resource("a", "2026-12-10", 10_000), balance_cents=100_000)
    add_coupons(store, ("c1", "cash", 1_000, 0, None), ("d10", "discount", 0, 10, None))
    order = store.place_order(["a"], MONTH)
    paid = store.pay(order.id, Method.BALANCE, "k", coupons=["c1", "d10"])
    assert (paid.charge.discount_cents, paid.charge.coupon_cents) == (1_000, 1_000)
    assert store.account().balance_cents == 100_000 - 8_000
    assert store.account().coupons == ()


def test_cash_coupons_never_make_the_amount_negative(store):
    insert(store, resource("a", "2026-12-10", 500), balance_cents=0)
    add_coupons(store, ("big", "cash", 10_000, 0, None))
    order = store.place_order(["a"], MONTH)
    paid = store.pay(order.id, Method.BALANCE, "k", coupons=["big"])
    assert paid.charge.due_cents == 0


@pytest.mark.parametrize(("coupons", "message"), [
    (["c1", "c2", "c3", "c4"], "at most 3 cash"),
    (["d1", "d2"], "at most 1 discount"),
    (["old"], "expired"),
    (["missing"], "no such coupon"),
])
def test_coupon_limits(store, coupons, message):
    insert(store, resource("a", "2026-12-10"), balance_cents=100_000)
    add_coupons(store, *[(f"c{i}", "cash", 100, 0, None) for i in range(1, 5)],
                ("d1", "discount", 0, 5, None), ("d2", "discount", 0, 5, None),
                ("old", "cash", 100, 0, "2026-11-25"))
    order = store.place_order(["a"], MONTH)
    with pytest.raises((Refused, NotFound), match=message):
        store.pay(order.id, Method.BALANCE, "k", coupons=coupons)
    assert store.account().balance_cents == 100_000


def test_a_used_coupon_cannot_be_used_again(store):
    insert(store, resource("a", "2026-12-10"), resource("b", "2026-12-10"),
           balance_cents=100_000)
    add_coupons(store, ("c1", "cash", 100, 0, None))
    store.pay(store.place_order(["a"], MONTH).id, Method.BALANCE, "k1", coupons=["c1"])
    second = store.place_order(["b"], MONTH)
    with pytest.raises(Refused, match="already used"):
        store.pay(second.id, Method.BALANCE, "k2", coupons=["c1"])


def test_paying_refuses_when_an_expiry_moved_since_the_order(store):
    insert(store, resource("a", "2026-12-10"), balance_cents=100_000)
    order = store.place_order(["a"], MONTH)
    with write(store.db()) as db:
        db.execute("UPDATE resources SET expiry = '2027-06-10' WHERE id = 'a'")
    with pytest.raises(Refused, match="renew again"):
        store.pay(order.id, Method.BALANCE, "k")
    assert store.account().balance_cents == 100_000


def test_cancel_a_pending_order_frees_its_resources(store):
    insert(store, resource("a", "2026-12-10"))
    order = store.place_order(["a"], MONTH)
    assert store.cancel_order(order.id).status is OrderStatus.CANCELLED
    assert store.preview(["a"], MONTH).lines[0].renewable
    with pytest.raises(Refused, match="cancelled"):
        store.cancel_order(order.id)
    with pytest.raises(Refused, match="nothing to pay"):
        store.pay(order.id, Method.BALANCE, "k")


def test_an_order_unpaid_for_seven_days_cannot_be_paid(tmp_path):
    path = tmp_path / "r.db"
    early = Store(path, Clock.from_text("2026-11-26T10:00:00+08:00"))
    insert(early, resource("a", "2026-12-30"), balance_cents=100_000)
    order = early.place_order(["a"], MONTH)
    late = Store(path, Clock.from_text("2026-12-03T10:00:00+08:00"))
    assert late.preview(["a"], MONTH).lines[0].renewable
    with pytest.raises(Refused, match="expired"):
        late.pay(order.id, Method.BALANCE, "k")


def test_checkout_places_and_pays_in_one_go(store):
    insert(store, resource("a", "2026-12-10"), balance_cents=100_000)
    shown = store.preview(["a"], MONTH)
    paid = store.checkout(["a"], MONTH, None, Method.BALANCE, "k", seen=shown)
    assert paid.order.status is OrderStatus.PAID
    again = store.checkout(["a"], MONTH, None, Method.BALANCE, "k", seen=shown)
    assert again.replayed and len(store.orders()) == 1
    assert store.account().balance_cents == 90_000


def test_failed_checkout_keeps_the_order_pending(store):
    insert(store, resource("a", "2026-12-10"), balance_cents=10)
    with pytest.raises(PaymentFailed) as failure:
        store.checkout(["a"], MONTH, None, Method.BALANCE, "k")
    pending = store.order(failure.value.order_id)
    assert pending.status is OrderStatus.PENDING
    assert store.account().balance_cents == 10
    store.top_up(10_000)
    store.pay(pending.id, Method.BALANCE, "k")
    assert expiry_of(store, "a") == "2027-01-10"


def test_an_expired_resource_renews_from_its_old_expiry(store):
    insert(store, resource("late", "2026-11-10"))
    assert store.preview(["late"], MONTH).lines[0].new_expiry == dt.date(2026, 12, 10)


def test_a_renewal_that_leaves_it_expired_is_refused(tmp_path):
    store = Store(tmp_path / "r.db", Clock.from_text("2027-03-01"))
    insert(store, resource("frozen", "2027-01-30"))
    line = store.preview(["frozen"], MONTH).lines[0]
    assert line.new_expiry == dt.date(2027, 2, 28)
    assert not line.renewable and "still expired" in line.reason
    assert store.preview(["frozen"], Duration(2)).lines[0].new_expiry == dt.date(2027, 3, 30)


def test_every_write_leaves_an_audit_row(store):
    insert(store, resource("a", "2026-12-10"), resource("b", "2026-12-10"), balance_cents=50_000)
    store.pay(store.place_order(["a"], MONTH).id, Method.BALANCE, "k")
    store.cancel_order(store.place_order(["b"], MONTH).id)
    store.top_up(100)
    store.set_renewal_day("last")
    store.set_deduction_days(3)
    actions = [entry.action for entry in reversed(store.audit())]
    assert actions == ["order.place", "order.pay", "order.place", "order.cancel",
                       "account.top-up", "settings.renewal-day", "settings.deduction-days"]
    assert store.audit()[-2].resource_ids == ("a",)


def test_manual_renewal_keeps_the_tab(store):
    insert(store, resource("a", "2026-12-10", tab=Tab.AUTO), balance_cents=50_000)
    store.pay(store.place_order(["a"], MONTH).id, Method.BALANCE, "k")
    assert store.list()[0].resource.tab is Tab.AUTO


def test_an_order_for_other_resources_than_the_preview_is_refused(store):
    insert(store, resource("a", "2026-12-10"), resource("b", "2026-12-20"))
    shown = store.preview(["a"], MONTH)
    with pytest.raises(StalePreview, match="not the ones previewed"):
        store.place_order(["a", "b"], MONTH, seen=shown)
    assert store.orders() == []


def test_a_checkout_works_again_what_another_user_changed_before_its_lock(store, monkeypatch):
    """The lines are worked out before the write lock (here the preview was read on another
    connection, so they are); a commit by another connection in between is seen (SQLite's
    data_version), and the order is checked against it."""
    from store.ledger import orders as ledger_orders

    insert(store, resource("a", "2026-12-10"), balance_cents=100_000)
    with Store(store.path, store.clock) as dialog:
        shown = dialog.preview(["a"], MONTH)
    worked_out = ledger_orders.preview

    def then_another_user_renews(*args, **kwargs):
        found = worked_out(*args, **kwargs)
        with Store(store.path, store.clock) as other, write(other.db()) as db:
            db.execute("UPDATE resources SET expiry = '2027-01-10' WHERE id = 'a'")
        monkeypatch.setattr(ledger_orders, "preview", worked_out)
        return found

    monkeypatch.setattr(ledger_orders, "preview", then_another_user_renews)
    with pytest.raises(StalePreview, match="expiry 2026-12-10 is now 2027-01-10"):
        store.checkout(["a"], MONTH, None, Method.BALANCE, "k", seen=shown)
    assert store.orders() == [] and store.account().balance_cents == 100_000
