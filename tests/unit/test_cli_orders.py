"""The command-line twin: paying, orders, cancelling, the account, settings and the audit."""

from __future__ import annotations

import pytest
from cli_support import (
    DECLINED_CARD,
    GOOD_CARD,
    ORDER_FIELDS,
    ORDER_LINE_FIELDS,
    PAYMENT_FIELDS,
    balance,
    ok_json,
    one_line_error,
    place,
)

from store.clock import Clock
from store.models import Filters


# pay, orders, cancel ---------------------------------------------------------------------------
def test_pay_json_shape(run, seeded):
    seeded.top_up(1_000_000)
    order_id = place(run, "r-manual")["order_id"]
    paid = ok_json(run("pay", order_id, "--method", "balance", "--json"))
    assert list(paid) == ["order_id", "status", *PAYMENT_FIELDS]
    assert paid["order_id"] == order_id and paid["status"] == "paid"
    assert paid["charged_cents"] == 10_000 and paid["balance_after_cents"] == 990_000
    assert paid["card_last4"] is None


def test_pay_insufficient_balance_changes_nothing(run, seeded):
    seeded.top_up(5_000)
    order_id = place(run, "r-manual")["order_id"]
    result = run("pay", order_id, "--method", "balance", "--json")
    one_line_error(result, 1, "insufficient balance")
    assert result.stdout == ""
    assert balance(seeded) == 5_000
    assert seeded.order(order_id).status.value == "pending_payment"
    assert seeded.list(Filters(search="r-manual"))[0].resource.expiry.isoformat() == "2026-12-16"


def test_pay_declined_card(run, seeded):
    order_id = place(run, "r-manual")["order_id"]
    result = run("pay", order_id, "--method", "online", "--card", DECLINED_CARD)
    one_line_error(result, 1, "declined")
    assert seeded.order(order_id).status.value == "pending_payment"


def test_pay_with_cash_coupon_and_discount(run, seeded):
    seeded.top_up(1_000_000)
    order_id = place(run, "r-manual", "r-grace")["order_id"]  # 400.00
    paid = ok_json(run("pay", order_id, "--method", "balance", "--coupon", "CASH50",
                       "--coupon", "OFF10", "--json"))
    assert paid["discount_cents"] == 4_000 and paid["coupon_cents"] == 5_000
    assert paid["charged_cents"] == 40_000 - 4_000 - 5_000
    assert balance(seeded) == 1_000_000 - 31_000
    assert [c.id for c in seeded.account().coupons] == []  # both used


def test_pay_twice_with_one_key_charges_once(run, seeded):
    seeded.top_up(1_000_000)
    order_id = place(run, "r-manual")["order_id"]
    args = ("pay", order_id, "--method", "balance", "--idempotency-key", "k-1", "--json")
    first, second = run(*args), run(*args)
    assert ok_json(first) == ok_json(second)
    assert "already paid with this idempotency key" in second.stderr
    assert balance(seeded) == 1_000_000 - 10_000
    assert sum(e.action == "order.pay" and e.result == "ok" for e in seeded.audit()) == 1


def test_paying_a_paid_order_exits_1(run, seeded):
    seeded.top_up(1_000_000)
    order_id = place(run, "r-manual")["order_id"]
    assert run("pay", order_id, "--method", "balance").exit_code == 0
    one_line_error(run("pay", order_id, "--method", "balance"), 1, "paid")
    assert balance(seeded) == 990_000


def test_pay_usage_errors(run, seeded):
    order_id = place(run, "r-manual")["order_id"]
    assert run("pay", order_id).exit_code == 2
    assert run("pay", order_id, "--method", "cash").exit_code == 2
    assert run("pay", order_id, "--method", "online").exit_code == 2
    assert run("pay", order_id, "--method", "balance", "--card", GOOD_CARD).exit_code == 2
    one_line_error(run("pay", "ORD-NOPE", "--method", "balance"), 1, "ORD-NOPE")


