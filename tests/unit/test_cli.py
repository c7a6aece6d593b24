"""The command-line twin: JSON shapes, exit codes 0/1/2, and messages on stderr."""

from __future__ import annotations

import csv
import datetime as dt
import io as io_text
import json
import stat
import subprocess
import sys
import types
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from store import io
from store.clock import Clock
from store.connections import DatabaseInfo
from store.db import write
from store.models import Billing, Filters, Kind, Resource, Tab
from store.service import Store
from tui.cli import main, root

NOW = "2026-11-26"

RESOURCES = (
    # id, name, kind, expiry, monthly cents, billing, tab, region, project
    ("r-manual", "pool-train-a", Kind.STANDARD, "2026-12-16", 10_000, Billing.SUBSCRIPTION,
     Tab.MANUAL, "cn-north-4", "default"),
    ("r-auto", "pool-infer-b", Kind.LITE, "2026-12-01", 20_000, Billing.SUBSCRIPTION,
     Tab.AUTO, "cn-east-3", "vision"),
    ("r-ppu", "ecs-dev-c", Kind.SERVER, "2026-12-10", 5_000, Billing.PAY_PER_USE, None,
     "cn-north-4", "default"),
    ("r-deleted", "pool-old-d", Kind.STANDARD, "2026-09-01", 10_000, Billing.SUBSCRIPTION,
     Tab.MANUAL, "cn-north-4", "default"),
    ("r-grace", "pool-late-e", Kind.STANDARD, "2026-11-20", 30_000, Billing.SUBSCRIPTION,
     Tab.MANUAL, "cn-south-1", "ops"),
    ("r-far", "ecs-far-f", Kind.SERVER, "2027-06-01", 40_000, Billing.SUBSCRIPTION,
     Tab.CANCELED, "cn-east-3", "ops"),
)
ALL_IDS = [row[0] for row in RESOURCES]

PREVIEW_LINE_FIELDS = ["id", "current_expiry", "new_expiry", "months", "extra_days",
                       "base_fee_cents", "extra_fee_cents", "fee_cents", "renewable", "reason",
                       "quoted"]
ORDER_LINE_FIELDS = ["resource_id", "old_expiry", "new_expiry", "months", "extra_days",
                     "base_fee_cents", "extra_fee_cents", "fee_cents"]
PAYMENT_FIELDS = ["method", "charged_cents", "discount_cents", "coupon_cents",
                  "balance_after_cents", "card_last4"]
ORDER_FIELDS = ["id", "status", "total_cents", "currency", "created_at", "expires_at",
                "paid_cents", "method", "lines"]
GOOD_CARD = "4111 1111 1111 1111"
DECLINED_CARD = "4111111111110002"


def make_resource(row: tuple) -> Resource:
    rid, name, kind, expiry, monthly, billing, tab, region, project = row
    return Resource(id=rid, name=name, kind=kind, expiry=dt.date.fromisoformat(expiry),
                    monthly_price_cents=monthly, yearly_price_cents=monthly * 10,
                    billing=billing, tab=tab, region=region, enterprise_project=project)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "cli.db"


@pytest.fixture
def seeded(db_path: Path) -> Store:
    """Six resources (one per situation), two coupons, and an empty balance."""
    store = Store(db_path, Clock.from_text(NOW))
    store.import_resources([make_resource(row) for row in RESOURCES])
    with write(store.db()) as db:
        db.conn.executemany(
            "INSERT INTO coupons (id, kind, amount_cents, percent_off, expires)"
            " VALUES (?, ?, ?, ?, ?)",
            [("CASH50", "cash", 5_000, 0, "2027-01-31"), ("OFF10", "discount", 0, 10, None)])
    yield store
    store.close()


@pytest.fixture
def run(db_path: Path):
    """Run `renewals --db <temp> --now 2026-11-26 ARGS…`; stdout and stderr kept apart."""

    def invoke(*args: str, input: str | None = None, now: str = NOW) -> Result:
        runner = CliRunner(env={"RENEWALS_DB": None, "RENEWALS_NOW": None})
        return runner.invoke(main, ["--db", str(db_path), "--now", now, *args], input=input)

    return invoke


