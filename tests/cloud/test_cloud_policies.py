"""Policies, settings and taking a renewal back on a bound database: each move is the billing
API's own call (checked on the fake's resources), a move the API has no call for is refused
with the reason, and the settings the API cannot read back are kept as last set from here."""

from __future__ import annotations

import datetime as dt

import pytest

from .helpers import ok_json, one_line

TODAY = dt.date.today()
MONTH, YEAR = 2, 1


@pytest.fixture
def bound(cli, fake_cloud):
    fake_cloud.set_balance(10_000_000)
    for number in range(4):
        fake_cloud.add_resource(f"res-{number}", f"pool-{number}",
                                TODAY + dt.timedelta(days=20), 10_000, 100_000)
    ok_json(cli("cloud", "sync", "--json"))
    return cli


def policy(cli, *args: str):
    return cli("policy", *args, "--json")


def tabs(cli) -> dict[str, str]:
    return {row["id"]: row["tab"] for row in ok_json(cli("list", "--json"))}


def test_auto_renew_is_set_on_the_account_with_its_terms(bound, fake_cloud):
    shown = ok_json(policy(bound, "res-0", "res-1", "--to", "auto", "--period-months", "12",
                           "--times", "3"))
    assert shown["moved"] == 2
    for rid in ("res-0", "res-1"):
        resource = fake_cloud.state.resources[rid]
        assert (resource.expire_policy, resource.auto_renew_times,
                resource.auto_renew_period_type) == (3, 3, "YEAR")
    assert tabs(bound)["res-0"] == "auto"
    ok_json(policy(bound, "res-0", "--to", "auto", "--times", "unlimited"))
    assert fake_cloud.state.resources["res-0"].auto_renew_times == 0  # 0: unlimited, to the API
    assert fake_cloud.count("auto_renewal_resources") == 3


def test_a_period_the_api_cannot_auto_renew_by_is_refused_before_any_call(bound, fake_cloud):
    result = policy(bound, "res-0", "--to", "auto", "--period-months", "3")
    one_line(result, 2, "one month or one year")
    assert fake_cloud.count("auto_renewal_resources") == 0


def test_back_to_manual_and_to_pay_per_use_use_their_own_calls(bound, fake_cloud):
    ok_json(policy(bound, "res-0", "--to", "auto"))
    ok_json(policy(bound, "res-0", "res-1", "--to", "ppu"))
    assert fake_cloud.count("cancel_auto_renewal_resources") == 1  # res-0 leaves auto first
    assert fake_cloud.count("update_period_to_on_demand") == 1     # both in one call
    assert [fake_cloud.state.resources[r].expire_policy for r in ("res-0", "res-1")] == [1, 1]
    ok_json(policy(bound, "res-0", "--to", "manual"))
    assert fake_cloud.state.resources["res-0"].expire_policy == 0
    assert tabs(bound) == {"res-0": "manual", "res-1": "ppu", "res-2": "manual",
                           "res-3": "manual"}
    actions = [row["action"] for row in ok_json(bound("audit", "--json"))]
    assert actions.count("cloud.to_on_demand") == 2 and "cloud.cancel_auto_renew" in actions


def test_moves_the_api_has_no_call_for_are_refused_with_the_reason(bound, fake_cloud):
    result = policy(bound, "res-0", "--to", "canceled")
    one_line(result, 1, "no call that cancels a renewal")
    fake_cloud.state.resources["res-2"].expire_policy = 2  # cancelled in the Billing Center
    ok_json(bound("cloud", "sync", "--json"))
    shown = policy(bound, "res-2", "--to", "manual")
    assert shown.exit_code == 1
    assert "no call that restores" in ok_json_any(shown)["results"][0]["reason"]
    assert fake_cloud.state.resources["res-2"].expire_policy == 2
    assert tabs(bound)["res-2"] == "canceled"


def ok_json_any(result):
    import json

    return json.loads(result.stdout)


