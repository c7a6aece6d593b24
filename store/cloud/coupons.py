"""The account's coupons a payment may use, as last synced, and how the pay call names them."""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlite_utils

from store.errors import NotFound, Refused

MAX_PAY_COUPONS = 3
# A coupon's coupon_type in the coupon list → its type when paying (CouponSimpleInfoOrderPayV3):
# 1 voucher → 301, 2 discount coupon → 300, 4 cash coupon → 302. A product coupon (3) has none.
PAY_COUPON_TYPE = {1: 301, 2: 300, 4: 302}


def chosen_coupons(db: sqlite_utils.Database, ids: Sequence[str]) -> list[tuple[str, int]]:
    """(coupon id, coupon type) of the account's usable coupons asked for; refused when one is
    unknown, cannot be chosen, or there are too many."""
    unique = list(dict.fromkeys(ids))
    if len(unique) > MAX_PAY_COUPONS:
        raise Refused(f"the billing API takes at most {MAX_PAY_COUPONS} coupons a payment")
    found = dict(db.execute(
        "SELECT id, coupon_type FROM cloud_coupons WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps(unique),)).fetchall())
    for cid in unique:
        if cid not in found:
            raise NotFound(f"no such coupon on the account: {cid} (run renewals cloud sync)")
        if found[cid] not in PAY_COUPON_TYPE:
            raise Refused(f"coupon {cid} is a product coupon: the billing system applies it "
                          "itself, it cannot be chosen for a payment")
    return [(cid, found[cid]) for cid in unique]
