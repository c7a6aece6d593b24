"""`renewals cloud sync` end to end: the real SDK client against the fake BSS and ModelArts on
127.0.0.1, driven through the command line exactly as a user runs it."""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing

import pytest

from store.service import Store

from .fake_cloud import FakeCloud
from .helpers import TODAY, ok_json, one_line


def add_pools(fake: FakeCloud, count: int, **fields) -> None:
    for number in range(count):
        fake.add_resource(f"res-{number:05d}", f"pool-{number:05d}",
                          TODAY + dt.timedelta(days=number % 400), 10_000 + number, 100_000,
                          **fields)


# binding and counts -----------------------------------------------------------------------------
def test_a_new_database_is_bound_by_its_first_sync(cli, fake_cloud, tmp_path):
    fake_cloud.set_balance(123_456_78)
    report = ok_json(cli("cloud", "sync", "--json"))
    assert report == {"resources": 0, "added": 0, "updated": 0, "gone": 0, "pools": 0,
                      "pending_orders": 0, "balance_cents": 123_456_78, "currency": "USD",
                      "coupons": 0}
    status = ok_json(cli("cloud", "status", "--json"))
    assert status["site"] == "intl" and status["synced_at"]
    assert status["credentials"] == "the environment (HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK)"
    assert status["bss_endpoint"] == status["modelarts_endpoint"] == fake_cloud.url
    assert b"SK-TEST" not in (tmp_path / "cloud.db").read_bytes()


def test_one_pool_is_mapped_field_by_field(cli, fake_cloud, tmp_path):
    fake_cloud.add_resource("res-1", "llm-train", dt.datetime(2026, 12, 15, 15, 59, 59,
                                                               tzinfo=dt.UTC),
                            10_000, 100_000, region="cn-north-4", project_id="proj-bj4",
                            expire_policy=3, enterprise_project=("ep-1", "llm-research"))
    made = fake_cloud.add_pool("proj-bj4", "llm-train", "res-1", flavor="modelarts.vm.gpu.8a100",
                               nodes=4, region="cn-north-4", azs=("cn-north-4a", "cn-north-4b"))
    fake_cloud.add_resource("res-2", "an-ecs", TODAY + dt.timedelta(days=3), 500, 5_000,
                            service_type_code="hws.service.type.ec2", expire_policy=5)
    ok_json(cli("cloud", "sync", "--json"))
    with Store(tmp_path / "cloud.db") as store:
        details = store.pool_details("res-1")
        assert store.pool_details("res-2") is None  # no pool: an ECS
    assert (details.pool_type, details.job_scope, details.azs, details.available_nodes,
            details.total_nodes) == ("Dedicate", "Train, Infer, Notebook",
                                     "cn-north-4a, cn-north-4b", 4, 4)
    assert details.created_at[:19] == made.created.astimezone(dt.UTC).isoformat()[:19]
    listed = {r["id"]: r for r in ok_json(cli("--now", "2026-11-26", "list", "--json"))}
    pool = listed["res-1"]
    assert (pool["name"], pool["kind"], pool["region"], pool["enterprise_project"],
            pool["expiry"], pool["tab"], pool["flavor"], pool["node_count"],
            pool["service_type"]) == ("llm-train", "standard", "cn-north-4", "llm-research",
                                      "2026-12-15", "auto", "modelarts.vm.gpu.8a100", 4,
                                      "hws.service.type.ma")
    assert pool["monthly_price_cents"] is None  # not quoted yet: the list has no prices
    other = listed["res-2"]
    assert (other["kind"], other["service_type"], other["tab"]) == (
        "other", "hws.service.type.ec2", "canceled")


def test_2500_resources_come_page_by_page_and_list_matches_the_account(cli, fake_cloud):
    add_pools(fake_cloud, 2_500)
    result = cli("cloud", "sync", "--json")
    assert ok_json(result)["resources"] == 2_500
    assert fake_cloud.count("list_pay_per_use_customer_resources") == 5  # 500 a page
    listed = {r["id"]: r for r in ok_json(cli("list", "--json"))}
    assert listed.keys() == fake_cloud.resources.keys()
    for rid, record in fake_cloud.resources.items():
        mirrored = listed[rid]
        assert mirrored["name"] == record.name and mirrored["region"] == record.region
        assert mirrored["expiry"] == (dt.datetime.fromisoformat(
            fake_cloud.expiry_text(rid).replace("Z", "+00:00")) + dt.timedelta(hours=8)
        ).date().isoformat()


