"""The config file: defaults without one, each setting read, and one line per problem naming
the file, the line and the setting, the rest of the file still in force."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.config import (
    config_path,
    load_config,
    parse_duration,
    remember_theme,
    remembered_theme,
    state_path,
)
from store.models import Duration

GOOD = '''database = "~/team/renewals.db"
theme = "nord"
renewal_duration = "3 months"
due_event_toasts = false

[columns]
renewals = ["expiry", "price"]

[keys]
"renewals.renew" = "f7"
'''


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_file_lives_in_the_xdg_config_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "c"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "s"))
    assert config_path() == tmp_path / "c" / "renewals" / "config.toml"
    assert state_path() == tmp_path / "s" / "renewals" / "state.json"


def test_no_file_means_every_default(tmp_path):
    config = load_config(tmp_path / "none.toml")
    assert (config.database, config.theme, config.renewal_duration, config.due_event_toasts,
            dict(config.columns), dict(config.keys), config.problems) == (
        None, None, Duration(1), True, {}, {}, ())


def test_every_setting_is_read(tmp_path):
    config = load_config(write(tmp_path, GOOD))
    assert config.problems == ()
    assert config.database == Path("~/team/renewals.db").expanduser()
    assert (config.theme, config.renewal_duration, config.due_event_toasts) == (
        "nord", Duration(3), False)
    assert dict(config.columns) == {"renewals": ("expiry", "price")}
    assert dict(config.keys) == {"renewals.renew": "f7"}


@pytest.mark.parametrize(("line", "words"), [
    ('renewal_duration = "13 months"', ["line 2: renewal_duration", "1-11 months"]),
    ('renewal_duration = 3', ["line 2: renewal_duration", '"N months"']),
    ('due_event_toasts = "no"', ["line 2: due_event_toasts", "true or false"]),
    ("colour = 1", ["line 2: colour", "no such setting", "ignored"]),
    ('database = ""', ["line 2: database", "a file name"]),
    ('keys = "f7"', ["line 2: keys", "a table"]),
])
def test_a_bad_setting_is_one_line_and_the_rest_still_holds(tmp_path, line, words):
    path = write(tmp_path, f'theme = "nord"\n{line}\n')
    config = load_config(path)
    [problem] = config.problems
    assert problem.startswith(f"config {path} ")
    assert all(word in problem for word in words), problem
    assert "\n" not in problem
    assert config.theme == "nord"


def test_a_bad_key_inside_a_table_names_its_line(tmp_path):
    config = load_config(write(tmp_path, GOOD + '"app.orders" = 7\n'))
    [problem] = config.problems
    assert 'line 11: [keys] "app.orders": give the key(s)' in problem
    assert dict(config.keys) == {"renewals.renew": "f7"}
    assert config.problem_line("keys.renewals.renw", "no such binding id").endswith(
        '[keys] "renewals.renw": no such binding id; using the default')


def test_a_file_that_is_not_toml_is_one_line_and_all_defaults(tmp_path):
    path = write(tmp_path, 'theme = "nord\n')
    config = load_config(path)
    [problem] = config.problems
    assert problem.startswith(f"config {path}: not TOML:") and "line 1" in problem
    assert config.theme is None


@pytest.mark.parametrize(("text", "duration"), [
    ("1 month", Duration(1)), ("11 months", Duration(11)), ("2 years", Duration(2, "year")),
    (" 1 Year ", Duration(1, "year"))])
def test_durations_read_as_the_dialog_offers_them(text, duration):
    assert parse_duration(text) == duration


@pytest.mark.parametrize("text", ["0 months", "12 months", "4 years", "month", "1 week"])
def test_durations_outside_the_dialog_are_refused(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_the_chosen_theme_is_remembered_in_a_private_state_file():
    assert remembered_theme() is None
    remember_theme("nord")
    assert remembered_theme() == "nord"
    assert state_path().parent.stat().st_mode & 0o077 == 0
    state_path().write_text("not json", encoding="utf-8")
    assert remembered_theme() is None
