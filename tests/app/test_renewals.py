"""The Renewals screen at 80x24, driven by keys; every wait is on a condition, never a sleep."""

from __future__ import annotations

import sys
import types
from dataclasses import replace

from textual.widgets import Input, OptionList

from store.models import Duration, Filters, Kind, Method, Phase, Tab
from tui.app import RenewalsApp, TooSmallScreen
from tui.screens.help import HelpScreen
from tui.widgets.filter_bar import ChoiceMenu, FilterBar
from tui.widgets.resource_table import PAGE_SIZE, Query, ResourceTable, _fetch_page
from tui.widgets.status_bar import StatusBar


def table(app: RenewalsApp) -> ResourceTable:
    return app.screen.query_one(ResourceTable)


def shown(app: RenewalsApp, text: str) -> bool:
    return any(text in line for line in table_lines(app))


def checked_lines(app: RenewalsApp) -> list[str]:
    return [line for line in table_lines(app) if "[x]" in line]


def table_lines(app: RenewalsApp) -> list[str]:
    """The table's lines exactly as drawn (header first)."""
    table = app.screen.query_one(ResourceTable)
    return [table.render_line(y).text for y in range(table.size.height)]


def status_text(app: RenewalsApp) -> str:
    return app.screen.query_one(StatusBar).render().plain


async def ready(pilot, app: RenewalsApp, wait) -> None:
    await wait(pilot, lambda: not table(app).is_loading, what="the first rows")


async def test_first_rows_appear_in_expiry_order(app, add, make, wait):
    add(make(30))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait(pilot, lambda: shown(app, "pool-000000"), what="the first row")
        lines = table_lines(app)
        assert "Name" in lines[0] and "Expiry" in lines[0]
        assert lines[1].startswith(">[ ] pool-000000")  # cursor on the earliest expiry
        assert "2026-11-06" in lines[1]  # 20 days before today
        assert "grace" not in lines[1] and "frozen 20d" in lines[1]


async def test_at_80x24_ten_rows_and_the_status_and_footer_fit(app, add, make, wait):
    add(make(50))
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot, app, wait)
        assert sum("[ ]" in line for line in table_lines(app)) >= 10
        screen = app.screen
        for selector in ("#title", "Tabs", "FilterBar", "StatusBar", "Footer"):
            region = screen.query_one(selector).region
            assert region.height >= 1 and region.bottom <= 24, selector
        assert "0 selected" in status_text(app) and "50 rows" in status_text(app)


async def test_number_keys_and_brackets_switch_tabs(app, add, make, wait):
    add(make(5, prefix="manual") + make(3, tab=Tab.AUTO, prefix="auto")
        + make(2, tab=Tab.PPU, prefix="ppu")
        + make(4, tab=Tab.CANCELED, prefix="canceled"))
    async with app.run_test() as pilot:
        await wait(pilot, lambda: shown(app, "manual-000000"))
        for key, prefix, count in (("2", "auto", 3), ("4", "canceled", 4),
                                   ("right_square_bracket", "manual", 5),
                                   ("left_square_bracket", "canceled", 4), ("3", "ppu", 2)):
            await pilot.press(key)
            await wait(pilot, lambda p=prefix, n=count: shown(app, f"{p}-000000")
                           and table(app).row_count == n, what=prefix)
            names = [line[5:].split()[0] for line in table_lines(app)[1:] if "[ ]" in line]
            assert names and all(name.startswith(prefix) for name in names)
        assert app.screen.filters.tab is Tab.PPU


async def test_space_checks_the_row_and_moves_down(app, add, make, wait):
    add(make(20))
    async with app.run_test() as pilot:
        await ready(pilot, app, wait)
        await pilot.press("space")
        await wait(pilot, lambda: len(checked_lines(app)) == 1)
        assert checked_lines(app)[0].startswith(" [x] pool-000000")
        assert table(app).cursor == 1
        await pilot.press("space", "k", "space")  # check row 2, back up, uncheck row 2
        await wait(pilot, lambda: app.screen.selected == {"pool-id-000000"})
        await wait(pilot, lambda: "1 selected" in status_text(app))
        assert "CNY 100.00 for 1 month" in status_text(app)


async def test_a_checks_every_matching_row_and_A_clears(app, add, make, wait):
    add(make(600, days=600, price_cents=1_234)
        + make(7, tab=Tab.AUTO, prefix="a"))
    async with app.run_test() as pilot:
        await ready(pilot, app, wait)
        await pilot.press("a")
        await wait(pilot, lambda: len(app.screen.selected) == 600, what="600 checked")
        await wait(pilot, lambda: "CNY 7,404.00" in status_text(app), what="the total")
        assert "600 selected" in status_text(app)
        assert all("[x]" in line for line in table_lines(app)[1:] if "pool-" in line)
        await pilot.press("G")
        await wait(pilot, lambda: shown(app, "pool-000599"))
        assert all("[x]" in line for line in table_lines(app)[1:] if "pool-" in line)
        await pilot.press("A")
        await wait(pilot, lambda: "0 selected" in status_text(app))
        assert not checked_lines(app)


