"""Renewing and paying on a bound database: the billing system's renewal orders, ten main
resources a call, then paid one by one; checked by the end state on the fake (its orders, its
balance, its resources' expiries), not by the calls alone."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from threading import Thread

import pytest
from click.testing import Result

from .fake_cloud import FakeCloud
from .helpers import ok_json

TODAY = dt.date.today()  # writes run on the real clock (no --now), and so does the fake


def renewal_orders(fake: FakeCloud) -> list:
    return [order for order in fake.orders.values() if order.order_type == 2]


@pytest.fixture
def bound(cli, fake_cloud):
    fake_cloud.set_balance(10_000_000)
    for number in range(30):
        fake_cloud.add_resource(f"res-{number:02d}", f"pool-{number:02d}",
                                TODAY + dt.timedelta(days=5 + number), 10_000 + number,
                                100_000 + number)
    ok_json(cli("cloud", "sync", "--json"))
    return cli


def left_pending(result: Result, *words: str) -> None:
    """Refused with an error line, then the hint that the order waits, pending payment."""
    assert result.exit_code == 1, (result.stdout, result.stderr)
    error, hint = result.stderr.splitlines()
    assert error.startswith("error: ") and "is left pending payment" in hint, result.stderr
    for word in words:
        assert word in error, result.stderr


def ids(count: int, start: int = 0) -> list[str]:
    return [f"res-{number:02d}" for number in range(start, start + count)]


def test_a_renewal_is_the_billing_systems_orders_paid_and_read_back(bound, fake_cloud):
    before = fake_cloud.expiry_text("res-00")
    shown = ok_json(bound("renew", *ids(12), "--months", "1", "--pay", "balance", "--yes",
                          "--json"))
    orders = renewal_orders(fake_cloud)
    assert len(orders) == 2 and all(order.status == 5 for order in orders)  # 10 + 2, paid
    assert sorted(shown["cloud_order_ids"]) == sorted(o.order_id for o in orders)
    total = sum(10_000 + n for n in range(12))
    assert shown["total_cents"] == total and shown["status"] == "paid"
    assert fake_cloud.balance_cents == 10_000_000 - total
    assert fake_cloud.expiry_text("res-00") != before
    listed = {row["id"]: row for row in ok_json(bound("list", "--json"))}
    expected = (TODAY + dt.timedelta(days=5))
    assert listed["res-00"]["expiry"] > expected.isoformat()
    assert ok_json(bound("account", "--json"))["balance_cents"] == 10_000_000 - total


def test_a_hundred_resources_make_ten_renew_and_ten_pay_calls_paced_by_the_rate_limit(
        cli, fake_cloud):
    fake_cloud.set_balance(100_000_000)
    for number in range(100):
        fake_cloud.add_resource(f"big-{number:03d}", f"pool-{number:03d}",
                                TODAY + dt.timedelta(days=9), 1_000, 10_000)
    ok_json(cli("cloud", "sync", "--json"))
    wanted = [f"big-{number:03d}" for number in range(100)]
    started = time.monotonic()
    shown = ok_json(cli("renew", *wanted, "--months", "1", "--pay", "balance", "--yes",
                        "--json"))
    seconds = time.monotonic() - started
    assert fake_cloud.count("renewal_resources") == 10
    assert fake_cloud.count("pay_orders") == 10
    assert seconds >= 1.0  # ten calls of one operation at ten a second
    assert shown["status"] == "paid" and len(shown["cloud_order_ids"]) == 10
    assert all(order.status == 5 for order in renewal_orders(fake_cloud))
    assert fake_cloud.balance_cents == 100_000_000 - 100 * 1_000


def test_a_resource_the_system_refuses_shows_its_code_and_the_rest_goes_ahead(
        bound, fake_cloud):
    from .test_cloud_quotes import place_renewal_on_the_account

    fake_cloud.fail("renewal_resources", "slow", seconds=1.0)  # after the quotes, someone
    when_received(fake_cloud, "renewal_resources",  # renews res-03 and leaves it unpaid
                  lambda: place_renewal_on_the_account(fake_cloud, "res-03"))
    result = bound("renew", *ids(3, 2), "--months", "1", "--pay", "balance", "--yes", "--json")
    shown = ok_json(result)
    assert "refused res-03: CBC.30050010" in result.stderr
    assert [line["resource_id"] for line in shown["lines"]] == ["res-02", "res-04"]
    assert shown["refused"][0]["id"] == "res-03"
    assert shown["total_cents"] == 10_002 + 10_004 and shown["status"] == "paid"
    ours = [o for o in renewal_orders(fake_cloud) if o.order_id in shown["cloud_order_ids"]]
    assert len(ours) == 1 and sorted(ours[0].lines) == ["res-02", "res-04"]


def test_coupons_go_with_the_payment(bound, fake_cloud):
    fake_cloud.add_coupon("cp-1", 5_000, TODAY + dt.timedelta(days=30), coupon_type=1)
    ok_json(bound("cloud", "sync", "--json"))
    shown = ok_json(bound("renew", "res-00", "--months", "1", "--pay", "balance",
                          "--coupon", "cp-1", "--yes", "--json"))
    assert shown["payment"]["coupon_cents"] == 5_000
    assert shown["payment"]["charged_cents"] == 10_000 - 5_000
    assert fake_cloud.balance_cents == 10_000_000 - 5_000
    assert fake_cloud.coupons["cp-1"].order_id == shown["cloud_order_ids"][0]


def test_without_the_balance_nothing_is_paid_and_the_order_stays_pending(bound, fake_cloud):
    fake_cloud.set_balance(5_000)
    ok_json(bound("cloud", "sync", "--json"))
    result = bound("renew", *ids(2), "--months", "1", "--pay", "balance", "--yes")
    left_pending(result, "insufficient balance", "nothing was paid")
    orders = renewal_orders(fake_cloud)
    assert len(orders) == 1 and orders[0].status == 6  # pending on the account
    assert fake_cloud.balance_cents == 5_000 and fake_cloud.count("pay_orders") == 0
    pending = ok_json(bound("orders", "--status", "pending_payment", "--json"))
    assert len(pending) == 1 and pending[0]["cloud_order_ids"] == [orders[0].order_id]


def when_received(fake: FakeCloud, operation: str, then: Callable[[], None]) -> Thread:
    """Run `then` as soon as the fake has received a call of `operation`."""
    def watch() -> None:
        while fake.count(operation) == 0:
            time.sleep(0.01)
        then()

    thread = Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_an_amount_other_than_the_quote_is_not_paid(bound, fake_cloud):
    fake_cloud.fail("renewal_resources", "slow", seconds=1.0)  # the price moves meanwhile
    resource = fake_cloud.state.resources["res-00"]
    when_received(fake_cloud, "renewal_resources", lambda: setattr(resource, "monthly_cents",
                                                                   12_345))
    result = bound("renew", "res-00", "--months", "1", "--pay", "balance", "--yes")
    left_pending(result, "asks USD 123.45", "not the USD 100.00 shown", "nothing was paid")
    assert fake_cloud.count("pay_orders") == 0 and fake_cloud.balance_cents == 10_000_000
    pending = ok_json(bound("orders", "--status", "pending_payment", "--json"))
    assert pending[0]["total_cents"] == 12_345
    paid = ok_json(bound("pay", pending[0]["id"], "--method", "balance", "--json"))
    assert paid["status"] == "paid" and fake_cloud.balance_cents == 10_000_000 - 12_345


def test_an_order_the_system_is_processing_is_neither_paid_nor_renewed_again(bound,
                                                                             fake_cloud):
    placed = ok_json(bound("renew", "res-00", "--months", "1", "--json"))  # not paid yet
    [order] = renewal_orders(fake_cloud)
    order.status = 3  # processing on the billing system's side
    result = bound("pay", placed["order_id"], "--method", "balance")
    assert result.exit_code == 1 and "in status 3" in result.stderr, result.stderr
    assert fake_cloud.count("renewal_resources") == 1 and fake_cloud.count("pay_orders") == 0
    again = bound("renew", "res-00", "--months", "1", "--pay", "balance", "--yes")
    assert again.exit_code == 1 and "carrying on" in again.stderr, again.stderr
    assert fake_cloud.count("renewal_resources") == 1


def test_a_combined_order_paid_in_part_and_cancelled_in_part_is_paid_for_the_rest(
        bound, fake_cloud):
    placed = ok_json(bound("renew", *ids(12), "--months", "1", "--json"))
    first, second = sorted(renewal_orders(fake_cloud), key=lambda o: len(o.lines))
    second.status = 4  # the ten-resource order cancelled in the Billing Center
    paid = ok_json(bound("pay", placed["order_id"], "--method", "balance", "--json"))
    assert paid["status"] == "paid" and fake_cloud.count("pay_orders") == 1
    order = ok_json(bound("orders", "--json"))[0]
    assert sorted(line["resource_id"] for line in order["lines"]) == sorted(first.lines)
    assert order["total_cents"] == sum(first.lines.values())


def test_lines_whose_billing_order_was_cancelled_are_not_renewed_again(bound, fake_cloud):
    placed = ok_json(bound("renew", *ids(12), "--months", "1", "--json"))
    first, second = sorted(renewal_orders(fake_cloud), key=lambda o: len(o.lines))
    second.status = 4
    ok_json(bound("cloud", "sync", "--json"))  # the mirror knows it is cancelled
    paid = ok_json(bound("pay", placed["order_id"], "--method", "balance", "--json"))
    assert paid["status"] == "paid" and fake_cloud.count("renewal_resources") == 2
    assert fake_cloud.count("pay_orders") == 1
