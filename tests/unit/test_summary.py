"""The renewal preview summed in SQL agrees with the preview worked out line by line."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from builders import TODAY, insert, resource
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.clock import Clock
from store.db import write
from store.errors import NotFound, Refused, StalePreview
from store.models import Billing, Duration, Tab
from store.money import MAX_CENTS
from store.rules import MAX_MONTHS, MAX_YEARS
from store.service import Store

DAY = dt.date.fromisoformat(TODAY)
DURATIONS = [Duration(n) for n in range(1, MAX_MONTHS + 1)] + [
    Duration(n, "year") for n in range(1, MAX_YEARS + 1)]
SOMETIMES = st.sampled_from([False, False, False, False, True])
PRICES = st.one_of(st.integers(0, 10**6), st.integers(0, MAX_CENTS // 10), st.none())

resources = st.lists(st.fixed_dictionaries({
    "days": st.integers(-220, 800),
    "monthly": PRICES,
    "yearly": PRICES,
    "billing": st.sampled_from([*[Billing.SUBSCRIPTION] * 4, Billing.PAY_PER_USE]),
    "tab": st.sampled_from(list(Tab)),
    "currency": st.sampled_from(["CNY", "CNY", "CNY", "USD"]),
    "gone": SOMETIMES,
    "pending": SOMETIMES,
    "name": st.sampled_from(["a", "b", "pool", "池"]),
}), min_size=0, max_size=25)


def fill(store: Store, drawn: list[dict]) -> list[str]:
    ids = [f"r{number:03d}" for number in range(len(drawn))]
    insert(store, *(resource(
        rid, (DAY + dt.timedelta(days=row["days"])).isoformat(), row["monthly"],
        yearly=row["yearly"], billing=row["billing"],
        tab=None if row["billing"] is Billing.PAY_PER_USE else row["tab"],
        currency=row["currency"], name=row["name"]) for rid, row in zip(ids, drawn, strict=True)))
    with write(store.db()) as db:
        for rid, row in zip(ids, drawn, strict=True):
            if row["gone"]:
                db.execute("UPDATE resources SET gone_at = ? WHERE id = ?", (TODAY, rid))
            if row["pending"]:
                pend(db, rid)
    return ids


def pend(db, rid: str) -> None:
    """A pending order for `rid`, not yet lapsed."""
    db.execute("INSERT INTO orders (id, status, total_cents, currency, created_at, expires_at)"
               " VALUES (?, 'pending_payment', 0, 'CNY', '2026-11-25T00:00:00+00:00',"
               " '2026-12-09T00:00:00+00:00')", (f"ORD-{rid}",))
    db.execute("INSERT INTO order_lines VALUES (?, ?, '2026-12-01', '2027-01-01', 1, 0, 0, 0)",
               (f"ORD-{rid}", rid))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drawn=resources, length=st.sampled_from(DURATIONS),
       align=st.one_of(st.none(), st.integers(1, 28), st.just("last")),
       first=st.integers(0, 30))
def test_the_sums_in_sql_are_the_sums_of_the_lines(drawn, length, align, first) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "renewals.db", Clock.from_text(TODAY))
        ids = fill(store, drawn)
        try:
            whole = store.preview(ids, length, align)
        except Refused as expected:
            with pytest.raises(Refused, match="one currency") as got:
                store.preview_summary(ids, length, align, first=first)
            assert str(got.value) == str(expected)
            return
        summed = store.preview_summary(ids, length, align, first=first)
        assert (summed.count, summed.renewable_count, summed.total_cents, summed.currency) == (
            len(whole.lines), len(whole.renewable), whole.total_cents, whole.currency)
        assert summed.first_lines == whole.summary(first).first_lines
        assert store.confirmed_preview(summed) == whole
        store.close()


def test_a_confirmation_refuses_what_moved_below_the_lines_shown(store: Store) -> None:
    insert(store, resource("a", "2026-12-01"), resource("b", "2026-12-20"))
    shown = store.preview_summary(["a", "b"], Duration(1), first=1)
    assert [line.id for line in shown.first_lines] == ["a"]
    with write(store.db()) as db:
        db.execute("UPDATE resources SET expiry = '2027-01-20' WHERE id = 'b'")
    with pytest.raises(StalePreview) as moved:
        store.confirmed_preview(shown)
    assert moved.value.changes == [
        "resources further down moved (expiry, price, tab or pending order)"]


def test_a_confirmation_names_a_line_shown_that_moved_and_the_new_total(store: Store) -> None:
    insert(store, resource("a", "2026-12-01"), resource("b", "2026-12-20"))
    shown = store.preview_summary(["a", "b"], Duration(1))
    with write(store.db()) as db:
        pend(db, "b")
    with pytest.raises(StalePreview) as moved:
        store.confirmed_preview(shown)
    assert moved.value.changes == ["pool-b: order ORD-b is now pending",
                                   "the order total is now CNY 100.00, not CNY 200.00"]


def test_nothing_moved_confirms_the_whole_preview(store: Store) -> None:
    insert(store, resource("a", "2026-12-01"), resource("b", "2026-12-20"))
    shown = store.preview_summary(["b", "a", "b"], Duration(2), align=5, first=1)
    assert shown.ids == ("b", "a") and shown.count == 2
    assert store.confirmed_preview(shown) == store.preview(["b", "a"], Duration(2), 5)


def test_unknown_ids_are_named(store: Store) -> None:
    insert(store, resource("a", "2026-12-01"))
    with pytest.raises(NotFound, match="no such resource: x, y"):
        store.preview_summary(["a", "x", "y"], Duration(1))


def test_first_lines_read_beside_a_commit_are_read_again_with_the_sums(store: Store,
                                                                        monkeypatch) -> None:
    """The first lines are read on another connection while this one sums; when another user
    commits in between (here: after the sums, before the lines), the two reads do not agree,
    so both are read again together."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from store.ledger import summary

    insert(store, resource("a", "2026-12-01"), resource("b", "2026-12-20"))
    today, now = store.today_now()
    monkeypatch.setattr(summary, "BESIDE_FROM", 0)
    pool, summed, sums = ThreadPoolExecutor(1), threading.Event(), summary._sums

    def totals_then_say_so(*args, **kwargs):
        found = sums(*args, **kwargs)
        summed.set()
        return found

    monkeypatch.setattr(summary, "_sums", totals_then_say_so)

    def beside_another_users_commit(read):
        def then_read():
            summed.wait(5)
            with Store(store.path, store.clock) as other, write(other.db()) as db:
                db.execute("UPDATE resources SET monthly_price_cents = 30000 WHERE id = 'a'")
            with Store(store.path, store.clock) as side:
                return read(side.db())
        return pool.submit(then_read)

    shown = summary.summarize(store.db(), ["a", "b"], Duration(1), None, today, now, 5,
                              beside=beside_another_users_commit)
    pool.shutdown()
    assert shown.total_cents == 40_000
    assert [line.fee_cents for line in shown.first_lines] == [30_000, 10_000]
    assert shown == store.preview_summary(["a", "b"], Duration(1), first=5)


