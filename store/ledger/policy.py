"""Moving resources between the Renewals tabs on the local ledger: every allowed one in one
transaction, each refusal with its reason (the rules are in `store.policy`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlite_utils

from store import audit, queries
from store.models import AutoRenew, Resource, RowResult, Tab
from store.policy import ACTION_NAMES, check_terms, transition_refusal


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
