"""More renewals than one order holds: several orders, each paid whole, one after another."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from builders import TODAY, insert, resource
from click.testing import CliRunner

from store.batches import BatchStopped, order_previews, renew_in_orders
from store.clock import Clock
from store.errors import PaymentFailed, Refused
from store.models import Duration, Method, OrderStatus, Tab
from store.rules import MAX_ORDER_LINES
from store.service import Store
from tui.cli import main

COUNT = MAX_ORDER_LINES + 50
MONTH = Duration(1)


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    """A database of MAX_ORDER_LINES + 50 manual resources at 10.00 a month, made once."""
    path = tmp_path_factory.mktemp("batches") / "made.db"
    with Store(path, Clock.from_text(TODAY)) as store:
        insert(store, *(resource(f"b-{n:05d}", "2026-12-20", monthly=1_000, tab=Tab.MANUAL)
                        for n in range(COUNT)))
    return path


@pytest.fixture
def big(made, tmp_path) -> Store:
    path = tmp_path / "big.db"
    shutil.copy(made, path)
    with Store(path, Clock.from_text(TODAY)) as store:
        yield store


def all_ids(store: Store) -> list[str]:
    return [f"b-{n:05d}" for n in range(COUNT)]


def test_order_previews_keep_the_renewable_lines_in_order(big):
    preview = big.preview(all_ids(big)[:7], MONTH)
    parts = order_previews(preview, per_order=3)
    assert [[line.id for line in part.lines] for part in parts] == [
        ["b-00000", "b-00001", "b-00002"], ["b-00003", "b-00004", "b-00005"], ["b-00006"]]
    assert all(part.duration == MONTH and part.currency == preview.currency for part in parts)


def test_more_than_one_order_holds_is_paid_as_several_whole_orders(big):
    big.top_up(COUNT * 1_000)
    seen: list[tuple[int, int]] = []
    batch = renew_in_orders(big, big.preview(all_ids(big), MONTH), Method.BALANCE, "k",
                            progress=lambda paid, of: seen.append((paid, of)))
    assert seen == [(0, 2), (1, 2), (2, 2)]
    assert [len(p.order.resource_ids) for p in batch.payments] == [MAX_ORDER_LINES, 50]
    assert batch.renewed == COUNT and batch.charged_cents == COUNT * 1_000
    assert big.account().balance_cents == 0
    assert {o.status for o in big.orders()} == {OrderStatus.PAID}


def test_a_balance_short_of_all_the_orders_orders_nothing(big):
    big.top_up(COUNT * 1_000 - 1)
    with pytest.raises(Refused, match="does not cover the 2 orders"):
        renew_in_orders(big, big.preview(all_ids(big), MONTH), Method.BALANCE, "k")
    assert big.orders() == []


def test_coupons_cannot_be_split_between_orders(big):
    big.top_up(COUNT * 1_000)
    with pytest.raises(Refused, match="coupons apply to one order"):
        renew_in_orders(big, big.preview(all_ids(big), MONTH), Method.BALANCE, "k",
                        coupons=["CASH50"])
    assert big.orders() == []


def test_a_refused_order_leaves_the_earlier_ones_paid_and_a_rerun_pays_only_the_rest(
        big, monkeypatch):
    big.top_up(COUNT * 1_000)
    preview = big.preview(all_ids(big), MONTH)
    checkout = big.checkout
    calls = []

    def second_refused(ids, *args, **kwargs):
        calls.append(len(ids))
        if len(calls) == 2:
            raise PaymentFailed("declined", "ORD-X")
        return checkout(ids, *args, **kwargs)

    monkeypatch.setattr(big, "checkout", second_refused)
    with pytest.raises(BatchStopped, match="order 2 of 2 not paid: declined; the 1 before"
                       ) as stopped:
        renew_in_orders(big, preview, Method.BALANCE, "k")
    assert stopped.value.done.renewed == MAX_ORDER_LINES
    monkeypatch.setattr(big, "checkout", checkout)
    again = renew_in_orders(big, preview, Method.BALANCE, "k")  # the same key: order 1 replays
    assert [p.replayed for p in again.payments] == [True, False]
    assert len(big.orders()) == 2 and big.account().balance_cents == 0


def test_cli_renews_beyond_one_order_with_progress_on_stderr(big):
    big.top_up(COUNT * 1_000)
    runner = CliRunner(env={"RENEWALS_DB": None, "RENEWALS_NOW": None})
    arguments = ["--db", str(big.path), "--now", TODAY, "renew", "--tab", "manual",
                 "--months", "1"]
    unpaid = runner.invoke(main, arguments)
    assert unpaid.exit_code == 1 and "add --pay METHOD" in unpaid.stderr
    result = runner.invoke(main, [*arguments, "--pay", "balance", "--yes", "--json"])
    assert result.exit_code == 0, result.stderr
    assert "renewing in 2 orders" in result.stderr and "order 2 of 2 paid" in result.stderr
    shown = json.loads(result.stdout)
    assert shown["renewed"] == COUNT and shown["charged_cents"] == COUNT * 1_000
    assert [len(order["lines"]) for order in shown["orders"]] == [MAX_ORDER_LINES, 50]
    assert all(order["status"] == "paid" for order in shown["orders"])