def test_pay_text_output(run, seeded):
    order_id = place(run, "r-manual")["order_id"]
    result = run("pay", order_id, "--method", "settlement")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"paid CNY 100.00 for order {order_id} by settlement")


def test_orders_json_and_status_filter(run, seeded):
    first = place(run, "r-manual")["order_id"]
    second = place(run, "r-grace")["order_id"]
    ok_json(run("cancel", first, "--json"))
    listed = ok_json(run("orders", "--json"))
    assert [list(order) for order in listed] == [ORDER_FIELDS] * 2
    assert {o["id"]: o["status"] for o in listed} == {first: "cancelled",
                                                      second: "pending_payment"}
    assert [list(line) for line in listed[0]["lines"]] == [ORDER_LINE_FIELDS]
    pending = ok_json(run("orders", "--status", "pending_payment", "--json"))
    assert [o["id"] for o in pending] == [second]
    assert ok_json(run("orders", "--status", "paid", "--json")) == []
    assert run("orders", "--status", "open").exit_code == 2


def test_orders_text(run, seeded):
    assert "no orders" in run("orders").stderr
    order_id = place(run, "r-manual")["order_id"]
    result = run("orders")
    assert result.stdout.splitlines()[0].split()[:2] == ["ORDER", "STATUS"]
    assert order_id in result.stdout and "CNY 100.00" in result.stdout


def test_cancel(run, seeded):
    order_id = place(run, "r-manual")["order_id"]
    cancelled = ok_json(run("cancel", order_id, "--json"))
    assert list(cancelled) == ORDER_FIELDS and cancelled["status"] == "cancelled"
    one_line_error(run("cancel", order_id), 1, "cancelled")
    one_line_error(run("cancel", "ORD-NOPE"), 1, "ORD-NOPE")
    place(run, "r-manual")  # renewable again


# account, settings, audit ----------------------------------------------------------------------
def test_account_json(run, seeded):
    shown = ok_json(run("account", "--json"))
    assert list(shown) == ["balance_cents", "currency", "renewal_day", "deduction_days",
                           "coupons"]
    assert shown["balance_cents"] == 0 and shown["currency"] == "CNY"
    assert shown["coupons"] == [
        {"id": "CASH50", "kind": "cash", "amount_cents": 5_000, "percent_off": 0,
         "expires": "2027-01-31"},
        {"id": "OFF10", "kind": "discount", "amount_cents": 0, "percent_off": 10,
         "expires": None},
    ]


@pytest.mark.parametrize(("amount", "cents"), [("1000", 100_000), ("1000.50", 100_050),
                                               ("1,000.5", 100_050)])
def test_account_top_up(run, seeded, amount, cents):
    assert ok_json(run("account", "--top-up", amount, "--json"))["balance_cents"] == cents


@pytest.mark.parametrize("amount", ["ten", "1.001", "0", "-5", "nan"])
def test_account_bad_top_up_exits_2(run, seeded, amount):
    one_line_error(run("account", "--top-up", amount), 2)
    assert balance(seeded) == 0


def test_account_text(run, seeded):
    result = run("account")
    assert result.stdout.startswith("balance: CNY 0.00")
    assert "OFF10" in result.stdout and "10% off" in result.stdout


def test_settings(run, seeded):
    assert ok_json(run("settings", "--json")) == {"renewal_day": None, "deduction_days": 7}
    changed = ok_json(run("settings", "--renewal-day", "15", "--deduction-days", "3", "--json"))
    assert changed == {"renewal_day": 15, "deduction_days": 3}
    assert ok_json(run("settings", "--renewal-day", "last", "--json"))["renewal_day"] == "last"
    assert ok_json(run("settings", "--renewal-day", "none", "--json"))["renewal_day"] is None
    assert "renewal day: not set" in run("settings").stdout


@pytest.mark.parametrize("args", [["--renewal-day", "29"], ["--renewal-day", "0"],
                                  ["--deduction-days", "8"],
                                  ["--renewal-day", "5", "--deduction-days", "-1"],
                                  ["--deduction-days", "two"]])
