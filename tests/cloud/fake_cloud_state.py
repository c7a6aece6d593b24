"""The fake cloud's records, kept in integer cents, and the answers of its read-side operations.

Every answer is an SDK response model (huaweicloudsdkbss.v2, huaweicloudsdkmodelarts.v1); the
server serialises it with the SDK's own sanitize_for_serialization.
"""

from __future__ import annotations

import calendar
import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from huaweicloudsdkbss.v2 import model as bss

UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
END_OF_DAY_UTC = dt.time(15, 59, 59)  # 23:59:59 Beijing time: when a subscription period ends
MONTH, YEAR = 2, 3  # period_type
IN_USE, CLOSED, FROZEN, EXPIRED = 2, 3, 4, 5  # OrderInstanceV2.status
CANCELLED, PAID, PENDING = 4, 5, 6  # CustomerOrderV2.status: 已取消, 已完成, 待支付
RENEWAL, UNSUBSCRIBE = 2, 4  # CustomerOrderV2.order_type
CASH, CREDIT, BONUS, DEPOSIT = 1, 2, 5, 7  # AccountBalanceV3.account_type
USABLE, USED, EXPIRED_COUPON = 2, 3, 4  # IQueryUserCouponsResultV2.status
PAY_WINDOW = dt.timedelta(days=7)  # our choice, as the console's rules have it: no public text
MAX_RESOURCE_LIMIT, MAX_ORDER_LIMIT, MAX_LIST_LIMIT = 500, 100, 500
MAX_QUERY_IDS, MAX_RENEW_IDS = 50, 10
PERIOD_NUMS = {MONTH: range(1, 12), YEAR: range(1, 4)}
DELETED = ("CBC.30050009", "The resource has been deleted or does not exist.")
NOT_MAIN = ("CBC.30050007", "The resource is not a main resource.")
IN_UNPAID_ORDER = ("CBC.30050010", "The resource is in an order pending payment.")


@dataclass(frozen=True)
class Call:
    """One validated request: its body as the SDK's request model, its query and path values."""

    body: Any
    query: dict[str, Any]
    path: dict[str, str]


class CloudError(Exception):
    """A refusal: the HTTP status and the Huawei-style error body it is answered with."""

    def __init__(self, status: int, code: str, msg: str) -> None:
        super().__init__(f"{status} {code}: {msg}")
        self.status, self.code, self.msg = status, code, msg


def invalid(msg: str) -> CloudError:
    return CloudError(400, "CBC.0100", f"invalid parameter: {msg}")


