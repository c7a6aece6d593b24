"""The config file's settings that only the console can check: binding ids, themes, columns.

`store.config` reads the file; this drops what names no binding, theme or column, with one
line each for the user (shown as a notice when the console starts, on stderr by the CLI)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from store.config import Config
from tui.widgets.pool_columns import POOL_COLUMNS
from tui.widgets.resource_columns import RENEWAL_COLUMNS, ColumnSet

COLUMN_SETS: dict[str, ColumnSet] = {"renewals": RENEWAL_COLUMNS, "pools": POOL_COLUMNS}


def checked(config: Config, themes: Iterable[str]) -> tuple[Config, list[str]]:
    """The config with what the console does not know left out, and every problem with the
    file (those found reading it first)."""
    problems = list(config.problems)
    ids = binding_ids() if config.keys else set()
    keys = {}
    for binding_id, key in config.keys.items():
        if binding_id in ids:
            keys[binding_id] = key
        else:
            problems.append(config.problem_line(
                f"keys.{binding_id}", "no such binding id (renewals config keys lists them)"))
    columns = {}
    for screen, names in config.columns.items():
        known = COLUMN_SETS.get(screen)
        unknown = [name for name in names if known is None or name not in known.names]
        if known is None:
            problems.append(config.problem_line(
                f"columns.{screen}", f"no such screen (there are {', '.join(COLUMN_SETS)})"))
        elif unknown:
            problems.append(config.problem_line(
                f"columns.{screen}", f"no column {unknown[0]!r} (there are "
                                     f"{', '.join(known.names)})"))
        else:
            columns[screen] = names
    theme = config.theme
    if theme is not None and theme not in set(themes):
        problems.append(config.problem_line("theme", f"no theme {theme!r}"))
        theme = None
    return replace(config, keys=keys, columns=columns, theme=theme), problems


def binding_ids() -> set[str]:
    """(Imported when a config has keys: it imports every screen, which a start otherwise
    leaves for when each is first shown.)"""
    from tui.keys import declared_keys

    return {declared.id for declared in declared_keys()}


def column_set(config: Config, screen: str) -> ColumnSet:
    """The columns a screen shows: all that fit, or those the config names."""
    columns = COLUMN_SETS[screen]
    names = config.columns.get(screen)
    return columns.only(names) if names is not None else columns
