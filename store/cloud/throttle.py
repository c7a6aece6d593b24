"""Calls to the billing system, paced and retried the safe way.

At most PER_SECOND calls a second across every call of a run (the API's default limit is about
ten a second per caller and API). HTTP 429 means the gateway turned the call away before it
reached the service, so it is always tried again, after a growing pause. A 5xx answer, a
timeout or a dropped connection is tried again only for a read: a write may have acted before
it failed, and is never sent twice blindly (the caller finds out what happened instead).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from store.errors import StoreError

PER_SECOND = 10.0
RETRIES_WHEN_THROTTLED = 6  # 429: the call never reached the service
RETRIES_WHEN_FAILED = 2     # a 5xx, a timeout, a dropped connection (reads only)
FIRST_PAUSE_S = 0.5
LONGEST_PAUSE_S = 8.0

Result = TypeVar("Result")


class CloudError(StoreError):
    """The billing system could not be asked, or refused: one line, naming the operation."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None,
                 request_id: str | None = None, retriable: bool = False) -> None:
        super().__init__(message)
        self.status, self.code, self.request_id = status, code, request_id
        self.retriable = retriable


class CloudTimeout(CloudError):
    """No answer in time: a write may or may not have acted."""


class Throttle:
    def __init__(self, per_second: float = PER_SECOND,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1 / per_second
        self.sleep, self.clock = sleep, clock
        self.calls = 0
        """Requests sent so far, retries included."""
        self._next_at = 0.0
        self._lock = threading.Lock()

    def _wait_turn(self) -> None:
        with self._lock:
            now = self.clock()
            start = max(now, self._next_at)
            self._next_at = start + self.interval
            self.calls += 1
        if start > now:
            self.sleep(start - now)

    def call(self, send: Callable[[], Result], *, read: bool) -> Result:
        """`send()`, paced; CloudError (from the caller's translation) when it keeps failing."""
        pause, throttled, failed = FIRST_PAUSE_S, 0, 0
        while True:
            self._wait_turn()
            try:
                return send()
            except CloudError as error:
                if error.status == 429 and throttled < RETRIES_WHEN_THROTTLED:
                    throttled += 1
                elif read and error.retriable and failed < RETRIES_WHEN_FAILED:
                    failed += 1
                else:
                    raise
            self.sleep(pause)
            pause = min(pause * 2, LONGEST_PAUSE_S)
