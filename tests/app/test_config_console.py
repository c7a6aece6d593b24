"""The config file in the console: other keys, fewer columns, the dialog's first duration, the
theme (and the one chosen in the palette, remembered), and problems said once as a notice."""

from __future__ import annotations

from pathlib import Path

from store.config import Config, load_config, remembered_theme
from store.models import Duration
from tui.app import RenewalsApp
from tui.dialogs.renew import RenewDialog
from tui.screens.pools import PoolsScreen
from tui.widgets.resource_table import ResourceTable


def console(store, config: Config, **options) -> RenewalsApp:
    return RenewalsApp(store, config=config, due_events_every=None, watch_every=None,
                       **options)


def header(app) -> list[str]:
    return app.screen.query_one(ResourceTable).render_line(0).text.split()


async def test_keys_columns_and_duration_come_from_the_config(store, add, make, wait):
    add(make(3))
    config = Config(Path("config.toml"), keys={"renewals.renew": "f7"},
                    columns={"renewals": ("expiry", "price"), "pools": ("billing",)},
                    renewal_duration=Duration(3))
    app = console(store, config)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait(pilot, lambda: not app.screen.query_one(ResourceTable).is_loading)
        assert header(app) == ["Name", "Expiry", "^", "Price/month"]
        await pilot.press("r")
        assert not isinstance(app.screen, RenewDialog)  # r gave way to f7
        await pilot.press("f7")
        await wait(pilot, lambda: isinstance(app.screen, RenewDialog))
        assert app.screen.initial_duration == Duration(3)
        await pilot.press("escape", "p")
        await wait(pilot, lambda: isinstance(app.screen, PoolsScreen))
        assert header(app) == ["Name", "Billing", "^"]  # it sorts by expiry


async def test_problems_are_said_once_and_the_rest_holds(store, tmp_path, wait):
    path = tmp_path / "config.toml"
    path.write_text('theme = "nord"\ntheme_x = 1\n[keys]\n"renewals.renw" = "f8"\n'
                    '[columns]\npools = ["prize"]\n', encoding="utf-8")
    app = console(store, load_config(path))
    async with app.run_test() as pilot:
        await wait(pilot, lambda: len(app._notifications) == 3)
        messages = [n.message for n in app._notifications]
        assert any("line 2: theme_x: no such setting" in m for m in messages)
        assert any('line 4: [keys] "renewals.renw": no such binding id' in m for m in messages)
        assert any("line 6: [columns] \"pools\": no column 'prize'" in m for m in messages)
        assert app.theme == "nord"


async def test_the_theme_chosen_in_the_palette_is_remembered(store, wait):
    app = console(store, Config(Path("config.toml"), theme="nord"), remember_theme=True)
    async with app.run_test() as pilot:
        assert app.theme == "nord"
        app.theme = "gruvbox"
        await wait(pilot, lambda: remembered_theme() == "gruvbox")
    again = console(store, Config(Path("config.toml"), theme="nord"), remember_theme=True)
    assert again.theme == "gruvbox"