def test_settings_bad_values_exit_2_and_change_nothing(run, seeded, args):
    assert run("settings", *args).exit_code == 2
    assert ok_json(run("settings", "--json")) == {"renewal_day": None, "deduction_days": 7}


def test_audit_json(run, seeded):
    before = Clock().stamp()
    place(run, "r-manual")
    entries = ok_json(run("audit", "--json"))
    assert [list(e) for e in entries][0] == ["id", "at", "simulated_at", "os_user",
                                             "ssh_client", "operator", "key_fingerprint",
                                             "action", "resource_ids", "amount_cents",
                                             "result", "detail"]
    assert entries[0]["operator"] is None  # not in team mode
    assert entries[0]["action"] == "order.place" and entries[0]["resource_ids"] == ["r-manual"]
    assert entries[0]["amount_cents"] == 10_000
    # at: the wall clock; simulated_at: --now, the simulated clock this database runs on
    assert entries[0]["at"] >= before and entries[0]["simulated_at"] == \
        "2026-11-25T16:00:00.000000+00:00"
    # --since reads the wall clock too
    assert ok_json(run("audit", "--since", "2999-01-01", "--json")) == []
    assert len(ok_json(run("audit", "--since", "2026-11-26", "--json"))) == len(entries)
    # and so do its relative forms: entries just written are within the last minute, today's
    for since in ("1m", "2h", "today", "yesterday", " 3 D "):
        assert len(ok_json(run("audit", "--since", since, "--json"))) == len(entries), since


def test_audit_bad_since_and_text(run, seeded):
    one_line_error(run("audit", "--since", "last week"), 2, "last week")
    place(run, "r-manual")
    result = run("audit")
    assert result.stdout.splitlines()[0].split() == [
        "AT", "(UTC+08:00)", "SIMULATED", "OS", "USER", "OPERATOR", "SSH", "CLIENT", "(ENV)",
        "ACTION", "RESULT", "AMOUNT", "RESOURCES", "DETAIL"]
    assert "order.place" in result.stdout and "2026-11-26 00:00:00" in result.stdout


def test_ids_come_from_a_file_or_stdin_as_well_as_the_command_line(run, seeded, tmp_path):
    listed = tmp_path / "ids.txt"
    listed.write_text("r-manual\n\n  r-grace  \n", encoding="utf-8")
    from_file = ok_json(run("preview", "--ids-from", str(listed), "r-far", "--months", "1",
                            "--json"))
    assert [line["id"] for line in from_file["lines"]] == ["r-far", "r-manual", "r-grace"]
    from_stdin = ok_json(run("preview", "--ids-from", "-", "--months", "1", "--json",
                             input="r-manual\nr-grace\n"))
    assert [line["id"] for line in from_stdin["lines"]] == ["r-manual", "r-grace"]
    moved = ok_json(run("policy", "--ids-from", str(listed), "--to", "ppu", "--json"))
    assert moved["moved"] == 2
    nothing = run("preview", "--months", "1")
    assert nothing.exit_code == 2 and "--ids-from" in nothing.stderr


def test_the_list_filters_select_what_list_would_show(run, seeded):
    listed = [row["id"] for row in ok_json(run("list", "--tab", "manual", "--expiring", "30",
                                               "--json"))]
    assert listed  # the fixture has manual resources expiring within 30 days
    previewed = run("preview", "--tab", "manual", "--expiring", "30", "--months", "1", "--json")
    assert [line["id"] for line in ok_json(previewed)["lines"]] == listed
    assert f"selected {len(listed)} resource" in previewed.stderr
    both = run("preview", "r-far", "--tab", "manual", "--months", "1")
    assert both.exit_code == 2 and "not both" in both.stderr
    none = run("renew", "--search", "no-such-name", "--months", "1", "--pay", "balance", "--yes")
    one_line_error(none, 1, "no resource matches these filters")
    assert seeded.orders() == []
