"""One row of an import file, validated: every field checked, a clear reason for each refusal.

`parse_resource` takes a mapping of text (a CSV line) or JSON values and returns a Resource, or
raises BadField naming the field; `store.io` adds the line or item.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable, Mapping
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


def parse_resource(raw: Mapping[str, Any], known: frozenset[str]) -> Resource:
    """One validated Resource from a row of text (CSV) or JSON values; raises BadField.

    `known`: the field names a file may carry (some, derived when listed, are never read)."""
    unknown = sorted(key for key in raw if key not in known)
    if unknown:
        raise BadField(unknown[0], UNKNOWN_FIELD)
    get = _Getter(raw)
    monthly = get("monthly_price_cents", _monthly_price)
    yearly = get("yearly_price_cents", _yearly_price, None)
    if yearly is None:
        yearly = _default_yearly(monthly)
    billing = get("billing", _BILLING, Billing.SUBSCRIPTION)
    status = get("status", _text, "running")
    tab = _tab(get, billing)
    return Resource(
        id=get("id", _text), name=get("name", _text), kind=get("kind", _KIND),
        expiry=get("expiry", _date), monthly_price_cents=monthly, yearly_price_cents=yearly,
        currency=get("currency", _currency, "CNY"), region=get("region", _text, ""),
        enterprise_project=get("enterprise_project", _text, "default"),
        flavor=get("flavor", _text, ""), node_count=get("node_count", _node_count, 1),
        status="running" if status in DERIVED_STATUSES else status, billing=billing,
        tab=tab, auto_period_months=_auto_term(get, tab, "auto_period_months", _period),
        auto_times=_auto_term(get, tab, "auto_times", _times),
        service_type=get("service_type", _text, ""),
    )


_REQUIRED_MARK = object()


class _Getter:
    """Reads one field: absent, null or blank means the default (or 'missing' when required)."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw

    def __call__(
        self, field: str, parse: Callable[[Any], Any], default: Any = _REQUIRED_MARK
    ) -> Any:
        value = self.raw.get(field)
        if isinstance(value, str):
            value = value.strip()
        if value is None or value == "":
            if default is _REQUIRED_MARK:
                raise BadField(field, "missing (required)")
            return default
        try:
            return parse(value)
        except ValueError as exc:
            raise BadField(field, str(exc)) from None


def _auto_term(get: _Getter, tab: Tab | None, field: str, parse: Callable[[Any], int]) -> Any:
    value = get(field, parse, None)
    if value is not None and tab is not Tab.AUTO:
        raise BadField(field, "auto-renew terms go with the auto tab only: leave it empty")
    return value


def _tab(get: _Getter, billing: Billing) -> Tab | None:
    if billing is Billing.PAY_PER_USE:
        if get("tab", _TAB, None) is not None:
            raise BadField("tab", "a pay-per-use resource has no renewal tab: leave it empty")
        return None
    return get("tab", _TAB, Tab.MANUAL)


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
    day = None
    if isinstance(value, str) and _DATE.fullmatch(value):
        with contextlib.suppress(ValueError):
            day = dt.date.fromisoformat(value)
    if day is None:
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)")
    if not EARLIEST <= day <= LATEST:
        raise ValueError(f"{value} is outside the years renewals works in "
                         f"({EARLIEST.year}-{LATEST.year})")
    return day


def _whole(value: Any, low: int, high: int | None = None) -> int:
    """A whole number, strictly: no floats, no decimals in text, no booleans."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and ASCII_WHOLE.fullmatch(value):
        number = int(value)
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