def test_a_large_selection_summed_in_halves_beside_is_the_one_summed_here(store: Store):
    """From BESIDE_FROM ids the sums are split between connections: the same figures, the
    same lines, the same refusals as summing all of them on one."""
    from store.ledger import summary

    count = summary.BESIDE_FROM + 7
    insert(store, *(resource(
        f"r{n:05d}", (DAY + dt.timedelta(days=n % 400 - 60)).isoformat(), 1_000 + n % 97,
        billing=Billing.PAY_PER_USE if n % 50 == 0 else Billing.SUBSCRIPTION,
        tab=None if n % 50 == 0 else Tab.MANUAL) for n in range(count)))
    with write(store.db()) as db:
        for n in range(3, count, 900):
            pend(db, f"r{n:05d}")
    ids = [f"r{n:05d}" for n in range(count)]
    today, now = store.today_now()
    for length, align in ((Duration(1), None), (Duration(2, "year"), 15)):
        here = summary.summarize(store.db(), ids, length, align, today, now, 40)
        assert store.preview_summary(ids, length, align, first=40) == here
        assert here.count == count and here.renewable_count < count
    with pytest.raises(NotFound, match="no such resource: x, y"):
        store.preview_summary([*ids, "x", "y"], Duration(1))
    with write(store.db()) as db:
        db.execute("UPDATE resources SET currency = 'USD' WHERE id = ?", (ids[-1],))
    with pytest.raises(Refused, match="one currency"):
        store.preview_summary(ids, Duration(1))
