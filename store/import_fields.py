"""One row of an import file, validated: every field checked, a clear reason for each refusal.

`parse_resource` takes a mapping of text (a CSV line) or JSON values and returns a Resource
(`parse_fields` its fields), or raises BadField naming the field; `store.io` adds the line or
item.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum
from typing import Any

from store.clock import EARLIEST, LATEST
from store.models import Billing, Kind, Resource, Tab
from store.money import MAX_CENTS
from store.policy import AUTO_PERIODS
from store.rules import MAX_MONTHLY_CENTS, MAX_YEARLY_CENTS
from store.text import ASCII_WHOLE, has_surrogates

# Words a listing shows instead of the platform's status; they are derived from the expiry.
DERIVED_STATUSES = frozenset({"frozen", "deleted", "gone"})
MAX_NODES = 100_000
UNKNOWN_FIELD = "unknown field (see the import format in the README)"
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CURRENCY = re.compile(r"[A-Z]{3}")


class BadField(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def parse_resource(raw: Mapping[str, Any]) -> Resource:
    """One validated Resource from a row of text (CSV) or JSON values; raises BadField."""
    return Resource(**parse_fields(raw))


def parse_fields(raw: Mapping[str, Any], *, decoded_text: bool = False) -> dict[str, Any]:
    """`parse_resource`'s fields (named as Resource's), without building the object: an
    import of 100,000 rows writes them as they are. `decoded_text`: every value is text
    decoded from UTF-8 (a CSV line), so a text field needs no check (no lone surrogates).

    Absent, null or blank means the default. Each field's own value is checked first, in the
    order of `_PARSERS`, then the required ones, then how the fields go together. Fields the
    row holds but no parser reads (the derived ones of an export) are not looked at: the
    caller refuses unknown names (`unknown_field`)."""
    given: dict[str, Any] = {}
    for field, parse in _DECODED_TEXT_PARSERS if decoded_text else _PARSERS:
        value = raw.get(field)
        if value.__class__ is str:
            value = value.strip()
        if value is None or value == "":
            continue
        if parse is None:
            given[field] = value
            continue
        try:
            given[field] = parse(value)
        except ValueError as exc:
            raise BadField(field, str(exc)) from None
    for field in REQUIRED:
        if field not in given:
            raise BadField(field, "missing (required)")
    fields = _DEFAULTS | given
    fields["tab"] = _tab(given, fields["billing"])
    for term in _AUTO_TERMS:
        if term in given and fields["tab"] is not Tab.AUTO:
            raise BadField(term, "auto-renew terms go with the auto tab only: leave it empty")
    if "yearly_price_cents" not in given:
        fields["yearly_price_cents"] = _default_yearly(fields["monthly_price_cents"])
    if fields["status"] in DERIVED_STATUSES:
        fields["status"] = "running"
    return fields


def unknown_field(names: Iterable[str]) -> str | None:
    """The first name (alphabetically) an import file may not carry, if any."""
    unknown = [name for name in names if name not in KNOWN_FIELDS]
    return min(unknown) if unknown else None


def _tab(given: Mapping[str, Any], billing: Billing) -> Tab | None:
    if billing is Billing.PAY_PER_USE:
        if "tab" in given:
            raise BadField("tab", "a pay-per-use resource has no renewal tab: leave it empty")
        return None
    tab: Tab = given.get("tab", Tab.MANUAL)
    return tab


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not text")
    if has_surrogates(value):
        raise ValueError("holds a lone surrogate (\\ud800-\\udfff): not valid Unicode text")
    return value


def _enum(kind: type[StrEnum], label: str) -> Callable[[Any], Any]:
    choices = ", ".join(member.value for member in kind)
    members = {member.value: member for member in kind}

    def parse(value: Any) -> Any:
        try:
            return members[value]
        except (KeyError, TypeError):
            raise ValueError(f"{value!r} is not a {label} ({choices})") from None
    return parse


_BILLING, _KIND, _TAB = _enum(Billing, "billing"), _enum(Kind, "kind"), _enum(Tab, "tab")


def _date(value: Any) -> dt.date:
    try:
        if not (isinstance(value, str) and _DATE.fullmatch(value)):
            raise ValueError
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None
    if not EARLIEST <= day <= LATEST:
        raise ValueError(f"{value} is outside the years renewals works in "
                         f"({EARLIEST.year}-{LATEST.year})")
    return day


def _whole(value: Any, low: int, high: int | None = None) -> int:
    """A whole number, strictly: no floats, no decimals in text, no booleans."""
    if isinstance(value, str) and ASCII_WHOLE.fullmatch(value):
        number = int(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        raise ValueError(f"{value!r} is not a whole number")
    if number < low or (high is not None and number > high):
        bound = f"at least {low}" if high is None else f"{low}–{high}"
        raise ValueError(f"{number} is out of range (must be {bound})")
    return number


def _price(value: Any, highest: int, renewal: str) -> int:
    cents = _whole(value, 0)
    if cents > highest:
        raise ValueError(f"{cents:,} cents is too large: renewing {renewal} would pass the limit "
                         f"of {MAX_CENTS:,} cents for one amount")
    return cents


def _monthly_price(value: Any) -> int:
    return _price(value, MAX_MONTHLY_CENTS, "for 11 months and a month of extra days")


def _yearly_price(value: Any) -> int:
    return _price(value, MAX_YEARLY_CENTS, "for 3 years")


def _default_yearly(monthly: int) -> int:
    """Ten months' price, when a file gives none (and then it must be renewable too)."""
    try:
        return _yearly_price(monthly * 10)
    except ValueError as exc:
        raise BadField("yearly_price_cents", f"ten months' price (the default): {exc}") from None


