"""What the command-line tests share: six resources (one per situation), the JSON shapes of the
contract, and small readers of a CLI result."""

from __future__ import annotations

import datetime as dt
import json

from click.testing import Result

from store.models import Billing, Kind, Resource, Tab
from store.service import Store

NOW = "2026-11-26"

RESOURCES = (
    # id, name, kind, expiry, monthly cents, billing, tab, region, project
    ("r-manual", "pool-train-a", Kind.STANDARD, "2026-12-16", 10_000, Billing.SUBSCRIPTION,
     Tab.MANUAL, "cn-north-4", "default"),
    ("r-auto", "pool-infer-b", Kind.LITE, "2026-12-01", 20_000, Billing.SUBSCRIPTION,
     Tab.AUTO, "cn-east-3", "vision"),
    ("r-ppu", "ecs-dev-c", Kind.SERVER, "2026-12-10", 5_000, Billing.PAY_PER_USE, None,
     "cn-north-4", "default"),
    ("r-deleted", "pool-old-d", Kind.STANDARD, "2026-09-01", 10_000, Billing.SUBSCRIPTION,
     Tab.MANUAL, "cn-north-4", "default"),
    ("r-grace", "pool-late-e", Kind.STANDARD, "2026-11-20", 30_000, Billing.SUBSCRIPTION,
     Tab.MANUAL, "cn-south-1", "ops"),
    ("r-far", "ecs-far-f", Kind.SERVER, "2027-06-01", 40_000, Billing.SUBSCRIPTION,
     Tab.CANCELED, "cn-east-3", "ops"),
)
ALL_IDS = [row[0] for row in RESOURCES]

PREVIEW_LINE_FIELDS = ["id", "current_expiry", "new_expiry", "months", "extra_days",
                       "base_fee_cents", "extra_fee_cents", "fee_cents", "renewable", "reason",
                       "quoted"]
ORDER_LINE_FIELDS = ["resource_id", "old_expiry", "new_expiry", "months", "extra_days",
                     "base_fee_cents", "extra_fee_cents", "fee_cents"]
PAYMENT_FIELDS = ["method", "charged_cents", "discount_cents", "coupon_cents",
                  "balance_after_cents", "card_last4"]
ORDER_FIELDS = ["id", "status", "total_cents", "currency", "created_at", "expires_at",
                "paid_cents", "method", "lines"]
GOOD_CARD = "4111 1111 1111 1111"
DECLINED_CARD = "4111111111110002"


def make_resource(row: tuple) -> Resource:
    rid, name, kind, expiry, monthly, billing, tab, region, project = row
    return Resource(id=rid, name=name, kind=kind, expiry=dt.date.fromisoformat(expiry),
                    monthly_price_cents=monthly, yearly_price_cents=monthly * 10,
                    billing=billing, tab=tab, region=region, enterprise_project=project)



def ok_json(result: Result):
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def one_line_error(result: Result, code: int, *words: str) -> None:
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("error: "), result.stderr
    for word in words:
        assert word in result.stderr


def balance(store: Store) -> int:
    return store.account().balance_cents


def place(run, *ids: str) -> dict:
    return ok_json(run("renew", *ids, "--months", "1", "--json"))


