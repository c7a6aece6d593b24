"""Whatever fails, never a second order and never a second charge: a renewal or a payment that
acts but answers after the client's timeout, and a process killed between the renewal and the
payment. Each time the user runs the same command again, and the fake's end state (its orders,
its balance, its resources' expiries) shows every resource renewed once and paid once."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest

from .fake_cloud import FakeCloud
from .helpers import ok_json

TODAY = dt.date.today()
BALANCE = 10_000_000
SLOW = {"RENEWALS_CLOUD_TIMEOUT": "1"}
WANTED = ["res-00", "res-01", "res-02"]
RENEW = ("renew", *WANTED, "--months", "1", "--pay", "balance", "--yes", "--json")
FEES = 10_000 + 10_001 + 10_002


@pytest.fixture
def bound(cli, fake_cloud):
    fake_cloud.set_balance(BALANCE)
    for number in range(3):
        fake_cloud.add_resource(f"res-{number:02d}", f"pool-{number:02d}",
                                TODAY + dt.timedelta(days=5 + number), 10_000 + number,
                                100_000 + number)
    ok_json(cli("cloud", "sync", "--json"))
    return cli


def renewed_once_and_paid_once(fake: FakeCloud, expiries: dict[str, str | None]) -> None:
    orders = [o for o in fake.orders.values() if o.order_type == 2]
    assert len(orders) == 1, orders
    assert sorted(orders[0].lines) == WANTED and orders[0].status == 5
    assert fake.balance_cents == BALANCE - FEES
    assert all(fake.expiry_text(rid) != before for rid, before in expiries.items())
    month_later = {rid: fake.state.resources[rid].expire_time for rid in WANTED}
    assert all((month_later[rid].date() - TODAY).days in range(33, 40) for rid in WANTED)


def expiries(fake: FakeCloud) -> dict[str, str | None]:
    return {rid: fake.expiry_text(rid) for rid in WANTED}


def test_a_renewal_that_acts_after_the_timeout_is_found_and_paid_once(bound, fake_cloud):
    before = expiries(fake_cloud)
    fake_cloud.fail("renewal_resources", "slow", seconds=3, act_first=True)
    first = bound(*RENEW, env=SLOW)
    assert first.exit_code != 0 and "may have acted" in first.stderr, first.stderr
    assert fake_cloud.count("pay_orders") == 0
    again = bound(*RENEW)
    shown = ok_json(again)
    assert "carrying on with it" in again.stderr
    assert shown["status"] == "paid" and fake_cloud.count("renewal_resources") == 1
    assert fake_cloud.count("pay_orders") == 1
    renewed_once_and_paid_once(fake_cloud, before)
    outcomes = [row["result"] for row in ok_json(bound("audit", "--json"))
                if row["action"] == "cloud.renew"]
    assert any(o.startswith("reconciled: it did: order") for o in outcomes), outcomes
    assert "unknown: no answer" in outcomes


def test_a_payment_that_acts_after_the_timeout_is_not_paid_again(bound, fake_cloud):
    before = expiries(fake_cloud)
    fake_cloud.fail("pay_orders", "slow", seconds=3, act_first=True)
    first = bound(*RENEW, env=SLOW)
    assert first.exit_code != 0 and "may have acted" in first.stderr, first.stderr
    again = bound(*RENEW)
    shown = ok_json(again)
    assert "already paid: nothing was charged again" in again.stderr
    assert shown["status"] == "paid"
    assert fake_cloud.count("pay_orders") == 1 and fake_cloud.count("renewal_resources") == 1
    renewed_once_and_paid_once(fake_cloud, before)


def run_in_background(cloud_env: dict, db: str, *args: str) -> subprocess.Popen:
    env = {key: value for key, value in {**os.environ, **cloud_env}.items() if value is not None}
    return subprocess.Popen([sys.executable, "-m", "tui", "--db", db, *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for(test, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not test():
        assert time.monotonic() < deadline, "the fake never saw the call"
        time.sleep(0.02)


@pytest.mark.parametrize("stop_in", ["renewal_resources", "list_customer_orders"])
def test_a_process_killed_between_renewing_and_paying_pays_once_when_run_again(
        bound, fake_cloud, cloud_env, tmp_path, stop_in):
    """Killed while the renewal call hangs after acting (its intent still in flight, its owner
    gone), or while the orders' amounts are read just after it (the intent done)."""
    before = expiries(fake_cloud)
    orders_read = fake_cloud.count("list_customer_orders")
    fake_cloud.fail(stop_in, "slow", seconds=30, act_first=True)
    process = run_in_background(cloud_env, str(tmp_path / "cloud.db"), *RENEW)
    if stop_in == "renewal_resources":
        wait_for(lambda: any(o.order_type == 2 for o in fake_cloud.orders.values()))
    else:
        wait_for(lambda: fake_cloud.count("list_customer_orders") > orders_read)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert fake_cloud.count("pay_orders") == 0
    shown = ok_json(bound(*RENEW))
    assert shown["status"] == "paid"
    assert fake_cloud.count("renewal_resources") == 1 and fake_cloud.count("pay_orders") == 1
    renewed_once_and_paid_once(fake_cloud, before)


def test_a_throttled_renewal_is_sent_again_a_failed_one_only_after_finding_out(
        bound, fake_cloud):
    """429 says the call was not taken: it is retried. A 500 may hide an order: the console
    looks before it renews again, finds none, and only then renews."""
    before = expiries(fake_cloud)
    fake_cloud.fail("renewal_resources", "429")
    fake_cloud.fail("pay_orders", 500)
    first = bound(*RENEW)
    assert first.exit_code != 0 and "may have acted" in first.stderr, first.stderr
    assert fake_cloud.count("renewal_resources") == 2  # the throttled one, then the real one
    shown = ok_json(bound(*RENEW))
    assert shown["status"] == "paid" and fake_cloud.count("pay_orders") == 2
    renewed_once_and_paid_once(fake_cloud, before)


def test_a_renewal_lost_without_acting_is_made_once_when_run_again(bound, fake_cloud):
    before = expiries(fake_cloud)
    fake_cloud.fail("renewal_resources", "drop")  # the connection closes, nothing done
    first = bound(*RENEW)
    assert first.exit_code != 0 and "may have acted" in first.stderr, first.stderr
    shown = ok_json(bound(*RENEW))
    assert shown["status"] == "paid" and fake_cloud.count("renewal_resources") == 2
    renewed_once_and_paid_once(fake_cloud, before)
    outcomes = [row["result"] for row in ok_json(bound("audit", "--json"))
                if row["action"] == "cloud.renew"]
    assert any("it did not act" in outcome for outcome in outcomes), outcomes


def test_another_process_waiting_on_the_same_resources_is_not_overtaken(
        bound, fake_cloud, cloud_env, tmp_path):
    fake_cloud.fail("renewal_resources", "slow", seconds=4)
    process = run_in_background(cloud_env, str(tmp_path / "cloud.db"), *RENEW)
    wait_for(lambda: fake_cloud.count("renewal_resources") == 1)
    second = bound(*RENEW)
    assert second.exit_code == 1 and "still waiting for the billing system" in second.stderr
    assert process.wait(timeout=30) == 0
    assert fake_cloud.count("renewal_resources") == 1 and fake_cloud.count("pay_orders") == 1
