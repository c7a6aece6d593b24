"""SVG snapshots at 80x24 of the views the README shows, driven like tests/screenshots.py.

Regenerate after a deliberate change of look, then check the new SVGs by eye:

    python -m pytest tests/app/test_snapshots.py --snapshot-update

Every snapshot runs on the same demo data (300 resources, seed 7) at a fixed clock, with one
theme and no animation, whatever the terminal running the tests says (NO_COLOR, TEXTUAL_*).
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
import textual.constants
from textual.pilot import Pilot

from store.clock import Clock
from store.service import Store
from tui.app import RenewalsApp

SIZE = (80, 24)


def load_screenshots() -> ModuleType:
    """tests/screenshots.py, a script beside the test folders, as a module."""
    path = Path(__file__).resolve().parents[1] / "screenshots.py"
    spec = importlib.util.spec_from_file_location("renewals_screenshots", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being made
    spec.loader.exec_module(module)
    return module


screenshots = load_screenshots()


@pytest.fixture(autouse=True)
def neutral_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(textual.constants, "FILTERS", "")


@pytest.fixture
def demo_store(tmp_path) -> Iterator[Store]:
    store = Store(tmp_path / "demo.db", Clock.from_text(screenshots.NOW))
    screenshots.seed_demo(store)
    yield store
    store.close()


@pytest.fixture
def demo_app(demo_store: Store) -> RenewalsApp:
    return screenshots.steady_app(demo_store)


def settled(drive):
    """`drive` the app to a view, then wait until that view is steady."""
    async def run_before(pilot: Pilot) -> None:
        await drive(pilot)
        await screenshots.settle(pilot)

    return run_before


def test_renewals_with_three_rows_checked(snap_compare, demo_app):
    """Renewals at 80x24: three rows checked, the status bar shows 3 selected and their total."""
    assert snap_compare(demo_app, terminal_size=SIZE,
                        run_before=settled(screenshots.check_rows))


def test_renew_dialog_aligned_to_the_renewal_day(snap_compare, demo_app):
    """The renewal dialog with "Renew to renewal date" on: new expiries on day 1, extra days."""
    assert snap_compare(demo_app, terminal_size=SIZE,
                        run_before=settled(screenshots.renew_dialog_aligned))


def test_payment_with_a_coupon(snap_compare, demo_app):
    """The payment modal: balance before and after, a discount coupon ticked, focus on Cancel."""
    assert snap_compare(demo_app, terminal_size=SIZE,
                        run_before=settled(screenshots.payment_with_coupon))
