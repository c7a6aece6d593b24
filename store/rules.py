"""The billing rules of RULES.md as pure functions: dates, durations, phases, fees."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from fractions import Fraction

from store.clock import LATEST
from store.models import Billing, Duration, Phase, RenewalDay
from store.money import MAX_CENTS, round_half_up
from store.text import ASCII_DIGITS

MAX_MONTHS = 11
MAX_YEARS = 3
GRACE_DAYS = 15
RETENTION_DAYS = 30
UNPAID_ORDER_DAYS = 7
MAX_ORDER_LINES = 10_000
# The dearest prices that can be renewed without one fee passing money.MAX_CENTS: 11 months and
# up to a month of extra days, or 3 years.
MAX_MONTHLY_CENTS = MAX_CENTS // (MAX_MONTHS + 1)
MAX_YEARLY_CENTS = MAX_CENTS // MAX_YEARS
MAX_EXPIRING_DAYS = 3650  # "expires within N days" looks at most ten years ahead


class RuleError(ValueError):
    """An input the rules refuse (bad duration, bad renewal day, …)."""


MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def days_in_month(year: int, month: int) -> int:
    # A table, not calendar.monthrange: that also works out a weekday, and previews call this
    # several times per resource.
    if month == 2 and calendar.isleap(year):
        return 29
    return MONTH_DAYS[month - 1]


def is_last_day(day: dt.date) -> bool:
    return day.day == days_in_month(day.year, day.month)


def add_months(start: dt.date, months: int) -> dt.date:
    """Same day N months later, clamped to the month's end; a month's last day stays last.

    Past year 9999 (a stored expiry from before imports were bounded) it stops at 9999-12-31,
    which `too_late_reason` then refuses."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    if year > dt.MAXYEAR:
        return dt.date.max
    month += 1
    length = days_in_month(year, month)
    day = length if is_last_day(start) else min(start.day, length)
    return dt.date(year, month, day)


def duration(count: int, unit: str = "month") -> Duration:
    """A validated renewal duration: months 1–11 or years 1–3."""
    if unit == "month" and 1 <= count <= MAX_MONTHS:
        return Duration(count, "month")
    if unit == "year" and 1 <= count <= MAX_YEARS:
        return Duration(count, "year")
    raise RuleError(
        f"a renewal lasts 1–{MAX_MONTHS} months or 1–{MAX_YEARS} years, not {count} {unit}s")


def parse_renewal_day(text: str | int) -> RenewalDay:
    """`1`–`28` or `last`."""
    if isinstance(text, str) and text.strip().lower() == "last":
        return "last"
    day = text if isinstance(text, int) else None
    if isinstance(text, str) and ASCII_DIGITS.fullmatch(text.strip()):
        day = int(text)
    if day is None:
        raise RuleError(f"a renewal day is 1–28 or 'last', not {text!r}")
    if not 1 <= day <= 28:
        raise RuleError(f"a renewal day is 1–28 or 'last', not {day}")
    return day


def align_to_day(base: dt.date, renewal_day: RenewalDay) -> dt.date:
    """The first date on or after `base` whose day is the renewal day (or its month's last day)."""
    if renewal_day == "last":
        return base.replace(day=days_in_month(base.year, base.month))
    if base.day <= renewal_day:
        return base.replace(day=renewal_day)
    return add_months(base.replace(day=1), 1).replace(day=renewal_day)


def renew_dates(
    expiry: dt.date, length: Duration, renewal_day: RenewalDay | None
) -> tuple[dt.date, dt.date]:
    """(base, new expiry): base is expiry + duration; aligned when a renewal day is given."""
    base = add_months(expiry, length.months)
    new_expiry = base if renewal_day is None else align_to_day(base, renewal_day)
    return base, new_expiry


def phase(expiry: dt.date, today: dt.date) -> Phase:
    """Lifecycle phase, derived from expiry and today."""
    late = (today - expiry).days
    if late <= 0:
        return Phase.IN_USE
    if late <= GRACE_DAYS:
        return Phase.GRACE
    if late <= RETENTION_DAYS:
        return Phase.RETENTION
    return Phase.DELETED


def refusal(
    billing: Billing, expiry: dt.date, today: dt.date, pending_order: str | None,
    gone_at: str | None = None,
) -> str | None:
    """Why a resource cannot be renewed at all, or None when it can."""
    if gone_at:
        return "gone from the cloud account (a sync no longer found it)"
    if billing is Billing.PAY_PER_USE:
        return "pay-per-use: billed by usage, nothing to renew"
    if phase(expiry, today) is Phase.DELETED:
        return f"deleted: expired {(today - expiry).days} days ago, past retention"
    if pending_order:
        return f"order {pending_order} is pending payment: pay or cancel it first"
    return None


def still_expired_reason(new_expiry: dt.date, today: dt.date) -> str | None:
    """A renewal whose new expiry would not be after today is refused (decision, RULES.md §3);
    one landing on today leaves it in use today, so it says so (RULES.md §10)."""
    if new_expiry == today:
        return "would expire again today: choose a longer duration"
    if new_expiry < today:
        return "still expired after renewal: choose a longer duration"
    return None


def too_late_reason(new_expiry: dt.date) -> str | None:
    """Dates end at clock.LATEST: a renewal past it is refused (imports refuse such expiries)."""
    if new_expiry > LATEST:
        return f"the new expiry would be after {LATEST}, the last date renewals works with"
    return None


def base_fee(monthly_cents: int, yearly_cents: int, length: Duration) -> int:
    """Months at the monthly price, years at the yearly price."""
    if length.unit == "year":
        return yearly_cents * length.count
    return monthly_cents * length.count


def extra_day_fee(monthly_cents: int, base: dt.date, new_expiry: dt.date) -> int:
    """The days after `base` up to `new_expiry`, charged pro rata by calendar month."""
    if new_expiry <= base:
        return 0
    return round_half_up(monthly_cents * extra_day_months(base, new_expiry))


@functools.lru_cache(maxsize=8192)  # a preview asks once per resource; few dates differ
def extra_day_months(base: dt.date, new_expiry: dt.date) -> Fraction:
    """The days after `base` up to `new_expiry` as months: each day is 1/length of its month."""
    months = Fraction(0)
    if new_expiry <= base:
        return months
    day = base + dt.timedelta(days=1)
    while day <= new_expiry:
        length = days_in_month(day.year, day.month)
        month_end = day.replace(day=length)
        last = min(month_end, new_expiry)
        months += Fraction((last - day).days + 1, length)
        day = last + dt.timedelta(days=1)
    return months
