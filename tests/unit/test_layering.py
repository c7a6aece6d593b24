"""The billing core stays free of Textual, so scripts and tests never pay for the UI; and a
command loads only what it uses."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import NOW

STORE = Path(__file__).resolve().parents[2] / "store"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_store_never_imports_textual_or_the_tui():
    offenders = {
        path.name: sorted(name for name in imported_modules(path)
                          if name.split(".")[0] in {"textual", "tui", "rich"})
        for path in STORE.rglob("*.py")
    }
    assert sorted(STORE.rglob("*.py")), "store/ has no modules"
    assert {name: found for name, found in offenders.items() if found} == {}


# What a command pays for at start: the CLI loads neither the UI, nor the cloud backend, nor
# arrow, unless a command uses them (a guard for the imports done where they are used).
REPORT_MODULES = """
import json, sys
from tui.cli import main
try:
    main(sys.argv[2:], prog_name="renewals")
except SystemExit as exc:
    if exc.code:
        raise
with open(sys.argv[1], "w") as out:
    json.dump(sorted(sys.modules), out)
"""
NOT_FOR_A_LEDGER_COMMAND = ("textual", "rich", "arrow", "huaweicloudsdk", "store.cloud.",
                            "tui.app", "tui.screens", "tui.dialogs", "tui.widgets")


def modules_loaded(tmp_path: Path, *args: str) -> list[str]:
    report = tmp_path / "modules.json"
    env = {key: value for key, value in os.environ.items() if not key.startswith("RENEWALS_")}
    done = subprocess.run([sys.executable, "-c", REPORT_MODULES, str(report), *args],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(report.read_text())


@pytest.mark.parametrize("command", [
    ["account", "--json"],
    ["list", "--json"],
    ["preview", "r-manual", "--months", "1", "--json"],
])
def test_a_ledger_command_loads_no_ui_cloud_or_arrow(tmp_path, db_path, seeded, command):
    seeded.close()
    loaded = modules_loaded(tmp_path, "--db", str(db_path), "--now", NOW, *command)
    assert "store.service" in loaded  # it did run
    assert [name for name in loaded if name.startswith(NOT_FOR_A_LEDGER_COMMAND)] == []


def test_the_console_loads_its_other_screens_when_first_shown():
    script = ("import json, sys, tui.cli.root, tui.app; "
              "print(json.dumps(sorted(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout)
    assert "tui.screens.renewals" in loaded
    later = ("tui.screens.orders", "tui.screens.pools", "tui.screens.audit",
             "tui.screens.overview", "tui.screens.settings", "arrow", "huaweicloudsdk",
             "store.cloud.")
    assert [name for name in loaded if name.startswith(later)] == []
