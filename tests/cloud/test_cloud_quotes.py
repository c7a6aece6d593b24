"""Previews on a bound database are priced by the billing system's own quotes, ten resources a
call, and kept; its refusals show with their code; renewal to a renewal date is refused."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import Result
from huaweicloudsdkbssintl.v2 import BssintlClient, RenewalResourcesReq, RenewalResourcesRequest
from huaweicloudsdkcore.auth.credentials import GlobalCredentials
from huaweicloudsdkcore.http.http_config import HttpConfig

from .fake_cloud import FakeCloud
from .helpers import TODAY, ok_json, one_line


def place_renewal_on_the_account(fake: FakeCloud, rid: str) -> None:
    """Someone renews `rid` in the Billing Center and leaves the order unpaid."""
    config = HttpConfig.get_default_config()
    client = (BssintlClient.new_builder().with_http_config(config)
              .with_credentials(GlobalCredentials("AK-TEST", "SK-TEST"))
              .with_endpoints([fake.url]).build())
    body = RenewalResourcesReq(resource_ids=[rid], period_type=2, period_num=1, is_auto_pay=0)
    client.renewal_resources(RenewalResourcesRequest(body=body))


@pytest.fixture
def bound(cli, fake_cloud):
    for number in range(25):
        fake_cloud.add_resource(f"res-{number:02d}", f"pool-{number:02d}",
                                TODAY + dt.timedelta(days=5 + number), 10_000 + number,
                                100_000 + number)
    ok_json(cli("cloud", "sync", "--json"))
    return cli


def preview(cli, *args: str) -> Result:
    return cli("--now", TODAY.isoformat(), "preview", *args)


def test_a_preview_is_the_billing_systems_quote_ten_at_a_time(bound, fake_cloud):
    ids = [f"res-{number:02d}" for number in range(25)]
    before = fake_cloud.count("list_renew_rate_on_period")
    shown = ok_json(preview(bound, *ids, "--months", "3", "--json"))
    assert fake_cloud.count("list_renew_rate_on_period") - before == 3  # 10 + 10 + 5
    assert shown["quoted_at"] and all(line["quoted"] for line in shown["lines"])
    fees = {line["id"]: line["fee_cents"] for line in shown["lines"]}
    assert fees == {f"res-{n:02d}": 3 * (10_000 + n) for n in range(25)}
    assert shown["total_cents"] == sum(fees.values())
    first = shown["lines"][0]
    assert (first["current_expiry"], first["new_expiry"]) == ("2026-12-01", "2027-03-01")


def test_a_one_month_quote_becomes_the_listed_price_unless_the_clock_is_simulated(bound):
    ok_json(preview(bound, "res-03", "--months", "1", "--json"))  # read only under --now
    listed = {r["id"]: r for r in ok_json(bound("list", "--json"))}
    assert listed["res-03"]["monthly_price_cents"] is None
    ok_json(bound("preview", "res-03", "--months", "1", "--json"))
    listed = {r["id"]: r for r in ok_json(bound("list", "--json"))}
    assert listed["res-03"]["monthly_price_cents"] == 10_003
    assert listed["res-04"]["monthly_price_cents"] is None


def test_a_refusal_by_the_billing_system_shows_its_code(bound, fake_cloud):
    place_renewal_on_the_account(fake_cloud, "res-07")  # after the sync: the mirror is unaware
    shown = ok_json(preview(bound, "res-06", "res-07", "--months", "1", "--json"))
    refused = {line["id"]: line for line in shown["lines"]}["res-07"]
    assert not refused["renewable"] and refused["reason"].startswith("CBC.30050010: ")
    assert shown["total_cents"] == 10_006


def test_a_pending_order_from_the_sync_is_refused_without_asking(bound, fake_cloud):
    place_renewal_on_the_account(fake_cloud, "res-08")
    report = ok_json(bound("cloud", "sync", "--json"))
    assert report["pending_orders"] == 1
    before = fake_cloud.count("list_renew_rate_on_period")
    shown = ok_json(preview(bound, "res-08", "--months", "1", "--json"))
    assert fake_cloud.count("list_renew_rate_on_period") == before
    assert "is pending payment" in shown["lines"][0]["reason"]
    assert "(pending order)" in bound("list", "--search", "res-08").stdout or \
        json.loads(bound("list", "--search", "res-08", "--json").stdout)[0]["pending_order"]


def test_renewal_to_a_renewal_date_is_refused_with_the_reason(bound):
    one_line(preview(bound, "res-01", "--months", "1", "--align", "15"), 1,
             "the renewal API renews whole periods only")


def test_local_verbs_that_move_money_say_why_they_are_not_done_here(bound):
    one_line(bound("account", "--top-up", "10"), 1, "the billing API has no top-up")
