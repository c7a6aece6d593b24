"""TERM=linux: the Linux console's fonts lack partial blocks, so no screen draws them there;
in 16 colours the checked rows and the grace label keep different colours."""

from __future__ import annotations

from textual.scrollbar import ScrollBar

from store.models import Phase
from tui.app import RenewalsApp
from tui.dialogs.payment import PaymentDialog
from tui.widgets.resource_table import ResourceTable

PARTIAL_BLOCKS = set("▔▁▂▃▄▅▆▇▉▊▋▌▍▎▏╸╺")


def partial_blocks(app: RenewalsApp) -> set[str]:
    return PARTIAL_BLOCKS & set(app.export_screenshot())


async def test_no_partial_blocks_on_the_linux_console(store, add, make, wait, monkeypatch):
    monkeypatch.setenv("TERM", "linux")
    monkeypatch.setattr(ScrollBar, "renderer", ScrollBar.renderer)  # put back afterwards
    add(make(60))
    store.top_up(10_000_000)
    app = RenewalsApp(store, due_events_every=None, watch_every=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait(pilot, lambda: not app.screen.query_one(ResourceTable).is_loading)
        app.notify("a toast over the rows")
        await pilot.pause()
        assert partial_blocks(app) == set()
        await pilot.press("space", "r")
        await wait(pilot, lambda: type(app.screen).__name__ == "RenewDialog"
                   and app.screen.shown is not None)
        await pilot.press("enter")
        await wait(pilot, lambda: isinstance(app.screen, PaymentDialog)
                   and app.screen.account is not None)
        assert partial_blocks(app) == set()


async def test_elsewhere_the_stock_drawing_stays(store, add, make, wait, monkeypatch):
    monkeypatch.setenv("TERM", "xterm-256color")
    add(make(60))
    app = RenewalsApp(store, due_events_every=None, watch_every=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait(pilot, lambda: not app.screen.query_one(ResourceTable).is_loading)
        assert partial_blocks(app)  # the scrollbar's eighths: this is what the test looks for


async def test_checked_rows_and_the_grace_label_differ_in_16_colours(store, add, make, wait):
    add(make(30, first_day=-10))
    app = RenewalsApp(store, due_events_every=None, watch_every=None)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one(ResourceTable)
        await wait(pilot, lambda: not table.is_loading)
        assert table.cursor_row.phase is Phase.GRACE
        checked = table.get_component_rich_style("resource-table--checked", partial=True)
        grace = table.get_component_rich_style("resource-table--grace", partial=True)
        assert checked.color.downgrade("standard") != grace.color.downgrade("standard")
