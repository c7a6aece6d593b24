"""Due events at their boundaries, and the idempotence of one pass (RULES.md §7, §8)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from builders import insert, resource

from store.clock import Clock
from store.ledger import tick
from store.models import AutoRenew, Duration, Filters, OrderStatus, Tab
from store.service import Store

ROOT = Path(__file__).resolve().parents[2]


def at(path: Path, when: str) -> Store:
    return Store(path, Clock.from_text(when))


def row(store: Store, rid: str):
    return store.list(Filters(search=rid))[0]


@pytest.fixture
def db_path(tmp_path) -> Path:
    path = tmp_path / "tick.db"
    setup = at(path, "2026-11-26")
    # Expires 2026-12-10; with 7 deduction days it is charged from 2026-12-03 03:00.
    insert(setup, resource("auto", "2026-12-10", 10_000, tab=Tab.AUTO, auto_period_months=1),
           balance_cents=1_000_000)
    return path


@pytest.mark.parametrize(("when", "charged"), [
    ("2026-12-03T02:59:59+08:00", False),
    ("2026-12-03T03:00:00+08:00", True),
    ("2026-12-02T18:59:59+00:00", False),
    ("2026-12-02T19:00:00+00:00", True),
])
def test_auto_renew_is_charged_from_03_00_on_the_deduction_day(db_path, when, charged):
    report = at(db_path, when).tick()
    assert bool(report.auto_renewed) is charged
    expiry = row(at(db_path, when), "auto").resource.expiry.isoformat()
    assert expiry == ("2027-01-10" if charged else "2026-12-10")


def test_deduction_days_are_an_account_setting(db_path):
    at(db_path, "2026-11-26").set_deduction_days(0)
    assert not at(db_path, "2026-12-09T12:00:00").tick().auto_renewed
    assert at(db_path, "2026-12-10T03:00:00").tick().auto_renewed


def test_auto_renew_charges_once_however_often_tick_runs(db_path):
    store = at(db_path, "2026-12-04T09:00:00")
    first, second = store.tick(), store.tick()
    assert len(first.auto_renewed) == 1 and second.nothing_done
    assert store.account().balance_cents == 1_000_000 - 10_000
    [order] = store.orders()
    assert order.status is OrderStatus.PAID


def test_a_failed_auto_renew_is_retried_daily_until_expiry(db_path):
    store = at(db_path, "2026-11-26")
    store.db().execute("UPDATE account SET balance_cents = 0")
    failed = at(db_path, "2026-12-03T04:00:00").tick()
    assert "insufficient balance" in failed.auto_failed[0][1]
    assert at(db_path, "2026-12-03T23:00:00").tick().nothing_done      # once a day
    assert at(db_path, "2026-12-04T03:00:00").tick().auto_failed          # retried next day
    store.top_up(10_000)
    assert at(db_path, "2026-12-10T03:00:00").tick().auto_renewed         # the last day
    attempts = [e.result for e in reversed(store.audit()) if e.action == "tick.auto-renew"]
    assert [result.split(":")[0] for result in attempts] == ["failed", "failed", "ok"]
    assert "insufficient balance" in attempts[0]


def test_no_auto_renew_after_expiry(db_path):
    assert at(db_path, "2026-12-11T03:00:00").tick().auto_renewed == ()


def test_each_success_uses_one_time_and_the_last_returns_to_manual(tmp_path):
    store = at(tmp_path / "t.db", "2026-11-26")
    insert(store, resource("r", "2026-12-01", tab=Tab.AUTO), balance_cents=10**7)
    store.set_policy(["r"], Tab.AUTO, AutoRenew(period_months=1, times=2))
    at(store.path, "2026-11-26T03:00:00").tick()
    assert row(store, "r").resource.auto_times == 1
    at(store.path, "2026-12-26T03:00:00").tick()
    renewed = row(at(store.path, "2026-12-26T03:00:00"), "r").resource
    assert (renewed.expiry.isoformat(), renewed.tab) == ("2027-02-01", Tab.MANUAL)


def test_a_yearly_period_renews_at_the_yearly_price(tmp_path):
    store = at(tmp_path / "t.db", "2026-11-26T04:00:00")
    insert(store, resource("r", "2026-11-30", 100, yearly=900, tab=Tab.AUTO,
                           auto_period_months=12), balance_cents=10_000)
    store.tick()
    assert row(store, "r").resource.expiry.isoformat() == "2027-11-30"
    assert store.account().balance_cents == 10_000 - 900


@pytest.mark.parametrize(("when", "converted"), [("2026-12-10T23:59:59", False),
                                                 ("2026-12-11T00:00:00", True)])
def test_pay_per_use_tab_converts_at_expiry(tmp_path, when, converted):
    insert(at(tmp_path / "t.db", "2026-11-26"), resource("r", "2026-12-10", tab=Tab.PPU))
    report = at(tmp_path / "t.db", when).tick()
    assert (report.to_pay_per_use == ("r",)) is converted
    after = row(at(tmp_path / "t.db", when), "r").resource
    assert (after.billing.value == "pay-per-use") is converted


@pytest.mark.parametrize(("when", "deleted"), [("2027-01-09", False), ("2027-01-10", True)])
def test_deleted_after_the_last_retention_day(tmp_path, when, deleted):
    insert(at(tmp_path / "t.db", "2026-11-26"), resource("r", "2026-12-10", tab=Tab.CANCELED))
    assert (at(tmp_path / "t.db", when).tick().deleted == ("r",)) is deleted


@pytest.mark.parametrize(("when", "expired"), [("2026-12-03T09:59:59+08:00", False),
                                               ("2026-12-03T10:00:00+08:00", True)])
def test_unpaid_orders_expire_after_seven_days(tmp_path, when, expired):
    store = at(tmp_path / "t.db", "2026-11-26T10:00:00+08:00")
    insert(store, resource("r", "2026-12-20"))
    order = store.place_order(["r"], Duration(1))
    report = at(store.path, when).tick()
    assert (report.expired_orders == (order.id,)) is expired
    status = at(store.path, when).order(order.id).status
    assert status is (OrderStatus.EXPIRED if expired else OrderStatus.PENDING)


TICKER = textwrap.dedent("""
    import json, sys, time
    from store.clock import Clock
    from store.service import Store
    store = Store(sys.argv[1], Clock.from_text("2026-12-04T09:00:00"))
    store.db()
    while time.time() < float(sys.argv[2]):
        pass
    print(len(store.tick().auto_renewed))