def test_a_resource_gone_from_the_account_is_kept_as_gone(cli, fake_cloud):
    add_pools(fake_cloud, 3)
    ok_json(cli("cloud", "sync", "--json"))
    fake_cloud.remove_resource("res-00001")
    assert ok_json(cli("cloud", "sync", "--json"))["gone"] == 1
    listed = {r["id"]: r for r in ok_json(cli("list", "--json"))}
    assert listed["res-00001"]["status"] == "gone" and len(listed) == 3
    assert "res-00001" not in {r["id"] for r in ok_json(cli("list", "--tab", "manual",
                                                             "--json"))}
    again = ok_json(cli("cloud", "sync", "--json"))
    assert (again["gone"], again["updated"]) == (0, 2)


# limits and faults ------------------------------------------------------------------------------
def test_a_429_storm_is_waited_out(cli, fake_cloud):
    add_pools(fake_cloud, 3)
    fake_cloud.fail("list_pay_per_use_customer_resources", "429", times=3)
    assert ok_json(cli("cloud", "sync", "--json"))["resources"] == 3
    assert fake_cloud.count("list_pay_per_use_customer_resources") == 4


def test_the_client_stays_under_ten_requests_a_second(cli, fake_cloud):
    add_pools(fake_cloud, 5_500)  # 11 pages, a tight loop without pacing
    ok_json(cli("cloud", "sync", "--json"))
    times = sorted(r.time for r in fake_cloud.requests)
    assert all(b - a > 0.09 for a, b in zip(times, times[1:], strict=False)), times
    assert all(r.status != 429 for r in fake_cloud.requests)


def test_a_timeout_is_one_line_and_changes_nothing(cli, fake_cloud, tmp_path):
    add_pools(fake_cloud, 3)
    ok_json(cli("cloud", "sync", "--json"))
    fake_cloud.add_resource("res-new", "later", TODAY, 1, 10)
    fake_cloud.fail("list_pay_per_use_customer_resources", "slow", times=20, seconds=2)
    one_line(cli("cloud", "sync", env={"RENEWALS_CLOUD_TIMEOUT": "0.5"}), 1,
             "list resources: no answer within 0.5 s")
    with closing(sqlite3.connect(tmp_path / "cloud.db")) as conn:
        assert conn.execute("SELECT COUNT(*) FROM resources").fetchone()[0] == 3


def test_bad_credentials_are_one_line(cli, fake_cloud):
    one_line(cli("cloud", "sync", env={"HUAWEICLOUD_SDK_SK": "wrong"}), 1, "HTTP 401",
             "APIGW.0301")
    one_line(cli("cloud", "sync", env={"HUAWEICLOUD_SDK_AK": None, "HUAWEICLOUD_SDK_SK": None}),
             1, "no access key: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK")


@pytest.mark.parametrize("kind", ["not_json", "empty_json"])
def test_a_body_the_sdk_cannot_read_is_refused(cli, fake_cloud, kind):
    fake_cloud.fail("list_pay_per_use_customer_resources", kind, times=1)
    one_line(cli("cloud", "sync"), 1, "list resources: the billing system's answer has no")


def test_plain_http_only_to_a_loopback_host(cli):
    one_line(cli("cloud", "sync", env={"RENEWALS_BSS_ENDPOINT": "http://bss.example.com"}), 2,
             "plain http only to a loopback host")


# local and bound refuse each other's verbs --------------------------------------------------------
def test_a_local_ledger_refuses_cloud_sync_and_a_bound_one_refuses_local_verbs(cli, tmp_path):
    local = tmp_path / "local.db"
    assert cli("demo", "--resources", "5", db=local).exit_code == 0
    one_line(cli("cloud", "sync", db=local), 1, "is a local ledger")
    ok_json(cli("cloud", "sync", "--json"))
    source = tmp_path / "one.json"
    source.write_text('[{"id": "x", "name": "x", "kind": "lite", "expiry": "2027-01-01", '
                      '"monthly_price_cents": 1}]')
    for args in (["demo", "--resources", "5"], ["import", str(source)], ["tick"]):
        result = cli(*args)
        assert result.exit_code == 1 and "Traceback" not in result.stderr, result.stderr
    one_line(cli("tick"), 1, "the billing system runs its own due events")
    one_line(cli("cloud", "sync", "--site", "cn"), 1, "mirrors the intl site")


