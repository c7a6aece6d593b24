"""Frozen dataclasses that cross every boundary: store → CLI, store → TUI."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Literal

RenewalDay = int | Literal["last"]


class Phase(StrEnum):
    IN_USE = "in-use"
    GRACE = "grace"
    RETENTION = "retention"
    DELETED = "deleted"


class Tab(StrEnum):
    MANUAL = "manual"
    AUTO = "auto"
    PPU = "ppu"
    CANCELED = "canceled"


class Kind(StrEnum):
    STANDARD = "standard"
    LITE = "lite"
    SERVER = "server"
    OTHER = "other"
    """A cloud resource that is not a ModelArts pool or server: its service is `service_type`."""


class Billing(StrEnum):
    SUBSCRIPTION = "yearly-monthly"
    PAY_PER_USE = "pay-per-use"


class OrderStatus(StrEnum):
    PENDING = "pending_payment"
    PAID = "paid"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class Method(StrEnum):
    BALANCE = "balance"
    ONLINE = "online"
    SETTLEMENT = "settlement"


@dataclass(frozen=True)
class Duration:
    """A renewal length: 1–11 months or 1–3 years."""

    count: int
    unit: Literal["month", "year"] = "month"

    @property
    def months(self) -> int:
        return self.count * 12 if self.unit == "year" else self.count

    def __str__(self) -> str:
        return f"{self.count} {self.unit}{'' if self.count == 1 else 's'}"


@dataclass(frozen=True)
class Resource:
    id: str
    name: str
    kind: Kind
    expiry: dt.date
    monthly_price_cents: int | None
    """The renewal price of one month; None on a cloud mirror until the billing system quotes
    it (the local ledger always has both prices)."""
    yearly_price_cents: int | None
    currency: str = "CNY"
    region: str = ""
    enterprise_project: str = "default"
    flavor: str = ""
    node_count: int = 1
    status: str = "running"
    billing: Billing = Billing.SUBSCRIPTION
    tab: Tab | None = Tab.MANUAL
    auto_period_months: int | None = None
    auto_times: int | None = None
    pending_order: str | None = None
    service_type: str = ""
    """The billing system's service type code (hws.service.type.…), on a cloud mirror."""
    gone_at: str | None = None
    """When a sync found it gone from the cloud account (kept, for its history)."""


@dataclass(frozen=True)
class ResourceRow:
    """A resource as listed today: its derived phase and days left come with it."""

    resource: Resource
    phase: Phase
    days_left: int

    @property
    def status(self) -> str:
        """What a user sees as its status: frozen and deleted override the platform's word."""
        if self.resource.gone_at:
            return "gone"
        if self.phase is Phase.RETENTION:
            return "frozen"
        if self.phase is Phase.DELETED:
            return "deleted"
        return self.resource.status


@dataclass(frozen=True)
class PreviewLine:
    id: str
    name: str
    current_expiry: dt.date
    new_expiry: dt.date | None
    months: int
    extra_days: int
    base_fee_cents: int
    extra_fee_cents: int
    renewable: bool
    reason: str | None = None
    tab: Tab | None = None
    pending_order: str | None = None
    quoted: bool = False
    """Priced by the billing system's own quote (a bound database), not by the local rules."""

    @property
    def fee_cents(self) -> int:
        return self.base_fee_cents + self.extra_fee_cents


@dataclass(frozen=True)
class Preview:
    lines: tuple[PreviewLine, ...]
    duration: Duration
    align: RenewalDay | None
    currency: str
    quoted_at: str | None = None
    """When the billing system quoted these prices (a bound database); None: the local rules."""
    fresh: bool = True
    """False for the last known quotes, shown while fresh ones load."""
    read: ReadMark | None = field(default=None, compare=False, repr=False)
    """What the local rules worked it out from (`store.db.read_mark`), to tell later that
    it still holds; None for a bound database's quotes."""

    # Cached: an order of 10,000 lines asks for them several times on its way.
    @cached_property
    def renewable(self) -> tuple[PreviewLine, ...]:
        return tuple(line for line in self.lines if line.renewable)

    @cached_property
    def total_cents(self) -> int:
        return sum(line.fee_cents for line in self.renewable)

    def summary(self, first: int) -> PreviewSummary:
        """As a screen shows it: every line counted, the first `first` soonest expiry first."""
        lines = sorted(self.lines, key=lambda line: (line.current_expiry, line.name, line.id))
        return PreviewSummary(
            ids=tuple(line.id for line in self.lines), duration=self.duration, align=self.align,
            currency=self.currency, count=len(self.lines), renewable_count=len(self.renewable),
            total_cents=self.total_cents, first_lines=tuple(lines[:first]), full=self,
            quoted_at=self.quoted_at, fresh=self.fresh)


@dataclass(frozen=True)
class ReadMark:
    """A connection's view of the database when it read something: `source` is the connection
    (compared by identity), `version` SQLite's data_version (other connections' commits) and
    `changes` its own total_changes then; `today` and `now` the clock's."""

    source: object
    version: int
    changes: int
    today: dt.date
    now: str


