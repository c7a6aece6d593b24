"""The command-line twin: open the console, or do one thing and print it (JSON with --json).

Thin on purpose: parse, call the store, print. JSON goes to stdout, messages to stderr; the exit
code is 0 on success, 1 when the store refused or failed, 2 for bad usage.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable, Sequence
from enum import Enum
from pathlib import Path
from typing import Any

import click
import platformdirs
from click.core import ParameterSource

from store import io, rules
from store.clock import BadTime, Clock
from store.db import default_path
from store.errors import StoreError
from store.models import (
    Duration,
    Filters,
    Kind,
    Method,
    Order,
    OrderStatus,
    Payment,
    Phase,
    RenewalDay,
    Tab,
)
from store.money import format_cents, parse_amount
from store.service import Store
from tui import cli_output as out

F = Callable[..., Any]


# errors ----------------------------------------------------------------------------------------
class Failed(click.ClickException):
    """The store refused or failed: `error: …` on stderr (and an optional hint), exit 1."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.message}", err=True)
        if self.hint:
            click.echo(self.hint, err=True)


class BadInput(Failed):
    """A value the rules cannot read (time, duration, day, amount): one line, exit 2."""

    exit_code = 2


class RenewalsGroup(click.Group):
    """Turns the store's refusals into one-line errors: never a traceback for a user error."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StoreError as exc:
            raise Failed(str(exc)) from None
        except (rules.RuleError, BadTime) as exc:
            raise BadInput(str(exc)) from None
        except sqlite3.DatabaseError as exc:
            session = ctx.obj
            where = f" {session.path}" if isinstance(session, Session) else ""
            raise Failed(f"database{where}: {exc}") from None


# the session: one store per process, opened on first use ---------------------------------------
class Session:
    def __init__(self, path: Path, clock: Clock) -> None:
        self.path = path
        self.clock = clock
        self._store: Store | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.path, self.clock)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


def demo_path() -> Path:
    return Path(platformdirs.user_data_dir("renewals", appauthor=False)) / "demo.db"


@click.group(cls=RenewalsGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
              envvar="RENEWALS_DB", help="SQLite database (env RENEWALS_DB).")
@click.option("--now", metavar="WHEN", envvar="RENEWALS_NOW",
              help="Pretend it is WHEN: YYYY-MM-DD or an ISO datetime (env RENEWALS_NOW).")
@click.option("--demo", is_flag=True, help="Open the console on a fresh demo database.")
@click.option("--no-mouse", is_flag=True, help="Open the console without mouse support.")
@click.version_option(package_name="renewals")
@click.pass_context
def main(ctx: click.Context, db_path: Path | None, now: str | None, demo: bool,
         no_mouse: bool) -> None:
    """Renew yearly/monthly subscriptions. With no command, open the console."""
    try:
        clock = Clock.from_text(now)
    except BadTime as exc:
        raise BadInput(str(exc)) from None
    if demo and ctx.invoked_subcommand is not None:
        raise click.UsageError("--demo opens the console on demo data; it takes no command")
    explicit_db = ctx.get_parameter_source("db_path") is not ParameterSource.DEFAULT
    path = db_path or (demo_path() if demo else default_path())
    session = ctx.obj = Session(path, clock)
    ctx.call_on_close(session.close)
    if ctx.invoked_subcommand is None:
        open_console(session, demo=demo, explicit_db=explicit_db, mouse=not no_mouse)


def open_console(session: Session, demo: bool, explicit_db: bool, mouse: bool) -> None:
    """Run the TUI; a demo database is recreated (or, given with --db, seeded when empty)."""
    if demo:
        session.store.seed_demo(replace=not explicit_db)
    from tui.app import RenewalsApp

    RenewalsApp(store=session.store, mouse=mouse).run()
    if demo:
        click.echo(f"demo database: {session.path}\n"
                   f"keep using it: renewals --db {session.path} list", err=True)


pass_session = click.make_pass_decorator(Session)


# shared options --------------------------------------------------------------------------------
def json_option(f: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")(f)


def _choices(kind: type[Enum]) -> click.Choice:
    return click.Choice([member.value for member in kind])


FILTER_OPTIONS = (
    click.option("--tab", type=_choices(Tab), help="What that Renewals tab shows."),
    click.option("--expiring", "expiring_days", type=click.IntRange(min=0), metavar="DAYS",
                 help="Expiring within DAYS days from today."),
    click.option("--phase", type=_choices(Phase), help="Lifecycle phase."),
    click.option("--kind", type=_choices(Kind), help="Service type."),
    click.option("--search", metavar="TEXT", help="Name, ID or order ID."),
    click.option("--region", metavar="R", help="Region, e.g. cn-north-4."),
    click.option("--project", "enterprise_project", metavar="P", help="Enterprise project."),
    click.option("--hide-pending", is_flag=True, help="Hide resources with an unpaid order."),
)


def filter_options(f: F) -> F:
    for option in reversed(FILTER_OPTIONS):
        f = option(f)
    return f


def make_filters(tab: str | None, phase: str | None, kind: str | None,
                 **rest: Any) -> Filters:
    return Filters(tab=Tab(tab) if tab else None, phase=Phase(phase) if phase else None,
                   kind=Kind(kind) if kind else None, **rest)


def duration_options(f: F) -> F:
    f = click.option("--align", metavar="DAY|last",
                     help="Renew to the renewal date: day 1-28 or the last day.")(f)
    f = click.option("--years", type=int, metavar="N", help="Renew for N years (1-3).")(f)
    return click.option("--months", type=int, metavar="N", help="Renew for N months (1-11).")(f)


def read_duration(months: int | None, years: int | None) -> Duration:
    if (months is None) == (years is None):
        raise click.UsageError("give exactly one of --months N or --years N")
    if months is not None:
        return rules.duration(months, "month")
    return rules.duration(years or 0, "year")


def read_align(text: str | None) -> RenewalDay | None:
    return None if text is None else rules.parse_renewal_day(text)


def split_ids(values: Sequence[str]) -> list[str]:
    """IDs as separate arguments or comma-separated."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def check_card(method: Method | None, card: str | None) -> None:
    if method is Method.ONLINE and not card:
        raise click.UsageError("online payment needs --card NUMBER")
    if card and method is not Method.ONLINE:
        raise click.UsageError("--card is only for online payment")


