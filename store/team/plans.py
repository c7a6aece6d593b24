"""Plans: a renewal worked out now and saved with its exact lines, total, author and time, to
be approved by a second person and applied later exactly as saved (`renewals plan`, `approve`,
`apply`; "save as plan" in the renewal dialog).

A plan needs approval when its total is above the renewer's limit (the config's
`renewer_limit`), whoever made it; an approver who is not its author gives it. Applying asks
for the same renewal again and refuses the whole plan, ordering nothing, if any line moved
since it was saved (expiry, price, tab, pending order: the stale-preview check), if it needs
approval and has none, or if it is older than the config's `plan_max_age_hours`. An approved
plan's orders are the renewer's to place and pay even above their limit (`store.team.gate`).
Every step is audited, refusals of an apply too.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING

from store import audit
from store.batches import (
    BatchRenewal,
    BatchStopped,
    OrderProgress,
    order_previews,
    renew_in_orders,
)
from store.clock import utc_stamp
from store.errors import PaymentFailed, Refused, StoreError
from store.ledger.orders import order_refusal
from store.models import Duration, Method, Preview, PreviewLine, RenewalDay
from store.money import format_cents
from store.preview import changes_since
from store.team import plan_rows
from store.team.plan_rows import Plan, when

if TYPE_CHECKING:
    from store.service import Store

PLAN_MAX_AGE = dt.timedelta(hours=24)


class Plans:
    """The plans of a Store's database, acted on as its identity (`store.plans`)."""

    def __init__(self, store: Store, max_age: dt.timedelta = PLAN_MAX_AGE) -> None:
        self._store, self.max_age = store, max_age

    @property
    def _me(self) -> str:
        who = self._store.identity
        return who.operator or who.os_user

    def _expired_before(self) -> str:
        return utc_stamp(self._store.clock.now().datetime - self.max_age)

    # reads -----------------------------------------------------------------------------------
    def list(self) -> list[Plan]:
        """Every plan, newest first."""
        return plan_rows.load_all(self._store.db(), self._expired_before())

    def get(self, plan_id: str) -> Plan:
        return plan_rows.load(self._store.db(), plan_id, self._expired_before())

    def lines(self, plan_id: str) -> tuple[PreviewLine, ...]:
        return plan_rows.lines(self._store.db(), plan_id)

    def saved_preview(self, plan: Plan) -> Preview:
        """The preview the plan was made from, line for line, its prices as they were."""
        return plan_rows.saved_preview(self._store.db(), plan)

    # writes ----------------------------------------------------------------------------------
    def make(self, ids: Sequence[str], length: Duration, align: RenewalDay | None = None,
             seen: Preview | None = None) -> Plan:
        """Save the renewal of `ids` as previewed now (or as `seen`, the whole preview a
        screen showed) as a plan; refused when nothing of it could be one order."""
        self._not_a_viewer("make a plan")
        preview = seen if seen is not None else self._store.preview(ids, length, align)
        refusal = next(filter(None, map(order_refusal, order_previews(preview))),
                       None) if preview.renewable else order_refusal(preview)
        if refusal is not None:
            raise Refused(f"no plan made: {refusal}")
        limit = self._store.identity.order_limit_cents
        needs_approval = limit is not None and preview.total_cents > limit
        today, now = self._store.today_now()
        for _attempt in range(5):  # a plan id drawn twice in one day: draw again
            plan_id = plan_rows.new_plan_id(today)
            try:
                with self._store.writing() as db:
                    plan_rows.insert(db, plan_id, preview, self._me, now, needs_approval)
                    audit.record(db, "plan.make", resource_ids=[ln.id for ln in preview.lines],
                                 amount_cents=preview.total_cents, detail=self._made(
                                     plan_id, preview, needs_approval))
                return self.get(plan_id)
            except sqlite3.IntegrityError:
                continue
        raise Refused("no plan made: could not draw an unused plan id")

    @staticmethod
    def _made(plan_id: str, preview: Preview, needs_approval: bool) -> str:
        return (f"{plan_id}: {len(preview.renewable):,} renewals for {preview.duration}"
                + ("; needs an approver" if needs_approval else ""))

    def approve(self, plan_id: str) -> Plan:
        """Approve as this identity: an approver (in team mode), never the plan's author; a
        refusal is audited too (a viewer's cannot be: a viewer writes nothing)."""
        try:
            return self._approve(plan_id)
        except Refused as exc:
            if self._store.identity.role != "viewer":
                self._refused("plan.approve", plan_id, exc)
            raise

    def _approve(self, plan_id: str) -> Plan:
        who = self._store.identity
        if who.role not in (None, "approver"):
            raise Refused(f"{who.operator} is a {who.role}: approving a plan needs an approver")
        with self._store.writing() as db:  # read under the lock: two approvers, one wins
            plan = plan_rows.load(db, plan_id, self._expired_before())
            self._still_open(plan)
            if plan.author == self._me:
                raise Refused(f"{plan.id} was made by {plan.author}: another person approves it")
            if plan.approved_by is not None:
                raise Refused(f"{plan.id} was already approved by {plan.approved_by}")
            plan_rows.approve(db, plan.id, self._me, self._store.clock.stamp())
            audit.record(db, "plan.approve", amount_cents=plan.total_cents,
                         detail=f"{plan.id}, made by {plan.author}")
        return self.get(plan.id)

    def apply(self, plan_id: str, method: Method = Method.BALANCE, card: str | None = None,
              progress: OrderProgress | None = None) -> BatchRenewal:
        """Place and pay exactly the plan, in as many orders as it takes; refused whole (and
        the refusal audited) if it cannot be applied as saved."""
        self._not_a_viewer("apply a plan")
        plan = self.get(plan_id)
        self._record_interrupted_apply(plan)
        try:
            fresh = self._still_as_saved(plan)
            billing = self._store.billing(approved=fresh if plan.approved_by else None)
            batch = renew_in_orders(self._store, fresh, method, self._key(plan), card,
                                    progress=progress, billing=billing)
        except PaymentFailed as exc:
            self._applied(plan, [exc.order_id], f"order {exc.order_id} placed, not paid: {exc}")
            raise
        except BatchStopped as exc:
            placed = [p.order.id for p in exc.done.payments]
            if isinstance(exc.cause, PaymentFailed):
                placed.append(exc.cause.order_id)
            self._applied(plan, placed, f"stopped: {exc}")
            raise
        except StoreError as exc:  # nothing was ordered
            self._refused("plan.apply", plan.id, exc)
            raise
        self._applied(plan, [p.order.id for p in batch.payments],
                      f"{batch.renewed:,} renewed, charged "
                      f"{format_cents(batch.charged_cents, plan.currency)}")
        return batch

    # the rules -------------------------------------------------------------------------------
    @staticmethod
    def _key(plan: Plan) -> str:
        """The payments' idempotency key: a plan is paid once, however often it is applied."""
        return f"plan.{plan.id}"

    def _record_interrupted_apply(self, plan: Plan) -> None:
        """An apply that paid but stopped before it said so (the process was killed): record
        what it paid, and pay nothing again."""
        if plan.applied_at is not None:
            return
        paid = plan_rows.paid_under(self._store.db(), self._key(plan))
        if paid:
            self._applied(plan, paid, "recorded from the payments of an interrupted apply")
            raise Refused(f"{plan.id} was already paid by an earlier apply that was "
                          f"interrupted (orders {', '.join(paid)}); nothing was paid again")

    def _not_a_viewer(self, verb: str) -> None:
        who = self._store.identity
        if who.role == "viewer":
            raise Refused(f"{who.operator} is a viewer: reads only; to {verb}, ask a renewer "
                          "or an approver")

    def _still_open(self, plan: Plan) -> None:
        if plan.applied_at is not None:
            raise Refused(f"{plan.id} was applied by {plan.applied_by} at {when(plan.applied_at)} "
                          f"(orders {', '.join(plan.order_ids) or 'none'})")
        if plan.expired:
            hours = int(self.max_age.total_seconds() // 3600)
            raise Refused(f"{plan.id} was made at {when(plan.created_at)}, more than {hours} h ago "
                          "(the config's plan_max_age_hours): make a new plan")

    def _still_as_saved(self, plan: Plan) -> Preview:
        """The renewal as it would be ordered now, if it is the plan's line for line."""
        self._still_open(plan)
        if plan.needs_approval and plan.approved_by is None:
            raise Refused(f"{plan.id} is above the renewer's limit and needs an approver's "
                          f"approval first (renewals approve {plan.id})")
        saved = self.saved_preview(plan)
        fresh = self._store.preview([ln.id for ln in saved.lines], plan.duration, plan.align)
        changed = changes_since(saved, fresh)
        if fresh.currency != saved.currency:
            changed.append(f"the currency is now {fresh.currency}, not {saved.currency}")
        if changed:
            shown = "; ".join(changed[:3]) + (f"; and {len(changed) - 3:,} more"
                                              if len(changed) > 3 else "")
            raise Refused(f"{plan.id} no longer holds: {len(changed):,} of its resources "
                          f"changed since it was made ({shown}); nothing was ordered: make a "
                          "new plan")
        return fresh

    def _refused(self, action: str, plan_id: str, why: StoreError) -> None:
        with self._store.writing() as db:
            audit.record(db, action, f"refused: {why}", detail=plan_id)

    def _applied(self, plan: Plan, order_ids: Sequence[str], detail: str) -> None:
        with self._store.writing() as db:
            plan_rows.applied(db, plan.id, self._me, self._store.clock.stamp(), order_ids)
            audit.record(db, "plan.apply", resource_ids=(), amount_cents=plan.total_cents,
                         detail=f"{plan.id}: {detail}")
