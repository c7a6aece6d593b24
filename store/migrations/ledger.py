"""The local ledger's schema: resources, the account, orders, payments, coupons, the audit
trail (migrations 1–4)."""

from __future__ import annotations

import sqlite_utils

from store.migrations import MONEY_TABLES, guard_cents, migration, refuse_damaged_money

SCHEMA_V1 = """
CREATE TABLE resources (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('standard', 'lite', 'server')),
    region TEXT NOT NULL DEFAULT '',
    enterprise_project TEXT NOT NULL DEFAULT 'default',
    flavor TEXT NOT NULL DEFAULT '',
    node_count INTEGER NOT NULL DEFAULT 1 CHECK (node_count >= 1),
    status TEXT NOT NULL DEFAULT 'running',
    billing TEXT NOT NULL DEFAULT 'yearly-monthly'
        CHECK (billing IN ('yearly-monthly', 'pay-per-use')),
    expiry TEXT NOT NULL CHECK (expiry GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    monthly_price_cents INTEGER NOT NULL CHECK (monthly_price_cents >= 0),
    yearly_price_cents INTEGER NOT NULL CHECK (yearly_price_cents >= 0),
    currency TEXT NOT NULL DEFAULT 'CNY',
    tab TEXT CHECK (tab IN ('manual', 'auto', 'ppu', 'canceled')),
    auto_period_months INTEGER CHECK (auto_period_months BETWEEN 1 AND 36),
    auto_times INTEGER CHECK (auto_times BETWEEN 0 AND 99),
    CHECK ((billing = 'pay-per-use') = (tab IS NULL))
);
CREATE INDEX resources_tab_expiry ON resources (tab, expiry, name);
CREATE INDEX resources_expiry ON resources (expiry, name);
CREATE INDEX resources_kind ON resources (kind, expiry);
CREATE INDEX resources_region ON resources (region, expiry);
CREATE INDEX resources_project ON resources (enterprise_project, expiry);
CREATE INDEX resources_name ON resources (name COLLATE NOCASE);

CREATE TABLE account (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    balance_cents INTEGER NOT NULL DEFAULT 0,
    currency TEXT NOT NULL DEFAULT 'CNY',
    renewal_day TEXT CHECK (renewal_day IS NULL OR renewal_day = 'last'
        OR CAST(renewal_day AS INTEGER) BETWEEN 1 AND 28),
    deduction_days INTEGER NOT NULL DEFAULT 7 CHECK (deduction_days BETWEEN 0 AND 7)
);
INSERT INTO account (id) VALUES (1);

CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL
        CHECK (status IN ('pending_payment', 'paid', 'cancelled', 'expired')),
    total_cents INTEGER NOT NULL CHECK (total_cents >= 0),
    currency TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    closed_at TEXT,
    source TEXT NOT NULL DEFAULT 'manual'
);
CREATE INDEX orders_status ON orders (status, created_at);

CREATE TABLE order_lines (
    order_id TEXT NOT NULL REFERENCES orders (id),
    resource_id TEXT NOT NULL REFERENCES resources (id),
    old_expiry TEXT NOT NULL,
    new_expiry TEXT NOT NULL,
    months INTEGER NOT NULL,
    extra_days INTEGER NOT NULL,
    base_fee_cents INTEGER NOT NULL CHECK (base_fee_cents >= 0),
    extra_fee_cents INTEGER NOT NULL CHECK (extra_fee_cents >= 0),
    PRIMARY KEY (order_id, resource_id)
);
CREATE INDEX order_lines_resource ON order_lines (resource_id);

CREATE TABLE coupons (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('cash', 'discount')),
    amount_cents INTEGER NOT NULL DEFAULT 0 CHECK (amount_cents >= 0),
    percent_off INTEGER NOT NULL DEFAULT 0 CHECK (percent_off BETWEEN 0 AND 99),
    expires TEXT,
    used_by_order TEXT REFERENCES orders (id)
);

CREATE TABLE payments (
    id INTEGER PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id),
    idempotency_key TEXT NOT NULL UNIQUE,
    method TEXT NOT NULL CHECK (method IN ('balance', 'online', 'settlement')),
    card_last4 TEXT,
    total_cents INTEGER NOT NULL,
    discount_cents INTEGER NOT NULL,
    coupon_cents INTEGER NOT NULL,
    charged_cents INTEGER NOT NULL CHECK (charged_cents >= 0),
    balance_after_cents INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX payments_one_per_order ON payments (order_id);

CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    os_user TEXT NOT NULL,
    ssh_client TEXT,
    action TEXT NOT NULL,
    resource_ids TEXT NOT NULL DEFAULT '[]',
    amount_cents INTEGER,
    result TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_at ON audit (at);
"""


@migration
def m001_schema(db: sqlite_utils.Database) -> None:
    for statement in SCHEMA_V1.split(";"):
        if statement.strip():
            db.execute(statement)


@migration
def m002_auto_renew_attempts(db: sqlite_utils.Database) -> None:
    """One row per auto-renew attempt: a resource is charged at most once a day per expiry."""
    db.execute("""
        CREATE TABLE auto_renew_attempts (
            resource_id TEXT NOT NULL REFERENCES resources (id),
            expiry TEXT NOT NULL,
            day TEXT NOT NULL,
            at TEXT NOT NULL,
            order_id TEXT REFERENCES orders (id),
            result TEXT NOT NULL,
            PRIMARY KEY (resource_id, expiry, day)
        )""")


@migration
def m003_money_is_whole_cents(db: sqlite_utils.Database) -> None:
    for table in MONEY_TABLES:
        refuse_damaged_money(db, table)
        guard_cents(db, table)


@migration
def m004_simulated_clock(db: sqlite_utils.Database) -> None:
    """Whether the database runs on the real clock (then --now is for reading only) or on a
    simulated one; the audit keeps the wall-clock time and, apart, the simulated one.

    A database an older version made with `demo` is a simulation."""
    db.execute("ALTER TABLE account ADD COLUMN clock TEXT NOT NULL DEFAULT 'real'"
               " CHECK (clock IN ('real', 'simulated'))")
    db.execute("UPDATE account SET clock = 'simulated'"
               " WHERE EXISTS (SELECT 1 FROM audit WHERE action = 'demo.seed')")
    db.execute("ALTER TABLE audit ADD COLUMN simulated_at TEXT")
