"""Moving resources between the four Renewals tabs (RULES.md §7): allowed and refused."""

from __future__ import annotations

import pytest
from builders import insert, resource

from store.models import AutoRenew, Billing, Duration, Filters, RowResult, Tab
from store.rules import RuleError

TABS = list(Tab)


def tab_of(store, rid):
    return store.list(Filters(search=rid))[0].resource.tab


@pytest.mark.parametrize("start", TABS)
@pytest.mark.parametrize("to", TABS)
def test_every_transition_between_tabs(store, start, to):
    insert(store, resource("r", "2026-12-20", tab=start))
    [result] = store.set_policy(["r"], to)
    if start is to and to is not Tab.AUTO:
        assert result == RowResult("r", False, f"already on {to.value}")
        return
    assert result.ok, result.reason
    assert tab_of(store, "r") is to


def test_enabling_auto_renew_sets_period_and_times(store):
    insert(store, resource("r", "2026-12-20"))
    store.set_policy(["r"], Tab.AUTO, AutoRenew(period_months=3, times=5))
    found = store.list(Filters(search="r"))[0].resource
    assert (found.tab, found.auto_period_months, found.auto_times) == (Tab.AUTO, 3, 5)


def test_modifying_auto_renew_keeps_it_on_auto(store):
    insert(store, resource("r", "2026-12-20", tab=Tab.AUTO, auto_period_months=1))
    [result] = store.set_policy(["r"], Tab.AUTO, AutoRenew(period_months=12, times=None))
    found = store.list(Filters(search="r"))[0].resource
    assert result.ok and (found.auto_period_months, found.auto_times) == (12, None)


def test_leaving_auto_clears_its_terms(store):
    insert(store, resource("r", "2026-12-20", tab=Tab.AUTO, auto_period_months=3, auto_times=2))
    store.set_policy(["r"], Tab.MANUAL)
    found = store.list(Filters(search="r"))[0].resource
    assert (found.auto_period_months, found.auto_times) == (None, None)


@pytest.mark.parametrize("terms", [AutoRenew(0), AutoRenew(13), AutoRenew(1, 0),
                                   AutoRenew(1, 100)])
def test_auto_renew_terms_are_checked(store, terms):
    insert(store, resource("r", "2026-12-20"))
    with pytest.raises(RuleError):
        store.set_policy(["r"], Tab.AUTO, terms)
    assert tab_of(store, "r") is Tab.MANUAL


def test_refusals_name_their_reason_and_the_rest_still_move(store):
    insert(store, resource("ok", "2026-12-20"), resource("pending", "2026-12-20"),
           resource("ppu", "2026-12-20", billing=Billing.PAY_PER_USE, tab=None),
           resource("gone", "2026-10-01"))
    order = store.place_order(["pending"], Duration(1))
    results = {r.id: r for r in store.set_policy(["ok", "pending", "ppu", "gone", "nope"],
                                                 Tab.CANCELED)}
    assert results["ok"].ok
    assert order.id in results["pending"].reason
    assert "pay-per-use" in results["ppu"].reason
    assert "deleted" in results["gone"].reason
    assert results["nope"].reason == "no such resource"
    assert tab_of(store, "ok") is Tab.CANCELED and tab_of(store, "pending") is Tab.MANUAL


def test_a_batch_is_one_audited_transaction(store):
    insert(store, *[resource(f"r{i}", "2026-12-20") for i in range(3)])
    store.set_policy(["r0", "r1", "r2"], Tab.PPU)
    entry = store.audit()[0]
    assert (entry.action, entry.resource_ids) == ("policy.ppu", ("r0", "r1", "r2"))


def test_auto_renew_without_new_terms_keeps_the_current_ones(store):
    insert(store, resource("on", "2026-12-20", tab=Tab.AUTO, auto_period_months=3, auto_times=4),
           resource("off", "2026-12-20"))
    store.set_policy(["on", "off"], Tab.AUTO)
    terms = {rid: (r.auto_period_months, r.auto_times) for rid in ("on", "off")
             for r in [store.list(Filters(search=rid))[0].resource]}
    assert terms == {"on": (3, 4), "off": (1, None)}
