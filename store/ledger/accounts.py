"""The account: balance, coupons, and the renewal settings."""

from __future__ import annotations

import datetime as dt

import sqlite_utils

from store import audit, rules
from store.errors import Refused
from store.ledger.payments import load_coupons
from store.models import Account, Coupon, RenewalDay
from store.money import AmountTooLarge, check_cents, format_cents


def _renewal_day(text: str | None) -> RenewalDay | None:
    return None if text is None else rules.parse_renewal_day(text)


def load(db: sqlite_utils.Database, include_used_coupons: bool = False) -> Account:
    balance, currency, day, deduction, binding, day_set, deduction_set = db.execute(
        "SELECT balance_cents, currency, renewal_day, deduction_days, binding,"
        " renewal_day_set_at, deduction_days_set_at FROM account").fetchone()
    if binding == "cloud":
        return Account(balance, currency, _renewal_day(day), deduction,
                       tuple(cloud_coupons(db)), True, day_set, deduction_set)
    coupons = load_coupons(db) if include_used_coupons else load_coupons(
        db, "used_by_order IS NULL")
    return Account(balance, currency, _renewal_day(day), deduction, tuple(coupons))


DISCOUNT_COUPON = 2  # the billing API's coupon_type for a discount; the others deduct an amount


def cloud_coupons(db: sqlite_utils.Database) -> list[Coupon]:
    """The account's usable coupons as last synced: what is left on each (its balance, else
    its face value). A discount coupon's rate is not in the coupon list: 0 here."""
    return [Coupon(cid, "discount" if kind == DISCOUNT_COUPON else "cash",
                   balance if balance is not None else face,
                   expires=dt.date.fromisoformat(expires) if expires else None,
                   used_by_order=locked)
            for cid, kind, face, balance, expires, locked in db.execute(
                "SELECT id, coupon_type, face_value_cents, balance_cents, expires, lock_order_id"
                " FROM cloud_coupons ORDER BY coupon_type, id").fetchall()]


def claim_local(db: sqlite_utils.Database, what: str) -> None:
    """Resources are about to come in from `what` (demo data, an import): the database is a
    local ledger from now on. One bound to a cloud account takes resources only from its syncs.
    Call inside the write transaction."""
    if db.execute("SELECT binding FROM account").fetchone()[0] == "cloud":
        raise Refused(f"this database mirrors a Huawei Cloud account: {what} would mix with the "
                      "account's own resources; it takes them only from renewals cloud sync")
    db.execute("UPDATE account SET binding = 'local' WHERE binding = 'none'")


def top_up(db: sqlite_utils.Database, cents: int) -> None:
    """Add to the balance. Call inside a write transaction."""
    if cents <= 0:
        raise rules.RuleError("a top-up is a positive amount")
    balance, currency = db.execute("SELECT balance_cents, currency FROM account").fetchone()
    try:
        check_cents(balance + cents, "the balance after this top-up")
    except AmountTooLarge as exc:
        raise Refused(f"{exc}: nothing was added") from None
    db.execute("UPDATE account SET balance_cents = ?", (balance + cents,))
    audit.record(db, "account.top-up", amount_cents=cents,
                 detail=f"+{format_cents(cents, currency)}")


def set_renewal_day(db: sqlite_utils.Database, day: RenewalDay | None) -> None:
    db.execute("UPDATE account SET renewal_day = ?", (None if day is None else str(day),))
    audit.record(db, "settings.renewal-day", detail=f"renewal day = {day or 'unset'}")


def set_deduction_days(db: sqlite_utils.Database, days: int) -> None:
    if not 0 <= days <= 7:
        raise rules.RuleError(f"auto-renew deducts 0–7 days before expiry, not {days}")
    db.execute("UPDATE account SET deduction_days = ?", (days,))
    audit.record(db, "settings.deduction-days", detail=f"deduction days = {days}")
