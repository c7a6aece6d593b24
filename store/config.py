"""The user's config file: one TOML file in the platformdirs config folder
(`~/.config/renewals/config.toml` on Linux; `XDG_CONFIG_HOME` moves it), read with tomllib.

Every setting is optional. A file that is not TOML is ignored as a whole; a setting with a bad
value falls back to its default. Either way `problems` holds one line each, naming the file, the
line and the setting, for the caller to show. The console checks what only it knows (binding ids,
themes, column names) with `problem_line`.

The theme chosen in the console is remembered apart (`remembered_theme`): a state file the
program writes, so the user's own file is never rewritten.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import platformdirs

from store.errors import Refused
from store.files import write_atomically
from store.models import Duration
from store.money import parse_amount
from store.rules import MAX_MONTHS, MAX_YEARS

APP = "renewals"
DURATION = re.compile(r"(\d+)\s*(month|year)s?")


def config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP, appauthor=False)) / "config.toml"


def state_path() -> Path:
    """What the console remembers between runs (the theme): not the user's to edit."""
    return Path(platformdirs.user_state_dir(APP, appauthor=False)) / "state.json"


@dataclass(frozen=True)
class Config:
    path: Path
    database: Path | None = None
    """The database opened without --db / RENEWALS_DB."""
    theme: str | None = None
    renewal_duration: Duration = Duration(1)
    """Where the renewal dialog's duration starts."""
    columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Per screen (`renewals`, `pools`): the columns to show, when they fit."""
    due_event_toasts: bool = True
    """A toast when an automatic renewal fails (the title bar counts due events either way)."""
    keys: Mapping[str, str] = field(default_factory=dict)
    """Binding id -> key(s), for Textual's keymap (`"renewals.renew" = "f7"`)."""
    service_account: str | None = None
    """Team mode (store.team): the account whose processes may act for an --operator."""
    renewer_limit: int | None = None
    """Team mode: a renewer's largest order in cents (`renewer_limit = "50000.00"`)."""
    plan_max_age_hours: int = 24
    """How long a plan (store.team.plans) can be applied after it was made."""
    problems: tuple[str, ...] = ()
    text: str = ""
    """The file as read (for finding a setting's line)."""

    def problem_line(self, setting: str, why: str, then: str = "using the default") -> str:
        """`config FILE line N: SETTING: WHY; using the default` (`keys.X` is `[keys] "X"`)."""
        table, _, name = setting.partition(".")
        shown = f'[{table}] "{name}"' if name else setting
        return f"config {self.path} line {line_of(self.text, setting)}: {shown}: {why}; {then}"


def line_of(text: str, setting: str) -> int | str:
    """The line where `setting` (or, for `keys.X`, X) is set, or `?`."""
    inside_table = setting.startswith(("keys.", "columns."))
    name = setting.split(".", 1)[1] if inside_table else setting
    pattern = re.compile(rf'^\s*(["\']?{re.escape(name)}["\']?\s*=|\[{re.escape(name)}\])')
    for number, line in enumerate(text.splitlines(), 1):
        if pattern.match(line):
            return number
    return "?"


def parse_duration(value: object) -> Duration:
    """`"3 months"`, `"1 year"`: what the renewal dialog offers."""
    match = DURATION.fullmatch(str(value).strip().lower()) if isinstance(value, str) else None
    if match is None:
        raise ValueError('write it as "N months" or "N years"')
    count, unit = int(match.group(1)), match.group(2)
    limit = MAX_MONTHS if unit == "month" else MAX_YEARS
    if not 1 <= count <= limit:
        raise ValueError(f"a renewal is 1-{MAX_MONTHS} months or 1-{MAX_YEARS} years")
    return Duration(count, "month" if unit == "month" else "year")


def _keys(value: object) -> dict[str, object]:
    if not isinstance(value, dict):
        raise ValueError('a table of binding ids and keys, such as "renewals.renew" = "f7"')
    return value


def _key(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError('give the key(s) as a string, such as "f7" or "f7,r"')
    return value


def _columns(value: object) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict) or not all(
            isinstance(names, list) and all(isinstance(n, str) for n in names)
            for names in value.values()):
        raise ValueError('a table of lists, such as renewals = ["name", "expiry", "price"]')
    return {screen: tuple(names) for screen, names in value.items()}


def _boolean(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError("true or false")
    return value


def _path(value: object) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("a file name, in quotes")
    return Path(value).expanduser()


def _text(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("a name, in quotes")
    return value


def _hours(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 8760:
        raise ValueError("a whole number of hours, 1 to 8760")
    return value


def _amount(value: object) -> int:
    if not isinstance(value, str):
        raise ValueError('an amount in quotes, such as "50000.00"')
    return parse_amount(value)


READERS = {"database": _path, "theme": _text, "service_account": _text,
           "renewer_limit": _amount, "plan_max_age_hours": _hours,
           "renewal_duration": parse_duration,
           "columns": _columns, "due_event_toasts": _boolean,
           "keys": _keys}


def load_config(path: Path | None = None) -> Config:
    """The settings in the config file; the defaults where it has none (or no file at all)."""
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config(path)
    except (OSError, UnicodeDecodeError) as exc:
        return Config(path, problems=(f"config {path}: cannot read it ({exc}); using the "
                                      "defaults",))
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return Config(path, text=text, problems=(f"config {path}: not TOML: {exc}; using the "
                                                 "defaults",))
    settings: dict[str, object] = {}
    config = Config(path, text=text)
    problems = []
    for name, value in table.items():
        reader = READERS.get(name)
        if reader is None:
            problems.append(config.problem_line(
                name, f"no such setting (there are {', '.join(READERS)})", then="ignored"))
            continue
        try:
            settings[name] = reader(value)
        except ValueError as exc:
            problems.append(config.problem_line(name, str(exc)))
    settings["keys"] = _good_keys(config, settings.get("keys", {}), problems)
    return Config(path, text=text, problems=tuple(problems), **settings)  # type: ignore[arg-type]


def _good_keys(config: Config, table: object, problems: list[str]) -> dict[str, str]:
    """The `[keys]` entries that give keys; one problem line for each that does not."""
    keys = {}
    for binding_id, key in _keys(table).items():
        try:
            keys[binding_id] = _key(key)
        except ValueError as exc:
            problems.append(config.problem_line(f"keys.{binding_id}", str(exc)))
    return keys


def set_service_account(path: Path, account: str) -> None:
    """Write `service_account = "ACCOUNT"` into the config file (made if missing), keeping
    every other line; refused when it names another account."""
    config = load_config(path)
    if config.service_account not in (None, account):
        raise Refused(f"{path} makes {config.service_account!r} the service account; this is "
                      f"{account!r}: run team init as that account, or change the file")
    if config.service_account == account:
        return
    text = config.text if config.text.endswith("\n") or not config.text else config.text + "\n"
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    line = f"service_account = {json.dumps(account)}\n"

    def write(stream: TextIO) -> None:
        stream.write(line + text)  # first: before any [table], where a key would belong to it

    write_atomically(path, write, replace=True)


def remembered_theme() -> str | None:
    try:
        theme = json.loads(state_path().read_text(encoding="utf-8")).get("theme")
    except (OSError, ValueError, AttributeError):
        return None  # never written, or unreadable: the theme is only a nicety
    return theme if isinstance(theme, str) else None


def remember_theme(theme: str) -> None:
    path = state_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_atomically(path, lambda stream: json.dump({"theme": theme}, stream), replace=True)
