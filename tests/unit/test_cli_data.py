"""The command-line twin: import, export, demo data, and opening the console."""

from __future__ import annotations

import csv
import io as io_text
import json
import stat
import sys
import types

import pytest
from cli_support import (
    NOW,
    make_resource,
    ok_json,
    one_line_error,
)
from click.testing import CliRunner

from store import io
from store.audit import Identity
from store.config import Config
from store.connections import DatabaseInfo
from store.models import Billing, Kind, Tab
from store.service import Store
from tui.cli import main


# import, export, demo --------------------------------------------------------------------------
def test_import_json_then_list(run, tmp_path):
    source = tmp_path / "pools.json"
    source.write_text(json.dumps([
        {"id": "p-1", "name": "pool-one", "kind": "standard", "expiry": "2026-12-01",
         "monthly_price_cents": 1000},
        {"id": "p-2", "name": "pool-two", "kind": "lite", "expiry": "2027-01-01",
         "monthly_price_cents": 2000, "tab": "auto"},
    ]))
    result = run("import", str(source))
    assert result.exit_code == 0 and "imported 2 resources" in result.stderr
    assert [r["id"] for r in ok_json(run("list", "--tab", "auto", "--json"))] == ["p-2"]


def test_wide_names_keep_the_list_columns_straight(run, tmp_path):
    from rich.cells import cell_len

    source = tmp_path / "pools.json"
    source.write_text(json.dumps([
        {"id": "p-1", "name": "训练池-一号", "kind": "standard", "expiry": "2026-12-01",
         "monthly_price_cents": 1000},
        {"id": "p-2", "name": "[b]pool[/b]", "kind": "lite", "expiry": "2027-01-01",
         "monthly_price_cents": 2000},
    ]))
    run("import", str(source))
    lines = run("list").stdout.splitlines()
    assert "[b]pool[/b]" in lines[2]  # literal text, never markup
    kind_at = {cell_len(line[:line.index(kind)]) for line, kind in
               zip(lines, ("KIND", "standard", "lite"), strict=True)}
    assert len(kind_at) == 1, lines  # the column after the names starts at one cell


def test_import_csv_error_names_line_and_field(run, tmp_path):
    source = tmp_path / "pools.csv"
    source.write_text("id,name,kind,expiry,monthly_price_cents\n"
                      "p-1,pool-one,standard,2026-12-01,1000\n"
                      "p-2,pool-two,standard,2026-13-01,1000\n")
    assert ok_json(run("list", "--json")) == []  # the database exists before the import
    one_line_error(run("import", str(source)), 1, "line 3", "expiry")
    assert ok_json(run("list", "--json")) == []  # all or nothing


def test_import_wrong_files(run, tmp_path):
    text = tmp_path / "pools.txt"
    text.write_text("hello")
    one_line_error(run("import", str(text)), 1, ".txt")
    assert run("import", str(tmp_path / "missing.json")).exit_code == 2


def test_export_csv_to_stdout(run, seeded):
    result = run("export", "--tab", "manual", "--format", "csv")
    assert result.exit_code == 0
    header, *rows = result.stdout.strip().splitlines()
    assert header.split(",") == list(io.EXPORT_FIELDS)
    assert [row.split(",")[0] for row in rows] == ["r-grace", "r-manual"]


def test_export_to_stdout_never_writes_a_control_character_or_a_formula(run, seeded):
    name = "=HYPERLINK(\"http://evil\")\x1b]0;PWNED\x07"
    seeded.import_resources([make_resource(
        ("r-evil", name, Kind.LITE, "2026-12-20", 1, Billing.SUBSCRIPTION, Tab.MANUAL, "",
         "default"))])
    csv_out = run("export", "--search", "r-evil", "--format", "csv").stdout
    assert "\x1b" not in csv_out and "\x07" not in csv_out
    row = next(csv.DictReader(io_text.StringIO(csv_out)))
    assert row["name"] == "'=HYPERLINK(\"http://evil\")\\x1b]0;PWNED\\x07"
    json_out = run("export", "--search", "r-evil", "--format", "json").stdout
    assert "\x1b" not in json_out and json.loads(json_out)[0]["name"] == name


def test_error_messages_show_control_characters_visibly(run, seeded):
    result = run("preview", "\x1b]0;PWNED\x07", "--months", "1")
    one_line_error(result, 1, "no such resource: \\x1b]0;PWNED\\x07")
    assert "\x1b" not in result.stderr


