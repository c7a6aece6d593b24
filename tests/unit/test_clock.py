"""The one clock (RULES.md §1): billing dates are calendar dates in UTC+08:00."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store.clock import BILLING_OFFSET, BadTime, Clock, parse_when, utc_stamp

UTC = dt.UTC
CST = dt.timezone(dt.timedelta(hours=8))


# --------------------------------------------------------------------------------------------
# parse_when
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("2026-12-15", dt.datetime(2026, 12, 15, tzinfo=CST), id="date"),
        pytest.param(" 2026-12-15 ", dt.datetime(2026, 12, 15, tzinfo=CST), id="date-padded"),
        pytest.param("2024-02-29", dt.datetime(2024, 2, 29, tzinfo=CST), id="leap-day"),
    ],
)
def test_parse_date_is_start_of_billing_day(text, expected):
    got = parse_when(text)
    assert got == expected
    assert got.utcoffset() == dt.timedelta(hours=8)
    # Midnight in UTC+08:00 is 16:00 UTC the day before.
    assert got.astimezone(UTC) == dt.datetime(
        expected.year, expected.month, expected.day, tzinfo=CST
    ).astimezone(UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("2026-12-15T03:00:00", dt.datetime(2026, 12, 15, 3, tzinfo=CST),
                     id="seconds"),
        pytest.param("2026-12-15T03:00", dt.datetime(2026, 12, 15, 3, tzinfo=CST), id="minutes"),
        pytest.param("2026-12-15 03:00:00", dt.datetime(2026, 12, 15, 3, tzinfo=CST),
                     id="space-separator"),
        pytest.param("2026-12-15T03:00:00.123456",
                     dt.datetime(2026, 12, 15, 3, 0, 0, 123456, tzinfo=CST), id="microseconds"),
    ],
)
def test_parse_datetime_without_offset_is_billing_zone(text, expected):
    got = parse_when(text)
    assert got == expected
    assert got.utcoffset() == dt.timedelta(hours=8)


def test_parse_datetime_with_billing_offset():
    assert parse_when("2026-12-15T03:00:00+08:00") == dt.datetime(2026, 12, 15, 3, tzinfo=CST)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("2026-11-26T17:00:00Z", dt.datetime(2026, 11, 26, 17, tzinfo=UTC),
                     id="zulu"),
        pytest.param("2026-11-26T17:00:00+00:00", dt.datetime(2026, 11, 26, 17, tzinfo=UTC),
                     id="utc-offset"),
        pytest.param("2026-12-15T03:00:00+05:30",
                     dt.datetime(2026, 12, 14, 21, 30, tzinfo=UTC), id="plus-0530"),
        pytest.param("2026-12-15T03:00:00-05:00", dt.datetime(2026, 12, 15, 8, tzinfo=UTC),
                     id="minus-0500"),
    ],
)
def test_parse_datetime_keeps_an_explicit_offset(text, expected):
    # Same instant expected, whatever zone the result is expressed in.
    assert parse_when(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "tomorrow",
        "2026-13-01",
        "2026-02-30",
        "2026-12-15T",
        "2026-12-15T25:00",
        "12/15/2026",
        "1734220800",
        "20261126",             # fromisoformat takes these; the documented forms do not
        "2026-W48-4",
        "2026-11-26T10",
        "٢٠٢٦-١١-٢٦",           # digits count only in ASCII
    ],
    ids=repr,
)
def test_parse_bad_values(text):
    with pytest.raises(BadTime) as caught:
        parse_when(text)
    message = str(caught.value)
    assert repr(text) in message
    assert "YYYY-MM-DD" in message
    assert "ISO datetime" in message


def test_bad_time_is_a_value_error():
    assert issubclass(BadTime, ValueError)


# --------------------------------------------------------------------------------------------
# Clock
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "today"),
    [
        pytest.param(dt.datetime(2026, 11, 26, 17, 0, tzinfo=UTC), dt.date(2026, 11, 27),
                     id="17:00Z-is-next-billing-day"),
        pytest.param(dt.datetime(2026, 11, 26, 15, 59, 59, tzinfo=UTC), dt.date(2026, 11, 26),
                     id="15:59:59Z-same-day"),
        pytest.param(dt.datetime(2026, 11, 26, 16, 0, tzinfo=UTC), dt.date(2026, 11, 27),
                     id="16:00Z-is-midnight-cst"),
        pytest.param(dt.datetime(2026, 12, 31, 16, 0, tzinfo=UTC), dt.date(2027, 1, 1),
                     id="new-year"),
        pytest.param(dt.datetime(2026, 11, 27, 0, 0, tzinfo=CST), dt.date(2026, 11, 27),
                     id="cst-midnight"),
        pytest.param(dt.datetime(2026, 11, 26, 23, 59, 59, tzinfo=CST), dt.date(2026, 11, 26),
                     id="cst-last-second"),
        pytest.param(dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
                     dt.date(2026, 11, 26), id="minus-5-morning"),
        pytest.param(dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
                     dt.date(2026, 11, 27), id="minus-5-noon"),
    ],
)
def test_today_is_the_billing_date(moment, today):
    clock = Clock(moment)
    assert clock.is_fixed
    assert clock.today() == today
    assert clock.billing_now().utcoffset() == dt.timedelta(hours=8)
    assert clock.now().utcoffset() == dt.timedelta(0)
    assert clock.now().datetime == moment


@pytest.mark.parametrize(
    ("text", "today"),
    [
        pytest.param("2026-11-27", dt.date(2026, 11, 27), id="date"),
        pytest.param("2026-11-26T23:59:59", dt.date(2026, 11, 26), id="naive-is-cst"),
        pytest.param("2026-11-26T23:59:59+08:00", dt.date(2026, 11, 26), id="cst"),
        pytest.param("2026-11-26T17:00:00Z", dt.date(2026, 11, 27), id="zulu"),
    ],
)
def test_clock_from_text(text, today):
    clock = Clock.from_text(text)
    assert clock.is_fixed
    assert clock.today() == today


def test_clock_without_a_time_is_the_wall_clock():
    clock = Clock.from_text(None)
    assert not clock.is_fixed
    assert clock.now().utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize("text", ["", "  "], ids=repr)
def test_an_empty_time_is_an_error_not_the_wall_clock(text):
    with pytest.raises(BadTime, match="unset variable"):
        Clock.from_text(text)


@pytest.mark.parametrize("text", ["9999-12-31", "0001-01-01", "1969-12-31T23:00:00+08:00",
                                  "3000-01-01"])
def test_times_outside_the_supported_years_are_refused(text):
    with pytest.raises(BadTime, match="outside the years renewals works in .1970-2999."):
        parse_when(text)


def test_z_means_utc():
    assert parse_when("2026-12-15T15:59:59Z") == dt.datetime(2026, 12, 15, 15, 59, 59,
                                                              tzinfo=dt.UTC)


def test_clock_from_bad_text_raises():
    with pytest.raises(BadTime):
        Clock.from_text("someday")


def test_fixed_clock_needs_an_aware_datetime():
    with pytest.raises(ValueError, match="aware"):
        Clock(dt.datetime(2026, 11, 26, 17, 0))


def test_fixed_clock_does_not_move():
    clock = Clock(dt.datetime(2026, 11, 26, 17, 0, tzinfo=UTC))
    assert clock.now() == clock.now()
    assert clock.stamp() == clock.stamp()


def test_billing_offset_constant():
    assert BILLING_OFFSET.utcoffset(None) == dt.timedelta(hours=8)


# --------------------------------------------------------------------------------------------
# stamps
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "stamp"),
    [
        pytest.param(dt.datetime(2026, 11, 26, 17, 0, tzinfo=UTC),
                     "2026-11-26T17:00:00.000000+00:00", id="utc"),
        pytest.param(dt.datetime(2026, 11, 27, 1, 0, tzinfo=CST),
                     "2026-11-26T17:00:00.000000+00:00", id="cst-converted"),
        pytest.param(dt.datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
                     "2026-01-02T03:04:05.000006+00:00", id="microseconds-padded"),
    ],
)
def test_stamp_format(moment, stamp):
    assert utc_stamp(moment) == stamp
    assert Clock(moment).stamp() == stamp


offsets = st.integers(min_value=-12 * 60, max_value=14 * 60).map(
    lambda minutes: dt.timezone(dt.timedelta(minutes=minutes))
)
moments = st.datetimes(
    min_value=dt.datetime(2000, 1, 2), max_value=dt.datetime(2100, 12, 30), timezones=offsets
)


@settings(max_examples=200, deadline=None)
@given(st.lists(moments, min_size=2, max_size=10))
def test_property_stamps_sort_as_text_like_moments(values):
    stamps = [utc_stamp(value) for value in values]
    assert len({len(stamp) for stamp in stamps}) == 1
    assert sorted(stamps) == [utc_stamp(value) for value in sorted(values)]
    for value, stamp in zip(values, stamps, strict=True):
        assert dt.datetime.fromisoformat(stamp) == value


@settings(max_examples=200, deadline=None)
@given(moments)
def test_property_today_is_date_in_utc_plus_8(moment):
    assert Clock(moment).today() == moment.astimezone(CST).date()
    assert Clock(moment).stamp() == utc_stamp(moment)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_property_date_text_gives_that_billing_day(day):
    assert Clock.from_text(day.isoformat()).today() == day


# parse_since
NOW = dt.datetime(2026, 12, 3, 17, 30, tzinfo=dt.UTC)  # 2026-12-04 01:30 in UTC+08:00


@pytest.mark.parametrize(("text", "expected"), [
    ("30m", NOW - dt.timedelta(minutes=30)), ("2h", NOW - dt.timedelta(hours=2)),
    ("3d", NOW - dt.timedelta(days=3)), ("1w", NOW - dt.timedelta(weeks=1)),
    (" 2 H ", NOW - dt.timedelta(hours=2)),
    ("today", dt.datetime(2026, 12, 4, tzinfo=CST)),       # the billing day, not UTC's
    ("yesterday", dt.datetime(2026, 12, 3, tzinfo=CST)),
    ("2026-11-26", dt.datetime(2026, 11, 26, tzinfo=CST)),
])
def test_since_takes_a_time_a_day_word_or_a_span_back(text, expected):
    from store.clock import parse_since

    assert parse_since(text, NOW) == expected


@pytest.mark.parametrize("text", ["last week", "2 hours", "-2h", "2y", "", "0x5h"])
def test_since_refuses_anything_else_naming_the_forms(text):
    from store.clock import parse_since

    with pytest.raises(BadTime, match="span back from now"):
        parse_since(text, NOW)
