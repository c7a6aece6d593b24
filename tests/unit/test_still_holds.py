"""A confirmed preview that still holds is ordered as it is, without working its lines out
again; anything that could change a line since it was read makes it be worked out again."""

from __future__ import annotations

import datetime as dt

import pytest
from builders import insert, resource

from store.db import write
from store.ledger import orders
from store.models import Duration, Method, OrderStatus
from store.service import Store

MONTH = Duration(1)


def holds(store: Store, shown, ids=("a", "b"), length=MONTH, today=None, now=None) -> bool:
    then_today, then_now = store.today_now()
    return orders.still_holds(store.db(), shown, list(ids), length, None, today or then_today,
                              now or then_now)


def test_a_fresh_preview_holds_and_is_ordered_without_being_worked_out_again(store,
                                                                              monkeypatch):
    insert(store, resource("a", "2026-12-10"), resource("b", "2026-12-20"),
           balance_cents=100_000)
    shown = store.preview(["a", "b"], MONTH)
    assert holds(store, shown)

    def worked_out_again(*args, **kwargs):
        raise AssertionError("the confirmed preview still held")

    monkeypatch.setattr(orders, "preview", worked_out_again)
    paid = store.checkout(["a", "b"], MONTH, None, Method.BALANCE, "k", seen=shown)
    assert paid.order.status is OrderStatus.PAID
    assert [line.new_expiry for line in paid.order.lines] == [
        line.new_expiry for line in shown.lines]
    assert store.order(paid.order.id) == paid.order


def renew_elsewhere(store: Store) -> None:
    with Store(store.path, store.clock) as other, write(other.db()) as db:
        db.execute("UPDATE resources SET expiry = '2027-01-10' WHERE id = 'a'")


@pytest.mark.parametrize("change", [
    renew_elsewhere,
    lambda store: store.top_up(1),                  # a write on this very connection
    lambda store: store.place_order(["b"], MONTH),
])
def test_a_commit_since_the_preview_was_read_means_it_no_longer_holds(store, change):
    insert(store, resource("a", "2026-12-10"), resource("b", "2026-12-20"))
    shown = store.preview(["a", "b"], MONTH)
    change(store)
    assert not holds(store, shown)


def test_another_request_another_day_or_connection_is_not_the_preview(store):
    insert(store, resource("a", "2026-12-10"), resource("b", "2026-12-20"))
    shown = store.preview(["a", "b"], MONTH)
    assert not holds(store, shown, ids=("a",))
    assert not holds(store, shown, ids=("b", "a"))
    assert not holds(store, shown, length=Duration(2))
    assert not holds(store, shown, today=shown.read.today + dt.timedelta(days=1))
    with Store(store.path, store.clock) as other:
        assert not orders.still_holds(other.db(), shown, ["a", "b"], MONTH, None,
                                      *store.today_now())
    assert holds(store, shown, ids=("a", "b", "a"))     # an id twice is one line


def test_a_pending_order_lapsing_since_the_preview_means_it_no_longer_holds(store):
    """A pending order that lapses frees its resources: no commit says so, the clock does."""
    insert(store, resource("a", "2026-12-10"), resource("b", "2026-12-20"))
    pending = store.place_order(["a"], MONTH)
    lapses = dt.datetime.fromisoformat(pending.expires_at)
    before, after = ((lapses + dt.timedelta(minutes=m)).isoformat(timespec="microseconds")
                     for m in (-2, 1))
    today = store.clock.today()
    shown = orders.marked_preview(store.db(), ["a", "b"], MONTH, None, today, before)
    assert not shown.lines[0].renewable          # still pending when it was read
    assert orders.still_holds(store.db(), shown, ["a", "b"], MONTH, None, today, before)
    assert not orders.still_holds(store.db(), shown, ["a", "b"], MONTH, None, today, after)


def test_a_preview_read_while_another_user_committed_is_not_marked(store, monkeypatch):
    insert(store, resource("a", "2026-12-10"), resource("b", "2026-12-20"))
    worked_out = orders.preview

    def while_another_user_renews(*args, **kwargs):
        renew_elsewhere(store)
        return worked_out(*args, **kwargs)

    monkeypatch.setattr(orders, "preview", while_another_user_renews)
    assert store.preview(["a", "b"], MONTH).read is None


def test_the_preview_confirmed_from_a_summary_holds_until_something_moves(store):
    insert(store, resource("a", "2026-12-10"), resource("b", "2026-12-20"))
    shown = store.confirmed_preview(store.preview_summary(["a", "b"], MONTH))
    assert holds(store, shown)
    renew_elsewhere(store)
    assert not holds(store, shown)