def ok_json(result: Result):
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def one_line_error(result: Result, code: int, *words: str) -> None:
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("error: "), result.stderr
    for word in words:
        assert word in result.stderr


def balance(store: Store) -> int:
    return store.account().balance_cents


def place(run, *ids: str) -> dict:
    return ok_json(run("renew", *ids, "--months", "1", "--json"))


# list ------------------------------------------------------------------------------------------
def test_list_json_is_resource_records_of_every_resource(run, seeded):
    records = ok_json(run("list", "--json"))
    assert sorted(record["id"] for record in records) == sorted(ALL_IDS)
    assert all(list(record) == list(io.RECORD_FIELDS) for record in records)
    ppu = next(record for record in records if record["id"] == "r-ppu")
    assert ppu["billing"] == "pay-per-use" and ppu["tab"] is None


@pytest.mark.parametrize(("args", "expected"), [
    (["--tab", "manual"], ["r-grace", "r-manual"]),
    (["--tab", "canceled"], ["r-far"]),
    (["--expiring", "7"], ["r-auto"]),
    (["--expiring", "30"], ["r-auto", "r-manual"]),   # pay-per-use never expires
    (["--phase", "grace"], ["r-grace"]),
    (["--phase", "deleted"], ["r-deleted"]),
    (["--kind", "server"], ["r-ppu", "r-far"]),
    (["--search", "infer"], ["r-auto"]),
    (["--region", "cn-east-3"], ["r-auto", "r-far"]),
    (["--project", "ops"], ["r-grace", "r-far"]),
    (["--tab", "manual", "--project", "ops"], ["r-grace"]),
])
def test_list_filters(run, seeded, args, expected):
    assert [record["id"] for record in ok_json(run("list", *args, "--json"))] == expected


def test_list_tab_excludes_deleted_and_pay_per_use(run, seeded):
    listed = {r["id"] for tab in ("manual", "auto", "ppu", "canceled")
              for r in ok_json(run("list", "--tab", tab, "--json"))}
    assert listed == set(ALL_IDS) - {"r-deleted", "r-ppu"}


def test_list_hide_pending(run, seeded):
    order = place(run, "r-manual")
    listed = ok_json(run("list", "--tab", "manual", "--json"))
    assert {r["id"]: r["pending_order"] for r in listed}["r-manual"] == order["order_id"]
    hidden = ok_json(run("list", "--tab", "manual", "--hide-pending", "--json"))
    assert [r["id"] for r in hidden] == ["r-grace"]


def test_list_text_is_an_aligned_table(run, seeded):
    result = run("list", "--tab", "manual")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["ID", "NAME", "KIND"]
    assert "r-manual" in result.stdout and "CNY 100.00" in result.stdout
    assert len({line.index("2026-") for line in lines[1:]}) == 1  # the expiry column lines up
    assert "2 resources" in result.stderr


def test_list_nothing_matches(run, seeded):
    result = run("list", "--search", "nothing-like-this")
    assert result.exit_code == 0 and result.stdout == ""
    assert "no resources match" in result.stderr
    assert ok_json(run("list", "--search", "nothing-like-this", "--json")) == []


def test_list_text_never_prints_control_characters(run, seeded):
    seeded.import_resources([make_resource(
        ("r-evil", "evil\x1b[31mred\nname", Kind.LITE, "2026-12-20", 1, Billing.SUBSCRIPTION,
         Tab.MANUAL, "", "default"))])
    result = run("list", "--search", "r-evil")
    assert "\x1b" not in result.stdout and "evil\\x1b[31mred\\nname" in result.stdout


@pytest.mark.parametrize("args", [["--tab", "weekly"], ["--expiring", "-1"], ["--kind", "gpu"]])
def test_list_bad_filters_are_usage_errors(run, seeded, args):
    assert run("list", *args).exit_code == 2


