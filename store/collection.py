"""No garbage-collection pass while this process holds the database's write lock.

Other users' writes wait for that lock, and a full pass over a large heap (a console with
100,000 resources loaded) takes tens of milliseconds: paused from BEGIN IMMEDIATE to COMMIT in
any thread, collection resumes, if it was on, when the last writer is done, and what the
transaction left is collected by the next pass as usual, outside the lock.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator


class _Pauses:
    """How many write transactions are open, and whether collection was on before the first."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.open = 0
        self.resume = False


_pauses = _Pauses()


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    with _pauses.lock:
        if _pauses.open == 0:
            _pauses.resume = gc.isenabled()
            gc.disable()
        _pauses.open += 1
    try:
        yield
    finally:
        with _pauses.lock:
            _pauses.open -= 1
            if _pauses.open == 0 and _pauses.resume:
                gc.enable()
