"""Listings and exports of any size, built by SQLite row by row and written as they come.

A record is what `store.io.resource_record` makes of a listed resource (RECORD_FIELDS, with the
derived phase, days left, status and pending order); here SQLite works those out itself and,
for JSON, encodes the object too, so 100,000 resources are never 100,000 Python objects at
once, nor built one by one through the object model. `tests/unit/test_records.py` holds the
two to the same values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import sqlite_utils

from store import rules
from store.io import EXPORT_FIELDS, RECORD_FIELDS
from store.models import Filters
from store.queries import PENDING_HERE, PENDING_THERE, SORTS, where
from store.text import json_safe

PHASE = """CASE WHEN r.billing = 'pay-per-use' OR r.expiry >= :rec_today THEN 'in-use'
    WHEN r.expiry >= :rec_grace THEN 'grace' WHEN r.expiry >= :rec_retention THEN 'retention'
    ELSE 'deleted' END"""
EXPRESSIONS = {
    "status": f"""CASE WHEN r.gone_at IS NOT NULL THEN 'gone'
        WHEN ({PHASE}) = 'retention' THEN 'frozen' WHEN ({PHASE}) = 'deleted' THEN 'deleted'
        ELSE r.status END""",
    "phase": PHASE,
    "days_left": "CAST(round(julianday(r.expiry) - julianday(:rec_today)) AS INTEGER)",
    "pending_order": "COALESCE(pending_here.order_id, pending_there.order_id)",
    "renewal_1_month_cents": "r.monthly_price_cents",
    "renewal_1_year_cents": "r.yearly_price_cents",
}


# A resource's pending order (as queries.PENDING_ORDER finds it: one placed here first, else one
# of the account's), joined from the few pending orders instead of looked up row by row.
PENDING_JOINS = f"""LEFT JOIN (SELECT ol.resource_id, MAX(o.id) AS order_id {PENDING_HERE}
        GROUP BY ol.resource_id) AS pending_here ON pending_here.resource_id = r.id
    LEFT JOIN (SELECT cr.resource_id, MAX(c.id) AS order_id {PENDING_THERE}
        GROUP BY cr.resource_id) AS pending_there ON pending_there.resource_id = r.id"""


def _expression(field: str) -> str:
    return EXPRESSIONS.get(field, f"r.{field}")


def _query(columns: str, filters: Filters, today: dt.date, now: str, sort: str,
           descending: bool) -> tuple[str, dict[str, Any]]:
    clause, params = where(filters, today, now)
    params |= {"rec_today": today.isoformat(),
               "rec_grace": (today - dt.timedelta(days=rules.GRACE_DAYS)).isoformat(),
               "rec_retention": (today - dt.timedelta(days=rules.RETENTION_DAYS)).isoformat()}
    order = SORTS[sort].format(dir="DESC" if descending else "ASC")
    return (f"SELECT {columns} FROM resources r {PENDING_JOINS} WHERE {clause} "
            f"ORDER BY {order}"), params


def values_query(filters: Filters, today: dt.date, now: str, sort: str = "expiry",
                 descending: bool = False, fields: tuple[str, ...] = EXPORT_FIELDS,
                 ) -> tuple[str, dict[str, Any]]:
    """The statement (and its parameters) of `value_rows`."""
    return _query(", ".join(_expression(f) for f in fields), filters, today, now, sort,
                  descending)


def value_rows(db: sqlite_utils.Database, filters: Filters, today: dt.date, now: str,
               sort: str = "expiry", descending: bool = False,
               fields: tuple[str, ...] = EXPORT_FIELDS) -> Iterator[tuple[Any, ...]]:
    """Each matching resource's record values, in `fields` order."""
    sql, params = values_query(filters, today, now, sort, descending, fields)
    # Not `yield from`: a generator closed early (its reader gone) would close the cursor
    # too, and by then the connection may be closed.
    for row in db.execute(sql, params):  # noqa: UP028
        yield row


def json_lines(db: sqlite_utils.Database, filters: Filters, today: dt.date, now: str,
               sort: str = "expiry", descending: bool = False,
               fields: tuple[str, ...] = RECORD_FIELDS) -> Iterator[str]:
    """Each matching resource's record as one line of JSON, safe for a terminal: the text
    `json.dumps` writes (its separators; values through `json_quote`)."""
    pairs = " || ', ' || ".join(f"'\"{field}\": ' || json_quote({_expression(field)})"
                                for field in fields)
    sql, params = _query(f"'{{' || {pairs} || '}}'", filters, today, now, sort, descending)
    for (line,) in db.execute(sql, params):
        yield json_safe(line)
