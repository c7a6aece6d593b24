"""Fixtures for Pilot tests: a temp database at a fixed billing day, waiting on conditions, and
a bare host app for testing one screen or dialog without the whole of RenewalsApp.

Tests reach the helpers through fixtures (`wait`, `make`, `host`), not `from conftest import`: with
several conftest.py files in sibling folders, which one `conftest` names depends on collection.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable

import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static

from store.clock import Clock
from store.models import Kind, Resource, Tab
from store.service import Store
from tui.app import RenewalsApp
from tui.state import ConsoleState

TODAY = dt.date(2026, 11, 26)


async def wait_for(pilot: Pilot, predicate: Callable[[], object], timeout: float = 5.0,
                   what: str = "") -> None:
    """Let the app run until `predicate()` holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await pilot.pause()


class HostApp(ConsoleState, App):
    """A bare app on `store`: it pushes `screen(store)` when it mounts, if given a `screen`."""

    CSS = "Screen { background: $background; }"

    def __init__(self, store: Store, screen: Callable[[Store], Screen] | None = None) -> None:
        super().__init__()
        self.store = store
        self.make_screen = screen

    def compose(self) -> ComposeResult:
        yield Static("host")

    def on_mount(self) -> None:
        if self.make_screen is not None:
            self.push_screen(self.make_screen(self.store))


def make_resources(count: int, tab: Tab = Tab.MANUAL, prefix: str = "pool",
                   first_day: int = -20, days: int = 400, start: int = 0,
                   price_cents: int = 10_000) -> list[Resource]:
    """`count` resources whose expiry climbs a day at a time from today + `first_day`."""
    return [
        Resource(
            id=f"{prefix}-id-{number:06d}", name=f"{prefix}-{number:06d}", kind=Kind.STANDARD,
            expiry=TODAY + dt.timedelta(days=first_day + number % days),
            monthly_price_cents=price_cents, yearly_price_cents=price_cents * 10,
            region="cn-north-4", tab=tab,
        )
        for number in range(start, start + count)
    ]


@pytest.fixture
def store(tmp_path) -> Iterable[Store]:
    opened = Store(tmp_path / "renewals.db", Clock.from_text(TODAY.isoformat()))
    yield opened
    opened.close()


@pytest.fixture
def add(store: Store) -> Callable[[list[Resource]], None]:
    """Put resources into the test database."""
    def add_resources(resources: list[Resource]) -> None:
        store.import_resources(resources)

    return add_resources


@pytest.fixture(autouse=True)
def own_config_folders(tmp_path_factory, monkeypatch) -> None:
    """No test reads the user's config file or writes their state file."""
    home = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))


@pytest.fixture
def app(store: Store) -> RenewalsApp:
    """The app on the test database. Due events (store.tick) and the watch for other users'
    writes stay off so the data holds still: tests of those make their own app."""
    return RenewalsApp(store, due_events_every=None, watch_every=None)


@pytest.fixture
def make() -> Callable[..., list[Resource]]:
    """The resource builder, `make_resources`."""
    return make_resources


@pytest.fixture
def wait() -> Callable[..., object]:
    """`await wait(pilot, predicate)`: the app runs until the predicate holds (`wait_for`)."""
    return wait_for


@pytest.fixture
def host() -> Callable[..., HostApp]:
    """`host(store, OrdersScreen)`: a bare app on `store` that pushes `OrdersScreen(store)` on
    mount (`HostApp`); `host(store)` pushes nothing, for tests that push their own screens."""
    return HostApp
