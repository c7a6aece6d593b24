"""Plans: `renewals plan ID... --months N` saves a renewal as a plan, `plans` and `plan show`
read them, `approve PLAN` (an approver, not its author) and `apply PLAN` (places and pays
exactly the plan). The rules are in store.team.plans."""

from __future__ import annotations

from typing import Any

import click

from store.batches import BatchStopped
from store.errors import PaymentFailed
from store.models import Method, Preview
from store.money import format_cents
from store.team.plan_rows import Plan, when
from tui.cli import output as out
from tui.cli.common import (
    CARD_HELP,
    Failed,
    Session,
    choices,
    duration_options,
    emit,
    ids_argument,
    json_option,
    note,
    pass_session,
    plural,
    read_align,
    read_card,
    read_duration,
    say,
)
from tui.cli.orders import confirm_payment, orders_progress, pending_hint, print_batch


def plan_json(plan: Plan, lines: Preview | None = None) -> dict[str, Any]:
    """A plan as `plans` lists it; with its lines, as `plan` and `plan show` print it."""
    shown: dict[str, Any] = {
        "id": plan.id, "status": plan.status, "author": plan.author,
        "total_cents": plan.total_cents, "currency": plan.currency,
        "created_at": plan.created_at, "duration": str(plan.duration),
        "align": plan.align, "resources": plan.line_count, "renewals": plan.renewable_count,
        "needs_approval": plan.needs_approval, "approved_by": plan.approved_by,
        "approved_at": plan.approved_at, "applied_by": plan.applied_by,
        "applied_at": plan.applied_at, "order_ids": list(plan.order_ids)}
    if lines is not None:
        shown = {"plan_id": plan.id, **shown,
                 "lines": [out.preview_line_json(line) for line in lines.lines]}
    return shown


def plan_text(plan: Plan) -> str:
    state = {"awaiting_approval": "above the renewer's limit: awaiting an approver's approval",
             "approved": f"approved by {plan.approved_by} at {when(plan.approved_at)}",
             "ready": "ready to apply (no approval needed)",
             "applied": f"applied by {plan.applied_by} at {when(plan.applied_at)} (orders "
                        f"{', '.join(plan.order_ids) or 'none'})",
             "expired": "expired: older than the config's plan_max_age_hours"}[plan.status]
    return (f"plan {plan.id} by {plan.author} at {when(plan.created_at)}: "
            f"{plural(plan.renewable_count, 'renewal')} for {plan.duration}, total "
            f"{format_cents(plan.total_cents, plan.currency)}; {state}")


def show_plan(session: Session, plan: Plan, as_json: bool) -> None:
    lines = session.store.plans.saved_preview(plan)
    if as_json:
        emit(plan_json(plan, lines))
        return
    say(out.preview_text(lines))
    say(plan_text(plan))


class PlanGroup(click.Group):
    """`plan ID...` makes a plan, `plan show ID` reads one: a word that is no subcommand is
    the first ID of `plan make`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["make", *args]
        return super().parse_args(ctx, args)


@click.group(cls=PlanGroup)
def plan() -> None:
    """Save a renewal as a plan for a second person to approve, or show one.

    \b
    renewals plan ID... (--months N | --years N) [--align D] [--ids-from F] [--json]
    renewals plan show PLAN [--json]

    A plan keeps the exact lines and total previewed now. One above the renewer's limit
    (renewer_limit in the config) applies only after an approver who did not make it runs
    `renewals approve PLAN`; `renewals apply PLAN` places and pays it.

    Example: renewals plan --tab manual --expiring 30 --months 1
    """


@plan.command(name="make")
@ids_argument
@duration_options
@json_option
@pass_session
def make(session: Session, ids: list[str], months: int | None, years: int | None,
         align: str | None, as_json: bool) -> None:
    """Save the renewal of IDs as previewed now as a plan (the same as `renewals plan ID...`).

    Example: renewals plan pool-id-1 pool-id-2 --months 3
    """
    made = session.store.plans.make(ids, read_duration(months, years), read_align(align))
    show_plan(session, made, as_json)


@plan.command(name="show")
@click.argument("plan_id", metavar="PLAN")
@json_option
@pass_session
def show(session: Session, plan_id: str, as_json: bool) -> None:
    """Show a plan: its lines as saved, its total, author, time and status.

    Example: renewals plan show PLAN20261204-3F9A0C
    """
    show_plan(session, session.store.plans.get(plan_id), as_json)


@click.command()
@json_option
@pass_session
def plans(session: Session, as_json: bool) -> None:
    """List the plans, newest first, with their status: awaiting_approval, approved, ready,
    applied or expired.

    Example: renewals plans --json
    """
    found = session.store.plans.list()
    if as_json:
        emit([plan_json(one) for one in found])
        return
    if not found:
        note("no plans (renewals plan ID... --months N makes one)")
        return
    headers = ("PLAN", "STATUS", "AUTHOR", "TOTAL", "RENEWALS", "MADE")
    say(out.table(headers, [(p.id, p.status, p.author, format_cents(p.total_cents, p.currency),
                             p.renewable_count, out.local_time(p.created_at)) for p in found],
                    right=(3, 4)))


@click.command()
@click.argument("plan_id", metavar="PLAN")
@json_option
@pass_session
def approve(session: Session, plan_id: str, as_json: bool) -> None:
    """Approve a plan: an approver who did not make it.

    Example: renewals approve PLAN20261204-3F9A0C
    """
    approved = session.store.plans.approve(plan_id)
    if as_json:
        emit(plan_json(approved))
    else:
        say(plan_text(approved))


@click.command()
@click.argument("plan_id", metavar="PLAN")
@click.option("--pay", "method", type=choices(Method), default=Method.BALANCE.value,
              show_default=True, help="How to pay the plan's orders.")
@click.option("--card", metavar="NUMBER|-", help=CARD_HELP)
@click.option("--yes", is_flag=True, help="Pay without asking.")
@json_option
@pass_session
def apply(session: Session, plan_id: str, method: str, card: str | None, yes: bool,
          as_json: bool) -> None:
    """Place and pay exactly a plan, in as many orders as it takes.

    Refused as a whole, ordering nothing, if any of its resources changed since it was made
    (expiry, price, tab, pending order), if it needs an approval it has not had, or if it is
    older than the config's plan_max_age_hours.

    Example: renewals apply PLAN20261204-3F9A0C --yes
    """
    paying = Method(method)
    card = read_card(session, paying, card)
    plans_here = session.store.plans
    chosen = plans_here.get(plan_id)
    if not yes:
        confirm_payment(session, chosen.total_cents, f"apply plan {chosen.id} "
                        f"({plural(chosen.renewable_count, 'renewal')})", chosen.currency, paying)
    try:
        batch = plans_here.apply(chosen.id, paying, card, progress=several_orders_progress)
    except PaymentFailed as exc:
        raise Failed(str(exc), pending_hint(exc.order_id, paying)) from None
    except BatchStopped as exc:
        cause = exc.cause
        hint = pending_hint(cause.order_id, paying) if isinstance(cause, PaymentFailed) else None
        raise Failed(str(exc), hint) from None
    print_batch(batch, as_json)


def several_orders_progress(paid: int, of: int) -> None:
    if of > 1:
        orders_progress(paid, of)


COMMANDS = (plan, plans, approve, apply)