# preview ---------------------------------------------------------------------------------------
def test_preview_json_shape(run, seeded):
    shown = ok_json(run("preview", "r-manual", "r-deleted", "--months", "2", "--json"))
    assert list(shown) == ["lines", "total_cents", "currency", "quoted_at"]
    assert [list(line) for line in shown["lines"]] == [PREVIEW_LINE_FIELDS] * 2
    manual, deleted = shown["lines"]
    assert manual == {
        "id": "r-manual", "current_expiry": "2026-12-16", "new_expiry": "2027-02-16",
        "months": 2, "extra_days": 0, "base_fee_cents": 20_000, "extra_fee_cents": 0,
        "fee_cents": 20_000, "renewable": True, "reason": None, "quoted": False,
    }
    assert deleted["renewable"] is False and deleted["new_expiry"] is None
    assert deleted["reason"].startswith("deleted")
    assert shown["total_cents"] == 20_000 and shown["currency"] == "CNY"


def test_preview_aligned_and_in_years(run, seeded):
    shown = ok_json(run("preview", "r-grace", "--years", "1", "--align", "last", "--json"))
    line = shown["lines"][0]
    assert (line["current_expiry"], line["new_expiry"]) == ("2026-11-20", "2027-11-30")
    assert line["months"] == 12 and line["extra_days"] == 10
    assert line["base_fee_cents"] == 300_000
    assert line["fee_cents"] == line["base_fee_cents"] + line["extra_fee_cents"] == 310_000
    assert shown["total_cents"] == 310_000


def test_preview_accepts_comma_separated_ids(run, seeded):
    shown = ok_json(run("preview", "r-manual,r-auto", "r-grace", "--months", "1", "--json"))
    assert [line["id"] for line in shown["lines"]] == ["r-manual", "r-auto", "r-grace"]


def test_preview_text_ends_with_the_total(run, seeded):
    result = run("preview", "r-manual", "r-ppu", "--months", "1")
    assert result.exit_code == 0
    assert "not renewable: pay-per-use" in result.stdout
    assert result.stdout.strip().splitlines()[-1].startswith("total: CNY 100.00 for 1 of 2")


def test_preview_changes_nothing(run, seeded):
    run("preview", "r-manual", "--months", "1")
    assert seeded.orders() == []


@pytest.mark.parametrize("args", [
    ["--months", "1", "--years", "1"],
    [],
    ["--months", "12"],
    ["--months", "0"],
    ["--years", "4"],
    ["--months", "1", "--align", "31"],
    ["--months", "1", "--align", "first"],
    ["--months", "x"],
])
def test_preview_bad_durations_exit_2(run, seeded, args):
    result = run("preview", "r-manual", *args)
    assert result.exit_code == 2, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_bad_rule_values_are_one_line_errors(run, seeded):
    one_line_error(run("preview", "r-manual", "--months", "12"), 2, "1–11 months")
    one_line_error(run("preview", "r-manual", "--months", "1", "--align", "29"), 2, "1–28")


def test_unknown_id_exits_1(run, seeded):
    one_line_error(run("preview", "r-nope", "--months", "1", "--json"), 1, "r-nope")
    one_line_error(run("renew", "r-nope", "--months", "1"), 1, "r-nope")


# --now, --db and the group ---------------------------------------------------------------------
def test_bad_now_is_one_line_exit_2(run, seeded):
    result = run("list", now="yesterday-ish")
    one_line_error(result, 2, "yesterday-ish")
    assert len(result.stderr.strip().splitlines()) == 1


def test_now_from_environment(db_path, seeded):
    runner = CliRunner(env={"RENEWALS_DB": str(db_path), "RENEWALS_NOW": "2026-12-30"})
    records = json.loads(runner.invoke(main, ["list", "--phase", "grace", "--json"]).stdout)
    assert [r["id"] for r in records] == ["r-manual"]
    result = CliRunner(env={"RENEWALS_NOW": "nope"}).invoke(main, ["--db", str(db_path), "list"])
    assert result.exit_code == 2 and "Traceback" not in result.stderr


def test_now_moves_the_phases(run, seeded):
    records = ok_json(run("list", "--phase", "deleted", "--json", now="2027-01-10"))
    assert [r["id"] for r in records] == ["r-deleted", "r-grace", "r-auto"]   # not r-ppu


