"""Fixtures for the store's unit tests: a temp database at a fixed billing day."""

from __future__ import annotations

import pytest
from builders import TODAY

from store.clock import Clock
from store.service import Store


@pytest.fixture
def store(tmp_path) -> Store:
    opened = Store(tmp_path / "renewals.db", Clock.from_text(TODAY))
    yield opened
    opened.close()
