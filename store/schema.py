"""Opening a database: refuse what is not ours (or is newer), migrate only when needed.

Every process opens the file, so the check is a read that takes no lock: a reader never waits
behind a writer just to learn that the schema is up to date. Only a database with pending
migrations takes the write lock, and re-checks under it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import sqlite_utils

from store.db import write
from store.errors import NotRenewals
from store.migrations import KNOWN, migrations


def tables(db: sqlite_utils.Database) -> set[str]:
    return {row[0] for row in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}


def columns(db: sqlite_utils.Database, table: str) -> set[str]:
    return {row[1] for row in db.execute(f"PRAGMA table_info({table})")}


# Each table's columns in this version's schema: a copy of what the migrations build, so that
# opening a file need not build them in memory first (17 ms of every process).
# tests/unit/test_opening.py checks it against a database migrated in memory: a new migration
# that adds a table or column fails that test until this copy says so too.
EXPECTED_COLUMNS: dict[str, frozenset[str]] = {
    "_sqlite_migrations": frozenset({
        "applied_at", "id", "migration_set", "name",
    }),
    "account": frozenset({
        "balance_account", "balance_cents", "binding", "clock", "currency", "deduction_days",
        "deduction_days_set_at", "domain_id", "id", "renewal_day", "renewal_day_set_at",
        "site", "synced_at",
    }),
    "audit": frozenset({
        "action", "amount_cents", "at", "detail", "id", "key_fingerprint", "operator",
        "os_user", "resource_ids", "result", "simulated_at", "ssh_client",
    }),
    "auto_renew_attempts": frozenset({
        "at", "day", "expiry", "order_id", "resource_id", "result",
    }),
    "cloud_coupons": frozenset({
        "balance_cents", "coupon_type", "currency", "expires", "face_value_cents", "id",
        "lock_order_id",
    }),
    "cloud_intents": frozenset({
        "amount_cents", "answer", "closed_at", "cloud_order_id", "created_at", "id",
        "lease_until", "local_order_id", "operation", "owner", "request", "request_id",
        "resource_ids", "state",
    }),
    "cloud_order_resources": frozenset({
        "order_id", "resource_id",
    }),
    "cloud_orders": frozenset({
        "amount_cents", "created_at", "currency", "id", "order_type", "status",
    }),
    "coupons": frozenset({
        "amount_cents", "expires", "id", "kind", "percent_off", "used_by_order",
    }),
    "order_cloud_orders": frozenset({
        "amount_cents", "cloud_order_id", "coupon_cents", "discount_cents", "order_id",
        "paid_cents", "resource_ids", "status",
    }),
    "plan_lines": frozenset({
        "base_fee_cents", "current_expiry", "extra_days", "extra_fee_cents", "months", "name",
        "new_expiry", "pending_order", "plan_id", "position", "quoted", "reason", "renewable",
        "resource_id", "tab",
    }),
    "plans": frozenset({
        "align", "applied_at", "applied_by", "approved_at", "approved_by", "author",
        "created_at", "currency", "duration_count", "duration_unit", "id", "needs_approval",
        "order_ids", "quoted_at", "total_cents",
    }),
    "order_lines": frozenset({
        "base_fee_cents", "extra_days", "extra_fee_cents", "months", "new_expiry",
        "old_expiry", "order_id", "resource_id",
    }),
    "orders": frozenset({
        "closed_at", "created_at", "currency", "expires_at", "id", "source", "status",
        "total_cents",
    }),
    "pool_details": frozenset({
        "available_nodes", "azs", "created_at", "job_scope", "pool_type", "resource_id",
        "total_nodes",
    }),
    "payments": frozenset({
        "balance_after_cents", "card_last4", "charged_cents", "coupon_cents", "created_at",
        "discount_cents", "id", "idempotency_key", "method", "order_id", "total_cents",
    }),
    "quotes": frozenset({
        "amount_cents", "currency", "error_code", "error_msg", "months", "quoted_at",
        "resource_id",
    }),
    "resources": frozenset({
        "auto_period_months", "auto_times", "billing", "currency", "enterprise_project",
        "expiry", "flavor", "gone_at", "id", "kind", "monthly_price_cents", "name",
        "node_count", "region", "service_type", "status", "tab", "yearly_price_cents",
    }),
}


def applied(db: sqlite_utils.Database) -> list[str]:
    return [done.name for done in migrations.applied(db)]


def check(db: sqlite_utils.Database, path: Path) -> int:
    """Refuse a file that is not a renewals database or comes from a newer version; returns
    the number of migrations still to apply. A read: it takes no lock."""
    found = tables(db)
    done = applied(db)
    others = sorted(found - {migrations.migrations_table})
    if others and not done:  # tables of another program, its own migrations perhaps
        raise NotRenewals(f"{path} is not a renewals database (it holds other tables: "
                          f"{', '.join(others[:5])})")
    if any(name not in KNOWN for name in done):
        raise NotRenewals(f"{path} was written by a newer renewals: schema {len(done)}, this "
                          f"version knows {len(KNOWN)}; upgrade renewals to open it")
    if len(done) == len(KNOWN):
        _check_columns(db, path)
    return len(KNOWN) - len(done)


def _check_columns(db: sqlite_utils.Database, path: Path) -> None:
    for table, wanted in EXPECTED_COLUMNS.items():
        present = columns(db, table)
        if present != wanted:
            extra = ", ".join(sorted(present - wanted)) or "none"
            missing = ", ".join(sorted(wanted - present)) or "none"
            raise NotRenewals(
                f"{path}: table {table} is not what renewals schema {len(KNOWN)} has (extra "
                f"columns: {extra}; missing: {missing}): written by a newer or another program")


def open_schema(db: sqlite_utils.Database, path: Path,
                waiting: Callable[[bool], None] | None = None) -> bool:
    """Check the file and bring its schema up to date; True when migrations ran."""
    try:
        pending = check(db, path)
    except sqlite3.DatabaseError as exc:
        raise NotRenewals(f"{path} is not a renewals database ({exc})") from None
    if not pending:
        return False
    with write(db, waiting):
        if check(db, path):  # another process may have migrated while we waited
            migrations.apply(db)
    check(db, path)
    return True
