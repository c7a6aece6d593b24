"""`renewals policy`, `tick` and `overview`: JSON shapes, exit codes 0/1/2, text output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from builders import TODAY, insert, resource
from click.testing import CliRunner, Result

from store.clock import Clock
from store.models import Billing, Tab, TickReport
from store.service import Store
from tui.cli import main
from tui.cli.output_policy import tick_text

BALANCE = 1_000_000
# With 7 deduction days, "auto" (expiring 2026-12-10) is charged from 2026-12-03 03:00 UTC+08:00.
DEDUCTION_MOMENT = "2026-12-03T03:00:00"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """One resource per situation, at 2026-11-26 with CNY 10,000.00 on the balance."""
    path = tmp_path / "policy.db"
    store = Store(path, Clock.from_text(TODAY))
    insert(store,
           resource("m1", "2026-12-20", tab=Tab.MANUAL),
           resource("m2", "2027-01-20", tab=Tab.MANUAL),
           resource("auto", "2026-12-10", tab=Tab.AUTO, auto_period_months=1),
           resource("pricey", "2026-12-08", 5_000_000, tab=Tab.AUTO, auto_period_months=1),
           resource("ppu-tab", "2026-12-05", tab=Tab.PPU),
           resource("payg", "2026-12-15", billing=Billing.PAY_PER_USE, tab=None),
           resource("old", "2026-01-01", tab=Tab.MANUAL),
           balance_cents=BALANCE)
    store.close()
    return path


@pytest.fixture
def run(db_path: Path):
    def invoke(*args: str, now: str = TODAY) -> Result:
        runner = CliRunner(env={"RENEWALS_DB": None, "RENEWALS_NOW": None})
        return runner.invoke(main, ["--db", str(db_path), "--now", now, *args])

    return invoke


def ok_json(result: Result):
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)


def records(run) -> dict[str, dict]:
    return {record["id"]: record for record in ok_json(run("list", "--json"))}


def balance(run, now: str = TODAY) -> int:
    return ok_json(run("account", "--json", now=now))["balance_cents"]


def usage_error(result: Result, *words: str) -> None:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and result.stdout == ""
    for word in words:
        assert word in result.stderr


# policy ----------------------------------------------------------------------------------------
def test_policy_moves_and_reports_json(run):
    result = ok_json(run("policy", "m1", "--to", "auto", "--period-months", "3", "--times", "5",
                         "--json"))
    assert result == {"results": [{"id": "m1", "ok": True, "reason": None}],
                      "moved": 1, "refused": 0}
    m1 = records(run)["m1"]
    assert (m1["tab"], m1["auto_period_months"], m1["auto_times"]) == ("auto", 3, 5)


def test_policy_refused_rows_exit_1_and_the_allowed_ones_still_move(run):
    result = run("policy", "m1", "payg", "old", "nope", "--to", "canceled", "--json")
    assert result.exit_code == 1
    shown = json.loads(result.stdout)
    assert [(r["id"], r["ok"]) for r in shown["results"]] == [
        ("m1", True), ("payg", False), ("old", False), ("nope", False)]
    assert all(list(r) == ["id", "ok", "reason"] for r in shown["results"])
    assert (shown["moved"], shown["refused"]) == (1, 3)
    reasons = {r["id"]: r["reason"] for r in shown["results"]}
    assert "pay-per-use" in reasons["payg"] and "deleted" in reasons["old"]
    assert reasons["nope"] == "no such resource"
    assert result.stderr.startswith("error: 3 of 4 refused; the other 1 moved to canceled")
    assert records(run)["m1"]["tab"] == "canceled"


def test_policy_text_is_one_line_per_row(run):
    result = run("policy", "m1,payg", "--to", "ppu")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "m1: moved to ppu", "payg: refused: pay-per-use: it has no renewal policy"]
    moved = run("policy", "m2", "--to", "canceled")
    assert moved.exit_code == 0 and moved.stdout == "m2: moved to canceled\n"
    assert "moved 1 resource to canceled" in moved.stderr


def test_policy_refuses_a_resource_with_a_pending_order(run):
    assert run("renew", "m2", "--months", "1").exit_code == 0
    result = run("policy", "m2", "--to", "auto", "--json")
    assert result.exit_code == 1
    assert "pending payment" in json.loads(result.stdout)["results"][0]["reason"]


def test_enabling_auto_renew_defaults_to_unlimited_times(run):
    ok_json(run("policy", "m1", "--to", "auto", "--json"))
    ok_json(run("policy", "m2", "--to", "auto", "--period-months", "12", "--times", "unlimited",
                "--json"))
    shown = records(run)
    assert (shown["m1"]["auto_period_months"], shown["m1"]["auto_times"]) == (1, None)
    assert (shown["m2"]["auto_period_months"], shown["m2"]["auto_times"]) == (12, None)


def test_modify_auto_renew_keeps_it_on_auto(run):
    ok_json(run("policy", "auto", "--to", "auto", "--period-months", "6", "--times", "2",
                "--json"))
    shown = records(run)["auto"]
    assert (shown["tab"], shown["auto_period_months"], shown["auto_times"]) == ("auto", 6, 2)


@pytest.mark.parametrize(("args", "words"), [
    (["--to", "auto", "--times", "0"], ["error: ", "1–99"]),
    (["--to", "auto", "--times", "100"], ["error: ", "1–99"]),
    (["--to", "auto", "--period-months", "13"], ["error: ", "13 months"]),
    (["--to", "auto", "--period-months", "0"], ["error: "]),
    (["--to", "auto", "--times", "lots"], ["lots", "unlimited"]),
    (["--to", "manual", "--times", "3"], ["--to auto"]),
    (["--to", "canceled", "--period-months", "3"], ["--to auto"]),
    (["--to", "ppu", "--times", "unlimited"], ["--to auto"]),
    (["--to", "sideways"], ["sideways"]),
    (["--period-months", "3"], ["--to"]),
])
def test_policy_bad_terms_are_usage_errors_and_move_nothing(run, args, words):
    usage_error(run("policy", "m1", *args, "--json"), *words)
    assert records(run)["m1"]["tab"] == "manual"


def test_policy_needs_ids(run):
    usage_error(run("policy", "--to", "auto"), "IDS")


# tick ------------------------------------------------------------------------------------------
TICK_KEYS = ["expired_orders", "auto_renewed", "auto_failed", "to_pay_per_use", "deleted"]
NOTHING = {key: [] for key in TICK_KEYS}


def test_tick_on_the_deduction_day_charges_auto_renew_once(run):
    before = balance(run)
    first = ok_json(run("tick", "--json", now=DEDUCTION_MOMENT))
    assert list(first) == TICK_KEYS
    [renewed] = first["auto_renewed"]
    assert list(renewed) == ["id", "order_id"] and renewed["id"] == "auto"
    assert [(f["id"], list(f)) for f in first["auto_failed"]] == [("pricey", ["id", "reason"])]
    assert "balance" in first["auto_failed"][0]["reason"]
    assert first["deleted"] == ["old"] and first["to_pay_per_use"] == []
    after = balance(run, DEDUCTION_MOMENT)
    assert before - after == 10_000
    order = ok_json(run("orders", "--json", now=DEDUCTION_MOMENT))[0]
    assert (order["id"], order["status"], order["method"]) == (
        renewed["order_id"], "paid", "balance")
    assert records(run)["auto"]["expiry"] == "2027-01-10"

    assert ok_json(run("tick", "--json", now=DEDUCTION_MOMENT)) == NOTHING
    assert balance(run, DEDUCTION_MOMENT) == after
    again = run("tick", now="2026-12-03T09:00:00")
    assert again.exit_code == 0 and again.stdout == "nothing due\n"


def test_tick_before_03_00_charges_nothing(run):
    shown = ok_json(run("tick", "--json", now="2026-12-03T02:59:59"))
    assert shown["auto_renewed"] == [] and balance(run) == BALANCE


def test_a_failed_auto_renew_is_retried_daily_and_is_not_an_error(run):
    ok_json(run("tick", "--json", now=DEDUCTION_MOMENT))
    retried = run("tick", now="2026-12-04T03:00:00")
    assert retried.exit_code == 0
    assert "auto-renew failed: 1 (retried daily until expiry)" in retried.stdout
    assert "pricey" in retried.stdout
    assert "1 auto-renewal failed" in retried.stderr


def test_tick_converts_the_pay_per_use_tab_after_expiry(run):
    assert ok_json(run("tick", "--json", now="2026-12-05T12:00:00"))["to_pay_per_use"] == []
    shown = ok_json(run("tick", "--json", now="2026-12-06"))
    assert shown["to_pay_per_use"] == ["ppu-tab"]
    record = records(run)["ppu-tab"]
    assert (record["billing"], record["tab"]) == ("pay-per-use", None)


def test_tick_expires_an_order_unpaid_for_7_days(run):
    order_id = ok_json(run("renew", "m2", "--months", "1", "--json"))["order_id"]
    assert ok_json(run("tick", "--json", now="2026-12-02T23:59:59"))["expired_orders"] == []
    assert ok_json(run("tick", "--json", now="2026-12-03"))["expired_orders"] == [order_id]
    [order] = ok_json(run("orders", "--json"))
    assert (order["id"], order["status"]) == (order_id, "expired")
    ok_json(run("policy", "m2", "--to", "auto", "--json"))    # no longer pending


def test_tick_text_summarises_each_kind(run):
    run("renew", "m2", "--months", "1")
    result = run("tick", now=DEDUCTION_MOMENT)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("expired unpaid orders: 1 (")
    assert lines[1] == "auto-renewed: 1, charged CNY 100.00 from the balance (auto)"
    assert lines[2] == "auto-renew failed: 1 (retried daily until expiry)"
    assert lines[3].startswith("  pricey: insufficient balance")
    assert lines[4] == "deleted after retention: 1 (old)"


def test_tick_text_shortens_long_lists():
    report = TickReport(auto_failed=tuple((f"r{i}", "insufficient balance") for i in range(12)),
                        deleted=tuple(f"d{i}" for i in range(7)))
    lines = tick_text(report, 0, "CNY").splitlines()
    assert lines[0] == "auto-renew failed: 12 (retried daily until expiry)"
    assert lines[1:11] == [f"  r{i}: insufficient balance" for i in range(10)]
    assert lines[11] == "  +2 more (--json lists every one)"
    assert lines[12] == "deleted after retention: 7 (d0, d1, d2, d3, d4 +2 more)"


# overview --------------------------------------------------------------------------------------
def test_overview_json_is_twelve_weeks_from_today(run):
    weeks = ok_json(run("overview", "--json"))
    assert len(weeks) == 12
    assert all(list(week) == ["week_start", "count", "monthly_cents"] for week in weeks)
    assert [w["week_start"] for w in weeks[:3]] == ["2026-11-26", "2026-12-03", "2026-12-10"]
    # pricey + ppu-tab in week 1, auto in week 2, m1 in week 3, m2 in week 7; payg and old never
    assert [w["count"] for w in weeks] == [0, 2, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0]
    assert weeks[1]["monthly_cents"] == 5_010_000 and weeks[2]["monthly_cents"] == 10_000
    assert len(ok_json(run("overview", "--weeks", "3", "--json"))) == 3


def test_overview_text_draws_ascii_bars_scaled_to_the_widest(run):
    result = run("overview", "--weeks", "4")
    assert result.exit_code == 0
    assert result.stdout.isascii()
    header, *lines = result.stdout.splitlines()
    assert header.split() == ["WEEK", "OF", "EXPIRING", "MONTHLY"]
    assert len(lines) == 4
    bars = [line.count("#") for line in lines]
    assert bars == [0, 40, 20, 20]
    assert lines[1].startswith("2026-12-03") and "CNY 50,100.00" in lines[1]
    assert lines[0].split() == ["2026-11-26", "0", "CNY", "0.00"]
    assert "4 resources expire in the next 4 weeks" in result.stderr


@pytest.mark.parametrize("weeks", ["0", "-1", "many"])
def test_overview_weeks_must_be_positive(run, weeks):
    usage_error(run("overview", "--weeks", weeks))


def test_help_lists_the_new_commands():
    result = CliRunner().invoke(main, ["--help"])
    for line in ("policy    Move IDs to the manual, auto, ppu or canceled tab.",
                 "tick      Process due events up to --now (idempotent).",
                 "overview  Resources and money expiring per week, as a bar chart."):
        assert line in result.stdout
