"""Renewal policies: which Renewals tab a resource is on, and the moves between tabs (§7)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlite_utils

from store import audit, queries, rules
from store.models import AutoRenew, Billing, Resource, RowResult, Tab
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


def apply(
    db: sqlite_utils.Database, ids: Sequence[str], to: Tab, terms: AutoRenew | None,
    today: dt.date, now: str,
) -> list[RowResult]:
    """Move every allowed resource to `to`; report each. Call inside one write transaction."""
    if terms is not None:
        check_terms(terms)
    unique = list(dict.fromkeys(ids))
    found = queries.resources_by_id(db, unique, now)
    results = [_result(rid, found.get(rid), to, today) for rid in unique]
    moved = [r.id for r in results if r.ok]
    new_terms = {rid: _terms_after(found[rid], to, terms) for rid in moved}
    db.conn.executemany(
        "UPDATE resources SET tab = ?, auto_period_months = ?, auto_times = ? WHERE id = ?",
        [(to.value, *new_terms[rid], rid) for rid in moved])
    if moved:
        detail = ACTION_NAMES[to] + (f": {_describe(terms)}" if terms else "")
        audit.record(db, f"policy.{to.value}", resource_ids=moved, detail=detail)
    return results


def _terms_after(
    resource: Resource, to: Tab, terms: AutoRenew | None
) -> tuple[int | None, int | None]:
    """Auto-renew terms after a move: given ones, else kept (already on auto), else default."""
    if to is not Tab.AUTO:
        return None, None
    if terms is None and resource.tab is Tab.AUTO:
        return resource.auto_period_months, resource.auto_times
    chosen = terms or AutoRenew()
    return chosen.period_months, chosen.times


def _describe(terms: AutoRenew) -> str:
    times = "unlimited" if terms.times is None else terms.times
    return f"every {terms.period_months} months, {times} times"


def _result(rid: str, resource: Resource | None, to: Tab, today: dt.date) -> RowResult:
    if resource is None:
        return RowResult(rid, False, "no such resource")
    reason = transition_refusal(resource, to, today)
    return RowResult(rid, reason is None, reason)