def test_not_a_database_exits_1(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    result = CliRunner().invoke(main, ["--db", str(junk), "list"])
    one_line_error(result, 1, "database")


def test_help_has_every_command_and_no_placeholders():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in ("demo", "import", "list", "preview", "renew", "orders", "cancel", "pay",
                 "account", "settings", "audit", "export", "policy", "tick", "overview"):
        assert name in result.stdout


def test_python_dash_m_tui_runs_the_cli():
    result = subprocess.run([sys.executable, "-m", "tui", "--help"], capture_output=True,
                            text=True, check=False, cwd=Path(__file__).resolve().parents[2])
    assert result.returncode == 0 and "renew" in result.stdout


# renew -----------------------------------------------------------------------------------------
def test_renew_places_one_pending_order(run, seeded):
    order = place(run, "r-manual", "r-grace")
    assert list(order) == ["order_id", "status", "total_cents", "lines"]
    assert order["status"] == "pending_payment" and order["total_cents"] == 40_000
    assert [list(line) for line in order["lines"]] == [ORDER_LINE_FIELDS] * 2
    assert order["lines"][0] == {
        "resource_id": "r-manual", "old_expiry": "2026-12-16", "new_expiry": "2027-01-16",
        "months": 1, "extra_days": 0, "base_fee_cents": 10_000, "extra_fee_cents": 0,
        "fee_cents": 10_000,
    }
    assert [o.id for o in seeded.orders()] == [order["order_id"]]
    assert seeded.list(limit=-1)[0].resource.expiry.isoformat() == "2026-09-01"  # nothing moved


def test_renew_skips_what_cannot_be_renewed(run, seeded):
    result = run("renew", "r-manual", "r-ppu", "r-deleted", "--months", "1", "--json")
    order = ok_json(result)
    assert [line["resource_id"] for line in order["lines"]] == ["r-manual"]
    assert "skipped r-ppu: pay-per-use" in result.stderr
    assert "skipped r-deleted: deleted" in result.stderr


def test_renew_with_nothing_renewable_exits_1(run, seeded):
    result = run("renew", "r-ppu", "r-deleted", "--months", "1", "--json")
    assert result.exit_code == 1 and result.stdout == ""
    assert "skipped r-ppu" in result.stderr and "error: nothing to renew" in result.stderr
    assert seeded.orders() == []


def test_renew_a_resource_with_a_pending_order_is_skipped(run, seeded):
    first = place(run, "r-manual")
    result = run("renew", "r-manual", "--months", "1")
    assert result.exit_code == 1
    assert f"skipped r-manual: order {first['order_id']} is pending" in result.stderr


def test_renew_and_pay_with_yes(run, seeded):
    seeded.top_up(1_000_000)
    result = run("renew", "r-manual", "--months", "3", "--align", "1", "--pay", "balance",
                 "--yes", "--json")
    order = ok_json(result)
    assert list(order) == ["order_id", "status", "total_cents", "lines", "payment"]
    assert order["status"] == "paid"
    assert list(order["payment"]) == PAYMENT_FIELDS
    charged = order["payment"]["charged_cents"]
    assert charged == order["total_cents"] and order["payment"]["method"] == "balance"
    assert order["lines"][0]["new_expiry"] == "2027-04-01"
    assert balance(seeded) == 1_000_000 - charged == order["payment"]["balance_after_cents"]
    assert seeded.list(Filters(search="r-manual"))[0].resource.expiry.isoformat() == "2027-04-01"


def test_renew_pay_without_a_terminal_orders_nothing(run, seeded):
    seeded.top_up(1_000_000)
    result = run("renew", "r-manual", "--months", "1", "--pay", "balance", "--json")
    assert result.exit_code == 1 and result.stdout == ""
    assert seeded.orders() == []
    assert "CNY 100.00" in result.stderr and "nothing was ordered" in result.stderr
    assert balance(seeded) == 1_000_000


@pytest.mark.parametrize(("answer", "paid"), [("y\n", True), ("n\n", False), ("", False)])
def test_renew_pay_asks_for_confirmation(run, seeded, monkeypatch, answer, paid):
    monkeypatch.setattr(root, "_interactive", lambda: True)
    seeded.top_up(1_000_000)
    result = run("renew", "r-manual", "r-grace", "--months", "1", "--pay", "balance",
                 "--coupon", "CASH50", "--json", input=answer)
    # 400.00 less the 50.00 coupon, asked before anything is ordered
    assert "Pay CNY 350.00 to renew 2 resources for 1 month by balance?" in result.stderr
    if paid:
        assert ok_json(result)["payment"]["coupon_cents"] == 5_000
        assert [order.status.value for order in seeded.orders()] == ["paid"]
        assert balance(seeded) == 1_000_000 - 35_000
    else:
        assert result.exit_code == 1 and result.stdout == ""
        assert "nothing was ordered" in result.stderr and seeded.orders() == []
        assert balance(seeded) == 1_000_000


def test_renew_with_an_unknown_coupon_places_nothing(run, seeded):
    result = run("renew", "r-manual", "--months", "1", "--pay", "balance", "--coupon", "FREE",
                 "--yes")
    one_line_error(result, 1, "FREE")
    assert seeded.orders() == []


def test_renew_card_and_coupon_need_the_right_method(run, seeded):
    assert run("renew", "r-manual", "--months", "1", "--card", GOOD_CARD).exit_code == 2
    assert run("renew", "r-manual", "--months", "1", "--coupon", "CASH50").exit_code == 2
    assert run("renew", "r-manual", "--months", "1", "--pay", "online", "--yes").exit_code == 2
    assert seeded.orders() == []


def test_renew_pay_refused_keeps_the_order_pending(run, seeded):
    result = run("renew", "r-manual", "--months", "1", "--pay", "balance", "--yes")
    one_line_error(result, 1, "insufficient balance")
    (order,) = seeded.orders()
    assert order.status.value == "pending_payment"
    assert f"renewals pay {order.id}" in result.stderr


def test_renew_pay_online(run, seeded):
    order = ok_json(run("renew", "r-far", "--years", "1", "--pay", "online", "--card",
                        GOOD_CARD, "--yes", "--json"))
    assert order["payment"]["card_last4"] == "1111" and order["payment"]["method"] == "online"
    assert order["status"] == "paid" and balance(seeded) == 0


def test_a_card_number_can_come_from_stdin_instead_of_the_command_line(run, seeded):
    order = ok_json(run("renew", "r-far", "--years", "1", "--pay", "online", "--card", "-",
                        "--yes", "--json", input=GOOD_CARD + "\n"))
    assert order["payment"]["card_last4"] == "1111"
    placed = place(run, "r-manual")
    paid = ok_json(run("pay", placed["order_id"], "--method", "online", "--card", "-", "--json",
                       input="4111-1111-1111-1111\n"))
    assert paid["status"] == "paid" and paid["card_last4"] == "1111"
    one_line_error(run("pay", "ORD-X", "--method", "online", "--card", "-", input=""), 2,
                   "no card number on stdin")


def test_in_a_terminal_the_card_number_is_asked_for_hidden(run, seeded, monkeypatch):
    monkeypatch.setattr(root, "_interactive", lambda: True)
    result = run("renew", "r-far", "--years", "1", "--pay", "online", "--json",
                 input="4111111111111111\ny\n")
    assert ok_json(result)["payment"]["card_last4"] == "1111"
    assert "Card number (hidden):" in result.stderr
    assert "4111111111111111" not in result.stderr + result.stdout


def test_without_a_terminal_online_payment_needs_card_or_stdin(run, seeded):
    result = run("renew", "r-far", "--years", "1", "--pay", "online", "--yes")
    one_line_error(result, 2, "--card - reads it from stdin")
    assert seeded.orders() == []


def test_renew_text_output(run, seeded):
    result = run("renew", "r-manual", "--months", "1")
    assert result.exit_code == 0
    assert result.stdout.startswith("order ORD") and "pending_payment" in result.stdout
    assert "2027-01-16" in result.stdout and "renewals pay" in result.stderr


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
                                             "ssh_client", "action", "resource_ids",
                                             "amount_cents", "result", "detail"]
    assert entries[0]["action"] == "order.place" and entries[0]["resource_ids"] == ["r-manual"]
    assert entries[0]["amount_cents"] == 10_000
    # at: the wall clock; simulated_at: --now, the simulated clock this database runs on
    assert entries[0]["at"] >= before and entries[0]["simulated_at"] == \
        "2026-11-25T16:00:00.000000+00:00"
    # --since reads the wall clock too
    assert ok_json(run("audit", "--since", "2999-01-01", "--json")) == []
    assert len(ok_json(run("audit", "--since", "2026-11-26", "--json"))) == len(entries)