def test_the_offline_console_never_loads_the_sdk(tmp_path):
    import subprocess
    import sys

    db = tmp_path / "demo.db"
    subprocess.run([sys.executable, "-m", "tui", "--db", str(db), "demo", "--resources", "5"],
                   check=True, capture_output=True)
    code = ("import sys; from tui.cli import main; main(['--db', sys.argv[1], 'list'], "
            "standalone_mode=False); print([m for m in sys.modules if 'huaweicloud' in m])")
    done = subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True, text=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


# what a review found -----------------------------------------------------------------------------
def test_another_accounts_credentials_never_overwrite_the_mirror(cli, fake_cloud, cloud_env,
                                                                 tmp_path):
    add_pools(fake_cloud, 3)
    ok_json(cli("cloud", "sync", "--json"))
    with FakeCloud(domain_id="domain-someone-else") as other:
        other.add_resource("theirs", "their-pool", TODAY, 1, 10)
        moved = {"RENEWALS_BSS_ENDPOINT": other.url, "RENEWALS_MODELARTS_ENDPOINT": other.url}
        one_line(cli("cloud", "sync", env=moved), 1, "belong to another account",
                 "nothing was changed")
    listed = {r["id"] for r in ok_json(cli("list", "--json"))}
    assert listed == {"res-00000", "res-00001", "res-00002"}


def test_a_credentials_file_it_cannot_read_never_shows_its_lines(cli, tmp_path):
    broken = tmp_path / "credentials"
    broken.write_text("[global]\nak = AK-TEST\nsk SUPERSECRET\n")
    result = cli("cloud", "sync", env={"HUAWEICLOUD_SDK_AK": None, "HUAWEICLOUD_SDK_SK": None,
                                       "HUAWEICLOUD_SDK_CREDENTIALS_FILE": str(broken)})
    one_line(result, 1, "is not a credentials file the SDK can read (ParsingError, line 3)")
    assert "SUPERSECRET" not in result.stderr


def test_the_overview_of_a_fresh_mirror_counts_unquoted_resources_as_nothing(cli, fake_cloud):
    add_pools(fake_cloud, 3)
    ok_json(cli("cloud", "sync", "--json"))
    weeks = ok_json(cli("--now", TODAY.isoformat(), "overview", "--json"))
    assert sum(week["count"] for week in weeks) == 3
    assert all(week["monthly_cents"] == 0 for week in weeks)
    assert cli("--now", TODAY.isoformat(), "overview").exit_code == 0


def test_a_listing_that_stops_short_or_moves_is_refused_not_half_used():
    from store.cloud.client import every_page
    from store.cloud.throttle import CloudError

    pages = {0: (["a", "b"], 4), 2: ([], 4)}
    with pytest.raises(CloudError, match="listed 2 of 4 items, then nothing new"):
        every_page("list resources", pages.__getitem__, str)
    moving = {0: (["a", "b"], 4), 2: (["c"], 5)}
    with pytest.raises(CloudError, match="the listing changed while it was read"):
        every_page("list resources", moving.__getitem__, str)
    repeated = {0: (["a", "b"], 3), 2: (["b", "c"], 3)}
    assert every_page("list resources", repeated.__getitem__, str) == ["a", "b", "c"]


def test_doctor_shows_a_bound_database_s_endpoints_and_where_its_credentials_come_from(
        cli, fake_cloud, tmp_path):
    ok_json(cli("cloud", "sync", "--json"))
    findings = {f["topic"]: f for f in ok_json(cli("doctor", "--json"))}
    assert findings["binding"]["value"] == "the mirror of a Huawei Cloud account (intl site)"
    assert findings["billing endpoint"]["value"] == fake_cloud.url
    assert findings["ModelArts endpoint"]["value"] == fake_cloud.url
    assert findings["credentials"]["value"].startswith("the environment")
    assert "SK-TEST" not in cli("doctor").stdout
    unset = {"HUAWEICLOUD_SDK_AK": None, "HUAWEICLOUD_SDK_SK": None}
    missing = {f["topic"]: f for f in ok_json(cli("doctor", "--json", env=unset))}
    assert missing["credentials"]["value"] == "none found" and missing["credentials"]["hint"]
