"""A simulated clock must not damage real data: a database knows at birth whether it runs on the
real clock; there --now is for reading only. Audit rows carry the wall-clock time, and the
simulated time when there is one."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner, Result

from store.clock import Clock
from store.errors import Refused
from store.migrations import migrations
from store.models import Duration, Tab
from store.service import Store
from tui.cli import main

PAST = "2026-06-01"  # expired long before 2030: a simulated 2030 would delete it


def cli(db: Path, *args: str) -> Result:
    return CliRunner(env={"RENEWALS_DB": None, "RENEWALS_NOW": None}).invoke(
        main, ["--db", str(db), *args])


def import_one(db: Path) -> None:
    """p1 expired long before 2030; p2 is still renewable then."""
    source = db.with_suffix(".json")
    source.write_text(json.dumps([
        {"id": "p1", "name": "pool-one", "kind": "standard", "expiry": PAST,
         "monthly_price_cents": 1000},
        {"id": "p2", "name": "pool-two", "kind": "lite", "expiry": "2029-12-20",
         "monthly_price_cents": 1000}]))
    assert cli(db, "import", str(source)).exit_code == 0


@pytest.fixture
def real_db(tmp_path: Path) -> Path:
    """A database first made on the real clock, with a resource and some money."""
    path = tmp_path / "real.db"
    import_one(path)
    assert cli(path, "account", "--top-up", "1000").exit_code == 0
    return path


def counts(db: Path) -> tuple[int, int, int]:
    with closing(sqlite3.connect(db)) as conn:
        return (conn.execute("SELECT COUNT(*) FROM audit").fetchone()[0],
                conn.execute("SELECT COUNT(*) FROM resources WHERE status = 'deleted'"
                             ).fetchone()[0],
                conn.execute("SELECT balance_cents FROM account").fetchone()[0])


@pytest.mark.parametrize("args", [
    ["tick"],
    ["renew", "p2", "--months", "1"],
    ["renew", "p2", "--months", "1", "--pay", "balance", "--yes"],
    ["account", "--top-up", "5"],
    ["policy", "p2", "--to", "canceled"],
    ["settings", "--deduction-days", "3"],
    ["demo", "--replace"],
])
@pytest.mark.parametrize("now", ["2030-01-01", "2026-06-05"])
def test_on_a_real_clock_database_now_is_for_reading_only(real_db, args, now):
    before = counts(real_db)
    result = cli(real_db, "--now", now, *args)
    assert result.exit_code == 1, result.stdout
    assert result.stderr.startswith(f"error: {real_db} runs on the real clock, so with --now it "
                                    f"is for reading only (this write would be dated {now})")
    assert counts(real_db) == before  # nothing deleted, renewed, charged or audited


def test_reads_under_now_still_work_on_a_real_clock_database(real_db):
    result = cli(real_db, "--now", "2030-01-01", "list", "--json")
    assert result.exit_code == 0 and '"phase": "deleted"' in result.stdout
    assert cli(real_db, "--now", "2030-01-01", "preview", "p1", "--months", "1").exit_code == 0


def test_a_database_first_made_under_now_is_a_simulation(tmp_path):
    path = tmp_path / "sim.db"
    assert cli(path, "--now", "2026-05-01", "account").exit_code == 0
    import_one(path)
    result = cli(path, "--now", "2030-01-01", "tick", "--json")
    assert result.exit_code == 0 and '"deleted": [\n    "p1"' in result.stdout
    with Store(path) as store:
        assert store.info().simulated and not store.info().read_only


def test_a_demo_database_is_a_simulation_even_made_on_the_real_clock(tmp_path):
    path = tmp_path / "demo.db"
    assert cli(path, "demo", "--resources", "20").exit_code == 0
    assert cli(path, "--now", "2030-01-01", "tick").exit_code == 0


def test_a_database_an_older_version_made_with_demo_counts_as_a_simulation(tmp_path):
    path = tmp_path / "old-demo.db"
    old = sqlite_utils.Database(path)
    migrations.apply(old, stop_before="m004_simulated_clock")
    old.execute("INSERT INTO audit (at, os_user, action, result) VALUES ('t', 'u', 'demo.seed',"
                " 'ok')")
    old.conn.commit()
    old.close()
    with Store(path, Clock.from_text("2030-01-01")) as store:
        assert store.info().simulated
        store.top_up(100)


def test_audit_rows_carry_the_wall_clock_and_the_simulated_time(tmp_path, real_db):
    before = Clock().stamp()
    with Store(tmp_path / "sim.db", Clock.from_text("2030-01-01T03:00:00+08:00")) as sim:
        sim.top_up(100)
        [entry] = sim.audit()
    assert entry.at >= before and entry.simulated_at == "2029-12-31T19:00:00.000000+00:00"
    with Store(real_db) as real:
        real.top_up(100)
        entry = real.audit()[0]
    assert entry.at >= before and entry.simulated_at is None


def test_the_store_refuses_too_not_only_the_cli(real_db):
    with Store(real_db, Clock.from_text("2030-01-01")) as store:
        assert store.info().read_only
        with pytest.raises(Refused, match="runs on the real clock"):
            store.set_policy(["p1"], Tab.MANUAL)
        with pytest.raises(Refused, match="runs on the real clock"):
            store.place_order(["p1"], Duration(1))
        assert store.list()[0].resource.tab is Tab.MANUAL