def test_audit_bad_since_and_text(run, seeded):
    one_line_error(run("audit", "--since", "last week"), 2, "last week")
    place(run, "r-manual")
    result = run("audit")
    assert result.stdout.splitlines()[0].split() == [
        "AT", "(UTC+08:00)", "SIMULATED", "OS", "USER", "SSH", "CLIENT", "(ENV)", "ACTION",
        "RESULT", "AMOUNT", "RESOURCES", "DETAIL"]
    assert "order.place" in result.stdout and "2026-11-26 00:00:00" in result.stdout


# import, export, demo --------------------------------------------------------------------------
def test_import_json_then_list(run, tmp_path):
    source = tmp_path / "pools.json"
    source.write_text(json.dumps([
        {"id": "p-1", "name": "pool-one", "kind": "standard", "expiry": "2026-12-01",
         "monthly_price_cents": 1000},
        {"id": "p-2", "name": "pool-two", "kind": "lite", "expiry": "2027-01-01",
         "monthly_price_cents": 2000, "tab": "auto"},
    ]))
    result = run("import", str(source))
    assert result.exit_code == 0 and "imported 2 resources" in result.stderr
    assert [r["id"] for r in ok_json(run("list", "--tab", "auto", "--json"))] == ["p-2"]


def test_import_csv_error_names_line_and_field(run, tmp_path):
    source = tmp_path / "pools.csv"
    source.write_text("id,name,kind,expiry,monthly_price_cents\n"
                      "p-1,pool-one,standard,2026-12-01,1000\n"
                      "p-2,pool-two,standard,2026-13-01,1000\n")
    one_line_error(run("import", str(source)), 1, "line 3", "expiry")
    assert ok_json(run("list", "--json")) == []  # all or nothing


