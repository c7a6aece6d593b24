"""The account's settings, the audit trail, and due events: settings, audit, tick."""

from __future__ import annotations

import click

from tui.cli import output as out
from tui.cli import output_policy as shown
from tui.cli.common import (
    Session,
    Whole,
    emit,
    json_option,
    note,
    pass_session,
    plural,
    read_align,
    say,
)


@click.command()
@click.option("--renewal-day", metavar="DAY|last|none", help="The standard renewal day.")
@click.option("--deduction-days", type=Whole(), metavar="N",
              help="Auto-renew charges N days (0-7) before expiry.")
@json_option
@pass_session
def settings(session: Session, renewal_day: str | None, deduction_days: int | None,
             as_json: bool) -> None:
    """Show or change the renewal day and the auto-renew deduction days.

    Example: renewals settings --renewal-day 1 --deduction-days 3
    """
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
        say(out.settings_text(current))


@click.command()
@click.option("--since", metavar="WHEN",
              help="Only entries at or after WHEN: a date or ISO datetime, today, yesterday, "
                   "or a span back from now (30m, 2h, 3d, 1w).")
@json_option
@pass_session
def audit(session: Session, since: str | None, as_json: bool) -> None:
    """Who did what, when: newest first.

    Example: renewals audit --since 2h
    """
    entries = session.store.audit(since=since)
    if as_json:
        emit([out.audit_json(entry) for entry in entries])
    elif entries:
        say(out.audit_text(entries, session.store.account().currency))
    else:
        note("no audit entries")


@click.command()
@json_option
@pass_session
def tick(session: Session, as_json: bool) -> None:
    """Process due events up to --now (idempotent).

    Auto-renew charges on the deduction day from 03:00 UTC+08:00, conversion to pay-per-use at
    expiry, deletion after retention, cancellation of orders unpaid for 7 days.

    Example: renewals tick --json
    """
    store = session.store
    report = store.tick()
    if as_json:
        emit(shown.tick_json(report))
    else:
        say(shown.tick_text(report, report.charged_cents, store.account().currency))
    if report.auto_failed:
        note(f"{plural(len(report.auto_failed), 'auto-renewal')} failed; "
             "they are retried daily until expiry")


COMMANDS = (settings, audit, tick)