async def test_checks_survive_a_filter_change_a_tab_switch_and_sorting(app, add, make, wait):
    add(make(40) + make(3, tab=Tab.AUTO, prefix="auto", first_day=2))
    async with app.run_test() as pilot:
        await ready(pilot, app, wait)
        await pilot.press("space", "space")  # expire 20 and 19 days ago: frozen
        await wait(pilot, lambda: len(app.screen.selected) == 2)
        await pilot.press("f")
        await wait(pilot, lambda: isinstance(app.screen, ChoiceMenu))
        await pilot.press("down", "enter")  # "Expires within 7 days"
        await wait(pilot, lambda: app.screen.filters.expiring_days == 7
                       and not table(app).is_loading)
        assert not checked_lines(app) and shown(app, "pool-000020")
        await pilot.press("2")
        await wait(pilot, lambda: shown(app, "auto-000000"))
        await pilot.press("1", "escape")  # back to Manual, clear the expiry filter
        await wait(pilot, lambda: app.screen.filters.expiring_days is None
                       and shown(app, "pool-000000") and not table(app).is_loading)
        assert [line[5:16] for line in checked_lines(app)] == ["pool-000000", "pool-000001"]
        await pilot.press("S")  # newest expiry first: the checked rows go to the end
        await wait(pilot, lambda: shown(app, "pool-000039"))
        await pilot.press("G")
        await wait(pilot, lambda: len(checked_lines(app)) == 2)
        assert "2 selected" in status_text(app)


async def test_search_narrows_rows_and_esc_clears_it(app, add, make, wait):
    add(make(50))
    async with app.run_test() as pilot:
        await ready(pilot, app, wait)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"00004")  # pool-000040..49 and pool-000004
        await wait(pilot, lambda: table(app).row_count == 11 and not table(app).is_loading)
        assert shown(app, "pool-000004") and not shown(app, "pool-000005")
        await pilot.press("escape")
        await wait(pilot, lambda: table(app).row_count == 50)
        assert isinstance(app.focused, ResourceTable)
        assert app.screen.query_one(FilterBar).search_input.value == ""


async def test_search_finds_by_id_and_order_id(app, add, store, make, wait):
    add(make(10))
    order = store.place_order(["pool-id-000007", "pool-id-000003"], Duration(1))
    async with app.run_test() as pilot:
        await ready(pilot, app, wait)
        assert shown(app, "pool-000003 (pending)")
        await pilot.press("slash", *order.id, "enter")
        await wait(pilot, lambda: table(app).row_count == 2 and not table(app).is_loading)
        assert isinstance(app.focused, ResourceTable)


async def test_quick_filter_counts_match_what_each_filter_lists(app, add, store, make, wait):
    add(make(120, first_day=-35, days=120))
    store.place_order(["pool-id-000050"], Duration(1))
    async with app.run_test() as pilot:
        await wait(pilot, lambda: app.screen.counts is not None)
        counts = app.screen.counts
        base = Filters(tab=Tab.MANUAL)
        assert counts.total is None  # no expiry filter: the list's own count, not asked twice
        assert counts.within_7 == store.count(Filters(tab=Tab.MANUAL, expiring_days=7)) == 8
        assert counts.within_30 == 31
        assert counts.grace == store.count(Filters(tab=Tab.MANUAL, phase=Phase.GRACE)) == 15
        assert counts.retention == 15 and counts.pending == 1
        quick = str(app.screen.query_one("#quick-filters").render())
        assert "7d: 8" in quick and "grace: 15" in quick and "pending: 1" in quick
        # the expiry picker says how many each choice shows ("any": the rows counted)
        await wait(pilot, lambda: app.screen.status.row_count == 115)
        await pilot.press("f")
        await wait(pilot, lambda: isinstance(app.screen, ChoiceMenu))
        assert any("Any expiry  (115)" in str(option.prompt)  # 5 past retention are deleted
                   for option in app.screen.query_one(OptionList).options)
        assert store.count(base) == 115
        await pilot.press("down", "enter")  # Expires within 7 days
        await wait(pilot, lambda: table(app).row_count == 8 and app.screen.counts.total)
        assert app.screen.counts.total == 115
        await pilot.press("escape")
        await wait(pilot, lambda: table(app).row_count == 115)
        await pilot.press("h")
        await wait(pilot, lambda: table(app).row_count == 114 and app.screen.counts.pending)
        assert "pending: 1 hidden" in str(app.screen.query_one("#quick-filters").render())