def emit(value: Any) -> None:
    click.echo(out.to_json(value))


def note(message: str) -> None:
    click.echo(message, err=True)


# data in and out -------------------------------------------------------------------------------
@main.command()
@click.option("--resources", "count", type=click.IntRange(min=0), default=200,
              show_default=True, help="How many resources.")
@click.option("--seed", type=int, default=7, show_default=True, help="Random seed.")
@click.option("--replace", is_flag=True, help="Delete the resources and orders there first.")
@pass_session
def demo(session: Session, count: int, seed: int, replace: bool) -> None:
    """Create demo data relative to today (into an empty database unless --replace)."""
    made = session.store.seed_demo(count=count, seed=seed, replace=replace)
    note(f"created {made:,} demo resources in {session.path}")


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_session
def import_file(session: Session, file: Path) -> None:
    """Add or replace resources from a .json or .csv file (all or nothing)."""
    count = session.store.import_resources(io.read_resources(file))
    note(f"imported {count:,} resources from {file}")


@main.command("list")
@filter_options
@json_option
@pass_session
def list_resources(session: Session, as_json: bool, **filters: Any) -> None:
    """List resources: every one without --tab, or what a Renewals tab shows."""
    rows = session.store.list(make_filters(**filters), limit=-1)
    if as_json:
        emit(out.list_json(rows))
    elif rows:
        click.echo(out.resources_text(rows))
        note(f"{len(rows):,} resource{'' if len(rows) == 1 else 's'}")
    else:
        note("no resources match")


@main.command()
@filter_options
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), required=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Write to FILE instead of stdout.")
@pass_session
def export(session: Session, fmt: str, output: Path | None, **filters: Any) -> None:
    """Export the listed resources, with their renewal prices, as CSV or JSON."""
    records = io.export_records(session.store.list(make_filters(**filters), limit=-1))
    if output is None:
        io.write_export(records, fmt, sys.stdout)
        return
    try:
        with output.open("w", encoding="utf-8", newline="") as stream:
            io.write_export(records, fmt, stream)
    except OSError as exc:
        raise Failed(f"cannot write {output}: {exc.strerror or exc}") from None
    note(f"exported {len(records):,} resources to {output}")


