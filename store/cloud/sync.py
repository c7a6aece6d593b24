"""One sync: read the whole account through the API, then write it in one transaction.

`fetch` asks the billing system (no database open meanwhile): every yearly/monthly main
resource page by page, the pending renewal orders and their resources, the cash balance, the
usable coupons, and the ModelArts pools of each (region, project) the resources name. `write`
puts that snapshot into the mirror at once, so readers never see half a sync: resources added
or updated (prices last quoted are kept), those no longer on the account marked gone (kept for
their history), orders and coupons replaced.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from store import audit, pool_details
from store.clock import utc_stamp
from store.cloud.client import CloudClient
from store.cloud.mapping import (
    Pool,
    billing_date,
    cash_balance,
    cents,
    pool_of,
    resource_of,
    utc_time,
)
from store.cloud.throttle import CloudError
from store.io import audit_ids
from store.models import Resource
from store.pool_details import PoolDetails

Progress = Callable[[str], None]


@dataclass(frozen=True)
class CloudOrder:
    id: str
    status: int
    order_type: str
    amount_cents: int | None
    currency: str
    created_at: str
    resource_ids: tuple[str, ...]


@dataclass(frozen=True)
class CloudCoupon:
    id: str
    coupon_type: int
    face_value_cents: int
    balance_cents: int | None
    currency: str
    expires: str | None
    lock_order_id: str | None


@dataclass(frozen=True)
class Snapshot:
    resources: list[Resource]
    pools: int
    pool_details: list[PoolDetails]
    orders: list[CloudOrder]
    balance_cents: int
    currency: str
    coupons: list[CloudCoupon]
    domain_id: str | None
    balance_account: str | None
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SyncReport:
    resources: int
    added: int
    updated: int
    gone: int
    pools: int
    pending_orders: int
    balance_cents: int
    currency: str
    coupons: int
    requests: int = 0
    warnings: tuple[str, ...] = ()
    reconciled: tuple[str, ...] = ()
    """What the calls left in doubt turned out to have done, one line each."""


def order_of(order: Any, resource_ids: list[str], currency: str) -> CloudOrder:
    if not order.order_id or order.status is None:
        raise CloudError("the billing system listed an order without an order_id or a status")
    amount = order.amount_after_discount
    return CloudOrder(
        id=order.order_id, status=int(order.status), order_type=str(order.order_type),
        amount_cents=None if amount is None else cents(amount, f"order {order.order_id}'s "
                                                               "amount"),
        currency=order.currency or currency,
        created_at=utc_stamp(utc_time(order.create_time, f"order {order.order_id}'s time")),
        resource_ids=tuple(resource_ids))


def coupon_of(coupon: Any, currency: str) -> CloudCoupon:
    if not coupon.coupon_id:
        raise CloudError("the billing system listed a coupon without a coupon_id")
    return CloudCoupon(
        id=coupon.coupon_id, coupon_type=int(coupon.coupon_type or 0),
        face_value_cents=cents(coupon.face_value or 0, f"coupon {coupon.coupon_id}"),
        balance_cents=None if coupon.balance is None else cents(
            coupon.balance, f"coupon {coupon.coupon_id}'s balance"),
        currency=coupon.currency or currency,
        expires=billing_date(coupon.expire_time).isoformat() if coupon.expire_time else None,
        lock_order_id=coupon.lock_order_id or None)


def _pools(client: CloudClient, items: list[Any], warnings: list[str]) -> dict[str, Pool]:
    """The pools of every (region, project) the resources name, by billing resource id. A
    region whose pools cannot be read is a warning, not a failed sync."""
    places = sorted({(item.region_code, item.project_id) for item in items
                     if item.region_code and item.project_id})
    found: dict[str, Pool] = {}
    for region, project in places:
        try:
            pools = client.pools(region, project)
        except CloudError as exc:
            warnings.append(f"pools of {region} not read: {exc}")
            continue
        for pool in filter(None, map(pool_of, pools)):
            found[pool.resource_id] = pool
    return found


def fetch(client: CloudClient, progress: Progress = lambda _step: None) -> Snapshot:
    progress("reading the balance")
    cash = cash_balance(client.balances())
    currency = cash.currency
    progress("reading the resources")
    items = client.all_resources()
    progress(f"read {len(items):,} resources; reading the ModelArts pools")
    warnings: list[str] = []
    pools = _pools(client, items, warnings)
    progress("reading the pending orders")
    pending = client.pending_renewal_orders()
    orders = [order_of(order, [item.resource_id for item in
                                client.all_resources(order_id=order.order_id)], currency)
              for order in pending]
    progress("reading the coupons")
    coupons = [coupon_of(coupon, currency) for coupon in client.usable_coupons()]
    # The account (domain) id: given with the credentials, else as the orders and pools say.
    domain = (client.credentials.domain_id
              or next((order.customer_id for order in pending if order.customer_id), None)
              or next((pool.domain_id for pool in pools.values() if pool.domain_id), None))
    return Snapshot(
        resources=[resource_of(item, pools.get(item.resource_id), currency) for item in items],
        pools=len(pools), pool_details=[p.details for p in pools.values() if p.details],
        orders=orders, balance_cents=cash.cents, currency=currency,
        coupons=coupons, domain_id=domain, balance_account=cash.account_id, warnings=warnings)


UPSERT = """INSERT INTO resources (id, name, kind, region, enterprise_project, flavor,
    node_count, status, billing, expiry, currency, tab, service_type, gone_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'yearly-monthly', ?, ?, ?, ?, NULL)
    ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind,
    region = excluded.region, enterprise_project = excluded.enterprise_project,
    flavor = excluded.flavor, node_count = excluded.node_count, status = excluded.status,
    expiry = excluded.expiry, currency = excluded.currency, tab = excluded.tab,
    service_type = excluded.service_type, gone_at = NULL"""


def write(db: sqlite_utils.Database, snapshot: Snapshot, site: str, now: str) -> SyncReport:
    """The snapshot into the mirror. Call inside one write transaction."""
    before = dict(db.execute("SELECT id, gone_at FROM resources").fetchall())
    seen = {resource.id for resource in snapshot.resources}
    gone = [rid for rid, gone_at in before.items() if rid not in seen and gone_at is None]
    db.conn.executemany(UPSERT, [
        (r.id, r.name, r.kind.value, r.region, r.enterprise_project, r.flavor, r.node_count,
         r.status, r.expiry.isoformat(), r.currency, r.tab.value if r.tab else None,
         r.service_type) for r in snapshot.resources])
    db.conn.executemany("UPDATE resources SET gone_at = ? WHERE id = ?",
                        [(now, rid) for rid in gone])
    _replace_orders(db, snapshot.orders)
    pool_details.replace_all(db, snapshot.pool_details)
    replace_coupons(db, snapshot.coupons)
    db.execute("UPDATE account SET balance_cents = ?, currency = ?, binding = 'cloud', site = ?,"
               " domain_id = COALESCE(?, domain_id),"
               " balance_account = COALESCE(?, balance_account), synced_at = ?",
               (snapshot.balance_cents, snapshot.currency, site, snapshot.domain_id,
                snapshot.balance_account, now))
    report = SyncReport(
        resources=len(seen), added=len(seen - before.keys()), updated=len(seen & before.keys()),
        gone=len(gone), pools=snapshot.pools, pending_orders=len(snapshot.orders),
        balance_cents=snapshot.balance_cents, currency=snapshot.currency,
        coupons=len(snapshot.coupons), warnings=tuple(snapshot.warnings))
    ids, _note = audit_ids(snapshot.resources)
    audit.record(db, "cloud.sync", resource_ids=ids, detail=(
        f"{report.resources:,} resources ({report.added:,} added, {report.updated:,} updated, "
        f"{report.gone:,} gone), {report.pools:,} pools, {report.pending_orders:,} pending "
        f"orders, {report.coupons:,} coupons from the {site} site"))
    return report


def _replace_orders(db: sqlite_utils.Database, found: list[CloudOrder]) -> None:
    db.execute("DELETE FROM cloud_orders")
    db.conn.executemany(
        "INSERT INTO cloud_orders (id, status, order_type, amount_cents, currency, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [(o.id, o.status, o.order_type, o.amount_cents, o.currency, o.created_at)
         for o in found])
    db.conn.executemany("INSERT OR IGNORE INTO cloud_order_resources VALUES (?, ?)",
                        [(o.id, rid) for o in found for rid in o.resource_ids])


def replace_coupons(db: sqlite_utils.Database, found: list[CloudCoupon]) -> None:
    db.execute("DELETE FROM cloud_coupons")
    db.conn.executemany(
        "INSERT INTO cloud_coupons (id, coupon_type, face_value_cents, balance_cents, currency,"
        " expires, lock_order_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(c.id, c.coupon_type, c.face_value_cents, c.balance_cents, c.currency, c.expires,
          c.lock_order_id) for c in found])