async def test_kind_region_and_n_days_pickers_and_esc_clearing_them_one_by_one(
        app, add, make, wait):
    lite = [replace(r, kind=Kind.LITE, region="cn-east-3")
            for r in make(6, prefix="lite", first_day=1)]
    add(make(20, first_day=1) + lite)
    async with app.run_test() as pilot:
        await ready(pilot, app, wait)
        await pilot.press("t")
        await wait(pilot, lambda: isinstance(app.screen, ChoiceMenu))
        await pilot.press("down", "down", "enter")  # All kinds, Standard pool, Lite pool
        await wait(pilot, lambda: table(app).row_count == 6)
        await pilot.press("l")
        await wait(pilot, lambda: isinstance(app.screen, ChoiceMenu))
        await pilot.press("down", "down", "enter")  # All regions, cn-east-3, cn-north-4
        await wait(pilot, lambda: table(app).row_count == 0 and not table(app).is_loading)
        assert shown(app, "No resources match.")
        assert "region cn-north-4" in str(app.screen.query_one("#filters-in-force").render())
        await pilot.press("escape")  # esc clears one filter at a time: the kind first
        await wait(pilot, lambda: app.screen.filters.kind is None)
        await pilot.press("escape")
        await wait(pilot, lambda: table(app).row_count == 26)
        await pilot.press("f")
        await wait(pilot, lambda: isinstance(app.screen, ChoiceMenu))
        await pilot.press("down", "down", "down", "down", "enter")  # Expires within N days...
        await wait(pilot, lambda: isinstance(app.focused, Input))
        await pilot.press("3", "enter")
        await wait(pilot, lambda: table(app).row_count == 6 and not table(app).is_loading)
        assert app.screen.filters.expiring_days == 3


async def test_G_shows_the_last_of_20000_rows_at_once(app, add, store, make, wait):
    add(make(20_000, days=700))
    last = store.list(Filters(tab=Tab.MANUAL), offset=19_999, limit=1)[0].resource.name
    async with app.run_test() as pilot:
        await ready(pilot, app, wait)
        await pilot.press("G")
        await wait(pilot, lambda: shown(app, f">[ ] {last}"), timeout=2, what=last)
        assert table(app).cursor == 19_999
        assert len(table(app)._pages) <= 3  # the first and the last pages, not the world
        await pilot.press("g")
        await wait(pilot, lambda: shown(app, ">[ ] pool-000000"))


async def test_names_with_markup_characters_render_literally(app, add, make, wait):
    names = ("[bold]evil[/bold]", "[red]x", "50%_off \\[y]")
    add([replace(r, name=name) for r, name in zip(make(3), names, strict=True)])
    async with app.run_test() as pilot:
        await ready(pilot, app, wait)
        for name in names:
            assert shown(app, name)


async def test_help_lists_every_active_binding(app, add, make, wait):
    add(make(3))
    async with app.run_test() as pilot:
        await ready(pilot, app, wait)
        descriptions = {b.binding.description for b in app.screen.active_bindings.values()
                        if b.binding.description and not b.binding.system}
        await pilot.press("question_mark")
        await wait(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = str(app.screen.query_one("#help-body Static").render())
        missing = [d for d in descriptions if d not in text]
        assert not missing
        for key in ("space", "/", "[", "G"):
            assert key in text
        await pilot.press("escape")
        await wait(pilot, lambda: not isinstance(app.screen, HelpScreen))


async def test_command_palette_offers_the_screen_actions(app, add, make, wait):
    add(make(3))
    async with app.run_test() as pilot:
        await ready(pilot, app, wait)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Renew", "Check all", "Search", "Help", "Pools", "Orders",
                "Auto Renewals"} <= titles


async def test_below_the_minimum_size_a_notice_shows(store, wait):
    app = RenewalsApp(store)
    async with app.run_test(size=(60, 20)) as pilot:
        await wait(pilot, lambda: isinstance(app.screen, TooSmallScreen))
        assert "60x20" in str(app.screen.query_one("#too-small-message").render())


async def test_r_hands_the_checked_ids_to_the_flow_then_shows_new_expiries(
        app, add, store, monkeypatch, make, wait):
    add(make(10, first_day=5))
    store.top_up(10_000_000)
    calls = []

    async def renew_flow(flow_app, flow_store, ids):
        calls.append(list(ids))
        order = flow_store.place_order(ids, Duration(1))
        payment = flow_store.pay(order.id, Method.BALANCE)
        flow_store.close()
        return payment

    monkeypatch.setitem(sys.modules, "tui.flows", types.SimpleNamespace(renew_flow=renew_flow))
    async with app.run_test() as pilot:
        await ready(pilot, app, wait)
        await pilot.press("space", "space", "r")
        await wait(pilot, lambda: calls and not app.screen.selected, what="the payment")
        assert calls == [["pool-id-000000", "pool-id-000001"]]
        await wait(pilot, lambda: table_lines(app)[1][1:].startswith("[ ] pool-000002"),
                       what="the renewed rows moving down")
        await pilot.press("G")
        await wait(pilot, lambda: shown(app, "2027-01-01"))  # 2026-12-01 + 1 month


