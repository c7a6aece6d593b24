"""Renewing and paying: preview, renew, orders, cancel, pay and the account balance."""

from __future__ import annotations

from collections.abc import Sequence

import click

from store.errors import StoreError
from store.models import Method, Order, OrderStatus, Payment
from store.money import format_cents, parse_amount
from store.service import Store
from tui.cli import output as out
from tui.cli.common import (
    BadInput,
    Failed,
    Session,
    check_card,
    choices,
    duration_options,
    emit,
    json_option,
    note,
    pass_session,
    read_align,
    read_duration,
    say,
    split_ids,
)


# renewing --------------------------------------------------------------------------------------
@click.command()
@click.argument("ids", nargs=-1, required=True)
@duration_options
@json_option
@pass_session
def preview(session: Session, ids: tuple[str, ...], months: int | None, years: int | None,
            align: str | None, as_json: bool) -> None:
    """Show what renewing IDs would do and cost; changes nothing."""
    shown = session.store.preview(split_ids(ids), read_duration(months, years), read_align(align))
    if as_json:
        emit(out.preview_json(shown))
    else:
        say(out.preview_text(shown))


@click.command()
@click.argument("ids", nargs=-1, required=True)
@duration_options
@click.option("--pay", "method", type=choices(Method), help="Pay the order at once.")
@click.option("--card", metavar="NUMBER", help="Card number for --pay online.")
@click.option("--coupon", "coupons", multiple=True, metavar="C", help="Coupon ID (repeatable).")
@click.option("--yes", is_flag=True, help="Pay without asking.")
@json_option
@pass_session
def renew(session: Session, ids: tuple[str, ...], months: int | None, years: int | None,
          align: str | None, method: str | None, card: str | None, coupons: tuple[str, ...],
          yes: bool, as_json: bool) -> None:
    """Place one order renewing IDs (skipping the ones that cannot be); --pay pays it."""
    length, day = read_duration(months, years), read_align(align)
    paying = Method(method) if method else None
    check_card(paying, card)
    if coupons and paying is None:
        raise click.UsageError("--coupon applies when paying: add --pay METHOD")
    store = session.store
    check_coupons(store, coupons)
    shown = store.preview(split_ids(ids), length, day)
    for line in shown.lines:
        if not line.renewable:
            note(f"skipped {line.id}: {line.reason}")
    if not shown.renewable:
        raise Failed("nothing to renew")
    order = store.place_order([line.id for line in shown.renewable], length, day,
                              expected_total_cents=shown.total_cents)
    payment = None
    if paying is not None:
        if not yes:
            confirm_payment(session, order, paying, coupons)
        payment = pay_placed(store, order, paying, card, coupons)
    print_renewal(order, payment, as_json)


def check_coupons(store: Store, coupons: Sequence[str]) -> None:
    """Refuse unknown, used or expired coupons before an order is placed for them."""
    store.quote(0, coupons)


def amount_due(store: Store, order: Order, coupons: Sequence[str]) -> int:
    """What paying will charge after coupons."""
    return store.quote(order.total_cents, coupons).due_cents


def pending_hint(order: Order, method: Method) -> str:
    return (f"order {order.id} is left pending payment: "
            f"renewals pay {order.id} --method {method.value}")


def confirm_payment(session: Session, order: Order, method: Method,
                    coupons: Sequence[str]) -> None:
    due = format_cents(amount_due(session.store, order, coupons), order.currency)
    question = f"Pay {due} for order {order.id} by {method.value}?"
    if not session.interactive():
        raise Failed(f"not paying {due} for order {order.id} without a confirmation: "
                     "stdin is not a terminal (add --yes to pay without asking)",
                     pending_hint(order, method))
    try:
        agreed = click.confirm(question, default=False, err=True)
    except click.Abort:
        agreed = False
    if not agreed:
        raise Failed("payment not confirmed", pending_hint(order, method))


def pay_placed(store: Store, order: Order, method: Method, card: str | None,
               coupons: Sequence[str]) -> Payment:
    try:
        return store.pay(order.id, method, card=card, coupons=coupons)
    except StoreError as exc:
        raise Failed(str(exc), pending_hint(order, method)) from None


def print_renewal(order: Order, payment: Payment | None, as_json: bool) -> None:
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
    """List orders, newest first."""
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
    """Cancel an order pending payment."""
    order = session.store.cancel_order(order_id)
    if as_json:
        emit(out.order_json(order))
    else:
        say(out.order_summary(order))


@click.command()
@click.argument("order_id", metavar="ORDER")
@click.option("--method", type=choices(Method), required=True)
@click.option("--card", metavar="NUMBER", help="Card number for online payment.")
@click.option("--coupon", "coupons", multiple=True, metavar="C", help="Coupon ID (repeatable).")
@click.option("--idempotency-key", metavar="K",
              help="Retrying with the same key charges once.")
@json_option
@pass_session
def pay(session: Session, order_id: str, method: str, card: str | None,
        coupons: tuple[str, ...], idempotency_key: str | None, as_json: bool) -> None:
    """Pay an order pending payment, in full."""
    check_card(Method(method), card)
    payment = session.store.pay(order_id, Method(method), idempotency_key=idempotency_key,
                                card=card, coupons=coupons)
    if payment.replayed:
        note(f"order {order_id} was already paid with this idempotency key: "
             "nothing was charged again")
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
    """Show the balance, settings and unused coupons."""
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


COMMANDS = (preview, renew, orders, cancel, pay, account)
