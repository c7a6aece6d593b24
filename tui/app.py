"""A thin App: the keys that work everywhere, the default screen, the look (app.tcss)."""

from __future__ import annotations

import gc
from collections.abc import Iterable
from functools import partial
from typing import Any, ClassVar

from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import CommandPalette, SearchIcon
from textual.containers import Center, Middle
from textual.events import Resize
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen, Screen
from textual.theme import Theme
from textual.widgets import Label

from store.audit import Identity
from store.config import Config, remember_theme, remembered_theme
from store.connections import DatabaseInfo
from store.service import Store
from store.text import safe_lines, safe_text
from tui.cloud_sync import CloudSync
from tui.console_config import checked
from tui.crash import crash_line, write_log
from tui.due_events import TICK_SECONDS, DueEvents
from tui.linux_console import adapt
from tui.screens.help import HelpScreen
from tui.screens.renewals import RenewalsScreen
from tui.state import ConsoleState, StoreWatch
from tui.watch import WATCH_SECONDS, DatabaseWatch, tell_every_screen
from tui.workers import run_store_job

MIN_WIDTH, MIN_HEIGHT = 80, 24
OWN_COMMAND = frozenset({"command_palette"})  # opening the palette from the palette: no


class TooSmallScreen(ModalScreen[None]):
    """Covers everything while the terminal is below the minimum size."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "app.quit", "Quit", id="small.quit"),
    ]

    def compose(self) -> ComposeResult:
        with Middle(), Center():
            yield Label(id="too-small-message")

    def on_mount(self) -> None:
        self.show_size(self.app.size.width, self.app.size.height)

    def show_size(self, width: int, height: int) -> None:
        self.query_one(Label).update(
            f"The terminal is {width}x{height}; renewals needs at least "
            f"{MIN_WIDTH}x{MIN_HEIGHT}.\nMake the window larger, or press ctrl+q to quit."
        )


class AsciiCommandPalette(CommandPalette):
    """Textual's command palette with its search emoji swapped for a plain `>`."""

    def on_mount(self) -> None:
        self.query_one(SearchIcon).icon = ">"


KEY_WORDS = {"\u23ce": "enter", "\u2191": "up", "\u2193": "down", "\u2190": "left",
             "\u2192": "right"}


