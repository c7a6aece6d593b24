"""Builders for the store's unit tests: resources and rows put straight into a database."""

from __future__ import annotations

import datetime as dt

from store.db import write
from store.models import Resource
from store.service import Store

TODAY = "2026-11-26"


def resource(rid: str, expiry: str, monthly: int = 10_000, **fields) -> Resource:
    """A subscription resource with sensible defaults; override any field."""
    return Resource(
        id=rid, name=fields.pop("name", f"pool-{rid}"), kind=fields.pop("kind", "standard"),
        expiry=dt.date.fromisoformat(expiry), monthly_price_cents=monthly,
        yearly_price_cents=fields.pop("yearly") if "yearly" in fields else monthly * 10,
        **fields,
    )


def insert(store: Store, *resources: Resource, balance_cents: int | None = None) -> None:
    """Put resources (and a balance) straight into the database."""
    with write(store.db()) as db:
        db.conn.executemany(
            "INSERT INTO resources (id, name, kind, region, enterprise_project, flavor, node_count,"
            " status, billing, expiry, monthly_price_cents, yearly_price_cents, currency, tab,"
            " auto_period_months, auto_times) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [(r.id, r.name, str(r.kind), r.region, r.enterprise_project, r.flavor, r.node_count,
              r.status, str(r.billing), r.expiry.isoformat(), r.monthly_price_cents,
              r.yearly_price_cents, r.currency, r.tab and str(r.tab), r.auto_period_months,
              r.auto_times) for r in resources])
        if balance_cents is not None:
            db.execute("UPDATE account SET balance_cents = ?", (balance_cents,))
