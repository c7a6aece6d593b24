"""A crash is a failure: the traceback goes to a private log file in the data folder (without
secrets), the terminal gets one line naming it, and the exit code is non-zero; for the TUI too."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from textual.app import App

from store.clock import Clock
from store.service import Store
from tui.app import RenewalsApp
from tui.cli import main
from tui.crash import redacted
from tui.screens.renewals import RenewalsScreen

CARD = "4111111111111111"


@pytest.fixture
def data_home(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def runner(data_home: Path) -> CliRunner:
    return CliRunner(env={"RENEWALS_DB": None, "RENEWALS_NOW": None,
                          "XDG_DATA_HOME": str(data_home)})


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "pools.db"
    with Store(path, Clock.from_text("2026-11-26")) as store:
        store.seed_demo(10)
    return path


def the_log(data_home: Path) -> Path:
    [log] = (data_home / "renewals").glob("crash-*.log")
    return log


def test_an_unexpected_error_is_one_line_naming_a_private_log(runner, db, data_home,
                                                                monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(Store, "pay", broken)
    args = ["--db", str(db), "pay", "ORD-1", "--method", "online", "--card", CARD]
    monkeypatch.setattr(sys, "argv", ["renewals", *args])  # what the log names
    result = runner.invoke(main, args)
    assert result.exit_code == 1
    log = the_log(data_home)
    assert result.stderr == (f"error: renewals stopped on an unexpected error (RuntimeError); "
                             f"the details are in {log}. Please report it.\n")
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    details = log.read_text()
    assert "Traceback" in details and "RuntimeError: boom" in details
    assert CARD not in details and "--card (hidden)" in details


def test_secret_options_are_left_out_of_the_logged_command_line():
    assert redacted(["renewals", "pay", "X", "--card", CARD, "--card=5555444433331111"]) == [
        "renewals", "pay", "X", "--card", "(hidden)", "--card=(hidden)"]


def test_a_crash_in_the_console_exits_1_with_one_line(runner, db, data_home, monkeypatch):
    def broken(self):
        raise RuntimeError("the screen broke")

    def run_headless(self, **_options):
        return App.run(self, headless=True, size=(80, 24))

    monkeypatch.setattr(RenewalsScreen, "on_mount", broken)
    monkeypatch.setattr(RenewalsApp, "run", run_headless)
    result = runner.invoke(main, ["--db", str(db), "--now", "2026-11-26"])
    assert result.exit_code == 1
    log = the_log(data_home)
    assert result.stderr.endswith(f"error: renewals stopped on an unexpected error "
                                  f"(RuntimeError); the details are in {log}. Please report "
                                  "it.\n")
    assert "Traceback" not in result.stderr and "the screen broke" in log.read_text()