class RenewalsApp(ConsoleState, App[None]):
    """The renewals console. Everything it knows comes from `store`."""

    CSS_PATH = "app.tcss"
    TITLE = "Renewals"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("q", "back", "Back/quit", id="app.back"),
        Binding("p", "pools", "Pools", id="app.pools"),
        Binding("o", "orders", "Orders", id="app.orders"),
        Binding("u", "audit", "Audit trail", show=False, id="app.audit"),
        Binding("L", "plans", "Plans", show=False, id="app.plans"),
        Binding("w", "overview", "Expiry overview", show=False, id="app.overview"),
        Binding("comma", "settings", "Settings", show=False, id="app.settings"),
        Binding("ctrl+r", "reload", "Reload now", show=False, id="app.reload"),
        Binding("C", "cloud_sync", "Sync with the cloud account", show=False,
                id="app.cloud-sync"),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="app.quit"),
    ]

    def __init__(self, store: Store, mouse: bool = True,
                 config: Config | None = None,
                 due_events_every: float | None = TICK_SECONDS,
                 database: DatabaseInfo | None = None,
                 watch_every: float | None = WATCH_SECONDS,
                 remember_theme: bool = False, identity: Identity | None = None) -> None:
        """`config`: the user's settings (store.config), checked here against the console's
        bindings, themes and columns. `remember_theme`: keep the theme chosen in the palette
        for the next start (the state file). `due_events_every`: seconds between passes of
        due events (one runs at start); None runs no background work at all (no due events,
        and no first cloud sync). `database`: the open file's info, when the caller has read
        it (else it is read in a worker). `watch_every`: seconds between looks for other users'
        writes (None: the screens reload only after this app's own writes, or ctrl+r)."""
        super().__init__()
        self.store = store
        self.mouse_enabled = mouse
        self.due_events = DueEvents(self, store, due_events_every)
        self.cloud_sync = CloudSync(self, store)
        self.database_watch = DatabaseWatch(self, store, watch_every) if watch_every else None
        self.set_reactive(RenewalsApp.database, database)
        self.crash: str | None = None
        """After an unexpected error: the one line to show (the details are in a log file)."""
        adapt(self)
        self.config, self.config_problems = checked(config or self.config,
                                                    self.available_themes)
        self.theme_memory = remember_theme
        self.identity = identity  # team mode: the operator, shown and checked by role
        if self.config.keys:
            self.set_keymap(dict(self.config.keys))
        theme = (remembered_theme() if remember_theme else None) or self.config.theme
        if theme in self.available_themes:
            self.theme = theme

    def run(self, **kwargs: Any) -> Any:
        kwargs.setdefault("mouse", self.mouse_enabled)
        return super().run(**kwargs)

    async def run_async(self, **kwargs: Any) -> Any:
        kwargs.setdefault("mouse", self.mouse_enabled)
        return await super().run_async(**kwargs)

    def _handle_exception(self, error: Exception) -> None:
        """An unexpected error ends the app (Textual's way), its traceback goes to a log file
        instead of the terminal, and the command line says so in one line and exits 1."""
        self.crash = crash_line(error, write_log(error))
        super()._handle_exception(error)
        self._exit_renderables.clear()

    def get_default_screen(self) -> Screen:
        return RenewalsScreen(self.store)

    # size ----------------------------------------------------------------------------------
    def on_mount(self) -> None:
        self._check_size(self.size.width, self.size.height)
        # What exists once the first screen is up (Textual's widgets, styles, the screen) lives
        # as long as the app: out of the garbage collector's reach (until the app ends), a full
        # collection while 100,000 rows are worked on stops the event loop for tens of ms, not
        # for 100-200 ms.
        self.call_after_refresh(gc.freeze)
        for problem in self.config_problems:
            self.notify(problem, title="Config file", severity="warning", timeout=20)
        if self.theme_memory:
            self.theme_changed_signal.subscribe(self, self._theme_changed)
        self.store.events = StoreWatch(self)
        if self.database_watch is not None:
            self.database_watch.start()
        if self.database is None:
            run_store_job(self, self.store, lambda store: store.info(), self._database_read,
                          group="database-info")
        else:
            self._start_due_events()

    def _theme_changed(self, theme: Theme) -> None:
        name = theme.name
        self.run_worker(lambda: remember_theme(name), thread=True, group="theme",
                        exit_on_error=False)

    def on_unmount(self) -> None:
        gc.unfreeze()
        if self.database_watch is not None:
            self.database_watch.stop()

    def _database_read(self, info: DatabaseInfo) -> None:
        self.database = info
        self._start_due_events()

    def _start_due_events(self) -> None:
        """Due events run on their own, except where a write would be refused (a real-clock
        database under --now is for reading only) and on a database bound to a cloud account:
        there the billing system runs them, and the first sync of the session starts instead."""
        info = self.database
        if info is not None and info.bound:
            if self.due_events.every is not None:  # the app runs its own background work
                self.cloud_sync.run()
        elif self.due_events.every is not None and not (info and info.read_only) and not (
                self.identity and self.identity.role == "viewer"):  # a viewer writes nothing
            self.due_events.start()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cloud_sync":
            return self.database is not None and self.database.bound
        return True

    def action_cloud_sync(self) -> None:
        self.cloud_sync.run()

    def on_resize(self, event: Resize) -> None:
        self._check_size(event.size.width, event.size.height)

    def _check_size(self, width: int, height: int) -> None:
        too_small = width < MIN_WIDTH or height < MIN_HEIGHT
        notice = next((s for s in self.screen_stack if isinstance(s, TooSmallScreen)), None)
        if too_small and notice is None:
            self.push_screen(TooSmallScreen())
        elif too_small and notice is not None:
            notice.show_size(width, height)
        elif notice is not None and self.screen is notice:
            self.pop_screen()

    # actions -------------------------------------------------------------------------------
    def action_help(self) -> None:
        notes = getattr(self.screen, "HELP_NOTES", ())
        self.push_screen(HelpScreen(self.screen.active_bindings.values(), notes))

    def action_reload(self) -> None:
        """ctrl+r: every screen reloads what it shows (they also follow other users' writes)."""
        tell_every_screen(self)

    def action_back(self) -> None:
        if len(self.screen_stack) > 1:
            self.pop_screen()
            return
        checked = len(self.screen.selected) if isinstance(self.screen, RenewalsScreen) else 0
        if not checked:
            self.exit()
            return
        from tui.dialogs.confirm import Confirm

        rows = f"{checked:,} resource{'s' if checked != 1 else ''}"
        self.push_screen(Confirm(f"Quit with {rows} checked? The checks are not kept.",
                                 title="Quit"), self._quit_if_sure)

    def _quit_if_sure(self, sure: bool | None) -> None:
        if sure:
            self.exit()

    def action_help_quit(self) -> None:
        """ctrl+c says how to quit rather than quitting: pressed out of habit it would drop
        the checks or a payment half way, and in a text field it copies. (Textual's own notice
        is markup, which `notify` here shows as written.)"""
        keys = [key for key, active in self.active_bindings.items()
                if active.binding.action in ("quit", "app.quit")]
        self.notify(f"Press {keys[0] if keys else 'ctrl+q'} to quit (or q on the Renewals "
                    "screen).", title="Do you want to quit?")

    # The other top-level screens are imported when first shown: with their dialogs, ~25 ms
    # that the first frame does not wait for.
    def action_pools(self) -> None:
        from tui.screens.pools import PoolsScreen

        self._switch_to(PoolsScreen)

    def action_orders(self) -> None:
        from tui.screens.orders import OrdersScreen

        self._switch_to(OrdersScreen)

    def action_plans(self) -> None:
        from tui.screens.plans import PlansScreen

        self._switch_to(PlansScreen)

    def action_audit(self) -> None:
        from tui.screens.audit import AuditScreen

        self._switch_to(AuditScreen)

    def action_overview(self) -> None:
        from tui.screens.overview import OverviewScreen

        self._switch_to(OverviewScreen)

    def action_settings(self) -> None:
        from tui.screens.settings import SettingsScreen

        self._switch_to(SettingsScreen)

    def _switch_to(self, screen_type: type[Screen]) -> None:
        """Show a top-level screen above Renewals; its own key again goes back to Renewals."""
        was_showing = isinstance(self.screen, screen_type)
        while len(self.screen_stack) > 1 and not isinstance(self.screen, ModalScreen):
            self.pop_screen()
        if not was_showing and len(self.screen_stack) == 1:
            self.push_screen(screen_type(self.store))

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Every notification, from any screen or worker: literal text, never markup, and
        nothing in it (a name, a reason) can act on the terminal."""
        super().notify(safe_lines(message), title=safe_text(title), severity=severity,
                       timeout=timeout, markup=False)

    def get_key_display(self, binding: Binding) -> str:
        # Textual draws some keys as symbols that some terminals make double width: use words.
        display = super().get_key_display(binding)
        for symbol, word in KEY_WORDS.items():
            display = display.replace(symbol, word)
        return display

    # command palette -----------------------------------------------------------------------
    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(AsciiCommandPalette(id="--command-palette"))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's own commands, then every described key active on `screen`."""
        titles = set()
        for command in super().get_system_commands(screen):
            titles.add(command.title)
            yield command
        for active in screen.active_bindings.values():
            binding = active.binding
            title = binding.description
            if binding.system or not title or title in titles or binding.action in OWN_COMMAND:
                continue
            titles.add(title)
            key = self.get_key_display(binding)
            callback = partial(self.run_action, binding.action, active.node)
            yield SystemCommand(title, f"key: {key}", callback)
