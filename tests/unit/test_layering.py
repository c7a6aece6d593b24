"""The billing core stays free of Textual, so scripts and tests never pay for the UI."""

from __future__ import annotations

import ast
from pathlib import Path

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
