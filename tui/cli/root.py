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
from click.core import ParameterSource

from store import rules
from store.audit import Identity, reported_ssh_client
from store.clock import BadTime, Clock
from store.config import Config, load_config
from store.db import BUSY_TIMEOUT_S, data_folder, default_path, make_private_folder
from store.errors import StoreError
from store.text import seconds_setting
from tui.cli import admin, cloud, config, doctor, orders, plans, resources, team
from tui.cli.common import BadInput, Failed, Session
from tui.crash import crash_line, write_log


class RenewalsGroup(click.Group):
    """Turns the store's refusals into one-line errors: never a traceback for a user error."""

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:  # a bad root option: one line, like any other error
            raise BadInput(exc.format_message()) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise BadInput(exc.format_message()) from None
        except StoreError as exc:
            raise refusal(exc) from None
        except (rules.RuleError, BadTime) as exc:
            raise BadInput(str(exc)) from None
        except sqlite3.DatabaseError as exc:
            session = ctx.obj
            where = f" {session.path}" if isinstance(session, Session) else ""
            raise Failed(f"database{where}: {exc}") from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:  # `renewals export ... | head`: the reader has all it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise click.exceptions.Exit(1) from None
        except Exception as exc:  # a bug: logged, one line, exit 1
            raise Failed(crash_line(exc, write_log(exc))) from None


def refusal(exc: StoreError) -> Failed:
    """The store's refusal as a one-line error: exit 2 for an endpoint or timeout in the
    environment that cannot be used (bad input), else exit 1. Only a command that read the
    cloud settings can have raised BadSetting, so their module is imported only here."""
    from store.cloud.settings import BadSetting

    return BadInput(str(exc)) if isinstance(exc, BadSetting) else Failed(str(exc))


def demo_path() -> Path:
    return data_folder() / "demo.db"


def _interactive() -> bool:
    """May a command ask a question? (Only when stdin is a terminal.)"""
    return sys.stdin.isatty()


def busy_timeout() -> float:
    """RENEWALS_BUSY_TIMEOUT: how many seconds a write waits for another writer (default 30)."""
    try:
        return seconds_setting("RENEWALS_BUSY_TIMEOUT", BUSY_TIMEOUT_S, 3600)
    except ValueError as exc:
        raise BadInput(str(exc)) from None


def database_path(db_path: Path | None, demo: bool, configured: Path | None = None) -> Path:
    """The file to open: --db, the demo's, the config file's `database`, or the default. The
    data folder is made (private) when first needed; any other folder must exist: a typo in
    --db must not quietly create a database somewhere new."""
    path = db_path or (demo_path() if demo else configured or default_path())
    if path.parent == data_folder():
        try:
            make_private_folder(path.parent)
        except OSError as exc:
            raise Failed(f"cannot make the data folder {path.parent}: {exc.strerror or exc}"
                         ) from None
    elif not path.parent.is_dir():
        given = "--db" if db_path else "database (config file)"
        raise BadInput(f"{given} {path}: the folder {path.parent} does not exist; create it "
                       "first")
    return path


@click.group(cls=RenewalsGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db_path", type=click.Path(dir_okay=False, readable=False, path_type=Path),
              envvar="RENEWALS_DB", help="SQLite database (env RENEWALS_DB).")
@click.option("--now", metavar="WHEN", envvar="RENEWALS_NOW",
              help="Pretend it is WHEN: YYYY-MM-DD or an ISO datetime (env RENEWALS_NOW).")
@click.option("--demo", is_flag=True, help="Open the console on a fresh demo database.")
@click.option("--no-mouse", is_flag=True, help="Open the console without mouse support.")
@click.option("--shared", is_flag=True,
              help="Make a new database usable by its folder's group (a setgid folder).")
@click.option("--operator", metavar="NAME",
              help="Team mode: act for this operator (honoured only for the service account; "
                   "its authorized_keys lines pass it).")
@click.version_option(package_name="renewals")
@click.pass_context
def main(ctx: click.Context, db_path: Path | None, now: str | None, demo: bool,
         no_mouse: bool, shared: bool, operator: str | None) -> None:
    """Renew yearly/monthly subscriptions. With no command, open the console.

    \b
    Examples:
      renewals --demo                  the console on fresh demo data
      renewals list --expiring 30      what expires within 30 days
      renewals doctor                  check the terminal, database and config
    Each command has its own --help. Shell completion: see the README.
    """
    if now is None and os.environ.get("RENEWALS_NOW") == "":
        now = ""  # click drops an empty variable; an unset one in a script is a mistake
    try:
        clock = Clock.from_text(now)
    except BadTime as exc:
        raise BadInput(f"--now / RENEWALS_NOW: {exc}") from None
    if demo and ctx.invoked_subcommand is not None:
        raise click.UsageError("--demo opens the console on demo data; it takes no command")
    explicit_db = ctx.get_parameter_source("db_path") is not ParameterSource.DEFAULT
    config = load_config()
    if ctx.invoked_subcommand not in (None, "config"):  # the console and `config` show them
        for problem in config.problems:
            click.echo(f"warning: {problem}", err=True)
    path = database_path(db_path, demo, config.database)
    session = ctx.obj = Session(path, clock, interactive=_interactive, shared=shared,
                                busy_timeout_s=busy_timeout(), config=config,
                                identity=operator_identity(operator, config))
    ctx.call_on_close(session.close)
    if ctx.invoked_subcommand is None:
        open_console(session, demo=demo, explicit_db=explicit_db, mouse=not no_mouse)


def operator_identity(operator: str | None, config: Config) -> Identity | None:
    """With --operator: this process acts for that operator, with the role and key the team
    gives them, if it runs as the service account the config names (else anyone could claim
    any name from their own shell)."""
    if operator is None:
        return None
    from store.team.registry import account_name
    from tui.cli.team import team_of_this_account

    account, service_account = account_name(), config.service_account
    if service_account is None or account != service_account:
        raise BadInput(f"--operator is honoured only for the service account (the config's "
                       f"service_account); {account} is not it")
    member = team_of_this_account().operator(operator)
    return Identity(account, reported_ssh_client(), member.name, member.fingerprint,
                    member.role, config.renewer_limit)


def open_console(session: Session, demo: bool, explicit_db: bool, mouse: bool) -> None:
    """Run the TUI; a demo database is made afresh (or, given with --db, seeded when empty)."""
    if os.environ.get("TERM") == "dumb":  # no cursor movement, no colours: it cannot draw
        raise Failed("this terminal (TERM=dumb) cannot show the console; every command works "
                     "without it: renewals --help")
    if demo and not explicit_db:
        remove_database(session.path)
    if demo:
        session.store.seed_demo()
    database = session.store.info()  # open (and migrate) before the app draws
    from tui.app import RenewalsApp

    app = RenewalsApp(store=session.store, mouse=mouse, database=database,
                      config=session.config, remember_theme=True, identity=session.identity)
    app.run()
    if app.crash is not None:
        raise Failed(app.crash)
    if demo:
        click.echo(f"demo database: {session.path}\n"
                   f"keep using it: renewals --db {session.path} list", err=True)


def remove_database(path: Path) -> None:
    """Delete a database and its -wal and -shm files (the demo's, to start it afresh)."""
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


for _module in (resources, orders, plans, admin, cloud, config, doctor, team):
    for _command in _module.COMMANDS:
        main.add_command(_command)
