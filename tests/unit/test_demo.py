"""Deterministic demo data and seeding a database with it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from builders import TODAY

from store import demo, rules
from store.errors import Refused
from store.models import Billing, Duration, Kind, Phase, Tab

DAY = dt.date.fromisoformat(TODAY)
NAMES = {
    Kind.STANDARD: re.compile(r"pool-[a-z-]+-[0-9a-f]{4}"),
    Kind.LITE: re.compile(r"lite-[a-z]+-(bj4|sh3|gz1|hk1)-[0-9]{2}"),
    Kind.SERVER: re.compile(r"ecs-(gpu|npu)-[a-z]+-[0-9]{2}"),
}


@pytest.fixture(scope="module")
def pools():
    return demo.generate(200, 7, DAY)


def test_the_same_seed_gives_the_same_resources(pools):
    assert demo.generate(200, 7, DAY) == pools
    assert demo.generate(200, 8, DAY) != pools


def test_dates_follow_today():
    later = demo.generate(50, 7, DAY + dt.timedelta(days=10))
    earlier = demo.generate(50, 7, DAY)
    assert [r.expiry - e.expiry for r, e in zip(later, earlier, strict=True)] == (
        [dt.timedelta(days=10)] * 50)


def test_ids_are_unique():
    resources = demo.generate(20_000, 1, DAY)
    assert len({r.id for r in resources}) == 20_000


@pytest.mark.parametrize("count", [0, 1, 5, 13, 14])
def test_count_is_honoured(count):
    assert len(demo.generate(count, 7, DAY)) == count


def test_every_tab_phase_and_pay_per_use_is_present(pools):
    assert {r.tab for r in pools} == {*Tab, None}
    assert {rules.phase(r.expiry, DAY) for r in pools} == set(Phase)
    assert any(r.billing is Billing.PAY_PER_USE for r in pools)
    manual = sum(r.tab is Tab.MANUAL for r in pools)
    assert manual > len(pools) / 2


@pytest.mark.parametrize(("first", "last"), [(0, 7), (8, 15), (16, 30)])
def test_some_expire_within_7_15_30_days(pools, first, last):
    assert any(first <= (r.expiry - DAY).days <= last for r in pools)


def test_prices_are_unit_price_times_nodes_and_a_year_is_10_to_10_5_months(pools):
    for r in pools:
        assert r.monthly_price_cents == demo.FLAVOR_PRICES[r.flavor] * r.node_count
        assert 20 * r.monthly_price_cents <= 2 * r.yearly_price_cents
        assert 2 * r.yearly_price_cents <= 21 * r.monthly_price_cents
        assert isinstance(r.yearly_price_cents, int)


def test_pools_look_real(pools):
    for r in pools:
        assert NAMES[r.kind].fullmatch(r.name), r.name
        assert r.flavor in demo.FLAVORS_BY_KIND[r.kind]
        assert r.region in demo.REGIONS and r.enterprise_project in demo.PROJECTS
        assert 1 <= r.node_count <= 16 and (r.kind is not Kind.SERVER or r.node_count == 1)


def test_policy_fields_fit_the_tab(pools):
    for r in pools:
        if r.billing is Billing.PAY_PER_USE:
            assert r.tab is None and rules.phase(r.expiry, DAY) is Phase.IN_USE
        if r.tab is Tab.AUTO:
            assert r.auto_period_months in (1, 3, 12)
            assert r.auto_times is None or 1 <= r.auto_times <= 99
        else:
            assert r.auto_period_months is None and r.auto_times is None


# seeding ---------------------------------------------------------------------------------------
def test_seed_writes_resources_balance_and_coupons(store):
    assert store.seed_demo() == 200
    assert store.count() == 200
    account = store.account()
    assert account.balance_cents == demo.DEMO_BALANCE_CENTS
    coupons = {c.id: c for c in account.coupons}
    cash = sorted(c.amount_cents for c in coupons.values() if c.kind == "cash")
    assert cash == [30_000, 50_000, 200_000]
    assert [c.percent_off for c in coupons.values() if c.kind == "discount"] == [10]
    assert [c.id for c in coupons.values() if c.expires < DAY] == ["CASH300-EXPIRED"]
    actions = [row[0] for row in store.db().execute("SELECT action FROM audit")]
    assert actions == ["demo.seed"]


def test_seed_matches_generate(store):
    store.seed_demo(40, seed=3)
    stored = sorted((row.resource for row in store.list(limit=100)), key=lambda r: r.id)
    assert stored == sorted(demo.generate(40, 3, DAY), key=lambda r: r.id)


def test_seed_refuses_a_database_that_holds_resources(store):
    store.seed_demo(20)
    with pytest.raises(Refused, match="already holds 20 resources"):
        store.seed_demo(30)
    assert store.count() == 20


def resource_indexes(store) -> list[str]:
    return [row[0] for row in store.db().execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'resources'"
        " ORDER BY name")]


def test_replace_starts_over(store):
    store.seed_demo(20)
    indexes = resource_indexes(store)
    renewable = [row.resource.id for row in store.list(limit=100)
                 if row.phase is Phase.IN_USE and row.resource.tab is not None]
    store.place_order(renewable[:2], Duration(1))
    assert store.seed_demo(50, seed=8, replace=True) == 50
    assert store.count() == 50
    assert store.orders() == []
    assert len(store.account().coupons) == len(demo.COUPONS)
    actions = [row[0] for row in store.db().execute("SELECT action FROM audit ORDER BY id")]
    assert actions == ["demo.seed", "order.place", "demo.reset", "demo.seed"]
    assert resource_indexes(store) == indexes  # dropped for the bulk load, then rebuilt


def test_a_negative_count_is_refused(store):
    with pytest.raises(Refused):
        store.seed_demo(-1)
