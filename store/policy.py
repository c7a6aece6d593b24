"""Renewal policies (RULES.md §7): which moves between the Renewals tabs are allowed, and the
auto-renew terms. Pure rules, the same for either backend (`store.ledger.policy` applies them
to the local ledger)."""

from __future__ import annotations

import datetime as dt

from store import rules
from store.models import AutoRenew, Billing, Resource, Tab
from store.rules import RuleError

# Which tabs each tab can be reached from (RULES.md §7); "modify auto-renew" is auto → auto.
ALLOWED_FROM = {
    Tab.MANUAL: {Tab.AUTO, Tab.PPU, Tab.CANCELED},
    Tab.AUTO: {Tab.MANUAL, Tab.PPU, Tab.CANCELED},
    Tab.PPU: {Tab.MANUAL, Tab.AUTO, Tab.CANCELED},
    Tab.CANCELED: {Tab.MANUAL, Tab.AUTO, Tab.PPU},
}
ACTION_NAMES = {
    Tab.MANUAL: "restore to manual renewal",
    Tab.AUTO: "enable auto-renew",
    Tab.PPU: "change to pay-per-use after expiration",
    Tab.CANCELED: "cancel renewal",
}
AUTO_PERIODS = tuple(range(1, 12)) + (12, 24, 36)


def check_terms(terms: AutoRenew) -> AutoRenew:
    """Auto-renew terms within the rules: a renewal duration, 1–99 times or unlimited."""
    if terms.period_months not in AUTO_PERIODS:
        raise RuleError("an auto-renew period is 1–11 months or 1–3 years, "
                        f"not {terms.period_months} months")
    if terms.times is not None and not 1 <= terms.times <= 99:
        raise RuleError(f"auto-renew runs 1–99 times or unlimited, not {terms.times}")
    return terms


def transition_refusal(resource: Resource, to: Tab, today: dt.date) -> str | None:
    """Why this resource cannot move to `to`, or None when it can."""
    if resource.gone_at:
        return "gone from the cloud account (a sync no longer found it)"
    if resource.billing is Billing.PAY_PER_USE:
        return "pay-per-use: it has no renewal policy"
    if rules.phase(resource.expiry, today).value == "deleted":
        return "deleted: past retention, it can no longer change"
    if resource.pending_order:
        return f"order {resource.pending_order} is pending payment: pay or cancel it first"
    if resource.tab is to and to is not Tab.AUTO:
        return f"already on {to.value}"
    if resource.tab is not to and resource.tab not in ALLOWED_FROM[to]:
        return f"cannot {ACTION_NAMES[to]} from {resource.tab}"
    return None