def _node_count(value: Any) -> int:
    return _whole(value, 1, MAX_NODES)


def _period(value: Any) -> int:
    number = _whole(value, 1, 36)
    if number not in AUTO_PERIODS:
        raise ValueError(f"{number} months is not an auto-renew period "
                         "(1-11 months, or 12, 24 or 36 for 1-3 years)")
    return number


def _times(value: Any) -> int:
    return _whole(value, 1, 99)


def _currency(value: Any) -> str:
    if not isinstance(value, str) or not _CURRENCY.fullmatch(value):
        raise ValueError(f"{value!r} is not a currency code (three capital letters, e.g. CNY)")
    return value


_PARSERS: tuple[tuple[str, Callable[[Any], Any] | None], ...] = (
    ("id", _text), ("name", _text), ("kind", _KIND), ("expiry", _date),
    ("monthly_price_cents", _monthly_price), ("yearly_price_cents", _yearly_price),
    ("billing", _BILLING), ("status", _text), ("tab", _TAB), ("currency", _currency),
    ("region", _text), ("enterprise_project", _text), ("flavor", _text),
    ("node_count", _node_count), ("auto_period_months", _period), ("auto_times", _times),
    ("service_type", _text),
)
_DECODED_TEXT_PARSERS = tuple((field, None if parse is _text else parse)
                              for field, parse in _PARSERS)
REQUIRED = ("id", "name", "kind", "expiry", "monthly_price_cents")
_AUTO_TERMS = ("auto_period_months", "auto_times")
_DEFAULTS: dict[str, Any] = {
    "currency": "CNY", "region": "", "enterprise_project": "default", "flavor": "",
    "node_count": 1, "status": "running", "billing": Billing.SUBSCRIPTION,
    "auto_period_months": None, "auto_times": None, "service_type": "",
}
READ_FIELDS = tuple(field for field, _parse in _PARSERS)
DERIVED_FIELDS = ("phase", "days_left", "pending_order", "renewal_1_month_cents",
                  "renewal_1_year_cents")
"""Listed and exported, so a file may carry them, but worked out again and never read."""
KNOWN_FIELDS = frozenset(READ_FIELDS + DERIVED_FIELDS)
