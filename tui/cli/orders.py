"""Renewing and paying: preview, renew, orders, cancel, pay and the account balance."""

from __future__ import annotations

from collections.abc import Sequence

import click

from store.batches import BatchRenewal, BatchStopped, orders_for
from store.errors import PaymentFailed
from store.models import Method, Order, OrderStatus, Payment
from store.money import format_cents, parse_amount
from store.rules import MAX_ORDER_LINES
from store.service import Store, new_idempotency_key
from store.text import safe_text
from tui.cli import output as out
from tui.cli.common import (
    CARD_HELP,
    BadInput,
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


# renewing --------------------------------------------------------------------------------------
@click.command()
@ids_argument
@duration_options
@json_option
@pass_session
def preview(session: Session, ids: list[str], months: int | None, years: int | None,
            align: str | None, as_json: bool) -> None:
    """Show what renewing IDs would do and cost; changes nothing.

    Example: renewals preview pool-id-1 --months 3 --align 1
    """
    shown = session.store.preview(ids, read_duration(months, years), read_align(align))
    if as_json:
        emit(out.preview_json(shown))
    else:
        say(out.preview_text(shown))


@click.command()
@ids_argument
@duration_options
@click.option("--pay", "method", type=choices(Method), help="Pay the order at once.")
@click.option("--card", metavar="NUMBER|-", help=CARD_HELP)
@click.option("--coupon", "coupons", multiple=True, metavar="C", help="Coupon ID (repeatable).")
@click.option("--yes", is_flag=True, help="Pay without asking.")
@json_option
@pass_session
def renew(session: Session, ids: list[str], months: int | None, years: int | None,
          align: str | None, method: str | None, card: str | None, coupons: tuple[str, ...],
          yes: bool, as_json: bool) -> None:
    """Place one order renewing IDs (skipping the ones that cannot be); --pay pays it.

    What is ordered is exactly what was shown: if a resource changes between the preview and
    the order (another user renewed it, say), nothing is ordered. With --pay, the order is
    placed and paid in one go only after the payment is confirmed (or --yes).

    Example: renewals renew --tab manual --expiring 30 --months 1 --pay balance
    """
    length, day = read_duration(months, years), read_align(align)
    paying = Method(method) if method else None
    if coupons and paying is None:
        raise click.UsageError("--coupon applies when paying: add --pay METHOD")
    card = read_card(session, paying, card)
    store = session.store
    check_coupons(store, coupons)
    earlier = store.pending_renewal(ids, length)
    if earlier is not None:
        carry_on(session, earlier, ids, paying, card, coupons, yes, as_json)
        return
    shown = store.preview(ids, length, day)
    for line in shown.lines:
        if not line.renewable:
            note(f"skipped {line.id}: {line.reason}")
    if not shown.renewable:
        raise Failed("nothing to renew")
    several = orders_for(len(shown.renewable)) > 1
    if paying is None:
        if several:
            raise Failed(f"{len(shown.renewable):,} renewals take more than one order (at most "
                         f"{MAX_ORDER_LINES:,} each), placed and paid one after another: add "
                         "--pay METHOD")
        print_renewal(store.place_order(ids, length, day, seen=shown), None, as_json)
        return
    if not yes:
        confirm_payment(session, store.quote(shown.total_cents, coupons).due_cents,
                        f"renew {plural(len(shown.renewable), 'resource')} for {shown.duration}",
                        shown.currency, paying)
    try:
        batch = store.renew_in_orders(shown, paying, new_idempotency_key(), card, coupons,
                                      progress=orders_progress if several else None)
    except PaymentFailed as exc:
        raise Failed(str(exc), pending_hint(exc.order_id, paying)) from None
    except BatchStopped as exc:
        cause = exc.cause
        hint = pending_hint(cause.order_id, paying) if isinstance(cause, PaymentFailed) else None
        raise Failed(str(exc), hint) from None
    if several:
        print_batch(batch, as_json)
    else:
        print_renewal(batch.payments[0].order, batch.payments[0], as_json)


def orders_progress(paid: int, of: int) -> None:
    """One line on stderr per order, so an interrupted batch says what was paid."""
    note(f"order {paid} of {of} paid" if paid else f"renewing in {of} orders, one at a time")


def print_batch(batch: BatchRenewal, as_json: bool) -> None:
    if as_json:
        emit({"orders": [out.renew_json(p.order, p) for p in batch.payments],
              "renewed": batch.renewed, "charged_cents": batch.charged_cents})
        return
    currency = batch.payments[0].order.currency
    for payment in batch.payments:
        say(out.order_summary(payment.order))
    say(f"renewed {plural(batch.renewed, 'resource')} in "
        f"{plural(len(batch.payments), 'order')}; paid "
        f"{format_cents(batch.charged_cents, currency)} in all")


def check_coupons(store: Store, coupons: Sequence[str]) -> None:
    """Refuse unknown, used or expired coupons before an order is placed for them."""
    store.quote(0, coupons)


def pending_hint(order_id: str, method: Method) -> str:
    return (f"order {order_id} is left pending payment: "
            f"renewals pay {order_id} --method {method.value}")


def carry_on(session: Session, order: Order, wanted: list[str], paying: Method | None,
             card: str | None, coupons: Sequence[str], yes: bool, as_json: bool) -> None:
    """An earlier attempt left an order for these resources pending (on a bound database):
    pay that one, never renew them a second time."""
    state = ("was paid by an earlier attempt whose answer was lost"
             if order.status is OrderStatus.PAID else "was left pending by an earlier attempt")
    note(f"order {order.id} for these resources {state}: carrying on with it (nothing is "
         "renewed twice)")
    for rid in wanted:
        if rid not in order.resource_ids:
            note(f"skipped {rid}: not in order {order.id}; renew it on its own afterwards")
    if paying is None:
        print_renewal(order, None, as_json)
        return
    if not yes and order.status is OrderStatus.PENDING:
        confirm_payment(session, session.store.quote(order.total_cents, coupons).due_cents,
                        f"pay order {order.id}", order.currency, paying)
    try:
        payment = session.store.pay(order.id, paying, new_idempotency_key(), card, coupons)
    except PaymentFailed as exc:
        raise Failed(str(exc), pending_hint(exc.order_id, paying)) from None
    if payment.replayed:
        note(f"order {order.id} was already paid: nothing was charged again")
    print_renewal(payment.order, payment, as_json)


def confirm_payment(session: Session, due_cents: int, what: str, currency: str,
                    method: Method) -> None:
    """Ask before anything is ordered; no answer, or no, orders nothing."""
    what = f"{format_cents(due_cents, currency)} to {what}"
    if not session.interactive():
        raise Failed(f"not paying {what} without a confirmation: stdin is not a terminal (add "
                     "--yes to pay without asking); nothing was ordered")
    try:
        agreed = click.confirm(f"Pay {what} by {method.value}?", default=False, err=True)
    except click.Abort:
        agreed = False
    if not agreed:
        raise Failed("payment not confirmed: nothing was ordered")


def print_renewal(order: Order, payment: Payment | None, as_json: bool) -> None:
    for refused in order.refused:  # by the billing system, with its code
        note(f"refused {refused.id}: {refused.reason}")
    if as_json:
        emit(out.renew_json(order, payment))
        return
    shown = payment.order if payment is not None else order
    say(out.order_summary(shown))
    say(out.order_lines_text(shown))
    if payment is not None:
        say(out.payment_text(payment))
    else:
        note(f"pay it with: renewals pay {order.id} --method balance")


# orders and payment ----------------------------------------------------------------------------
@click.command()
@click.option("--status", type=choices(OrderStatus), help="Only orders with this status.")
@json_option
@pass_session
def orders(session: Session, status: str | None, as_json: bool) -> None:
    """List orders, newest first.

    Example: renewals orders --json
    """
    found = session.store.orders(OrderStatus(status) if status else None)
    if as_json:
        emit([out.order_json(order) for order in found])
    elif found:
        say(out.orders_text(found))
    else:
        note("no orders")


@click.command()
@click.argument("order_id", metavar="ORDER")
@json_option
@pass_session
def cancel(session: Session, order_id: str, as_json: bool) -> None:
    """Cancel an order pending payment.

    Example: renewals cancel ORD20261204-9A779E7A
    """
    order = session.store.cancel_order(order_id)
    if as_json:
        emit(out.order_json(order))
    else:
        say(out.order_summary(order))


@click.command()
@click.argument("order_id", metavar="ORDER")
@click.option("--method", type=choices(Method), required=True)
@click.option("--card", metavar="NUMBER|-", help=CARD_HELP)
@click.option("--coupon", "coupons", multiple=True, metavar="C", help="Coupon ID (repeatable).")
@click.option("--idempotency-key", metavar="K",
              help="Retrying with the same key charges once.")
@json_option
@pass_session
def pay(session: Session, order_id: str, method: str, card: str | None,
        coupons: tuple[str, ...], idempotency_key: str | None, as_json: bool) -> None:
    """Pay an order pending payment, in full.

    Example: renewals pay ORD20261204-9A779E7A --method balance --coupon CASH500
    """
    card = read_card(session, Method(method), card)
    payment = session.store.pay(order_id, Method(method), idempotency_key=idempotency_key,
                                card=card, coupons=coupons)
    if payment.replayed:
        how = " with this idempotency key" if idempotency_key else ""
        note(f"order {order_id} was already paid{how}: nothing was charged again")
    if as_json:
        emit(out.pay_json(payment))
    else:
        say(out.payment_text(payment))


@click.command()
@click.option("--top-up", "amount", metavar="AMOUNT",
              help="Add AMOUNT (currency units, e.g. 1000 or 1000.50) to the balance.")
@json_option
@pass_session
def account(session: Session, amount: str | None, as_json: bool) -> None:
    """Show the balance, settings and unused coupons.

    Example: renewals account --top-up 1000
    """
    store = session.store
    if amount is not None:
        try:
            cents = parse_amount(amount)
        except ValueError as exc:
            raise BadInput(str(exc)) from None
        store.top_up(cents)
    current = store.account()
    if as_json:
        emit(out.account_json(current))
    else:
        say(out.account_text(current))


@click.command()
@ids_argument
@click.option("--yes", is_flag=True, help="Unsubscribe without asking.")
@json_option
@pass_session
def unrenew(session: Session, ids: list[str], yes: bool, as_json: bool) -> None:
    """Take back the renewed periods of IDs that have not begun (a mistaken renewal): the
    resources stay, their expiry goes back, the billing system refunds what it refunds.

    On a database bound to a cloud account only (cancel_resources_subscription, type 2).

    Example: renewals unrenew pool-0042 --yes
    """
    if session.store.binding() != "cloud":
        session.store.unrenew(ids)  # refused there, with the reason
    if not yes:
        confirm_unrenew(session, ids)
    done = session.store.unrenew(ids)
    if as_json:
        emit({"results": [{"id": r.id, "ok": r.ok, "reason": r.reason} for r in done.results],
              "order_ids": list(done.order_ids)})
        return
    for result in done.results:
        say(f"{safe_text(result.id)}: renewed periods taken back" if result.ok
            else f"{safe_text(result.id)}: refused: {safe_text(result.reason)}")
    if done.order_ids:
        note(f"refund orders: {', '.join(safe_text(o) for o in done.order_ids)}")
    if not any(result.ok for result in done.results):
        raise Failed("nothing was taken back")


def confirm_unrenew(session: Session, wanted: list[str]) -> None:
    what = f"the renewed periods of {plural(len(wanted), 'resource')}"
    if not session.interactive():
        raise Failed(f"not taking back {what} without a confirmation: stdin is not a terminal "
                     "(add --yes); nothing was sent")
    try:
        agreed = click.confirm(f"Take back {what} (the renewals not begun yet)?",
                               default=False, err=True)
    except click.Abort:
        agreed = False
    if not agreed:
        raise Failed("not confirmed: nothing was sent")


COMMANDS = (preview, renew, orders, cancel, pay, account, unrenew)
