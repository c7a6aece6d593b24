"""Bounds: money has a ceiling the database itself enforces, numbers are ASCII digits, and values
out of range are one line with exit 2 (bad input) or 1 (refused), never a traceback."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
import sqlite_utils
from builders import TODAY, insert, resource
from click.testing import CliRunner, Result

from store.clock import Clock
from store.db import write
from store.migrations import migrations
from store.money import MAX_CENTS
from store.rules import MAX_MONTHLY_CENTS
from store.service import Store
from tui.cli import main


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "bounds.db"
    with closing(Store(path, Clock.from_text(TODAY))) as store:
        insert(store, resource("a", "2026-12-10"), resource("b", "2026-12-20"))
    return path


@pytest.fixture
def run(db_path: Path):
    def invoke(*args: str, env: dict | None = None) -> Result:
        runner = CliRunner(env={"RENEWALS_DB": None, "RENEWALS_NOW": None} | (env or {}))
        return runner.invoke(main, ["--db", str(db_path), *args])
    return invoke


def one_line(result: Result, code: int, *words: str) -> None:
    assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: "), result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


def balance(db_path: Path) -> object:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT balance_cents FROM account").fetchone()[0]


# money ------------------------------------------------------------------------------------------
def test_a_top_up_past_sqlite_integers_is_refused_and_the_account_still_reads(run, db_path):
    one_line(run("--now", TODAY, "account", "--top-up", "92233720368547758.07"), 2,
             "above the limit of 100,000,000,000.00")
    assert balance(db_path) == 0
    assert run("--now", TODAY, "account", "--json").exit_code == 0


def test_the_ceiling_is_a_hundred_billion_and_a_sum_past_it_is_refused(run, db_path):
    one_line(run("--now", TODAY, "account", "--top-up", "100000000000.01"), 2, "above the limit")
    assert run("--now", TODAY, "account", "--top-up", "100000000000").exit_code == 0
    assert balance(db_path) == MAX_CENTS
    one_line(run("--now", TODAY, "account", "--top-up", "0.01"), 1,
             "the balance after this top-up", "nothing was added")
    assert balance(db_path) == MAX_CENTS


def test_an_order_total_past_the_ceiling_is_refused(tmp_path):
    with closing(Store(tmp_path / "dear.db", Clock.from_text(TODAY))) as store:
        insert(store, *(resource(rid, "2026-12-10", MAX_MONTHLY_CENTS) for rid in "xy"))
        result = CliRunner().invoke(main, ["--db", str(tmp_path / "dear.db"), "--now", TODAY,
                                           "renew", "x", "y", "--months", "11"])
    one_line(result, 1, "above the limit", "renew fewer resources at once")


@pytest.mark.parametrize(("sql", "params"), [
    ("UPDATE account SET balance_cents = balance_cents + ?", (2**63 - 1,)),
    ("UPDATE account SET balance_cents = ?", (1.5,)),
    ("UPDATE account SET balance_cents = ?", ("lots",)),
    ("UPDATE resources SET monthly_price_cents = ?", (MAX_CENTS + 1,)),
    ("INSERT INTO coupons (id, kind, amount_cents) VALUES ('c', 'cash', ?)", (0.5,)),
    ("INSERT INTO audit (at, os_user, action, result, amount_cents) VALUES"
     " ('t', 'u', 'a', 'ok', ?)", (1e20,)),
])
def test_the_database_itself_refuses_anything_but_whole_cents(db_path, sql, params):
    with closing(Store(db_path, Clock.from_text(TODAY))) as store, pytest.raises(
            sqlite3.IntegrityError, match="takes whole cents"), write(store.db()) as db:
        db.execute(sql, params)


def test_a_database_an_older_version_damaged_is_refused_with_what_to_fix(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    migrations.apply(old, stop_before="m003_money_is_whole_cents")
    old.execute("UPDATE account SET balance_cents = 9.3e18")
    old.conn.commit()
    old.close()
    result = CliRunner().invoke(main, ["--db", str(path), "account"])
    one_line(result, 1, "account.balance_cents of row 1 holds 9.3e+18, not whole cents")


# digits -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [
    ["preview", "a", "--months", "١"],
    ["preview", "a", "--months", "1", "--align", "١٥"],
    ["account", "--top-up", "١٠٠"],
    ["account", "--top-up", "１００"],
    ["list", "--expiring", "٣"],
    ["settings", "--deduction-days", "٣"],
    ["settings", "--renewal-day", "²"],
    ["policy", "a", "--to", "auto", "--times", "٣"],
    ["overview", "--weeks", "٣"],
    ["demo", "--resources", "١٠"],
    ["renew", "a", "--months", "1", "--pay", "online", "--card", "٤١١١١١١١١١١١١١١١", "--yes"],
])
def test_only_ascii_digits_count(run, args):
    result = run("--now", TODAY, *args)
    assert result.exit_code in (1, 2), result.stdout
    assert "Traceback" not in result.stderr
    assert result.exit_code == 2 or "12–19 digits" in result.stderr, result.stderr


# out of range -----------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [
    ["--now", "9999-12-31", "list"],
    ["--now", "0001-01-01", "list"],
    ["--now", "", "list"],
    ["--now", "2026-W48-4", "list"],
    ["--now", TODAY, "audit", "--since", "0001-01-01"],
    ["--now", TODAY, "list", "--expiring", "3000000"],
])
def test_out_of_range_values_are_one_line_and_exit_2(run, args):
    one_line(run(*args), 2)


def test_an_empty_renewals_now_is_an_error_not_the_wall_clock(run):
    one_line(run("list", env={"RENEWALS_NOW": ""}), 2, "empty time (an unset variable?)")


def test_a_stored_expiry_near_the_end_of_time_is_refused_per_line(run, db_path):
    with closing(Store(db_path, Clock.from_text(TODAY))) as store:
        insert(store, resource("late", "2999-06-01"))
        with write(store.db()) as db:  # from before imports were bounded
            db.execute("INSERT INTO resources (id, name, kind, expiry, monthly_price_cents,"
                       " yearly_price_cents, tab) SELECT 'end', name, kind, '9999-12-31',"
                       " monthly_price_cents, yearly_price_cents, tab FROM resources"
                       " WHERE id = 'a'")
    result = run("--now", TODAY, "preview", "late", "end", "--years", "3", "--json")
    assert result.exit_code == 0, result.stderr
    assert "after 2999-12-31" in result.stdout
    result = run("--now", TODAY, "renew", "late", "end", "--years", "3")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1] == "error: nothing to renew"


def test_the_last_supported_day_still_works(run):
    assert run("--now", "2999-12-31", "list", "--expiring", "3650").exit_code == 0


def test_an_amount_with_more_digits_than_any_decimal_holds_is_one_line(run, db_path):
    one_line(run("--now", TODAY, "account", "--top-up", "9" * 40), 2, "above the limit")
    assert balance(db_path) == 0
