"""Fixtures for the store's unit tests: a temp database at a fixed billing day; and for the
command-line tests, a database with six resources and a runner of `renewals` on it."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import TODAY
from cli_support import NOW, RESOURCES, make_resource
from click.testing import CliRunner, Result

from store.clock import Clock
from store.db import write
from store.service import Store
from tui.cli import main


@pytest.fixture(autouse=True)
def own_config_folders(tmp_path_factory, monkeypatch) -> None:
    """No test reads the user's config file or writes their state file."""
    home = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))


@pytest.fixture
def store(tmp_path) -> Store:
    opened = Store(tmp_path / "renewals.db", Clock.from_text(TODAY))
    yield opened
    opened.close()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "cli.db"


@pytest.fixture
def seeded(db_path: Path) -> Store:
    """Six resources (one per situation), two coupons, and an empty balance."""
    store = Store(db_path, Clock.from_text(NOW))
    store.import_resources([make_resource(row) for row in RESOURCES])
    with write(store.db()) as db:
        db.conn.executemany(
            "INSERT INTO coupons (id, kind, amount_cents, percent_off, expires)"
            " VALUES (?, ?, ?, ?, ?)",
            [("CASH50", "cash", 5_000, 0, "2027-01-31"), ("OFF10", "discount", 0, 10, None)])
    yield store
    store.close()


@pytest.fixture
def run(db_path: Path):
    """Run `renewals --db <temp> --now 2026-11-26 ARGS…`; stdout and stderr kept apart."""

    def invoke(*args: str, input: str | None = None, now: str = NOW) -> Result:
        runner = CliRunner(env={"RENEWALS_DB": None, "RENEWALS_NOW": None})
        return runner.invoke(main, ["--db", str(db_path), "--now", now, *args], input=input)

    return invoke
