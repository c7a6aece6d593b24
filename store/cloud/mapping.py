"""From the billing system's records to the console's: exact, and written down in the README.

- expiry: the date of `expire_time` in UTC+08:00 (`2026-12-15T15:59:59Z` → 2026-12-15);
- tab from `expire_policy`: 3 → auto, 1 → ppu, 2 or 5 → canceled, 0 or 4 → manual;
- kind: standard when a ModelArts pool carries the resource's id in its
  `os.modelarts/resource.id` label, else other, with the service type code beside it;
- money: Decimal, float and string amounts become integer cents through Decimal(str(x)), never
  through float arithmetic, rounding half up only where the API gives more than two decimals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from store.clock import BILLING_OFFSET, utc_stamp
from store.cloud.throttle import CloudError
from store.models import Kind, Resource, Tab
from store.pool_details import PoolDetails

TAB_BY_EXPIRE_POLICY = {0: Tab.MANUAL, 1: Tab.PPU, 2: Tab.CANCELED, 3: Tab.AUTO, 4: Tab.MANUAL,
                        5: Tab.CANCELED}
STATUS_WORDS = {2: "running", 3: "closed", 4: "frozen", 5: "expired"}
CASH_BALANCE = 1


def cents(amount: Any, what: str) -> int:
    """An amount in currency units (Decimal, float or numeric string) as whole cents."""
    try:
        value = Decimal(str(amount)) * 100
        if not value.is_finite():
            raise InvalidOperation
        return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    except InvalidOperation:
        raise CloudError(f"the billing system gave {what} as {amount!r}, not an amount") from None


def utc_time(text: str | None, what: str) -> dt.datetime:
    """`2026-12-15T15:59:59Z` (the API's UTC times) as an aware datetime."""
    try:
        moment = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
        return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
    except ValueError:
        raise CloudError(f"the billing system gave {what} as {text!r}, not a UTC time") from None


def created_stamp(text: str | None) -> str | None:
    """A pool's creation time as a UTC stamp; None when it gives none a sync can read (only
    shown, so no reason to fail a sync)."""
    try:
        return utc_stamp(utc_time(text, "a creation time")) if text else None
    except CloudError:
        return None


def billing_date(expire_time: str | None) -> dt.date:
    return utc_time(expire_time, "an expiry").astimezone(BILLING_OFFSET).date()


@dataclass(frozen=True)
class Pool:
    """A ModelArts pool as far as the Renewals list needs it."""

    resource_id: str
    flavor: str
    nodes: int
    status: str
    domain_id: str | None = None
    """The account the pool belongs to (its os.modelarts/tenant.domain.id label)."""
    details: PoolDetails | None = None


def pool_of(item: Any) -> Pool | None:
    """A pool from `list_pools`, or None when it carries no billing resource id."""
    metadata = item.metadata
    labels = metadata.labels if metadata else None
    if labels is None or not labels.os_modelarts_resource_id:
        return None
    resource_id = labels.os_modelarts_resource_id
    flavors = list(item.spec.resources or []) if item.spec else []
    nodes = sum(flavor.count or 0 for flavor in flavors)
    return Pool(resource_id=resource_id,
                flavor=", ".join(flavor.flavor for flavor in flavors if flavor.flavor),
                nodes=max(1, nodes),
                status=(item.status.phase.lower() if item.status and item.status.phase
                        else "running"),
                domain_id=labels.os_modelarts_tenant_domain_id or None,
                details=details_of(item, resource_id, flavors, nodes))


def details_of(item: Any, resource_id: str, flavors: list[Any], nodes: int) -> PoolDetails:
    """Type, job scope, zones, creation time and available nodes, where the pool says them."""
    spec, status = item.spec, item.status
    zones = dict.fromkeys(zone.az for flavor in flavors for zone in (flavor.azs or [])
                          if zone.az)
    available = status.resources.available if status and status.resources else None
    return PoolDetails(
        resource_id=resource_id, pool_type=(spec.type or "") if spec else "",
        job_scope=", ".join(spec.scope or []) if spec else "", azs=", ".join(zones),
        created_at=created_stamp(item.metadata.creation_timestamp),
        available_nodes=available.count if available and available.count is not None
        else None,
        total_nodes=nodes or None)


def resource_of(item: Any, pool: Pool | None, currency: str) -> Resource:
    """One main resource of `list_pay_per_use_customer_resources`; without prices (the list has
    none: they come from quotes, and the sync keeps those it has)."""
    if not item.resource_id:
        raise CloudError("the billing system listed a resource without a resource_id")
    project = item.enterprise_project
    return Resource(
        id=item.resource_id, name=item.resource_name or item.resource_id,
        kind=Kind.STANDARD if pool else Kind.OTHER, expiry=billing_date(item.expire_time),
        monthly_price_cents=None, yearly_price_cents=None, currency=currency,
        region=item.region_code or "",
        enterprise_project=(project.name if project and project.name else "default"),
        flavor=pool.flavor if pool else "", node_count=pool.nodes if pool else 1,
        status=pool.status if pool else STATUS_WORDS.get(item.status, "running"),
        tab=TAB_BY_EXPIRE_POLICY.get(item.expire_policy, Tab.MANUAL),
        service_type=item.service_type_code or "",
    )


@dataclass(frozen=True)
class CashBalance:
    cents: int
    currency: str
    account_id: str | None
    """The cash account's id: one customer's, so it tells accounts apart when no domain id
    is known."""


def cash_balance(answer: Any) -> CashBalance:
    """The cash balance (account type 1) in cents, its currency and its account id."""
    for balance in answer.account_balances:
        if balance.account_type == CASH_BALANCE:
            return CashBalance(cents(balance.amount, "the balance"),
                               balance.currency or answer.currency or "CNY",
                               balance.account_id or None)
    return CashBalance(0, answer.currency or "CNY", None)


@dataclass(frozen=True)
class OrderFigures:
    """One billing order's status and money, as `list_customer_orders` gives them."""

    status: int
    amount_cents: int | None
    """What the order asks after discounts (amount_after_discount), before coupons."""
    coupon_cents: int
    discount_cents: int

    @property
    def cash_cents(self) -> int | None:
        return None if self.amount_cents is None else self.amount_cents - self.coupon_cents


def order_figures(order: Any) -> OrderFigures:
    what = f"order {order.order_id}"
    info = order.amount_info
    discounts = (info.discounts or []) if info else []
    return OrderFigures(
        status=int(order.status or 0),
        amount_cents=None if order.amount_after_discount is None else cents(
            order.amount_after_discount, f"{what}'s amount"),
        coupon_cents=cents(info.coupon_amount or 0, f"{what}'s coupons") if info else 0,
        discount_cents=sum(cents(d.discount_amount or 0, f"{what}'s discount")
                           for d in discounts))
