"""The one clock: billing dates are calendar dates in UTC+08:00, and "now" is injectable."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import arrow

BILLING_TZ = "+08:00"
BILLING_OFFSET = dt.timezone(dt.timedelta(hours=8))
# The calendar renewals works in. Dates outside it (a --now of 9999-12-31, an expiry of 0001-01-01)
# are refused where they come in, so date arithmetic (+30 days, +3 years) never leaves Python's.
EARLIEST = dt.date(1970, 1, 1)
LATEST = dt.date(2999, 12, 31)
# The documented forms only: YYYY-MM-DD, or that with a time and an optional offset. (Python's
# fromisoformat alone would also take 20261126, 2026-W48-4 and 2026-11-26T10.)
_WHEN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
                   r"([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?")
FORMATS = "YYYY-MM-DD or an ISO datetime such as 2026-12-15T03:00:00+08:00"


class BadTime(ValueError):
    """A --now / RENEWALS_NOW / --since value that is not one of the documented forms."""


def parse_when(text: str) -> dt.datetime:
    """Parse `YYYY-MM-DD` (start of that billing day) or an ISO datetime into an aware datetime.

    A datetime without an offset is read in the billing zone, UTC+08:00.
    """
    value = text.strip()
    if not value:
        raise BadTime(f"{text!r} is an empty time (an unset variable?): use {FORMATS}")
    if not _WHEN.fullmatch(value):
        raise BadTime(f"cannot read {text!r} as a time: use {FORMATS}")
    try:
        if len(value) == 10:
            moment = dt.datetime.combine(dt.date.fromisoformat(value), dt.time(), BILLING_OFFSET)
        else:
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadTime(f"cannot read {text!r} as a time ({exc}): use {FORMATS}") from None
    if not EARLIEST <= moment.date() <= LATEST:
        raise BadTime(f"{text!r} is outside the years renewals works in "
                      f"({EARLIEST.year}-{LATEST.year})")
    return moment if moment.tzinfo else moment.replace(tzinfo=BILLING_OFFSET)


_SPAN = re.compile(r"([0-9]{1,6})\s*(m|h|d|w)")
_SPAN_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
SINCE_FORMATS = f"{FORMATS}, today, yesterday, or a span back from now: 30m, 2h, 3d, 1w"


def parse_since(text: str, now: dt.datetime) -> dt.datetime:
    """A --since: what `parse_when` reads, `today` or `yesterday` (the start of that billing
    day), or a span back from `now` (aware): `30m`, `2h`, `3d`, `1w`."""
    value = text.strip().lower()
    if value in ("today", "yesterday"):
        day = now.astimezone(BILLING_OFFSET).date() - dt.timedelta(days=value == "yesterday")
        return dt.datetime.combine(day, dt.time(), BILLING_OFFSET)
    span = _SPAN.fullmatch(value)
    if span:
        return now - dt.timedelta(**{_SPAN_UNITS[span[2]]: int(span[1])})
    try:
        return parse_when(text)
    except BadTime:
        raise BadTime(f"cannot read {text!r} as a time: use {SINCE_FORMATS}") from None


class Clock:
    """Tells the time. Nothing else in the project reads the wall clock.

    `now` and `billing_now` give Arrow objects (for shifting, humanizing, formatting); `today`
    and the stamps need only the standard library, so a command that never asks for an Arrow
    never imports arrow (~10 ms of a process's start, on top of what sqlite-utils loads).
    """

    def __init__(self, fixed: dt.datetime | None = None) -> None:
        if fixed is not None and fixed.tzinfo is None:
            raise ValueError("a fixed clock needs an aware datetime")
        self._fixed = fixed

    @classmethod
    def from_text(cls, text: str | None) -> Clock:
        """A clock fixed at `text`, or the wall clock when there is none (None). An empty text
        is an error: `--now "$UNSET"` must not quietly mean the wall clock."""
        return cls() if text is None else cls(parse_when(text))

    @property
    def is_fixed(self) -> bool:
        return self._fixed is not None

    def now(self) -> arrow.Arrow:
        """The current moment in UTC."""
        import arrow

        if self._fixed is not None:
            return arrow.get(self._fixed).to("UTC")
        return arrow.utcnow()

    def billing_now(self) -> arrow.Arrow:
        """The current moment in the billing zone, UTC+08:00."""
        return self.now().to(BILLING_TZ)

    def today(self) -> dt.date:
        """Today's billing date."""
        return self._moment().astimezone(BILLING_OFFSET).date()

    def stamp(self) -> str:
        """The current moment as an ISO UTC string, sortable in SQL."""
        return utc_stamp(self._moment())

    def _moment(self) -> dt.datetime:
        """The current moment, aware (what `now` gives as an Arrow)."""
        return self._fixed if self._fixed is not None else dt.datetime.now(dt.UTC)

    @staticmethod
    def wall_stamp() -> str:
        """The real time, whatever the clock is set to: what the audit trail records."""
        return utc_stamp(Clock.wall_now())

    @staticmethod
    def wall_now() -> dt.datetime:
        """The real moment (aware, UTC), whatever the clock is set to."""
        return dt.datetime.now(dt.UTC)


def utc_stamp(moment: dt.datetime) -> str:
    """An aware datetime as `YYYY-MM-DDTHH:MM:SS.ffffff+00:00` (same width, so it sorts as text)."""
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")
