"""After a write: the resources it touched, the balance and the coupons, read again, so the
mirror shows what the billing system now says (not what the console expected it to say)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from store.cloud.client import CloudClient
from store.cloud.mapping import STATUS_WORDS, TAB_BY_EXPIRE_POLICY, billing_date, cash_balance
from store.cloud.sync import coupon_of, replace_coupons
from store.models import Tab

if TYPE_CHECKING:
    from store.service import Store


def resources(store: Store, client: CloudClient, ids: Sequence[str]) -> None:
    """Expiry, tab and (for a resource that is not a pool) status of these resources."""
    items = client.resources_by_ids(list(dict.fromkeys(ids))) if ids else []
    with store.writing() as db:
        db.conn.executemany(
            "UPDATE resources SET expiry = ?, tab = ?, gone_at = NULL,"
            " status = CASE WHEN kind = 'other' THEN ? ELSE status END WHERE id = ?",
            [(billing_date(item.expire_time).isoformat(),
              TAB_BY_EXPIRE_POLICY.get(item.expire_policy, Tab.MANUAL).value,
              STATUS_WORDS.get(item.status, "running"), item.resource_id) for item in items])


def money(store: Store, client: CloudClient) -> int:
    """The cash balance and the usable coupons; returns the balance in cents."""
    cash = cash_balance(client.balances())
    coupons = [coupon_of(coupon, cash.currency) for coupon in client.usable_coupons()]
    with store.writing() as db:
        db.execute("UPDATE account SET balance_cents = ?", (cash.cents,))
        replace_coupons(db, coupons)
    return cash.cents
