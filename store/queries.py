"""Filtered, counted, paged reads. SQL does the filtering, sorting and paging."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

import sqlite_utils

from store import rules
from store.db import Beside, data_version, read_unmoved
from store.models import (
    Billing,
    Duration,
    Filters,
    Kind,
    Phase,
    QuickCounts,
    Resource,
    ResourceRow,
    Tab,
    WeekExpiry,
)

SORTS = {
    "expiry": "r.expiry {dir}, r.name {dir}, r.id {dir}",
    "name": "r.name COLLATE NOCASE {dir}, r.id {dir}",
    "id": "r.id {dir}",
    "price": "r.monthly_price_cents {dir}, r.expiry, r.id",
    "region": "r.region {dir}, r.expiry, r.id",
    "kind": "r.kind {dir}, r.expiry, r.id",
}

SUBSCRIPTION = "r.billing = 'yearly-monthly'"
# From this many rows in the table, a tab's count is split between two connections (`count`).
SPLIT_COUNT_FROM = 20_000
# Enum members by value: a dict lookup, where calling the enum costs ~1 µs a row at 100k rows.
KINDS = {kind.value: kind for kind in Kind}
BILLINGS = {billing.value: billing for billing in Billing}
TABS = {tab.value: tab for tab in Tab}

# A pending order: a local one not yet lapsed (its lines `ol`, the order `o`), or (on a database
# bound to a cloud account) one of the account's as last synced, status 6 in the billing API
# (its resources `cr`, the order `c`). Written once; the three uses below select from them.
PENDING_HERE = """FROM order_lines ol JOIN orders o ON o.id = ol.order_id
    WHERE o.status = 'pending_payment' AND o.expires_at > :now"""
PENDING_THERE = """FROM cloud_order_resources cr JOIN cloud_orders c ON c.id = cr.order_id
    WHERE c.status = 6"""
# A row's pending order, a local one first.
PENDING_ORDER = f"""COALESCE((SELECT o.id {PENDING_HERE} AND ol.resource_id = r.id LIMIT 1),
    (SELECT c.id {PENDING_THERE} AND cr.resource_id = r.id LIMIT 1))"""
# The resources with one, as a set worked out once per statement: for filters and counts.
PENDING_IDS = f"""(SELECT ol.resource_id {PENDING_HERE}
    UNION ALL SELECT cr.resource_id {PENDING_THERE})"""
# Every column a Resource is built from, in `resource_from_row`'s order (never `r.*`: a column
# another version adds must not shift the rest).
RESOURCE_COLUMNS = """r.id, r.name, r.kind, r.region, r.enterprise_project, r.flavor,
    r.node_count, r.status, r.billing, r.expiry, r.monthly_price_cents, r.yearly_price_cents,
    r.currency, r.tab, r.auto_period_months, r.auto_times, r.service_type, r.gone_at"""


def _day(today: dt.date, offset: int) -> str:
    return (today + dt.timedelta(days=offset)).isoformat()


def _phase_range(phase: str, today: dt.date) -> tuple[str | None, str | None]:
    """The expiry range (inclusive, None = open) of a lifecycle phase."""
    grace, retention = rules.GRACE_DAYS, rules.RETENTION_DAYS
    return {
        "in-use": (_day(today, 0), None),
        "grace": (_day(today, -grace), _day(today, -1)),
        "retention": (_day(today, -retention), _day(today, -grace - 1)),
        "deleted": (None, _day(today, -retention - 1)),
    }[phase]


def _phase_clause(phase: Phase, today: dt.date, params: dict[str, Any]) -> str:
    """Pay-per-use resources never expire: they are always in use."""
    low, high = _phase_range(phase.value, today)
    params |= {"phase_low": low, "phase_high": high}
    if phase is Phase.IN_USE:
        return "(r.billing = 'pay-per-use' OR r.expiry >= :phase_low)"
    bounds = [f"r.expiry {op} :{name}" for op, name, value in
              ((">=", "phase_low", low), ("<=", "phase_high", high)) if value]
    return " AND ".join([SUBSCRIPTION, *bounds])


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def where(filters: Filters, today: dt.date, now: str) -> tuple[str, dict[str, Any]]:
    """The WHERE clause (over alias `r`) and its named parameters."""
    clauses: list[str] = []
    params: dict[str, Any] = {"now": now}
    if filters.tab is not None:
        clauses += ["r.tab = :tab", "r.expiry >= :not_deleted", "r.gone_at IS NULL"]
        params |= {"tab": filters.tab.value, "not_deleted": _day(today, -rules.RETENTION_DAYS)}
    if filters.expiring_days is not None:
        clauses.append(f"{SUBSCRIPTION} AND r.expiry BETWEEN :today AND :horizon")
        params |= {"today": _day(today, 0), "horizon": _day(today, filters.expiring_days)}
    if filters.phase is not None:
        clauses.append(_phase_clause(filters.phase, today, params))
    for column in ("kind", "region", "enterprise_project"):
        value = getattr(filters, column)
        if value:
            clauses.append(f"r.{column} = :{column}")
            params[column] = str(value)
    if filters.search:
        # The order test is asked once (EXISTS, uncorrelated) before it is asked of each row.
        clauses.append(
            "(r.name LIKE :like ESCAPE '\\' OR r.id LIKE :like ESCAPE '\\'"
            " OR (EXISTS (SELECT 1 FROM order_lines WHERE order_id = :search)"
            " AND r.id IN (SELECT resource_id FROM order_lines WHERE order_id = :search)))"
        )
        params |= {"like": f"%{_escape_like(filters.search.strip())}%",
                   "search": filters.search.strip()}
    if filters.hide_pending:
        clauses.append(f"r.id NOT IN {PENDING_IDS}")
    return (" AND ".join(clauses) or "1"), params


def resource_from_row(row: Sequence[Any]) -> Resource:
    """Build a Resource from `SELECT RESOURCE_COLUMNS, pending_order`."""
    (rid, name, kind, region, project, flavor, nodes, status, billing, expiry,
     monthly, yearly, currency, tab, period, times, service_type, gone_at, pending) = row
    return Resource(
        id=rid, name=name, kind=KINDS[kind], region=region, enterprise_project=project,
        flavor=flavor, node_count=nodes, status=status, billing=BILLINGS[billing],
        expiry=dt.date.fromisoformat(expiry), monthly_price_cents=monthly,
        yearly_price_cents=yearly, currency=currency, tab=TABS[tab] if tab else None,
        auto_period_months=period, auto_times=times, pending_order=pending,
        service_type=service_type, gone_at=gone_at,
    )


def to_row(resource: Resource, today: dt.date) -> ResourceRow:
    return ResourceRow(
        resource=resource,
        phase=Phase.IN_USE if resource.billing is Billing.PAY_PER_USE
        else rules.phase(resource.expiry, today),
        days_left=(resource.expiry - today).days,
    )


def list_rows(
    db: sqlite_utils.Database, filters: Filters, today: dt.date, now: str,
    sort: str = "expiry", descending: bool = False, limit: int = 100, offset: int = 0,
) -> list[ResourceRow]:
    """One page of resources, in the given order."""
    clause, params = where(filters, today, now)
    order = SORTS[sort].format(dir="DESC" if descending else "ASC")
    sql = (f"SELECT {RESOURCE_COLUMNS}, {PENDING_ORDER} FROM resources r WHERE {clause} "
           f"ORDER BY {order} LIMIT :limit OFFSET :offset")
    cursor = db.execute(sql, params | {"limit": limit, "offset": offset})
    return [to_row(resource_from_row(row), today) for row in cursor.fetchall()]


def count(db: sqlite_utils.Database, filters: Filters, today: dt.date, now: str,
          beside: Beside | None = None) -> int:
    """How many rows the filters match. `beside` (`Connections.beside`): a Renewals tab of
    SPLIT_COUNT_FROM rows or more is counted in two halves of its expiries at once, the later
    one on another connection (a search reads every name of the tab: the two cores halve
    that); a commit seen by either has it counted again here, whole."""
    clause, params = where(filters, today, now)
    sql = f"SELECT COUNT(*) FROM resources r WHERE {clause}"
    middle = _middle_expiry(db, params) if beside is not None and filters.tab else None
    if beside is None or middle is None:
        return _one(db, sql, params)
    # Each half a range of the tab index: the later one from the middle (its lower bound
    # replaced, not added to: SQLite would scan from the first of two), the earlier up to it.
    later = params | {"not_deleted": max(params["not_deleted"], middle)}
    before = data_version(db)
    counting = beside(lambda other: read_unmoved(other, _one, sql, later))
    earlier = _one(db, f"{sql} AND r.expiry < :middle", params | {"middle": middle})
    rest = counting.result()
    if rest is None or data_version(db) != before:
        return _one(db, sql, params)
    return earlier + rest


def _one(db: sqlite_utils.Database, sql: str, params: dict[str, Any]) -> int:
    return int(db.execute(sql, params).fetchone()[0])


def _middle_expiry(db: sqlite_utils.Database, params: dict[str, Any]) -> str | None:
    """The day halfway through the tab's expiries (its first and last read from the tab
    index), or None for a tab of fewer than SPLIT_COUNT_FROM rows (by rowid: near enough)."""
    rows, earliest, latest = db.execute(
        "SELECT (SELECT MAX(rowid) FROM resources),"
        " (SELECT MIN(expiry) FROM resources WHERE tab = :tab AND expiry >= :not_deleted),"
        " (SELECT MAX(expiry) FROM resources WHERE tab = :tab)", params).fetchone()
    if rows is None or rows < SPLIT_COUNT_FROM or earliest is None:
        return None
    low, high = dt.date.fromisoformat(earliest), dt.date.fromisoformat(latest)
    return (low + (high - low) / 2).isoformat()


def matching_ids(
    db: sqlite_utils.Database, filters: Filters, today: dt.date, now: str, ordered: bool = True
) -> list[str]:
    """Every id the filters match, in list order (or, not `ordered`, as found): "select all"
    means all of them."""
    clause, params = where(filters, today, now)
    if not ordered:
        # As one JSON array: 100,000 ids come over three times faster than as 100,000 rows.
        found = db.execute(f"SELECT json_group_array(r.id) FROM resources r WHERE {clause}",
                           params).fetchone()[0]
        ids: list[str] = json.loads(found)
        return ids
    order = SORTS["expiry"].format(dir="ASC")
    sql = f"SELECT r.id FROM resources r WHERE {clause} ORDER BY {order}"
    return [row[0] for row in db.execute(sql, params).fetchall()]


def matching_total(db: sqlite_utils.Database, filters: Filters, today: dt.date, now: str,
                   length: Duration) -> int:
    """`renewal_total` of every resource the filters match, without listing them."""
    clause, params = where(filters, today, now)
    column = "yearly_price_cents" if length.unit == "year" else "monthly_price_cents"
    row = db.execute(f"SELECT COALESCE(SUM(r.{column}), 0) FROM resources r WHERE {clause}"
                     f" AND {SUBSCRIPTION}", params).fetchone()
    return int(row[0]) * length.count


def quick_counts(
    db: sqlite_utils.Database, filters: Filters, today: dt.date, now: str, total: bool = True
) -> QuickCounts:
    """Counts for each quick filter, with the other filters applied; `pending` counts the
    rows with a pending order even while they are hidden (what showing them would add).
    `total`: count every row too (at 100,000 the one count here that reads them all)."""
    clause, params = where(filters, today, now)
    shown_clause, _ = where(replace(filters, hide_pending=False), today, now)
    grace_low, grace_high = _phase_range("grace", today)
    retention_low, retention_high = _phase_range("retention", today)
    params |= {
        "q_today": _day(today, 0), "q7": _day(today, 7), "q15": _day(today, 15),
        "q30": _day(today, 30), "grace_low": grace_low, "grace_high": grace_high,
        "retention_low": retention_low, "retention_high": retention_high,
    }
    # A count per quick filter, each its own expiry range (read from an index: a few days of
    # rows, not the whole list), in one statement so that all are of one moment.
    ranges = ("q_today AND :q7", "q_today AND :q15", "q_today AND :q30",
              "grace_low AND :grace_high", "retention_low AND :retention_high")
    # The pending count starts from the pending orders' resources (a few), not the tab's.
    counts = [f"SELECT COUNT(*) FROM resources r WHERE {clause}" if total else "SELECT NULL",
              *(f"SELECT COUNT(*) FROM resources r WHERE {clause} AND {SUBSCRIPTION}"
                f" AND r.expiry BETWEEN :{bounds}" for bounds in ranges),
              f"SELECT COUNT(*) FROM (SELECT DISTINCT resource_id FROM {PENDING_IDS}) p"
              f" CROSS JOIN resources r ON r.id = p.resource_id WHERE {shown_clause}"]
    sql = "SELECT " + ", ".join(f"({count})" for count in counts)
    return QuickCounts(*db.execute(sql, params).fetchone())


def resources_by_id(
    db: sqlite_utils.Database, ids: Iterable[str], now: str
) -> dict[str, Resource]:
    """The resources with these ids (any number of them), with their pending order."""
    sql = (f"SELECT {RESOURCE_COLUMNS}, {PENDING_ORDER} FROM resources r "
           "WHERE r.id IN (SELECT value FROM json_each(:ids))")
    cursor = db.execute(sql, {"ids": json.dumps(list(ids)), "now": now})
    return {row[0]: resource_from_row(row) for row in cursor.fetchall()}


def distinct_values(db: sqlite_utils.Database, column: str) -> list[str]:
    """The regions or enterprise projects in use, for filter pickers."""
    if column not in ("region", "enterprise_project"):
        raise ValueError(column)
    return [row[0] for row in db.execute(
        f"SELECT DISTINCT {column} FROM resources ORDER BY {column}").fetchall()]


def renewal_total(db: sqlite_utils.Database, ids: list[str], length: Duration) -> int:
    """Sum of the base renewal fees of subscription resources among `ids`."""
    column = "yearly_price_cents" if length.unit == "year" else "monthly_price_cents"
    row = db.execute(
        f"SELECT COALESCE(SUM({column}), 0) FROM resources WHERE billing = 'yearly-monthly'"
        " AND id IN (SELECT value FROM json_each(?))", (json.dumps(ids),)).fetchone()
    return int(row[0]) * length.count


def expiry_by_week(db: sqlite_utils.Database, today: dt.date, weeks: int = 12) -> list[WeekExpiry]:
    """Subscription resources expiring in each of the next `weeks` weeks (week 0 starts today)."""
    rows = dict((int(week), (n, cents)) for week, n, cents in db.execute(
        """SELECT CAST((julianday(expiry) - julianday(:today)) / 7 AS INTEGER) AS week,
                  COUNT(*), COALESCE(SUM(monthly_price_cents), 0)
           FROM resources WHERE billing = 'yearly-monthly' AND expiry BETWEEN :today AND :last
           GROUP BY week""",
        {"today": today.isoformat(), "last": _day(today, 7 * weeks - 1)}).fetchall())
    return [WeekExpiry(today + dt.timedelta(days=7 * week), *rows.get(week, (0, 0)))
            for week in range(weeks)]
