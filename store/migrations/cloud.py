"""The mirror of a cloud account (migration 5): a database is local, bound to one account, or
not yet either; resources can be other services, can be gone from the account, and can have
no price yet (NULL: the billing system lists resources without prices, and quotes them only
when asked); and the account's pending orders, coupons and renewal quotes as last synced."""

from __future__ import annotations

import sqlite_utils

from store.migrations import guard_cents, migration

RESOURCES = """
CREATE TABLE resources (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('standard', 'lite', 'server', 'other')),
    region TEXT NOT NULL DEFAULT '',
    enterprise_project TEXT NOT NULL DEFAULT 'default',
    flavor TEXT NOT NULL DEFAULT '',
    node_count INTEGER NOT NULL DEFAULT 1 CHECK (node_count >= 1),
    status TEXT NOT NULL DEFAULT 'running',
    billing TEXT NOT NULL DEFAULT 'yearly-monthly'
        CHECK (billing IN ('yearly-monthly', 'pay-per-use')),
    expiry TEXT NOT NULL CHECK (expiry GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    monthly_price_cents INTEGER CHECK (monthly_price_cents >= 0),
    yearly_price_cents INTEGER CHECK (yearly_price_cents >= 0),
    currency TEXT NOT NULL DEFAULT 'CNY',
    tab TEXT CHECK (tab IN ('manual', 'auto', 'ppu', 'canceled')),
    auto_period_months INTEGER CHECK (auto_period_months BETWEEN 1 AND 36),
    auto_times INTEGER CHECK (auto_times BETWEEN 0 AND 99),
    service_type TEXT NOT NULL DEFAULT '',
    gone_at TEXT,
    CHECK ((billing = 'pay-per-use') = (tab IS NULL))
)"""
RESOURCE_INDEXES = (
    "CREATE INDEX resources_tab_expiry ON resources (tab, expiry, name)",
    "CREATE INDEX resources_expiry ON resources (expiry, name)",
    "CREATE INDEX resources_kind ON resources (kind, expiry)",
    "CREATE INDEX resources_region ON resources (region, expiry)",
    "CREATE INDEX resources_project ON resources (enterprise_project, expiry)",
    "CREATE INDEX resources_name ON resources (name COLLATE NOCASE)",
)
MIRROR = """
CREATE TABLE cloud_orders (
    id TEXT PRIMARY KEY,
    status INTEGER NOT NULL,
    order_type TEXT NOT NULL,
    amount_cents INTEGER,
    currency TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE cloud_order_resources (
    order_id TEXT NOT NULL REFERENCES cloud_orders (id) ON DELETE CASCADE,
    resource_id TEXT NOT NULL,
    PRIMARY KEY (order_id, resource_id)
);
CREATE INDEX cloud_order_resources_resource ON cloud_order_resources (resource_id);
CREATE TABLE cloud_coupons (
    id TEXT PRIMARY KEY,
    coupon_type INTEGER NOT NULL,
    face_value_cents INTEGER NOT NULL,
    balance_cents INTEGER,
    currency TEXT NOT NULL,
    expires TEXT,
    lock_order_id TEXT
);
CREATE TABLE quotes (
    resource_id TEXT NOT NULL,
    months INTEGER NOT NULL,
    amount_cents INTEGER,
    currency TEXT,
    error_code TEXT,
    error_msg TEXT,
    quoted_at TEXT NOT NULL,
    PRIMARY KEY (resource_id, months)
)"""


@migration
def m005_cloud_mirror(db: sqlite_utils.Database) -> None:
    db.execute("ALTER TABLE account ADD COLUMN binding TEXT NOT NULL DEFAULT 'none'"
               " CHECK (binding IN ('none', 'local', 'cloud'))")
    for column in ("site", "domain_id", "balance_account", "synced_at"):
        db.execute(f"ALTER TABLE account ADD COLUMN {column} TEXT")
    db.execute("UPDATE account SET binding = 'local' WHERE EXISTS (SELECT 1 FROM resources)")
    _rebuild_resources(db)
    for statement in MIRROR.split(";"):
        db.execute(statement)
    for table in ("resources", "cloud_orders", "cloud_coupons", "quotes"):
        guard_cents(db, table)


def _rebuild_resources(db: sqlite_utils.Database) -> None:
    """A CHECK constraint changes only with a new table. Order lines point at resources: with
    the foreign-key checks deferred, the rows go back before the transaction commits."""
    db.execute("PRAGMA defer_foreign_keys = ON")
    db.execute("CREATE TEMP TABLE resources_before AS SELECT * FROM resources")
    db.execute("DROP TABLE resources")
    db.execute(RESOURCES)
    db.execute("INSERT INTO resources (id, name, kind, region, enterprise_project, flavor,"
               " node_count, status, billing, expiry, monthly_price_cents, yearly_price_cents,"
               " currency, tab, auto_period_months, auto_times) SELECT * FROM resources_before")
    db.execute("DROP TABLE temp.resources_before")
    for statement in RESOURCE_INDEXES:
        db.execute(statement)


