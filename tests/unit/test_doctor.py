"""`renewals doctor`: findings about the database, its folder, the config file and the
terminal, a hint wherever something needs doing; it never creates or changes anything."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from store.clock import Clock
from store.config import Config
from store.doctor import config_findings, database_findings
from store.service import Store
from tui.cli import main


def by_topic(findings) -> dict:
    return {finding.topic: finding for finding in findings}


@pytest.fixture
def private_db(tmp_path) -> Path:
    folder = tmp_path / "private"
    folder.mkdir(mode=0o700)
    path = folder / "renewals.db"
    store = Store(path, Clock.from_text("2026-11-26"))
    store.info()  # the file is made when first opened
    store.close()
    path.chmod(0o600)
    return path


def test_a_missing_database_is_not_created(tmp_path):
    path = tmp_path / "none.db"
    [finding] = database_findings(path)
    assert "does not exist yet" in finding.value and "renewals demo" in finding.hint
    assert not path.exists()


def test_a_private_up_to_date_database_has_nothing_to_look_at(private_db):
    findings = by_topic(database_findings(private_db))
    assert all(finding.hint is None for finding in findings.values()), findings
    assert findings["schema"].value.endswith("(up to date)")
    assert findings["write lock"].value == "free"
    assert findings["binding"].value.startswith("none yet")


def test_a_readable_file_and_an_open_folder_get_hints(private_db):
    private_db.chmod(0o644)
    private_db.parent.chmod(0o777)
    findings = by_topic(database_findings(private_db))
    assert f"chmod 600 {private_db}" in findings["file"].hint
    assert "a folder of its own" in findings["folder"].hint


def test_a_held_write_lock_is_reported_without_waiting(private_db):
    holder = sqlite3.connect(private_db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        lock = by_topic(database_findings(private_db))["write lock"]
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert lock.value.startswith("not free") and "another renewals is writing" in lock.hint


def test_a_database_from_a_newer_version_says_upgrade(private_db):
    with sqlite3.connect(private_db) as db:
        db.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                   "VALUES ('renewals', 'm999_future', '2027-01-01')")
    schema = by_topic(database_findings(private_db))["schema"]
    assert "upgrade renewals" in schema.hint


def test_not_a_database_is_one_finding(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("not sqlite at all, " * 100)
    path.chmod(0o600)
    contents = by_topic(database_findings(path))["contents"]
    assert "cannot read it" in contents.value


def test_config_problems_and_a_writable_config_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("theme = 1\n")
    path.chmod(0o666)
    findings = config_findings(Config(path), ["config ... line 1: theme: a name"])
    topics = by_topic(findings)
    assert "others can read it" in topics["config file mode"].hint
    assert topics["config problem"].value.endswith("theme: a name")


def test_in_team_mode_the_config_file_is_the_service_account_s_alone(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('service_account = "renewals"\n')
    path.chmod(0o644)
    mode = by_topic(config_findings(Config(path, service_account="renewals"), []))
    assert "chmod 600" in mode["config file mode"].hint
    path.chmod(0o600)
    assert by_topic(config_findings(Config(path, service_account="renewals"), []))[
        "config file mode"].hint is None


def test_in_team_mode_doctor_says_when_no_order_needs_an_approval(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('service_account = "renewals"\n')
    unlimited = by_topic(config_findings(Config(path, service_account="renewals"), []))
    assert "no plan needs an approval" in unlimited["team limits"].hint
    limited = by_topic(config_findings(Config(path, service_account="renewals",
                                              renewer_limit=5_000_000), []))["team limits"]
    assert limited.value == "renewer_limit CNY 50,000.00; plans hold 24 h"
    assert limited.hint is None


def test_the_command_prints_findings_as_json_and_creates_nothing(tmp_path):
    path = tmp_path / "none.db"
    runner = CliRunner(env={"RENEWALS_DB": None, "RENEWALS_NOW": None, "TERM": "dumb",
                            "NO_COLOR": "1"})
    result = runner.invoke(main, ["--db", str(path), "doctor", "--json"])
    assert result.exit_code == 0, result.stderr
    findings = {f["topic"]: f for f in json.loads(result.stdout)}
    assert findings["TERM"]["value"] == "dumb" and "cannot show the console" in \
        findings["TERM"]["hint"]
    assert findings["colours the console will use"]["value"].startswith("none (NO_COLOR")
    assert "does not exist yet" in findings["database"]["value"]
    assert not path.exists() and os.listdir(tmp_path) == []
    human = runner.invoke(main, ["--db", str(path), "doctor"]).stdout
    assert "! database" in human and "hint: renewals demo" in human
