"""What every command of the command-line twin shares: the session, errors, options, printing.

The commands live in `resources`, `orders` and `admin`; `root` is the entry point that opens
the session and registers them.
"""

from __future__ import annotations

import datetime as dt
import functools
import sys
from collections.abc import Callable, Iterable, Sequence
from enum import Enum
from pathlib import Path
from typing import Any, TextIO

import click

from store import rules
from store.audit import Identity
from store.clock import Clock
from store.config import Config, config_path
from store.connections import StoreEvents
from store.db import BUSY_TIMEOUT_S
from store.models import Duration, Filters, Kind, Method, Phase, RenewalDay, Tab
from store.rules import MAX_EXPIRING_DAYS
from store.service import Store
from store.text import ASCII_WHOLE, safe_lines
from tui.cli import output as out

F = Callable[..., Any]


# errors ----------------------------------------------------------------------------------------
class Failed(click.ClickException):
    """The store refused or failed: `error: …` on stderr (and an optional hint), exit 1."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint

    def show(self, file: Any = None) -> None:
        note(f"error: {self.message}")
        if self.hint:
            note(self.hint)


class BadInput(Failed):
    """A value the rules cannot read (time, duration, day, amount): one line, exit 2."""

    exit_code = 2


# the session: one store per process, opened on first use ---------------------------------------
class CliEvents(StoreEvents):
    """What the store says while it works, on stderr."""

    def created(self, path: Path) -> None:
        note(f"created a new database: {path}")

    def waiting_for_writer(self, waiting: bool) -> None:
        if waiting:
            note("waiting for another writer…")


class Session:
    def __init__(self, path: Path, clock: Clock,
                 interactive: Callable[[], bool], *, shared: bool = False,
                 busy_timeout_s: float = BUSY_TIMEOUT_S, config: Config | None = None,
                 identity: Identity | None = None) -> None:
        """`identity`: who the audit names (team mode: the operator; else this process)."""
        self.path = path
        self.identity = identity
        self.config = config or Config(config_path())
        self.clock = clock
        self.interactive = interactive      # may it ask a question on the terminal?
        self.shared = shared
        self.busy_timeout_s = busy_timeout_s
        self._store: Store | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.path, self.clock, events=CliEvents(), shared=self.shared,
                                busy_timeout_s=self.busy_timeout_s, identity=self.identity,
                                plan_max_age=dt.timedelta(
                                    hours=self.config.plan_max_age_hours))
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


pass_session = click.make_pass_decorator(Session)


# shared options --------------------------------------------------------------------------------
class Whole(click.ParamType):
    """A whole number in ASCII digits, optionally bounded (click's int would take ١٠٠ for 100)."""

    name = "integer"

    def __init__(self, low: int | None = None, high: int | None = None) -> None:
        self.low, self.high = low, high

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> int:
        if isinstance(value, int):
            number = value
        elif ASCII_WHOLE.fullmatch(str(value).strip()):
            number = int(str(value).strip())
        else:
            self.fail(f"{value!r} is not a whole number written in the digits 0-9", param, ctx)
        too_low = self.low is not None and number < self.low
        if too_low or (self.high is not None and number > self.high):
            bounds = f"{self.low}-{self.high}" if self.high is not None else f">= {self.low}"
            self.fail(f"{number:,} is not in the range {bounds}", param, ctx)
        return number


def json_option(f: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")(f)


def choices(kind: type[Enum]) -> click.Choice:
    return click.Choice([member.value for member in kind])


FILTER_OPTIONS = (
    click.option("--tab", type=choices(Tab), help="What that Renewals tab shows."),
    click.option("--expiring", "expiring_days", type=Whole(0, MAX_EXPIRING_DAYS), metavar="DAYS",
                 help=f"Expiring within DAYS days from today (0-{MAX_EXPIRING_DAYS})."),
    click.option("--phase", type=choices(Phase), help="Lifecycle phase."),
    click.option("--kind", type=choices(Kind), help="Service type."),
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
    f = click.option("--years", type=Whole(), metavar="N", help="Renew for N years (1-3).")(f)
    return click.option("--months", type=Whole(), metavar="N",
                        help="Renew for N months (1-11).")(f)


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


FILTER_NAMES = ("tab", "expiring_days", "phase", "kind", "search", "region",
                "enterprise_project", "hide_pending")


def ids_argument(command: Callable[..., Any]) -> Callable[..., Any]:
    """`ID...`, `--ids-from FILE` (one ID a line; `-` reads stdin), or the list filters
    (`--tab manual --expiring 30`: every resource `list` would show with them), so that 100,000
    IDs never need to fit on a command line: the command is called with `ids`, a list."""
    @functools.wraps(command)
    def with_ids(*args: Any, ids: tuple[str, ...], ids_from: TextIO | None,
                 **kwargs: Any) -> Any:
        wanted = split_ids(ids)
        if ids_from is not None:
            wanted += [line.strip() for line in ids_from if line.strip()]
        filters = {name: kwargs.pop(name) for name in FILTER_NAMES}
        if any(filters.values()) or filters["expiring_days"] == 0:
            if wanted:
                raise click.UsageError("give IDs or filters (--tab, --expiring, ...), not both")
            wanted = selected_by(make_filters(**filters))
        elif not wanted:
            raise click.UsageError("missing IDS: give them, --ids-from FILE (one a line, - "
                                   "for stdin), or list filters such as --tab manual")
        return command(*args, ids=wanted, **kwargs)

    with_ids = filter_options(with_ids)
    with_ids = click.option("--ids-from", type=click.File("r", encoding="utf-8"),
                            metavar="FILE",
                            help="Also the IDs in FILE, one a line (- reads stdin).")(with_ids)
    return click.argument("ids", nargs=-1)(with_ids)


def selected_by(filters: Filters) -> list[str]:
    """The IDs `list` shows with these filters, in its order; none is an error."""
    session = click.get_current_context().find_object(Session)
    assert session is not None  # the root command always sets one
    found = session.store.matching_ids(filters)
    if not found:
        raise Failed("no resource matches these filters: nothing to act on")
    note(f"selected {plural(len(found), 'resource')} by the filters")
    return found


CARD_HELP = ("Card number for online payment: - reads it from stdin; without --card a terminal "
             "asks for it, hidden (a number on the command line shows in ps and the history).")


def read_card(session: Session, method: Method | None, card: str | None) -> str | None:
    """The card number for an online payment, kept off the command line where possible:
    `--card -` reads one line of stdin; no --card asks on the terminal without echoing it."""
    if card and method is not Method.ONLINE:
        raise click.UsageError("--card is only for online payment")
    if method is not None:
        session.store.check_method(method)  # before a card number is asked for
    if method is not Method.ONLINE:
        return None
    if card == "-":
        number = sys.stdin.readline().strip()
        if not number:
            raise BadInput("--card -: no card number on stdin")
        return number
    if card:
        return card
    if not session.interactive():
        raise click.UsageError("online payment needs a card number: --card - reads it from "
                               "stdin; in a terminal, leave --card out to type it hidden")
    return str(click.prompt("Card number (hidden)", hide_input=True, err=True))


# printing --------------------------------------------------------------------------------------
def emit(value: Any) -> None:
    """JSON on stdout."""
    click.echo(out.to_json(value))


def emit_lines(lines: Iterable[str]) -> None:
    """A JSON list on stdout as `emit` prints one (an element a line), from elements already
    encoded and made safe, written as they come: a listing of 100,000 is never held whole."""
    first = True
    for line in lines:
        sys.stdout.write(("[\n" if first else ",\n") + line)
        first = False
    sys.stdout.write("[]\n" if first else "\n]\n")


def say(text: str) -> None:
    """Human-readable output on stdout; like `note`, nothing in it can act on the terminal."""
    click.echo(safe_lines(text))


def note(message: str) -> None:
    """A message on stderr."""
    click.echo(safe_lines(message), err=True)


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"