WRITE_SIDE = """
CREATE TABLE cloud_intents (
    id INTEGER PRIMARY KEY,
    operation TEXT NOT NULL,
    resource_ids TEXT NOT NULL DEFAULT '[]',
    cloud_order_id TEXT,
    local_order_id TEXT REFERENCES orders (id),
    request TEXT NOT NULL DEFAULT '{}',
    amount_cents INTEGER,
    state TEXT NOT NULL CHECK (state IN ('in_flight', 'done', 'refused', 'in_doubt',
                                          'reconciled')),
    owner TEXT NOT NULL,
    created_at TEXT NOT NULL,
    lease_until TEXT NOT NULL,
    closed_at TEXT,
    answer TEXT,
    request_id TEXT
);
CREATE INDEX cloud_intents_open ON cloud_intents (state) WHERE state IN ('in_flight', 'in_doubt');
CREATE TABLE order_cloud_orders (
    order_id TEXT NOT NULL REFERENCES orders (id),
    cloud_order_id TEXT NOT NULL,
    resource_ids TEXT NOT NULL DEFAULT '[]',
    amount_cents INTEGER,
    status INTEGER NOT NULL,
    paid_cents INTEGER,
    coupon_cents INTEGER,
    discount_cents INTEGER,
    PRIMARY KEY (order_id, cloud_order_id)
);
CREATE UNIQUE INDEX order_cloud_orders_cloud ON order_cloud_orders (cloud_order_id)"""


@migration
def m006_cloud_writes(db: sqlite_utils.Database) -> None:
    """The write side on a bound database. Every call to the billing system that changes
    something is first an intent here (in flight, owned by one process for a lease), then done,
    refused, or in doubt until reconciled. A local combined order is backed by the billing
    system's orders. The API cannot read the renewal day and deduction days back: the database
    keeps when they were last set from this console."""
    for statement in WRITE_SIDE.split(";"):
        db.execute(statement)
    for column in ("renewal_day_set_at", "deduction_days_set_at"):
        db.execute(f"ALTER TABLE account ADD COLUMN {column} TEXT")
    for table in ("cloud_intents", "order_cloud_orders"):
        guard_cents(db, table)


@migration
def m007_tab_lists_from_one_index(db: sqlite_utils.Database) -> None:
    """A Renewals tab's count, quick counts, search and check-all total read every row of the
    tab: with the columns they use in the tab's index, they read the index alone, not 100,000
    rows."""
    db.execute("DROP INDEX resources_tab_expiry")
    db.execute("CREATE INDEX resources_tab_expiry ON resources"
               " (tab, expiry, name, id, gone_at, billing, monthly_price_cents)")


@migration
def m008_pool_details(db: sqlite_utils.Database) -> None:
    """What the ModelArts pool API says of each pool beyond billing (store.pool_details), as the
    last sync read it."""
    db.execute("""CREATE TABLE pool_details (
        resource_id TEXT PRIMARY KEY,
        pool_type TEXT NOT NULL DEFAULT '',
        job_scope TEXT NOT NULL DEFAULT '',
        azs TEXT NOT NULL DEFAULT '',
        created_at TEXT,
        available_nodes INTEGER CHECK (available_nodes >= 0),
        total_nodes INTEGER CHECK (total_nodes >= 0)
    )""")


@migration
def m009_team_operators(db: sqlite_utils.Database) -> None:
    """Team mode (store.team): the audit names the operator a service account acted for, and
    the fingerprint of their SSH key."""
    db.execute("ALTER TABLE audit ADD COLUMN operator TEXT")
    db.execute("ALTER TABLE audit ADD COLUMN key_fingerprint TEXT")


PLANS = """
CREATE TABLE plans (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    author TEXT NOT NULL,
    duration_count INTEGER NOT NULL CHECK (duration_count BETWEEN 1 AND 11),
    duration_unit TEXT NOT NULL CHECK (duration_unit IN ('month', 'year')),
    align TEXT,
    currency TEXT NOT NULL,
    total_cents INTEGER NOT NULL CHECK (total_cents >= 0),
    quoted_at TEXT,
    needs_approval INTEGER NOT NULL CHECK (needs_approval IN (0, 1)),
    approved_by TEXT,
    approved_at TEXT,
    applied_by TEXT,
    applied_at TEXT,
    order_ids TEXT NOT NULL DEFAULT '[]',
    CHECK (approved_by IS NULL OR approved_by != author)
);
CREATE TABLE plan_lines (
    plan_id TEXT NOT NULL REFERENCES plans (id),
    position INTEGER NOT NULL,
    resource_id TEXT NOT NULL,
    name TEXT NOT NULL,
    current_expiry TEXT NOT NULL,
    new_expiry TEXT,
    months INTEGER NOT NULL,
    extra_days INTEGER NOT NULL,
    base_fee_cents INTEGER NOT NULL,
    extra_fee_cents INTEGER NOT NULL,
    renewable INTEGER NOT NULL CHECK (renewable IN (0, 1)),
    reason TEXT,
    tab TEXT,
    pending_order TEXT,
    quoted INTEGER NOT NULL CHECK (quoted IN (0, 1)),
    PRIMARY KEY (plan_id, position)
)"""


@migration
def m010_plans(db: sqlite_utils.Database) -> None:
    """Plans (store.team.plans): a renewal saved with its exact lines, total, author and time,
    approved by a second person, applied later exactly as saved."""
    for statement in PLANS.split(";"):
        db.execute(statement)
    for table in ("plans", "plan_lines"):
        guard_cents(db, table)
