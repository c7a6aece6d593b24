"""Plans (store.team.plans): saved with their exact lines, approved by a second person, applied
exactly as saved or not at all; every step audited."""

from __future__ import annotations

import datetime as dt

import pytest
from builders import TODAY

from store.audit import Identity
from store.clock import Clock
from store.errors import Refused
from store.models import Duration, Method
from store.service import Store

LIMIT = 100  # CNY 1.00: every demo renewal is above it


def person(path, name: str, role: str | None, now: str = TODAY, limit: int | None = LIMIT,
           max_age: dt.timedelta = dt.timedelta(hours=24)) -> Store:
    who = Identity("renewals", None, name, f"SHA256:{name}", role, limit)
    return Store(path, Clock.from_text(now), identity=who, plan_max_age=max_age)


@pytest.fixture
def path(tmp_path):
    made = Store(tmp_path / "plans.db", Clock.from_text(TODAY))
    made.seed_demo(30)
    made.close()
    return tmp_path / "plans.db"


def renewable(store: Store, count: int = 2) -> list[str]:
    preview = store.preview(store.matching_ids(), Duration(1))
    return [line.id for line in preview.renewable][:count]


def expiries(store: Store, ids: list[str]) -> list[dt.date]:
    return [row.resource.expiry for row in store.rows(ids)]


def test_a_plan_keeps_its_exact_lines_total_author_and_time(path):
    ann = person(path, "ann", "renewer")
    ids = renewable(ann, 3)
    shown = ann.preview(ids, Duration(3), 1)
    plan = ann.plans.make(ids, Duration(3), 1)
    assert (plan.author, plan.total_cents, plan.duration, plan.align) == (
        "ann", shown.total_cents, Duration(3), 1)
    assert plan.created_at == ann.clock.stamp() and plan.line_count == 3
    assert ann.plans.lines(plan.id) == shown.lines
    assert plan.needs_approval and plan.status == "awaiting_approval"
    assert [p.id for p in ann.plans.list()] == [plan.id]
    made = ann.audit()[0]
    assert (made.action, made.operator, made.amount_cents) == ("plan.make", "ann",
                                                                shown.total_cents)
    assert plan.id in made.detail and made.resource_ids == tuple(ids)


def test_above_the_limit_a_plan_needs_another_approver_then_the_renewer_applies_it(path):
    ann, bea = person(path, "ann", "renewer"), person(path, "bea", "approver")
    ids = renewable(ann)
    plan = ann.plans.make(ids, Duration(1))
    with pytest.raises(Refused, match="needs an approver's approval first"):
        ann.plans.apply(plan.id)
    with pytest.raises(Refused, match="ann is a renewer: approving a plan needs an approver"):
        ann.plans.approve(plan.id)
    own = bea.plans.make(ids, Duration(1))
    with pytest.raises(Refused, match="was made by bea: another person approves it"):
        bea.plans.approve(own.id)
    refused = [(e.operator, e.result.split(":")[0]) for e in bea.audit()
               if e.action == "plan.approve"]
    assert refused == [("bea", "refused"), ("ann", "refused")]
    approved = bea.plans.approve(plan.id)
    assert (approved.status, approved.approved_by) == ("approved", "bea")
    with pytest.raises(Refused, match="above the renewer's limit"):  # not outside the plan
        ann.checkout(ids, Duration(1), None, Method.BALANCE, "direct")
    before = expiries(ann, ids)
    batch = ann.plans.apply(plan.id)
    assert batch.renewed == 2 and batch.payments[0].order.total_cents == plan.total_cents
    assert expiries(ann, ids) != before
    applied = ann.plans.get(plan.id)
    assert applied.status == "applied" and applied.applied_by == "ann"
    assert applied.order_ids == (batch.payments[0].order.id,)
    steps = [(e.action, e.operator) for e in ann.audit() if e.action.startswith("plan.")]
    assert steps[:2] == [("plan.apply", "ann"), ("plan.approve", "bea")]
    with pytest.raises(Refused, match="was applied by ann"):
        ann.plans.apply(plan.id)


