"""Resources in and out, and which Renewals tab they are on: demo, import, list, export,
policy and the expiry overview."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from store.files import write_atomically
from store.models import AutoRenew, Tab
from store.money import format_cents
from store.text import ASCII_WHOLE
from tui.cli import output as out
from tui.cli import output_policy as shown
from tui.cli.common import (
    Failed,
    Session,
    Whole,
    choices,
    emit,
    emit_lines,
    filter_options,
    ids_argument,
    json_option,
    make_filters,
    note,
    pass_session,
    plural,
    say,
)
from tui.cli.progress import StderrProgress

UNLIMITED = "unlimited"


# data in and out -------------------------------------------------------------------------------
@click.command()
@click.option("--resources", "count", type=Whole(0), default=200,
              show_default=True, help="How many resources.")
@click.option("--seed", type=Whole(), default=7, show_default=True, help="Random seed.")
@click.option("--replace", is_flag=True, help="Delete the resources and orders there first.")
@pass_session
def demo(session: Session, count: int, seed: int, replace: bool) -> None:
    """Create demo data relative to today (into an empty database unless --replace).

    Example: renewals --db demo.db demo --resources 2000
    """
    made = session.store.seed_demo(count=count, seed=seed, replace=replace)
    note(f"created {made:,} demo resources in {session.path}")


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_session
def import_file(session: Session, file: Path) -> None:
    """Add or replace resources from a .json or .csv file (all or nothing).

    Example: renewals import pools.csv
    """
    with StderrProgress("read and checked") as progress:
        count = session.store.import_file(file, progress if progress.wanted else None)
    note(f"imported {count:,} resources from {file}")


@click.command("list")
@filter_options
@json_option
@pass_session
def list_resources(session: Session, as_json: bool, **filters: Any) -> None:
    """List resources: every one without --tab, or what a Renewals tab shows.

    Example: renewals list --tab manual --expiring 30 --json
    """
    if as_json:
        emit_lines(session.store.record_lines(make_filters(**filters)))
        return
    rows = session.store.list(make_filters(**filters), limit=-1)
    if rows:
        say(out.resources_text(rows))
        note(f"{len(rows):,} resource{'' if len(rows) == 1 else 's'}")
    else:
        note("no resources match")


@click.command()
@filter_options
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), required=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Write to FILE instead of stdout (whole or not at all).")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@pass_session
def export(session: Session, fmt: str, output: Path | None, force: bool,
           **filters: Any) -> None:
    """Export the listed resources, with their renewal prices, as CSV or JSON.

    JSON is exact; CSV is for spreadsheets: cells that could run as a formula get a leading
    quote. With --output the file appears whole or not at all, never through a symbolic link,
    and an existing one is replaced only with --force.

    Example: renewals export --tab manual --format csv --output due.csv
    """
    chosen = make_filters(**filters)
    store = session.store
    with StderrProgress("exported", beside_stdout=output is None) as progress:
        if progress.wanted:
            progress.total = store.count(chosen)
        reported = progress if progress.wanted else None
        if output is None:
            store.export(chosen, fmt, sys.stdout, progress=reported)
            return
        written: list[int] = []
        write_atomically(output, lambda stream: written.append(
            store.export(chosen, fmt, stream, progress=reported)), replace=force)
    note(f"exported {written[0]:,} resources to {output}")


# renewal policy --------------------------------------------------------------------------------
class Times(click.ParamType):
    """How many times auto-renew runs: a whole number (the store checks 1-99) or `unlimited`."""

    name = "times"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> int | str:
        if isinstance(value, int):
            return value
        text = str(value).strip().lower()
        if text == UNLIMITED:
            return UNLIMITED
        if ASCII_WHOLE.fullmatch(text):
            return int(text)
        self.fail(f"{value!r} is neither a number of times (1-99) nor 'unlimited'", param, ctx)


def read_terms(to: Tab, period_months: int | None, times: int | str | None) -> AutoRenew | None:
    """Auto-renew terms for --to auto; None keeps a resource's current terms (or the default:
    1 month, unlimited)."""
    if to is not Tab.AUTO:
        if period_months is not None or times is not None:
            raise click.UsageError("--period-months and --times go with --to auto")
        return None
    if period_months is None and times is None:
        return None
    default = AutoRenew()
    return AutoRenew(period_months=default.period_months if period_months is None
                     else period_months,
                     times=None if times in (None, UNLIMITED) else int(times))


def describe_terms(terms: AutoRenew | None) -> str:
    if terms is None:
        return ""
    times = UNLIMITED if terms.times is None else str(terms.times)
    return f" (every {plural(terms.period_months, 'month')}, {times} times)"


@click.command(short_help="Move IDs to the manual, auto, ppu or canceled tab.")
@ids_argument
@click.option("--to", "to", type=choices(Tab), required=True,
              help="The Renewals tab to move them to.")
@click.option("--period-months", type=Whole(), metavar="N",
              help="Auto-renew period: 1-11, 12, 24 or 36 months (with --to auto).")
@click.option("--times", type=Times(), metavar="N|unlimited",
              help="Auto-renew 1-99 times or unlimited, the default (with --to auto).")
@json_option
@pass_session
def policy(session: Session, ids: list[str], to: str, period_months: int | None,
           times: int | str | None, as_json: bool) -> None:
    """Move IDs to another Renewals tab: enable (or modify) auto-renew, change to pay-per-use
    after expiration, cancel renewal, or restore to manual renewal. Each ID is moved or refused
    with the reason; the allowed ones move even when others are refused (exit 1).

    Example: renewals policy pool-id-1 pool-id-2 --to auto --period-months 1
    """
    tab = Tab(to)
    terms = read_terms(tab, period_months, times)
    results = session.store.set_policy(ids, tab, terms)
    if as_json:
        emit(shown.policy_json(results))
    else:
        say(shown.policy_text(results, tab))
    moved = sum(1 for r in results if r.ok)
    refused = len(results) - moved
    if refused:
        raise Failed(f"{refused:,} of {len(results):,} refused; "
                     + (f"the other {moved:,} moved to {tab.value}{describe_terms(terms)}"
                        if moved else "nothing moved"))
    note(f"moved {plural(moved, 'resource')} to {tab.value}{describe_terms(terms)}")


# what expires when -----------------------------------------------------------------------------
@click.command()
@click.option("--weeks", type=Whole(1, 104), default=12, show_default=True,
              help="How many weeks ahead, starting today.")
@json_option
@pass_session
def overview(session: Session, weeks: int, as_json: bool) -> None:
    """Resources and money expiring per week, as a bar chart.

    Example: renewals overview --json
    """
    store = session.store
    found = store.expiry_by_week(weeks)
    if as_json:
        emit(shown.overview_json(found))
        return
    currency = store.account().currency
    say(shown.overview_text(found, currency))
    count, cents = sum(w.count for w in found), sum(w.monthly_cents for w in found)
    note(f"{plural(count, 'resource')} expire in the next {plural(weeks, 'week')}; "
         f"one month of each renews for {format_cents(cents, currency)}")


COMMANDS = (demo, import_file, list_resources, export, policy, overview)
