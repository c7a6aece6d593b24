"""The command-line twin: open the console, or do one thing and print it (JSON with --json).

Thin on purpose: parse, call the store, print. JSON goes to stdout, messages to stderr; the exit
code is 0 on success, 1 when the store refused or failed, 2 for bad usage.

This module is the entry point (`renewals = "tui.cli:main"`): the root options, the session and
the error handling. The commands live in small modules and are registered here: `resources`
(demo, import, list, export, policy, overview), `orders` (preview, renew, orders, cancel, pay,
account) and `admin` (settings, audit, tick); what they share is in `common`.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

import click
import platformdirs
from click.core import ParameterSource

from store import rules
from store.clock import BadTime, Clock
from store.db import default_path
from store.errors import StoreError
from tui.cli import admin, orders, resources
from tui.cli.common import BadInput, Failed, Session


class RenewalsGroup(click.Group):
    """Turns the store's refusals into one-line errors: never a traceback for a user error."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise BadInput(exc.format_message()) from None
        except StoreError as exc:
            raise Failed(str(exc)) from None
        except (rules.RuleError, BadTime) as exc:
            raise BadInput(str(exc)) from None
        except sqlite3.DatabaseError as exc:
            session = ctx.obj
            where = f" {session.path}" if isinstance(session, Session) else ""
            raise Failed(f"database{where}: {exc}") from None


def demo_path() -> Path:
    return Path(platformdirs.user_data_dir("renewals", appauthor=False)) / "demo.db"


def _interactive() -> bool:
    """May a command ask a question? (Only when stdin is a terminal.)"""
    return sys.stdin.isatty()


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
    if now is None and os.environ.get("RENEWALS_NOW") == "":
        now = ""  # click drops an empty variable; an unset one in a script is a mistake
    try:
        clock = Clock.from_text(now)
    except BadTime as exc:
        raise BadInput(f"--now / RENEWALS_NOW: {exc}") from None
    if demo and ctx.invoked_subcommand is not None:
        raise click.UsageError("--demo opens the console on demo data; it takes no command")
    explicit_db = ctx.get_parameter_source("db_path") is not ParameterSource.DEFAULT
    path = db_path or (demo_path() if demo else default_path())
    session = ctx.obj = Session(path, clock, interactive=_interactive)
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


for _module in (resources, orders, admin):
    for _command in _module.COMMANDS:
        main.add_command(_command)
