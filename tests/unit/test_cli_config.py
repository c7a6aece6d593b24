"""`renewals config path|show|keys`, the config file's database, and its problems on stderr."""

from __future__ import annotations

import json
import os
from pathlib import Path

from click.testing import CliRunner

from store.config import config_path
from tui.cli import main


def invoke(*args: str):
    runner = CliRunner(env={"RENEWALS_DB": None, "RENEWALS_NOW": None})
    return runner.invoke(main, list(args))


def write_config(text: str) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_path_prints_where_the_file_is_read_from():
    result = invoke("config", "path")
    assert result.exit_code == 0
    assert result.stdout.strip() == str(Path(os.environ["XDG_CONFIG_HOME"]) / "renewals"
                                        / "config.toml")


def test_show_without_a_file_says_so_and_gives_an_example():
    result = invoke("config", "show")
    assert result.exit_code == 0
    assert "no such file: every setting is its default" in result.stdout
    assert 'renewal_duration = "1 month"' in result.stdout
    assert '"renewals.renew" = "f7"' in result.stdout  # the example


def test_show_json_has_the_settings_in_force_and_every_problem(tmp_path):
    write_config(f'database = "{tmp_path}/team.db"\nrenewal_duration = "2 years"\n'
                 '[keys]\n"renewals.renew" = "f7"\n"nope.nothing" = "x"\n')
    shown = json.loads(invoke("config", "show", "--json").stdout)
    assert shown["exists"] is True
    assert shown["settings"]["database"] == f"{tmp_path}/team.db"
    assert shown["settings"]["renewal_duration"] == "2 years"
    assert shown["settings"]["keys"] == {"renewals.renew": "f7"}
    [problem] = shown["problems"]
    assert 'line 5: [keys] "nope.nothing": no such binding id' in problem


def test_keys_lists_every_binding_id_once():
    listed = json.loads(invoke("config", "keys", "--json").stdout)
    ids = [key["id"] for key in listed]
    assert len(ids) == len(set(ids))
    assert {"renewals.renew", "pools.renew", "app.orders", "payment.pay"} <= set(ids)
    assert next(k for k in listed if k["id"] == "renewals.renew")["key"] == "r"


def test_the_config_database_is_opened_and_its_problems_go_to_stderr(tmp_path):
    write_config(f'database = "{tmp_path}/team.db"\ndue_event_toasts = "yes"\n')
    result = invoke("demo", "--resources", "5")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "team.db").is_file()
    [warning] = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert "line 2: due_event_toasts: true or false; using the default" in warning
    assert json.loads(invoke("list", "--json").stdout)  # the same database, read back


def test_a_config_database_in_a_missing_folder_is_refused_by_name(tmp_path):
    write_config(f'database = "{tmp_path}/no/such/team.db"\n')
    result = invoke("list")
    assert result.exit_code == 2
    assert "database (config file)" in result.stderr and "does not exist" in result.stderr