def test_import_wrong_files(run, tmp_path):
    text = tmp_path / "pools.txt"
    text.write_text("hello")
    one_line_error(run("import", str(text)), 1, ".txt")
    assert run("import", str(tmp_path / "missing.json")).exit_code == 2


def test_export_csv_to_stdout(run, seeded):
    result = run("export", "--tab", "manual", "--format", "csv")
    assert result.exit_code == 0
    header, *rows = result.stdout.strip().splitlines()
    assert header.split(",") == list(io.EXPORT_FIELDS)
    assert [row.split(",")[0] for row in rows] == ["r-grace", "r-manual"]


def test_export_to_stdout_never_writes_a_control_character_or_a_formula(run, seeded):
    name = "=HYPERLINK(\"http://evil\")\x1b]0;PWNED\x07"
    seeded.import_resources([make_resource(
        ("r-evil", name, Kind.LITE, "2026-12-20", 1, Billing.SUBSCRIPTION, Tab.MANUAL, "",
         "default"))])
    csv_out = run("export", "--search", "r-evil", "--format", "csv").stdout
    assert "\x1b" not in csv_out and "\x07" not in csv_out
    row = next(csv.DictReader(io_text.StringIO(csv_out)))
    assert row["name"] == "'=HYPERLINK(\"http://evil\")\\x1b]0;PWNED\\x07"
    json_out = run("export", "--search", "r-evil", "--format", "json").stdout
    assert "\x1b" not in json_out and json.loads(json_out)[0]["name"] == name


def test_error_messages_show_control_characters_visibly(run, seeded):
    result = run("preview", "\x1b]0;PWNED\x07", "--months", "1")
    one_line_error(result, 1, "no such resource: \\x1b]0;PWNED\\x07")
    assert "\x1b" not in result.stderr


