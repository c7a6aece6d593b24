"""The command-line twin: listing, previewing, the root options, and renewing; JSON shapes, exit
codes 0/1/2, and messages on stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from cli_support import (
    ALL_IDS,
    GOOD_CARD,
    ORDER_LINE_FIELDS,
    PAYMENT_FIELDS,
    PREVIEW_LINE_FIELDS,
    balance,
    make_resource,
    ok_json,
    one_line_error,
    place,
)
from click.testing import CliRunner

from store import io
from store.models import Billing, Filters, Kind, Tab
from tui.cli import main, root


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


def every_command(group: click.Group, path: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        yield (*path, name)
        if isinstance(command, click.Group):
            yield from every_command(command, (*path, name))


def test_every_command_s_help_has_an_example():
    missing = [" ".join(path) for path in every_command(main)
               if "Example" not in CliRunner().invoke(main, [*path, "--help"]).stdout]
    assert missing == []


def test_shell_completion_as_the_readme_gives_it():
    renewals = str(Path(sys.executable).with_name("renewals"))  # the venv's, as installed
    result = subprocess.run([renewals], env={**os.environ, "_RENEWALS_COMPLETE": "bash_source"},
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "_renewals_completion" in result.stdout
    words = subprocess.run([renewals], capture_output=True, text=True, check=False, env={
        **os.environ, "_RENEWALS_COMPLETE": "bash_complete", "COMP_WORDS": "renewals d",
        "COMP_CWORD": "1"})
    assert "plain,doctor" in words.stdout.split() and "plain,demo" in words.stdout.split()


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