def yuan_decimal(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def yuan_float(cents: int) -> float:
    return float(yuan_decimal(cents))


def yuan_text(cents: int) -> str:
    return str(yuan_decimal(cents))


def utc_text(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.strftime(UTC_FORMAT)


def parse_utc(text: str, name: str) -> dt.datetime:
    try:
        return dt.datetime.strptime(text, UTC_FORMAT).replace(tzinfo=dt.UTC)
    except (TypeError, ValueError):
        raise invalid(f"{name} must be a UTC time like 2026-12-15T15:59:59Z") from None


def as_moment(value: dt.date | dt.datetime | str) -> dt.datetime:
    """A date means the end of that day (Beijing time); a string must be UTC text."""
    if isinstance(value, str):
        return parse_utc(value, "expire_time")
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime.combine(value, END_OF_DAY_UTC, tzinfo=dt.UTC)


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day `months` later, clamped to the month's end; a month-end stays a month-end."""
    year, month_index = divmod(moment.year * 12 + moment.month - 1 + months, 12)
    last_day = calendar.monthrange(year, month_index + 1)[1]
    was_month_end = moment.day == calendar.monthrange(moment.year, moment.month)[1]
    day = last_day if was_month_end else min(moment.day, last_day)
    return moment.replace(year=year, month=month_index + 1, day=day)


def period_months(period_type: int, period_num: int) -> int:
    return period_num * (12 if period_type == YEAR else 1)


@dataclass
class Resource:
    resource_id: str
    name: str
    expire_time: dt.datetime
    monthly_cents: int
    yearly_cents: int
    region: str = "ap-southeast-1"
    service_type_code: str = "hws.service.type.ma"
    resource_type_code: str = "hws.resource.type.ma.pool"
    project_id: str = "project-test-1"
    expire_policy: int = 0
    status: int = IN_USE
    enterprise_project: tuple[str, str] = ("0", "default")
    is_main_resource: int = 1
    parent_resource_id: str | None = None
    effective_time: dt.datetime | None = None
    order_ids: list[str] = field(default_factory=list)
    auto_renew_times: int | None = None
    auto_renew_period_type: str | None = None

    def price_cents(self, period_type: int, period_num: int) -> int:
        unit = self.monthly_cents if period_type == MONTH else self.yearly_cents
        return unit * period_num

    @property
    def live(self) -> bool:
        return self.status != CLOSED


@dataclass
class Order:
    order_id: str
    order_type: int
    status: int
    create_time: dt.datetime
    currency: str
    customer_id: str
    service_type_code: str
    lines: dict[str, int]  # main resource id → official cents, its children included
    members: list[str]  # every resource in the order: the main ones and their children
    period_type: int | None = None
    period_num: int | None = None
    payment_time: dt.datetime | None = None
    discount_cents: int = 0
    coupon_cents: int = 0
    cash_cents: int = 0
    previous_expiry: dict[str, dt.datetime] = field(default_factory=dict)
    taken_back: set[str] = field(default_factory=set)  # main ids whose period was unsubscribed

    @property
    def official_cents(self) -> int:
        return sum(self.lines.values())

    @property
    def after_discount_cents(self) -> int:
        return self.official_cents - self.discount_cents


@dataclass
class Coupon:
    coupon_id: str
    face_value_cents: int
    balance_cents: int
    expire_time: dt.datetime
    coupon_type: int = 1  # 1 代金券 (voucher), 2 折扣券, 3 产品券, 4 现金券
    status: int = USABLE
    coupon_version: int = 2  # 1: used once; 2: reusable until its balance is spent
    use_limits: list[dict[str, str]] = field(default_factory=list)
    lock_order_id: str | None = None
    order_id: str | None = None  # the order that last used it

    def status_at(self, now: dt.datetime) -> int:
        return EXPIRED_COUPON if self.status == USABLE and self.expire_time < now else self.status


@dataclass
class Discount:
    discount_id: str
    percent: int
    discount_type: int = 2  # DiscountSimpleInfoV3.type: 0 promotion, 2 business, 3 partner
    name: str = "discount"


@dataclass
class Pool:
    project_id: str
    pool_id: str
    pool_name: str
    resource_id: str
    kind: str
    flavor: str
    nodes: int
    region: str
    status: str
    workspace_id: str
    period_type: int
    period_num: int
    created: dt.datetime
    order_id: str | None = None  # the purchase order, as the pool's annotation shows it
    azs: tuple[str, ...] = ()  # the availability zones its nodes are in


class CloudState:
    """Everything the fake knows; callers hold `lock` around any read or change."""

    def __init__(self, domain_id: str, currency: str, clock: Callable[[], dt.datetime]) -> None:
        self.lock = threading.RLock()
        self.domain_id, self.currency, self.clock = domain_id, currency, clock
        self.resources: dict[str, Resource] = {}
        self.orders: dict[str, Order] = {}
        self.coupons: dict[str, Coupon] = {}
        self.discounts: dict[str, Discount] = {}
        self.pools: list[Pool] = []
        self.accounts: dict[int, int] = {CASH: 0}
        self.debt_cents = 0
        self.renew_config: dict[str, str] = {}
        self._serial = 0

    def now(self) -> dt.datetime:
        return self.clock().astimezone(dt.UTC).replace(microsecond=0)

    def expire_unpaid_orders(self) -> None:
        now = self.now()
        for order in self.orders.values():
            if order.status == PENDING and order.create_time + PAY_WINDOW <= now:
                order.status = CANCELLED

    def children(self, main_id: str) -> list[Resource]:
        return [r for r in self.resources.values() if r.parent_resource_id == main_id and r.live]

    def renewal_cents(self, main_id: str, period_type: int, period_num: int) -> int:
        family = [self.resources[main_id], *self.children(main_id)]
        return sum(r.price_cents(period_type, period_num) for r in family)

    def pending_order_of(self, resource_id: str) -> Order | None:
        pending = (o for o in self.orders.values() if o.status == PENDING)
        return next((o for o in pending if resource_id in o.members), None)

    def refusal(self, resource_id: str) -> tuple[str, str] | None:
        """Why a main resource cannot be quoted, renewed or unsubscribed, if it cannot."""
        resource = self.resources.get(resource_id)
        if resource is None or not resource.live:
            return DELETED
        if resource.is_main_resource != 1:
            return NOT_MAIN
        return IN_UNPAID_ORDER if self.pending_order_of(resource_id) else None

    def create_order(self, order_type: int, lines: dict[str, int], **fields: Any) -> Order:
        self._serial += 1
        now = self.now()
        members = [member for main in lines
                   for member in (main, *(c.resource_id for c in self.children(main)))]
        service = self.resources[next(iter(lines))].service_type_code
        order = Order(order_id=f"CS{now:%y%m%d%H%M}{self._serial:05d}", order_type=order_type,
                      create_time=now, currency=self.currency, customer_id=self.domain_id,
                      service_type_code=service, lines=lines, members=members, **fields)
        self.orders[order.order_id] = order
        for member in members:
            self.resources[member].order_ids.append(order.order_id)
        return order


def fail_info(resource_id: str, reason: tuple[str, str]) -> bss.FailResourceInfo:
    return bss.FailResourceInfo(resource_id=resource_id, error_code=reason[0], error_msg=reason[1])


def paging(offset: int | None, limit: int | None, maximum: int) -> tuple[int, int]:
    offset = 0 if offset is None else offset
    limit = 10 if limit is None else limit
    if not 1 <= limit <= maximum:
        raise invalid(f"limit must be between 1 and {maximum}")
    if offset < 0:
        raise invalid("offset must not be negative")
    return offset, limit


def checked_ids(ids: list[str] | None, maximum: int) -> list[str]:
    if not ids or len(ids) > maximum:
        raise invalid(f"resource_ids must hold 1 to {maximum} ids")
    return list(dict.fromkeys(ids))


def check_period(period_type: int, period_num: int) -> None:
    if period_type not in PERIOD_NUMS:
        raise invalid("period_type must be 2 (month) or 3 (year)")
    if period_num not in PERIOD_NUMS[period_type]:
        raise invalid("period_num must be 1-11 months or 1-3 years")