# renewing --------------------------------------------------------------------------------------
@main.command()
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
        click.echo(out.preview_text(shown))


@main.command()
@click.argument("ids", nargs=-1, required=True)
@duration_options
@click.option("--pay", "method", type=_choices(Method), help="Pay the order at once.")
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
        payment = pay_placed(store, order, paying, card, coupons, yes)
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


def _interactive() -> bool:
    return sys.stdin.isatty()


def confirm_payment(store: Store, order: Order, method: Method, coupons: Sequence[str]) -> None:
    due = format_cents(amount_due(store, order, coupons), order.currency)
    question = f"Pay {due} for order {order.id} by {method.value}?"
    if not _interactive():
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
               coupons: Sequence[str], yes: bool) -> Payment:
    if not yes:
        confirm_payment(store, order, method, coupons)
    try:
        return store.pay(order.id, method, card=card, coupons=coupons)
    except StoreError as exc:
        raise Failed(str(exc), pending_hint(order, method)) from None


def print_renewal(order: Order, payment: Payment | None, as_json: bool) -> None:
    if as_json:
        emit(out.renew_json(order, payment))
        return
    shown = payment.order if payment is not None else order
    click.echo(out.order_summary(shown))
    click.echo(out.order_lines_text(shown))
    if payment is not None:
        click.echo(out.payment_text(payment))
    else:
        note(f"pay it with: renewals pay {order.id} --method balance")


# orders and payment ----------------------------------------------------------------------------
@main.command()
@click.option("--status", type=_choices(OrderStatus), help="Only orders with this status.")
@json_option
@pass_session
def orders(session: Session, status: str | None, as_json: bool) -> None:
    """List orders, newest first."""
    found = session.store.orders(OrderStatus(status) if status else None)
    if as_json:
        emit([out.order_json(order) for order in found])
    elif found:
        click.echo(out.orders_text(found))
    else:
        note("no orders")


@main.command()
@click.argument("order_id", metavar="ORDER")
@json_option
@pass_session
def cancel(session: Session, order_id: str, as_json: bool) -> None:
    """Cancel an order pending payment."""
    order = session.store.cancel_order(order_id)
    if as_json:
        emit(out.order_json(order))
    else:
        click.echo(out.order_summary(order))


@main.command()
@click.argument("order_id", metavar="ORDER")
@click.option("--method", type=_choices(Method), required=True)
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
        click.echo(out.payment_text(payment))


# account, settings, audit ----------------------------------------------------------------------
@main.command()
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
        click.echo(out.account_text(current))


@main.command()
@click.option("--renewal-day", metavar="DAY|last|none", help="The standard renewal day.")
@click.option("--deduction-days", type=int, metavar="N",
              help="Auto-renew charges N days (0-7) before expiry.")
@json_option
@pass_session
def settings(session: Session, renewal_day: str | None, deduction_days: int | None,
             as_json: bool) -> None:
    """Show or change the renewal day and the auto-renew deduction days."""
    store = session.store
    unset = renewal_day is not None and renewal_day.strip().lower() == "none"
    day = None if unset else read_align(renewal_day)  # read before anything is written
    if deduction_days is not None:
        store.set_deduction_days(deduction_days)
    if renewal_day is not None:
        store.set_renewal_day(day)
    current = store.account()
    if as_json:
        emit(out.settings_json(current))
    else:
        click.echo(out.settings_text(current))


@main.command()
@click.option("--since", metavar="WHEN", help="Only entries at or after WHEN.")
@json_option
@pass_session
def audit(session: Session, since: str | None, as_json: bool) -> None:
    """Who did what, when: newest first."""
    entries = session.store.audit(since=since)
    if as_json:
        emit([out.audit_json(entry) for entry in entries])
    elif entries:
        click.echo(out.audit_text(entries, session.store.account().currency))
    else:
        note("no audit entries")