def test_export_json_to_a_file(run, seeded, tmp_path):
    target = tmp_path / "out.json"
    result = run("export", "--kind", "server", "--format", "json", "--output", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert "exported 2 resources" in result.stderr
    records = json.loads(target.read_text())
    assert [r["id"] for r in records] == ["r-ppu", "r-far"]
    assert list(records[0]) == list(io.EXPORT_FIELDS)


def test_export_needs_a_format_and_a_writable_file(run, seeded, tmp_path):
    assert run("export").exit_code == 2
    assert run("export", "--format", "xml").exit_code == 2
    one_line_error(run("export", "--format", "csv", "--output",
                       str(tmp_path / "no-dir" / "x.csv")), 1, "cannot write")


def test_export_round_trips_through_import(run, seeded, tmp_path, db_path):
    target = tmp_path / "all.csv"
    assert run("export", "--format", "csv", "--output", str(target)).exit_code == 0
    other = CliRunner().invoke(main, ["--db", str(tmp_path / "other.db"), "--now", NOW,
                                      "import", str(target)])
    assert other.exit_code == 0, other.stderr
    assert "imported 6 resources" in other.stderr


def test_demo(run):
    result = run("demo", "--resources", "30", "--seed", "3")
    assert result.exit_code == 0 and "created 30 demo resources" in result.stderr
    assert len(ok_json(run("list", "--json"))) == 30
    one_line_error(run("demo", "--resources", "30"), 1, "already holds")
    assert run("demo", "--resources", "12", "--replace").exit_code == 0
    assert len(ok_json(run("list", "--json"))) == 12
    assert run("demo", "--resources", "-1").exit_code == 2


# the console -----------------------------------------------------------------------------------
@pytest.fixture
def fake_app(monkeypatch):
    """Stand in for tui.app: record how the console would be opened (in a terminal that can
    show it, whatever runs the tests)."""
    monkeypatch.setenv("TERM", "xterm-256color")
    opened: list[dict] = []

    class RenewalsApp:
        crash = None

        def __init__(self, store: Store, mouse: bool, database: DatabaseInfo, config: Config,
                     remember_theme: bool, identity: Identity | None) -> None:
            opened.append({"store": store, "mouse": mouse, "resources": store.count(),
                           "renewal_day": store.account().renewal_day, "database": database,
                           "config": config, "remember_theme": remember_theme})

        def run(self) -> None:
            pass

    module = types.ModuleType("tui.app")
    module.RenewalsApp = RenewalsApp
    monkeypatch.setitem(sys.modules, "tui.app", module)
    return opened


def test_no_command_opens_the_console(seeded, fake_app):
    result = CliRunner().invoke(main, ["--db", str(seeded.path), "--now", NOW, "--no-mouse"])
    assert result.exit_code == 0, result.stderr
    (opened,) = fake_app
    assert opened["mouse"] is False and opened["resources"] == 6
    assert opened["store"].path == seeded.path and opened["store"].clock.today().isoformat() == NOW


def test_demo_console_starts_afresh_in_a_private_data_folder(tmp_path, fake_app):
    demo_db = tmp_path / "data" / "renewals" / "demo.db"
    runner = CliRunner(env={"RENEWALS_DB": None, "RENEWALS_NOW": None,
                            "XDG_DATA_HOME": str(tmp_path / "data")})
    for _ in range(2):
        result = runner.invoke(main, ["--demo"])
        assert result.exit_code == 0, result.stderr
        assert str(demo_db) in result.stderr
        with Store(demo_db) as store:
            store.set_renewal_day(15)  # a setting left behind is gone the next time
    assert [o["resources"] for o in fake_app] == [200, 200]
    assert [o["renewal_day"] for o in fake_app] == [None, None]
    assert fake_app[0]["mouse"] is True
    assert stat.S_IMODE(demo_db.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(demo_db.stat().st_mode) == 0o600


def test_demo_console_with_db_seeds_only_an_empty_one(tmp_path, seeded, fake_app):
    fresh = tmp_path / "fresh.db"
    assert CliRunner().invoke(main, ["--db", str(fresh), "--demo"]).exit_code == 0
    assert fake_app[0]["resources"] == 200
    result = CliRunner().invoke(main, ["--db", str(seeded.path), "--demo"])
    one_line_error(result, 1, "already holds")
    assert len(fake_app) == 1 and seeded.count() == 6


def test_a_dumb_terminal_gets_one_line_pointing_at_the_commands(seeded, fake_app):
    result = CliRunner(env={"TERM": "dumb"}).invoke(main, ["--db", str(seeded.path)])
    one_line_error(result, 1, "TERM=dumb")
    assert "renewals --help" in result.stderr and fake_app == []


def test_demo_flag_takes_no_command(run, seeded):
    result = CliRunner().invoke(main, ["--db", str(seeded.path), "--demo", "list"])
    assert result.exit_code == 2 and "--demo" in result.stderr