@dataclass(frozen=True)
class PreviewSummary:
    """A renewal preview as a screen shows it: the count and total of every line and the first
    lines, soonest expiry first. `full`: the whole preview when it was worked out line by line;
    without it, confirming works the lines out again and first checks that `basis` (what the
    summary was computed from) has not moved."""

    ids: tuple[str, ...]
    duration: Duration
    align: RenewalDay | None
    currency: str
    count: int
    renewable_count: int
    total_cents: int
    first_lines: tuple[PreviewLine, ...]
    basis: tuple[int, ...] = ()
    full: Preview | None = None
    quoted_at: str | None = None
    fresh: bool = True


@dataclass(frozen=True)
class OrderLine:
    resource_id: str
    old_expiry: dt.date
    new_expiry: dt.date
    months: int
    extra_days: int
    base_fee_cents: int
    extra_fee_cents: int

    @property
    def fee_cents(self) -> int:
        return self.base_fee_cents + self.extra_fee_cents


@dataclass(frozen=True)
class Order:
    id: str
    status: OrderStatus
    total_cents: int
    currency: str
    created_at: str
    expires_at: str | None
    """When an unpaid order lapses; None for an account's order whose pay-by time is unknown."""
    lines: tuple[OrderLine, ...] = ()
    paid_at: str | None = None
    paid_cents: int | None = None
    method: str | None = None
    source: str = "manual"
    """manual or auto (an auto-renewal): the local ledger's; cloud: placed here on a bound
    database, backed by the billing system's orders (`cloud_order_ids`); account: one of the
    account's pending orders placed elsewhere (the Billing Center), with its resources but no
    lines."""
    cloud_order_ids: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    """An account order's resources (its lines are not known here)."""
    refused: tuple[RowResult, ...] = ()
    """Resources the billing system refused to renew when the order was placed."""

    @property
    def resource_ids(self) -> tuple[str, ...]:
        return tuple(line.resource_id for line in self.lines) or self.resources


@dataclass(frozen=True)
class Coupon:
    id: str
    kind: Literal["cash", "discount"]
    amount_cents: int = 0
    percent_off: int = 0
    expires: dt.date | None = None
    used_by_order: str | None = None

    @property
    def label(self) -> str:
        if self.kind == "discount":
            # A cloud account's discount coupon carries no rate in the coupon list.
            return f"{self.percent_off}% off" if self.percent_off else "discount"
        whole, part = divmod(self.amount_cents, 100)
        return f"{whole:,}.{part:02d} off"


@dataclass(frozen=True)
class Account:
    balance_cents: int
    currency: str
    renewal_day: RenewalDay | None
    deduction_days: int
    coupons: tuple[Coupon, ...] = field(default=())
    bound: bool = False
    """Mirrors a cloud account: the two settings are as last set from this console (the
    billing API cannot read them back), at these times (None: never set from here)."""
    renewal_day_set_at: str | None = None
    deduction_days_set_at: str | None = None


@dataclass(frozen=True)
class Charge:
    """What paying an order costs after coupons."""

    total_cents: int
    discount_cents: int
    coupon_cents: int

    @property
    def due_cents(self) -> int:
        return max(0, self.total_cents - self.discount_cents - self.coupon_cents)


@dataclass(frozen=True)
class Payment:
    order: Order
    method: Method
    charge: Charge
    balance_after_cents: int
    card_last4: str | None = None
    replayed: bool = False


@dataclass(frozen=True)
class Filters:
    """What a list shows. With a tab, it shows what that Renewals tab shows (no deleted rows)."""

    tab: Tab | None = None
    expiring_days: int | None = None
    phase: Phase | None = None
    kind: Kind | None = None
    region: str | None = None
    enterprise_project: str | None = None
    search: str | None = None
    hide_pending: bool = False


@dataclass(frozen=True)
class QuickCounts:
    """How many rows each quick filter would show, on top of the other filters."""

    total: int | None
    """Every row, whatever its expiry; None when not asked for (with no expiry filter in force
    it is the count of the rows shown, which the list has already)."""
    within_7: int
    within_15: int
    within_30: int
    grace: int
    retention: int
    pending: int


@dataclass(frozen=True)
class RowResult:
    """What a batch action did to one resource: done, or refused with the reason."""

    id: str
    ok: bool
    reason: str | None = None


@dataclass(frozen=True)
class Unrenewal:
    """What taking back renewed periods did: per resource, and the billing system's orders
    (the refunds)."""

    results: tuple[RowResult, ...]
    order_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class AutoRenew:
    """Auto-renew terms: a period of months, and how many more times (None = unlimited)."""

    period_months: int = 1
    times: int | None = None


@dataclass(frozen=True)
class TickReport:
    """What one pass of "process due events up to now" did."""

    expired_orders: tuple[str, ...] = ()
    auto_renewed: tuple[tuple[str, str], ...] = ()      # (resource id, order id)
    auto_failed: tuple[tuple[str, str], ...] = ()       # (resource id, reason)
    to_pay_per_use: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    charged_cents: int = 0
    """What the auto-renewals took from the balance."""

    @property
    def nothing_done(self) -> bool:
        return not (self.expired_orders or self.auto_renewed or self.auto_failed
                    or self.to_pay_per_use or self.deleted)


@dataclass(frozen=True)
class WeekExpiry:
    """Resources expiring in one week from `start`, and their one-month renewal value."""

    start: dt.date
    count: int
    monthly_cents: int
