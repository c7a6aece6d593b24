"""The renewal flow: the renewal dialog, then the payment modal, then a notification.

`renew_flow` runs inside an async worker (it awaits the dialogs with `push_screen_wait`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from store.batches import BatchRenewal, BatchStopped
from store.models import Charge, Method, Payment
from store.money import format_cents
from store.team.plan_rows import Plan
from tui.dialogs.payment import PaymentDialog
from tui.dialogs.renew import RenewDialog, RenewRequest

if TYPE_CHECKING:
    from textual.app import App

    from store.service import Store

__all__ = ["RenewRequest", "payments_of", "renew_flow", "renewed_message"]


async def renew_flow(app: App, store: Store, ids: list[str], *,
                     to_renewal_date: bool = False) -> Payment | BatchRenewal | None:
    """Ask for a duration, show the preview, take the payment: a Payment, or a BatchRenewal
    when it took several orders (those paid, if a later one failed). None when nothing was
    paid (or the renewal was saved as a plan instead: a toast says so).

    `to_renewal_date` opens the dialog with "Renew to renewal date" already on.
    """
    if not ids:
        app.notify("Nothing to renew: check some rows first", severity="warning")
        return None
    duration = app.config.renewal_duration  # type: ignore[attr-defined]
    request = await app.push_screen_wait(RenewDialog(store, ids, aligned=to_renewal_date,
                                                     duration=duration))
    while isinstance(request, RenewRequest):
        outcome = await app.push_screen_wait(PaymentDialog(store, request))
        if isinstance(outcome, BatchStopped):
            app.notify(str(outcome), title="Renewal stopped", severity="error", timeout=20,
                       markup=False)
            return outcome.done
        if isinstance(outcome, Payment | BatchRenewal):
            app.notify(renewed_message(outcome), title="Renewed", timeout=8)
            return outcome
        if outcome is None:
            return None
        # The resources moved since the preview (someone else renewed one, say): nothing was
        # ordered, and the user sees the fresh preview before anything else happens.
        request = await app.push_screen_wait(RenewDialog(
            store, ids, aligned=request.align is not None, duration=request.duration,
            changed=outcome.changes))
    if isinstance(request, Plan):  # saved from the dialog instead of paid
        app.notify(plan_saved_message(request), title="Plan saved", timeout=20, markup=False)
    return None


def plan_saved_message(plan: Plan) -> str:
    """What to do with a plan saved from the renewal dialog."""
    then = (f"an approver other than {plan.author} approves it (renewals approve {plan.id}), "
            "then " if plan.needs_approval else "")
    renewals = f"{plan.renewable_count:,} renewal{'' if plan.renewable_count == 1 else 's'}"
    return (f"Plan {plan.id}: {renewals} for {plan.duration}, "
            f"{format_cents(plan.total_cents, plan.currency)}. Nothing is paid yet: {then}"
            f"renewals apply {plan.id} places and pays it.")


def payments_of(outcome: Payment | BatchRenewal) -> tuple[Payment, ...]:
    return outcome.payments if isinstance(outcome, BatchRenewal) else (outcome,)


def renewed_message(outcome: Payment | BatchRenewal) -> str:
    """`Renewed 3 resources to 2026-12-26; paid CNY 1,234.00 from balance, ...`; for several
    orders, `Renewed 25,000 resources in 3 orders to ...` and what they cost together."""
    if isinstance(outcome, BatchRenewal) and len(outcome.payments) > 1:
        return batch_message(outcome)
    payment = payments_of(outcome)[0]
    lines = payment.order.lines
    count = len(payment.order.resource_ids)
    noun = "resource" if count == 1 else "resources"
    dates = sorted({line.new_expiry for line in lines})
    when = ("as its order placed in the Billing Center says" if not dates else f"to {dates[0]}"
            if len(dates) == 1 else f"to dates from {dates[0]} to {dates[-1]}")
    refused = payment.order.refused
    not_renewed = (f"; the billing system refused {len(refused):,}: "
                   + "; ".join(f"{r.id} ({r.reason})" for r in refused[:2]) if refused else "")
    return f"Renewed {count:,} {noun} {when}; {paid_phrase(payment)}{not_renewed}"


def batch_message(batch: BatchRenewal) -> str:
    paid = batch.payments
    dates = sorted({line.new_expiry for payment in paid for line in payment.order.lines})
    when = f"to {dates[0]}" if len(dates) == 1 else f"to dates from {dates[0]} to {dates[-1]}"
    together = replace(paid[-1], charge=Charge(batch.charged_cents, 0, 0))
    return (f"Renewed {batch.renewed:,} resources in {len(paid)} orders {when}; "
            f"{paid_phrase(together)}")


def paid_phrase(payment: Payment) -> str:
    """How much was paid and how: `paid CNY 90.00 (CNY 10.00 off) by card ending 1111`."""
    currency = payment.order.currency
    charge = payment.charge
    saved = charge.discount_cents + charge.coupon_cents
    text = f"paid {format_cents(charge.due_cents, currency)}"
    if saved:
        text += f" ({format_cents(saved, currency)} off)"
    if payment.method is Method.BALANCE:
        return f"{text} from balance, {format_cents(payment.balance_after_cents, currency)} left"
    if payment.method is Method.ONLINE:
        return f"{text} by card ending {payment.card_last4}"
    return f"{text} on monthly settlement"