def test_export_json_to_a_file(run, seeded, tmp_path):
    target = tmp_path / "out.json"
    result = run("export", "--kind", "server", "--format", "json", "--output", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert "exported 2 resources" in result.stderr
    records = json.loads(target.read_text())
    assert [r["id"] for r in records] == ["r-ppu", "r-far"]
    assert list(records[0]) == list(io.EXPORT_FIELDS)


def test_export_needs_a_format_and_a_writable_file(run, seeded, tmp_path):
    assert run("export").exit_code == 2
    assert run("export", "--format", "xml").exit_code == 2
    one_line_error(run("export", "--format", "csv", "--output",
                       str(tmp_path / "no-dir" / "x.csv")), 1, "cannot write")


def test_export_round_trips_through_import(run, seeded, tmp_path, db_path):
    target = tmp_path / "all.csv"
    assert run("export", "--format", "csv", "--output", str(target)).exit_code == 0
    other = CliRunner().invoke(main, ["--db", str(tmp_path / "other.db"), "--now", NOW,
                                      "import", str(target)])
    assert other.exit_code == 0, other.stderr
    assert "imported 6 resources" in other.stderr


def test_demo(run):
    result = run("demo", "--resources", "30", "--seed", "3")
    assert result.exit_code == 0 and "created 30 demo resources" in result.stderr
    assert len(ok_json(run("list", "--json"))) == 30
    one_line_error(run("demo", "--resources", "30"), 1, "already holds")
    assert run("demo", "--resources", "12", "--replace").exit_code == 0
    assert len(ok_json(run("list", "--json"))) == 12
    assert run("demo", "--resources", "-1").exit_code == 2


# the console -----------------------------------------------------------------------------------
@pytest.fixture
def fake_app(monkeypatch):
    """Stand in for tui.app: record how the console would be opened."""
    opened: list[dict] = []

    class RenewalsApp:
        crash = None

        def __init__(self, store: Store, mouse: bool, database: DatabaseInfo) -> None:
            opened.append({"store": store, "mouse": mouse, "resources": store.count(),
                           "renewal_day": store.account().renewal_day, "database": database})

        def run(self) -> None:
            pass

    module = types.ModuleType("tui.app")
    module.RenewalsApp = RenewalsApp
    monkeypatch.setitem(sys.modules, "tui.app", module)
    return opened


def test_no_command_opens_the_console(seeded, fake_app):
    result = CliRunner().invoke(main, ["--db", str(seeded.path), "--now", NOW, "--no-mouse"])
    assert result.exit_code == 0, result.stderr
    (opened,) = fake_app
    assert opened["mouse"] is False and opened["resources"] == 6
    assert opened["store"].path == seeded.path and opened["store"].clock.today().isoformat() == NOW


def test_demo_console_starts_afresh_in_a_private_data_folder(tmp_path, fake_app):
    demo_db = tmp_path / "data" / "renewals" / "demo.db"
    runner = CliRunner(env={"RENEWALS_DB": None, "RENEWALS_NOW": None,
                            "XDG_DATA_HOME": str(tmp_path / "data")})
    for _ in range(2):
        result = runner.invoke(main, ["--demo"])
        assert result.exit_code == 0, result.stderr
        assert str(demo_db) in result.stderr
        with Store(demo_db) as store:
            store.set_renewal_day(15)  # a setting left behind is gone the next time
    assert [o["resources"] for o in fake_app] == [200, 200]
    assert [o["renewal_day"] for o in fake_app] == [None, None]
    assert fake_app[0]["mouse"] is True
    assert stat.S_IMODE(demo_db.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(demo_db.stat().st_mode) == 0o600


def test_demo_console_with_db_seeds_only_an_empty_one(tmp_path, seeded, fake_app):
    fresh = tmp_path / "fresh.db"
    assert CliRunner().invoke(main, ["--db", str(fresh), "--demo"]).exit_code == 0
    assert fake_app[0]["resources"] == 200
    result = CliRunner().invoke(main, ["--db", str(seeded.path), "--demo"])
    one_line_error(result, 1, "already holds")
    assert len(fake_app) == 1 and seeded.count() == 6


def test_demo_flag_takes_no_command(run, seeded):
    result = CliRunner().invoke(main, ["--db", str(seeded.path), "--demo", "list"])
    assert result.exit_code == 2 and "--demo" in result.stderr
