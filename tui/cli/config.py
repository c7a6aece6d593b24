"""`renewals config path|show|keys`: where the config file is, what is in force, and every
binding id the `[keys]` table may give other keys."""

from __future__ import annotations

import json

import click

from store.config import Config, remembered_theme, state_path
from tui.cli.common import Session, emit, json_option, pass_session, say

EXAMPLE = '''# renewals config file (TOML); every setting is optional
database = "~/renewals.db"          # opened without --db / RENEWALS_DB
theme = "gruvbox"                   # until one is chosen in the palette (ctrl+p)
renewal_duration = "3 months"       # where the renewal dialog starts (1-11 months, 1-3 years)
due_event_toasts = false            # no toast for a failed auto-renewal (the title bar counts)

[columns]                           # shown when they fit; check and name always are
renewals = ["id", "expiry", "left", "price"]

[keys]                              # binding id = key(s): renewals config keys lists them
"renewals.renew" = "f7"
"app.orders" = "o,f9"'''


@click.group(name="config")
def config() -> None:
    """Where the config file is, and what is in force.

    Example: renewals config show
    """


@config.command(name="path")
@pass_session
def path_command(session: Session) -> None:
    """Print the config file's path (it need not exist).

    Example: $EDITOR "$(renewals config path)"
    """
    click.echo(str(session.config.path))


def checked_config(session: Session) -> tuple[Config, list[str]]:
    from textual.theme import BUILTIN_THEMES

    from tui.console_config import checked

    return checked(session.config, BUILTIN_THEMES)


def shown_settings(config: Config) -> dict[str, object]:
    return {
        "database": str(config.database) if config.database else None,
        "theme": config.theme,
        "remembered_theme": remembered_theme(),
        "renewal_duration": str(config.renewal_duration),
        "due_event_toasts": config.due_event_toasts,
        "columns": {screen: list(names) for screen, names in config.columns.items()},
        "keys": dict(config.keys),
        "service_account": config.service_account,
        "renewer_limit_cents": config.renewer_limit,
        "plan_max_age_hours": config.plan_max_age_hours,
    }


@config.command()
@json_option
@pass_session
def show(session: Session, as_json: bool) -> None:
    """Print the settings in force (defaults where the file says nothing) and any problem.

    Example: renewals config show --json
    """
    config, problems = checked_config(session)
    settings = shown_settings(config)
    if as_json:
        emit({"path": str(config.path), "exists": config.path.is_file(),
              "settings": settings, "problems": problems})
        return
    exists = "" if config.path.is_file() else " (no such file: every setting is its default)"
    lines = [f"# {config.path}{exists}",
             f"database = {json.dumps(str(config.database or session.path))}",
             f"theme = {json.dumps(config.theme or 'textual-dark')}"
             + (f"  # the palette's choice wins: {settings['remembered_theme']} ({state_path()})"
                if settings["remembered_theme"] else ""),
             f"renewal_duration = {json.dumps(str(config.renewal_duration))}",
             f"due_event_toasts = {json.dumps(config.due_event_toasts)}",
             "[columns]" + ("" if config.columns else "  # all that fit")]
    lines += [f"{screen} = {json.dumps(list(names))}" for screen, names in config.columns.items()]
    lines.append("[keys]" + ("" if config.keys else "  # the keys as shipped"))
    lines += [f"{json.dumps(binding)} = {json.dumps(key)}" for binding, key in config.keys.items()]
    lines += [f"# problem: {problem}" for problem in problems]
    if not config.path.is_file():
        lines += ["", "# an example to start from:", EXAMPLE]
    say("\n".join(lines))


@config.command()
@json_option
def keys(as_json: bool) -> None:
    """List every binding id, its key(s) as shipped, and what it does.

    Example: renewals config keys | grep renew
    """
    from tui.keys import declared_keys

    declared = declared_keys()
    if as_json:
        emit([{"id": d.id, "key": d.key, "description": d.description, "where": d.where}
              for d in declared])
        return
    width = max(len(d.id) for d in declared)
    say("\n".join(f"{d.id:<{width}}  {d.key:<22}  {d.description}" for d in declared))


COMMANDS = (config,)