def test_a_plan_that_moved_is_refused_whole_and_the_refusal_audited(path):
    ann, bea = person(path, "ann", "renewer"), person(path, "bea", "approver")
    ids = renewable(ann, 3)
    plan = ann.plans.make(ids, Duration(1))
    bea.plans.approve(plan.id)
    bea.checkout(ids[1:2], Duration(1), None, Method.BALANCE, "someone-else")
    before, orders = expiries(ann, ids), len(ann.orders())
    with pytest.raises(Refused, match=r"no longer holds: 1 of its resources changed .*expiry"):
        ann.plans.apply(plan.id)
    assert expiries(ann, ids) == before and len(ann.orders()) == orders
    refused = ann.audit()[0]
    assert (refused.action, refused.operator) == ("plan.apply", "ann")
    assert refused.result.startswith("refused: ") and refused.detail == plan.id
    assert ann.plans.get(plan.id).status == "approved"


def test_a_plan_older_than_the_age_limit_neither_approves_nor_applies(path):
    ann = person(path, "ann", "renewer")
    plan = ann.plans.make(renewable(ann), Duration(1))
    late = (dt.datetime.fromisoformat(plan.created_at) + dt.timedelta(hours=13)).isoformat()
    bea = person(path, "bea", "approver", now=late, max_age=dt.timedelta(hours=12))
    assert bea.plans.get(plan.id).status == "expired"
    with pytest.raises(Refused, match="more than 12 h ago"):
        bea.plans.approve(plan.id)
    with pytest.raises(Refused, match="plan_max_age_hours"):
        person(path, "ann", "renewer", now=late, max_age=dt.timedelta(hours=12)).plans.apply(
            plan.id)
    assert person(path, "bea", "approver", now=late).plans.get(plan.id).status == \
        "awaiting_approval"  # within a longer limit


def test_within_the_limit_a_plan_applies_without_approval(path):
    ann = person(path, "ann", "renewer", limit=10**12)
    plan = ann.plans.make(renewable(ann), Duration(1))
    assert plan.status == "ready" and not plan.needs_approval
    assert ann.plans.apply(plan.id).renewed == 2


def test_outside_team_mode_plans_work_and_need_no_role(path):
    me = Store(path, Clock.from_text(TODAY))
    plan = me.plans.make(renewable(me), Duration(1))
    assert plan.status == "ready" and plan.author == me.identity.os_user
    with pytest.raises(Refused, match="another person approves it"):
        me.plans.approve(plan.id)
    assert me.plans.apply(plan.id, Method.BALANCE).renewed == 2


def test_a_viewer_makes_no_plan_and_nothing_unrenewable_becomes_one(path):
    with pytest.raises(Refused, match="cy is a viewer: reads only; to make a plan"):
        person(path, "cy", "viewer").plans.make(renewable(person(path, "x", None)),
                                                Duration(1))
    ann = person(path, "ann", "renewer")
    gone = [line.id for line in ann.preview(ann.matching_ids(), Duration(1)).lines
            if not line.renewable][:1]
    assert gone
    with pytest.raises(Refused, match="no plan made: nothing to renew"):
        ann.plans.make(gone, Duration(1))
    assert ann.plans.list() == []


def test_an_approved_plan_order_left_pending_is_the_renewer_s_to_pay(path):
    ann, bea = person(path, "ann", "renewer"), person(path, "bea", "approver")
    ids = renewable(ann)
    plan = ann.plans.make(ids, Duration(1))
    bea.plans.approve(plan.id)
    with pytest.raises(Refused, match="declined"):
        ann.plans.apply(plan.id, Method.ONLINE, card="4111111111110002")
    pending = ann.plans.get(plan.id).order_ids
    assert ann.plans.get(plan.id).status == "applied" and len(pending) == 1
    assert ann.pay(pending[0], Method.BALANCE).order.status.value == "paid"


def test_an_apply_interrupted_after_paying_is_recorded_and_never_paid_twice(path):
    ann = person(path, "ann", "renewer", limit=10**12)
    ids = renewable(ann)
    plan = ann.plans.make(ids, Duration(1))
    paid = ann.checkout(ids, Duration(1), None, Method.BALANCE, f"plan.{plan.id}")  # then killed
    balance = ann.account().balance_cents
    with pytest.raises(Refused, match="already paid by an earlier apply that was interrupted"):
        ann.plans.apply(plan.id)
    assert ann.account().balance_cents == balance
    assert ann.plans.get(plan.id).order_ids == (paid.order.id,)
    assert ann.plans.get(plan.id).status == "applied"
