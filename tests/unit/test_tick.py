"""Due events at their boundaries, and the idempotence of one pass (RULES.md §7, §8)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from builders import insert, resource

from store.clock import Clock
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
