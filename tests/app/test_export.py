"""Export (`e`): the current Renewals view, every matching row, to CSV or JSON."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from textual.widgets import Input, Static

from store.models import Filters, Tab
from tui.dialogs.export import ExportDialog, ExportFailed, ExportRequest, export_view
from tui.widgets.resource_table import ResourceTable
from tui.widgets.stepper import Stepper

SIZE = (80, 24)


def notes(app) -> list[str]:
    return [note.message for note in app._notifications]


async def open_export(pilot, app, wait, path: Path | None = None) -> ExportDialog:
    await pilot.press("e")
    await wait(pilot, lambda: isinstance(app.screen, ExportDialog), what="the dialog")
    dialog = app.screen
    if path is not None:
        dialog.query_one("#export-path", Input).value = str(path)
        await pilot.pause()  # the dialog hears of the new path (and its format)
    return dialog


async def show_tab(pilot, app, wait, key: str, rows: int) -> None:
    await pilot.press(key)
    await wait(pilot, lambda: app.screen.query_one(ResourceTable).row_count == rows
               and not app.screen.query_one(ResourceTable).is_loading, what="the tab")


async def test_e_writes_every_row_of_the_tab_with_renewal_prices(app, add, make, wait,
                                                                 tmp_path):
    add(make(30, prefix="manual") + make(40, tab=Tab.AUTO, prefix="auto", price_cents=12_345))
    target = tmp_path / "auto.csv"
    async with app.run_test(size=SIZE) as pilot:
        await show_tab(pilot, app, wait, "2", 40)
        dialog = await open_export(pilot, app, wait)
        assert dialog.query_one("#export-path", Input).value == "renewals-export-2026-11-26.csv"
        assert "40 rows" in str(dialog.query_one("#export-about", Static).render())
        dialog.query_one("#export-path", Input).value = str(target)
        await pilot.pause()
        await pilot.press("enter")
        await wait(pilot, lambda: any("Exported 40 rows as CSV" in n for n in notes(app)))
        assert str(target) in notes(app)[-1]
    with target.open(newline="") as stream:
        records = list(csv.DictReader(stream))
    assert sorted(r["id"] for r in records) == [f"auto-id-{n:06d}" for n in range(40)]
    assert {r["tab"] for r in records} == {"auto"}
    assert {(r["renewal_1_month_cents"], r["renewal_1_year_cents"]) for r in records} == {
        ("12345", "123450")}


async def test_the_search_narrows_the_export_and_a_json_name_writes_json(app, add, make, wait,
                                                                         tmp_path):
    add(make(30))
    target = tmp_path / "found.json"
    async with app.run_test(size=SIZE) as pilot:
        await show_tab(pilot, app, wait, "1", 30)
        await pilot.press("slash", *"pool-00001", "enter")
        await wait(pilot, lambda: app.screen.query_one(ResourceTable).row_count == 10)
        dialog = await open_export(pilot, app, wait, target)
        assert dialog.query_one("#export-format", Stepper).render().plain == "< JSON >"
        await pilot.press("enter")
        await wait(pilot, lambda: any("Exported 10 rows as JSON" in n for n in notes(app)))
    records = json.loads(target.read_text())
    assert [r["name"] for r in records] == [f"pool-{n:06d}" for n in range(10, 20)]


async def test_a_missing_folder_is_said_in_the_dialog(app, add, make, wait, tmp_path):
    add(make(3))
    target = tmp_path / "no-such-folder" / "x.csv"
    async with app.run_test(size=SIZE) as pilot:
        await show_tab(pilot, app, wait, "1", 3)
        dialog = await open_export(pilot, app, wait, target)
        await pilot.press("enter")
        problem = dialog.query_one("#export-problem", Static)
        await wait(pilot, lambda: "does not exist" in str(problem.render()))
        assert app.screen is dialog
        await pilot.press("escape")
        await wait(pilot, lambda: app.screen is not dialog)
    assert not target.parent.exists()


async def test_an_existing_file_needs_a_second_enter(app, add, make, wait, tmp_path):
    add(make(3))
    target = tmp_path / "old.csv"
    target.write_text("old\n")
    async with app.run_test(size=SIZE) as pilot:
        await show_tab(pilot, app, wait, "1", 3)
        dialog = await open_export(pilot, app, wait, target)
        await pilot.press("enter")
        await wait(pilot, lambda: "exists" in str(dialog.query_one("#export-problem").render()))
        assert target.read_text() == "old\n"
        await pilot.press("enter")
        await wait(pilot, lambda: target.read_text().startswith("id,name"))


def test_a_failed_write_comes_back_as_the_error_and_leaves_no_file(store, add, make, tmp_path):
    add(make(2))
    blocker = tmp_path / "out" / "a-file"
    blocker.parent.mkdir()
    blocker.write_text("")
    outcome = export_view(store, Filters(tab=Tab.MANUAL), "expiry", False,
                          ExportRequest(blocker / "x.csv", "csv"))
    assert outcome == ExportFailed(blocker / "x.csv",
                                   f"cannot write {blocker / 'x.csv'}: Not a directory")
    assert list(blocker.parent.iterdir()) == [blocker]


async def test_a_write_that_fails_anyway_is_an_error_notice(app, add, make, wait, tmp_path,
                                                            monkeypatch):
    add(make(3))
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setattr("tui.dialogs.export.path_problem", lambda path: None)
    async with app.run_test(size=SIZE) as pilot:
        await show_tab(pilot, app, wait, "1", 3)
        await open_export(pilot, app, wait, blocker / "x.csv")
        await pilot.press("enter")
        await wait(pilot, lambda: any(n.severity == "error" for n in app._notifications))
        assert notes(app)[-1] == (f"Not exported: cannot write {blocker / 'x.csv'}: "
                                  "Not a directory")


async def test_a_question_mark_in_the_file_name_is_text_not_help(app, add, make, wait):
    from tui.screens.help import HelpScreen

    add(make(3))
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_export(pilot, app, wait)
        field = dialog.query_one("#export-path", Input)
        field.focus()
        field.value = ""
        await pilot.press("a", "question_mark", "b")
        assert field.value == "a?b" and not isinstance(app.screen, HelpScreen)