def test_pages_read_from_the_end_match_pages_read_from_the_start(add, store, make):
    add(make(1_000, days=37))
    count = store.count(Filters(tab=Tab.MANUAL))
    for sort in ("expiry", "name", "price"):
        for descending in (False, True):
            query = Query(Filters(tab=Tab.MANUAL), sort, descending)
            forward = store.list(query.filters, sort, descending, limit=-1)
            pages = [_fetch_page(store, query, page, count) for page in range(5)]
            assert [row for page in pages for row in page] == forward
            assert all(len(page) == PAGE_SIZE for page in pages)


async def test_q_with_rows_checked_asks_before_quitting(app, add, make, wait, monkeypatch):
    from tui.dialogs.confirm import Confirm

    quits: list[bool] = []
    monkeypatch.setattr(app, "exit", lambda *args, **kwargs: quits.append(True))
    add(make(5))
    async with app.run_test() as pilot:
        await ready(pilot, app, wait)
        await pilot.press("space")
        await wait(pilot, lambda: len(app.screen.selected) == 1)
        await pilot.press("q")
        await wait(pilot, lambda: isinstance(app.screen, Confirm))
        assert "Quit with 1 resource checked?" in str(app.screen.question)
        await pilot.press("n")
        await wait(pilot, lambda: not isinstance(app.screen, Confirm))
        assert quits == [] and len(app.screen.selected) == 1
        await pilot.press("q")
        await wait(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("y")
        await wait(pilot, lambda: quits == [True])
        await pilot.press("A")  # checks cleared: q quits at once
        await wait(pilot, lambda: not app.screen.selected)
        await pilot.press("q")
        await wait(pilot, lambda: quits == [True, True])


async def test_ctrl_c_says_in_plain_words_how_to_quit(app, add, make, wait):
    add(make(3))
    async with app.run_test() as pilot:
        await ready(pilot, app, wait)
        await pilot.press("ctrl+c")
        await wait(pilot, lambda: app._notifications)
        (said,) = list(app._notifications)
        assert said.message == "Press ctrl+q to quit (or q on the Renewals screen)."
        assert "[b]" not in said.message and app.is_running


async def test_an_empty_database_says_how_to_fill_it_and_a_filter_says_none_match(
        app, add, make, wait):
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot, app, wait)
        await wait(pilot, lambda: shown(app, "renewals import FILE"))
        assert shown(app, "holds no resources yet") and shown(app, "renewals demo")
        assert shown(app, "renewals cloud sync") and not shown(app, "No resources match.")
        add(make(3))
        await pilot.press("ctrl+r")
        await wait(pilot, lambda: table(app).row_count == 3)
        await pilot.press("2")  # Auto Renewals: none there, in a database that has some
        await wait(pilot, lambda: table(app).row_count == 0 and not table(app).is_loading)
        await wait(pilot, lambda: shown(app, "No resources match."))
        assert not shown(app, "holds no resources yet")


async def test_keys_typed_ahead_check_the_rows_before_r_renews_them(app, add, make, wait):
    """`space j space r` arriving at once (typed fast, or pasted): r renews both checked rows,
    not the cursor row."""
    from tui.dialogs.renew import RenewDialog

    add(make(5))
    async with app.run_test() as pilot:
        await ready(pilot, app, wait)
        for key in ("space", "j", "space", "r"):
            app.simulate_key(key)
        await wait(pilot, lambda: isinstance(app.screen, RenewDialog))
        assert len(app.screen.ids) == 2 and len(app.screen_stack[-2].selected) == 2


async def test_question_mark_in_a_dialog_lists_that_dialogs_keys(app, add, make, wait):
    from tui.dialogs.renew import RenewDialog
    from tui.screens.help import HelpScreen

    add(make(3))
    async with app.run_test() as pilot:
        await ready(pilot, app, wait)
        await pilot.press("r")
        await wait(pilot, lambda: isinstance(app.screen, RenewDialog))
        dialog = app.screen
        await pilot.press("question_mark")
        await wait(pilot, lambda: isinstance(app.screen, HelpScreen))
        listed = str(app.screen.query_one("#help-body Static").render())
        assert "Continue" in listed and "Renewal date" in listed and "Check all" not in listed
        await pilot.press("escape")
        await wait(pilot, lambda: app.screen is dialog)
