"""Team mode: `renewals team init|add-key|list|remove`, run as the service account, and what
an operator's SSH session may ask for (`ssh_arguments`). The rules are in store.team."""

from __future__ import annotations

import os
import pwd
import shlex
import shutil
import sys
from pathlib import Path

import click

from store.config import config_path, set_service_account
from store.errors import Refused
from store.team.registry import ROLES, Team, account_name
from tui.cli.common import BadInput, Session, emit, json_option, note, pass_session, say

# Root options an SSH client may not give: the forced command chose the database and the
# operator; the rest belong to the service account's own shell.
CLIENT_FORBIDDEN = frozenset({"--db", "--operator", "--shared", "--demo"})
ADMIN_ONLY = frozenset({"team"})


def team_of_this_account() -> Team:
    home = Path(pwd.getpwuid(os.getuid()).pw_dir)
    return Team(config_path().parent / "team.json", home / ".ssh" / "authorized_keys")


def renewals_command() -> str:
    """The installed program, as the forced command runs it."""
    beside = Path(sys.executable).with_name("renewals")
    found = str(beside) if beside.exists() else shutil.which("renewals")
    if not found:
        raise Refused("cannot find the installed renewals program to put in authorized_keys")
    return found


def as_service_account(session: Session) -> Team:
    account, wanted = account_name(), session.config.service_account
    if wanted is None:
        raise Refused("no service account yet: run renewals team init as it first")
    if account != wanted:
        raise Refused(f"team commands run as the service account {wanted!r}, not {account!r}")
    return team_of_this_account()


def ssh_arguments(argv: list[str], original: str | None) -> list[str]:
    """`renewals --operator NAME` run by sshd: with a command from the client
    (SSH_ORIGINAL_COMMAND), that command's arguments after the forced ones, parsed without a
    shell; refused if it names another program or overrides what the forced command set."""
    if original is None or "--operator" not in argv:
        return argv
    try:
        words = shlex.split(original)
    except ValueError as exc:
        raise BadInput(f"the command from SSH cannot be read: {exc}") from None
    if words[:1] == ["renewals"]:
        words = words[1:]
    given = {word.split("=", 1)[0] for word in words}
    if given & CLIENT_FORBIDDEN:
        raise BadInput(f"{sorted(given & CLIENT_FORBIDDEN)[0]} cannot be given over SSH: the "
                       "key's forced command chose the database and the operator")
    if words[:1] and words[0] in ADMIN_ONLY:
        raise BadInput("team commands run as the service account in its own shell, not over "
                       "SSH")
    return [*argv, *words]


@click.group()
def team() -> None:
    """The team behind OpenSSH: operators by key, each with a role (viewer, renewer, approver).

    Example: renewals team add-key alice --role renewer alice.pub
    """


@team.command()
@pass_session
def init(session: Session) -> None:
    """Make this account the service account (written to its config file).

    Example: sudo -u renewals renewals team init
    """
    account = account_name()
    set_service_account(session.config.path, account)
    note(f"{account} is the service account ({session.config.path}); add operators with "
         "renewals team add-key NAME --role ROLE KEY.pub")


@team.command("add-key")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.argument("key_file", metavar="PUBKEYFILE", type=click.File("r", encoding="utf-8"))
@pass_session
def add_key(session: Session, name: str, role: str, key_file) -> None:
    """Let NAME in with the key in PUBKEYFILE, as ROLE (replacing what NAME had).

    Example: renewals team add-key bob --role viewer bob.pub
    """
    added = as_service_account(session).add(name, role, key_file.read(), renewals_command())
    note(f"{added.name}: {added.role}, key {added.fingerprint}; ssh {account_name()}@HOST "
         "opens the console, ssh ... list --json runs a command")


@team.command("list")
@json_option
@pass_session
def list_team(session: Session, as_json: bool) -> None:
    """The operators, their roles and key fingerprints.

    Example: renewals team list --json
    """
    operators = as_service_account(session).operators().values()
    if as_json:
        emit([{"name": o.name, "role": o.role, "fingerprint": o.fingerprint}
              for o in operators])
    elif operators:
        say("\n".join(f"{o.name:<16} {o.role:<9} {o.fingerprint}" for o in operators))
    else:
        note("no operators yet: renewals team add-key NAME --role ROLE KEY.pub")


@team.command()
@click.argument("name")
@pass_session
def remove(session: Session, name: str) -> None:
    """Take NAME's key out: their next SSH login is refused.

    Example: renewals team remove bob
    """
    gone = as_service_account(session).remove(name, renewals_command())
    note(f"removed {gone.name} ({gone.role}, key {gone.fingerprint})")


COMMANDS = (team,)
