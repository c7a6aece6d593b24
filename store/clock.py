"""The one clock: billing dates are calendar dates in UTC+08:00, and "now" is injectable."""

from __future__ import annotations

import datetime as dt

import arrow

BILLING_TZ = "+08:00"
BILLING_OFFSET = dt.timezone(dt.timedelta(hours=8))


class BadTime(ValueError):
    """A --now / RENEWALS_NOW value that is neither YYYY-MM-DD nor an ISO datetime."""


def parse_when(text: str) -> dt.datetime:
    """Parse `YYYY-MM-DD` (start of that billing day) or an ISO datetime into an aware datetime.

    A datetime without an offset is read in the billing zone, UTC+08:00.
    """
    value = text.strip()
    try:
        if len(value) <= 10:
            day = dt.date.fromisoformat(value)
            return dt.datetime.combine(day, dt.time(), BILLING_OFFSET)
        moment = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise BadTime(
            f"cannot read {text!r} as a time: use YYYY-MM-DD or an ISO datetime "
            "such as 2026-12-15T03:00:00+08:00"
        ) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=BILLING_OFFSET)


class Clock:
    """Tells the time. Nothing else in the project reads the wall clock."""

    def __init__(self, fixed: dt.datetime | None = None) -> None:
        if fixed is not None and fixed.tzinfo is None:
            raise ValueError("a fixed clock needs an aware datetime")
        self._fixed = fixed

    @classmethod
    def from_text(cls, text: str | None) -> Clock:
        """A clock fixed at `text`, or the wall clock when `text` is empty."""
        return cls(parse_when(text)) if text else cls()

    @property
    def is_fixed(self) -> bool:
        return self._fixed is not None

    def now(self) -> arrow.Arrow:
        """The current moment in UTC."""
        if self._fixed is not None:
            return arrow.get(self._fixed).to("UTC")
        return arrow.utcnow()

    def billing_now(self) -> arrow.Arrow:
        """The current moment in the billing zone, UTC+08:00."""
        return self.now().to(BILLING_TZ)

    def today(self) -> dt.date:
        """Today's billing date."""
        return self.billing_now().date()

    def stamp(self) -> str:
        """The current moment as an ISO UTC string, sortable in SQL."""
        return utc_stamp(self.now().datetime)


def utc_stamp(moment: dt.datetime) -> str:
    """An aware datetime as `YYYY-MM-DDTHH:MM:SS.ffffff+00:00` (same width, so it sorts as text)."""
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")