def test_a_resource_the_system_refuses_is_reported_the_rest_moves(bound, fake_cloud):
    fake_cloud.state.resources["res-1"].status = 3  # closed on the account since the sync
    result = policy(bound, "res-0", "res-1", "--to", "auto")
    shown = ok_json_any(result)
    assert result.exit_code == 1
    assert [r["ok"] for r in shown["results"]] == [True, False]
    assert "CBC.99003012" in shown["results"][1]["reason"]
    assert fake_cloud.state.resources["res-0"].expire_policy == 3


def test_settings_are_set_on_the_account_and_kept_as_last_set_here(bound, fake_cloud):
    before = bound("settings")
    assert "never set from this console" in before.stdout
    ok_json(bound("settings", "--renewal-day", "last", "--deduction-days", "5", "--json"))
    assert fake_cloud.renew_config == {"EXPIRE_DATE": "-1", "DEDUCTION_DATE": "5"}
    after = bound("settings")
    assert "renewal day: last (as last set from this console" in after.stdout
    assert "deduction days: 5 (as last set from this console" in after.stdout
    shown = ok_json(bound("settings", "--json"))
    assert shown["deduction_days"] == 5 and shown["deduction_days_set_at"]


@pytest.mark.parametrize("args, words", [
    (("--deduction-days", "1"), ("2–7 only",)),
    (("--deduction-days", "0"), ("2–7 only",)),
    (("--renewal-day", "none"), ("cannot unset the renewal day",)),
])
def test_settings_the_api_cannot_take_are_refused(bound, fake_cloud, args, words):
    one_line(bound("settings", *args), 1, *words)
    assert fake_cloud.count("set_resources_renew_config") == 0


def test_unrenew_takes_back_the_renewed_period_and_refunds(bound, fake_cloud):
    before = fake_cloud.expiry_text("res-0")
    ok_json(bound("renew", "res-0", "--months", "1", "--pay", "balance", "--yes", "--json"))
    assert fake_cloud.expiry_text("res-0") != before
    result = bound("unrenew", "res-0", "res-1", "--yes", "--json")
    shown = ok_json(result)
    assert [r["ok"] for r in shown["results"]] == [True, False]
    assert "CBC.99003151" in shown["results"][1]["reason"]
    assert len(shown["order_ids"]) == 1
    assert fake_cloud.expiry_text("res-0") == before
    assert fake_cloud.balance_cents == 10_000_000
    listed = {row["id"]: row for row in ok_json(bound("list", "--json"))}
    assert listed["res-0"]["expiry"] == (TODAY + dt.timedelta(days=20)).isoformat()
    assert fake_cloud.count("cancel_resources_subscription") == 1


def test_unrenew_asks_first_and_is_refused_on_a_local_ledger(bound, cli, tmp_path):
    one_line(bound("unrenew", "res-0"), 1, "without a confirmation")
    local = tmp_path / "local.db"
    ok_json(cli("demo", "--resources", "3", "--json", db=local)) if False else None
    cli("demo", "--resources", "3", db=local)
    one_line(cli("unrenew", "x", "--yes", db=local), 1, "no refund rule")


def test_orders_of_the_account_are_listed_paid_and_cancelled_by_their_ids(bound, fake_cloud):
    from .test_cloud_quotes import place_renewal_on_the_account

    place_renewal_on_the_account(fake_cloud, "res-2")
    place_renewal_on_the_account(fake_cloud, "res-3")
    ok_json(bound("cloud", "sync", "--json"))
    listed = ok_json(bound("orders", "--json"))
    assert [o["source"] for o in listed] == ["account", "account"]
    first, second = sorted(listed, key=lambda o: o["resources"])
    assert first["resources"] == ["res-2"] and first["total_cents"] == 10_000
    paid = ok_json(bound("pay", first["id"], "--method", "balance", "--json"))
    assert paid["status"] == "paid" and fake_cloud.orders[first["id"]].status == 5
    assert fake_cloud.balance_cents == 10_000_000 - 10_000
    again = bound("pay", first["id"], "--method", "balance")
    one_line(again, 1, "already paid")
    cancelled = ok_json(bound("cancel", second["id"], "--json"))
    assert cancelled["status"] == "cancelled" and fake_cloud.orders[second["id"]].status == 4
    assert ok_json(bound("orders", "--status", "pending_payment", "--json")) == []
    one_line(bound("pay", second["id"], "--method", "online"), 1, "not offered")
