"""Telling a caller how far long work has come (an export, an import): a count every so many
items, from whatever thread does the work. The caller draws it (a bar, a line on stderr)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

RowsDone = Callable[[int], None]
"""Called with how many items are done so far."""
EVERY = 5_000

T = TypeVar("T")


def reporting(items: Iterable[T], progress: RowsDone | None, every: int = EVERY) -> Iterator[T]:
    """The items as they come; `progress(done)` after each `every` of them, and at the end."""
    if progress is None:
        yield from items
        return
    done = 0
    for item in items:
        yield item
        done += 1
        if done % every == 0:
            progress(done)
    progress(done)