""")


def test_two_processes_ticking_at_once_charge_once(tmp_path):
    store = at(tmp_path / "t.db", "2026-11-26")
    insert(store, *[resource(f"r{i}", "2026-12-08", 100, tab=Tab.AUTO) for i in range(200)],
           balance_cents=10**6)
    script = tmp_path / "ticker.py"
    script.write_text(TICKER)
    start = str(time.time() + 1.0)
    runs = [subprocess.Popen([sys.executable, str(script), str(store.path), start], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True) for _ in range(2)]
    counts = sorted(int(run.communicate(timeout=60)[0]) for run in runs)
    assert counts == [0, 200]
    assert store.account().balance_cents == 10**6 - 200 * 100


# One pass over many auto-renewals: the rows it writes, in order ---------------------------------
TICK_AT = "2026-11-26T04:00:00+08:00"
TICK_STAMP = "2026-11-25T20:00:00.000000+00:00"


def written(store: Store, sql: str, since: int = 0) -> list[tuple]:
    return [tuple(r) for r in store.db().execute(sql, (since,)).fetchall()]


@pytest.fixture
def mixed(tmp_path) -> Store:
    """Six auto-renewals due at once, in the order they are tried (expiry, then id): a (paid),
    f (in USD), b (dearer than what a leaves), c (paid, cheaper), d (an order pending), g
    (above one order's limit), e (yearly, paid from what is left)."""
    store = at(tmp_path / "t.db", "2026-11-26")
    insert(store,
           resource("a", "2026-11-28", 6_000, tab=Tab.AUTO, auto_period_months=1),
           resource("f", "2026-11-28", 100, tab=Tab.AUTO, currency="USD"),
           resource("b", "2026-11-29", 5_000, tab=Tab.AUTO, auto_times=1),
           resource("c", "2026-11-30", 3_000, tab=Tab.AUTO, auto_period_months=1, auto_times=3),
           resource("d", "2026-11-30", 1_000, tab=Tab.AUTO),
           resource("g", "2026-12-01", 10**13, yearly=10**13, tab=Tab.AUTO,
                    auto_period_months=2),
           resource("e", "2026-12-02", 100, yearly=900, tab=Tab.AUTO, auto_period_months=12),
           balance_cents=10_000)
    store.place_order(["d"], Duration(1))
    return store


def test_auto_renewals_are_paid_in_turn_and_each_failure_is_recorded(mixed):
    pending = mixed.orders()[0].id
    last_audit = mixed.db().execute("SELECT MAX(id) FROM audit").fetchone()[0]
    report = at(mixed.path, TICK_AT).tick()
    ids = {rid: oid for rid, oid in report.auto_renewed}
    assert list(ids) == ["a", "c", "e"]
    assert all(re.fullmatch(r"ORD20261126-[0-9A-F]{8}", oid) for oid in ids.values())
    assert report.auto_failed == (
        ("f", "the balance is in CNY; this order is in USD"),
        ("b", "insufficient balance: CNY 40.00 available, CNY 50.00 due; nothing was charged"),
        ("d", f"nothing to renew (d: order {pending} is pending payment: pay or cancel it "
              "first)"),
        ("g", "an order total of CNY 200,000,000,000.00 is above the limit of "
              "CNY 100,000,000,000.00 for one amount: renew fewer resources at once"),
    )
    week = "2026-12-02T20:00:00.000000+00:00"
    assert written(mixed, "SELECT id, status, total_cents, currency, created_at, expires_at,"
                   " closed_at FROM orders WHERE source = 'auto' AND ? = 0 ORDER BY total_cents"
                   " DESC") == [(ids[rid], "paid", cents, "CNY", TICK_STAMP, week, TICK_STAMP)
                                for rid, cents in (("a", 6_000), ("c", 3_000), ("e", 900))]
    assert written(mixed, "SELECT order_id, resource_id, old_expiry, new_expiry, months,"
                   " extra_days, base_fee_cents, extra_fee_cents FROM order_lines"
                   " WHERE order_id != ? ORDER BY rowid", pending) == [
        (ids["a"], "a", "2026-11-28", "2026-12-28", 1, 0, 6_000, 0),
        (ids["c"], "c", "2026-11-30", "2026-12-31", 1, 0, 3_000, 0),   # a month's last day
        (ids["e"], "e", "2026-12-02", "2027-12-02", 12, 0, 900, 0)]
    assert written(mixed, "SELECT order_id, idempotency_key, method, card_last4, total_cents,"
                   " discount_cents, coupon_cents, charged_cents, balance_after_cents,"
                   " created_at FROM payments WHERE ? = 0 ORDER BY id") == [
        (ids["a"], "auto:a:2026-11-28", "balance", None, 6_000, 0, 0, 6_000, 4_000, TICK_STAMP),
        (ids["c"], "auto:c:2026-11-30", "balance", None, 3_000, 0, 0, 3_000, 1_000, TICK_STAMP),
        (ids["e"], "auto:e:2026-12-02", "balance", None, 900, 0, 0, 900, 100, TICK_STAMP)]
    assert mixed.account().balance_cents == 100
    assert report.charged_cents == 6_000 + 3_000 + 900
    failures = dict(report.auto_failed)
    assert written(mixed, "SELECT resource_id, expiry, day, at, order_id, result"
                   " FROM auto_renew_attempts WHERE ? = 0 ORDER BY rowid") == [
        (rid, expiry, "2026-11-26", TICK_STAMP, ids.get(rid),
         "ok" if rid in ids else f"failed: {failures[rid]}")
        for rid, expiry in (("a", "2026-11-28"), ("f", "2026-11-28"), ("b", "2026-11-29"),
                            ("c", "2026-11-30"), ("d", "2026-11-30"), ("g", "2026-12-01"),
                            ("e", "2026-12-02"))]

    def renewed(rid: str, cents: int, length: str) -> list[tuple]:
        return [("order.place", "ok", f'["{rid}"]', cents, f"{ids[rid]}: {length}"),
                ("order.pay", "ok", f'["{rid}"]', cents, f"{ids[rid]} by balance"),
                ("tick.auto-renew", "ok", f'["{rid}"]', cents, f"{ids[rid]}: {length}")]

    def failed(rid: str) -> list[tuple]:
        return [("tick.auto-renew", f"failed: {failures[rid]}", f'["{rid}"]', None, "")]

    assert written(mixed, "SELECT action, result, resource_ids, amount_cents, detail FROM audit"
                   " WHERE id > ? ORDER BY id", last_audit) == [
        *renewed("a", 6_000, "1 month"), *failed("f"), *failed("b"),
        *renewed("c", 3_000, "1 month"), *failed("d"), *failed("g"),
        *renewed("e", 900, "1 year")]
    after = {rid: row(mixed, rid).resource for rid in "abcdefg"}
    assert {rid: (r.expiry.isoformat(), r.tab, r.auto_times) for rid, r in after.items()} == {
        "a": ("2026-12-28", Tab.AUTO, None), "b": ("2026-11-29", Tab.AUTO, 1),
        "c": ("2026-12-31", Tab.AUTO, 2), "d": ("2026-11-30", Tab.AUTO, None),
        "e": ("2027-12-02", Tab.AUTO, None), "f": ("2026-11-28", Tab.AUTO, None),
        "g": ("2026-12-01", Tab.AUTO, None)}


def test_failed_auto_renewals_are_tried_again_the_next_day_only(mixed):
    at(mixed.path, TICK_AT).tick()
    assert at(mixed.path, "2026-11-26T23:00:00+08:00").tick().nothing_done
    mixed.top_up(1_000_000)
    again = at(mixed.path, "2026-11-27T04:00:00+08:00").tick()
    assert [rid for rid, _ in again.auto_renewed] == ["b"]
    assert [rid for rid, _ in again.auto_failed] == ["f", "d", "g"]
    assert row(mixed, "b").resource.tab is Tab.MANUAL        # its one time is used


def test_an_auto_renewal_whose_payment_key_was_used_fails_and_writes_no_order(tmp_path):
    store = at(tmp_path / "t.db", "2026-11-26")
    insert(store, resource("r", "2026-12-01", 1_000, tab=Tab.AUTO), balance_cents=10_000)
    at(store.path, TICK_AT).tick()
    store.db().execute("UPDATE resources SET expiry = '2026-12-01' WHERE id = 'r'")  # put back
    report = at(store.path, "2026-11-27T04:00:00+08:00").tick()
    assert report.auto_failed == (("r", "this payment key was already used for another order"),)
    assert len(store.orders()) == 1 and store.account().balance_cents == 9_000


def test_the_plan_takes_each_charge_from_the_balance_the_next_one_sees():
    due = [resource(rid, "2026-11-28", cents, tab=Tab.AUTO)
           for rid, cents in (("dear", 800), ("dearer", 900), ("cheap", 200))]
    planned = tick.plan_auto_renewals(due, 1_000, "CNY", set(), dt.date(2026, 11, 26))
    assert [(p.resource.id, p.balance_after_cents, p.failure is None) for p in planned] == [
        ("dear", 200, True), ("dearer", 200, False), ("cheap", 0, True)]
    assert all(p.order_id for p in planned if p.failure is None)
    assert planned[1].failure == ("insufficient balance: CNY 2.00 available, CNY 9.00 due; "
                                  "nothing was charged")
