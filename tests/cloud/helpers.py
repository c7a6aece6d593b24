"""What the cloud tests share besides fixtures: the day they run on, and reading results."""

from __future__ import annotations

import datetime as dt
import json
import time

from click.testing import Result

TODAY = dt.date(2026, 11, 26)


async def wait_for(pilot, predicate, timeout: float = 15.0) -> None:
    """Let the app run until `predicate()` holds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.05)


def ok_json(result: Result):
    assert result.exit_code == 0, (result.stderr, result.exception)
    return json.loads(result.stdout)


def one_line(result: Result, code: int, *words: str) -> None:
    """One error line (after, perhaps, the note that a new database file was made)."""
    assert result.exit_code == code, (result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines()
             if not line.startswith("created a new database")]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr, result.stderr
