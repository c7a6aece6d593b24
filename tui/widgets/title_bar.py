"""The top line of every screen: where you are, the billing day the rules use, the database file,
and what must not go unnoticed: a simulated clock, a read-only database, a wait for another writer.
"""

from __future__ import annotations

from typing import cast

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from store.clock import Clock
from store.text import safe_text
from tui.state import ConsoleState


class TitleBar(Widget):
    DEFAULT_CSS = """
    TitleBar { height: 1; background: $panel; color: $text; }
    """
    COMPONENT_CLASSES = {"title-bar--alert"}

    title: reactive[str] = reactive("")

    def __init__(self, title: str = "", *, id: str | None = "title") -> None:
        super().__init__(id=id)
        self.set_reactive(TitleBar.title, title)

    def on_mount(self) -> None:
        for name in ("database", "writer_waiting", "sync_step", "due_events_done"):
            self.watch(self.app, name, lambda _value: self.refresh(), init=False)
        self.set_interval(30, self.refresh)  # "synced N min ago" moves on

    @property
    def console(self) -> ConsoleState:
        return cast(ConsoleState, self.app)

    def flags(self) -> list[str]:
        """The states that must catch the eye, most urgent first."""
        console = self.console
        found = ["waiting for another writer…"] if console.writer_waiting else []
        if console.identity is not None and console.identity.operator:
            found.append(f"{console.identity.operator} ({console.identity.role})")
        _events, failed = console.due_events_done
        if failed:
            found.append(f"{failed:,} auto-renewal{'s' * (failed > 1)} failed: u")
        if console.sync_step:
            found.append(console.sync_step)
        if console.database is not None and console.database.read_only:
            found.append("READ ONLY: real-clock database under --now")
        elif console.store.clock.is_fixed:
            found.append("SIMULATED CLOCK")
        return found

    def render(self) -> Text:
        alert = self.get_component_rich_style("title-bar--alert", partial=True)
        store = self.console.store
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(f" {self.title}", style="bold")
        for flag in self.flags():  # before the rest: a narrow terminal cuts from the right
            line.append("  ")
            line.append(f" {flag} ", style=alert)
        line.append(f"  today {store.clock.today()} UTC+8")
        database = self.console.database
        if database is not None and database.bound:
            line.append(f"  {database.site}, {synced_words(database.synced_at)}")
        events, _failed = self.console.due_events_done
        if events:  # before the file name, which `renewals doctor` also says
            line.append(f"  due events: {events:,} (u)")
        line.append(f"  {safe_text(store.path.name)}")
        return line


def synced_words(synced_at: str | None) -> str:
    """`synced 4 min ago`, `synced just now`, `not synced yet`, by the wall clock."""
    import arrow  # ~10 ms, for a bound database's title only

    if not synced_at:
        return "not synced yet"
    minutes = int((Clock().now() - arrow.get(synced_at)).total_seconds() // 60)
    if minutes < 1:
        return "synced just now"
    if minutes < 120:
        return f"synced {minutes} min ago"
    return f"synced {arrow.get(synced_at).humanize()}"
