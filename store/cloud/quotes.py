"""Renewal prices on a bound database: the billing system's own quotes, not the local rules.

Each preview asks `list_renew_rate_on_period` for the renewable resources, ten at a time, and
keeps every answer (amount or refusal, with its time) in the `quotes` table: the renewal dialog
shows those last known figures, marked as such, while fresh ones load, and a one-month or
one-year quote becomes the resource's listed price. New expiries are worked out here (same day N
months later): the quote API gives prices, not dates.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence

import sqlite_utils

from store import queries, rules
from store.cloud.client import MAX_QUOTED, CloudClient
from store.cloud.mapping import cents
from store.errors import NotFound
from store.models import Duration, Preview, PreviewLine, Resource

Progress = Callable[[int, int], None]
MONTH, YEAR = 2, 3  # the API's period types


def period_of(length: Duration) -> tuple[int, int]:
    return (YEAR, length.count) if length.unit == "year" else (MONTH, length.count)


def _line(resource: Resource, length: Duration, today: dt.date, fee: int | None,
          reason: str | None) -> PreviewLine:
    new_expiry = rules.add_months(resource.expiry, length.months)
    reason = reason or (rules.still_expired_reason(new_expiry, today) if fee is not None
                        else "the billing system gave no quote for it")
    renewable = reason is None and fee is not None
    return PreviewLine(
        id=resource.id, name=resource.name, current_expiry=resource.expiry,
        new_expiry=new_expiry, months=length.months, extra_days=0,
        base_fee_cents=fee if renewable and fee is not None else 0, extra_fee_cents=0,
        renewable=renewable, reason=reason, tab=resource.tab,
        pending_order=resource.pending_order, quoted=fee is not None)


Answers = dict[str, tuple[int | None, str | None]]


def ask(client: CloudClient, ids: list[str], length: Duration, progress: Progress) -> Answers:
    """id → (amount, None) or (None, "CODE: message"), for up to MAX_QUOTED ids a call."""
    answers: Answers = {}
    period_type, period_num = period_of(length)
    for start in range(0, len(ids), MAX_QUOTED):
        answer = client.quote(ids[start:start + MAX_QUOTED], period_type, period_num)
        for result in answer.renew_inquiry_results:
            answers[result.resource_id] = (cents(result.amount, "a quote"), None)
        for failure in answer.fail_resource_infos or []:
            answers[failure.resource_id] = (None, f"{failure.error_code}: {failure.error_msg}")
        progress(min(start + MAX_QUOTED, len(ids)), len(ids))
    return answers


def keep(db: sqlite_utils.Database, answers: Answers, months: int, currency: str,
         now: str) -> None:
    """Remember the answers (call inside a write); a 1-month or 1-year one is the listed
    price from now on."""
    db.conn.executemany(
        "INSERT OR REPLACE INTO quotes (resource_id, months, amount_cents, currency, error_code,"
        " error_msg, quoted_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(rid, months, amount, currency, *(why.split(": ", 1) if why else (None, None)), now)
         for rid, (amount, why) in answers.items()])
    column = {1: "monthly_price_cents", 12: "yearly_price_cents"}.get(months)
    if column:
        db.conn.executemany(f"UPDATE resources SET {column} = ? WHERE id = ?",
                            [(amount, rid) for rid, (amount, _) in answers.items()
                             if amount is not None])


def resources(db: sqlite_utils.Database, ids: Sequence[str], now: str) -> dict[str, Resource]:
    found = queries.resources_by_id(db, ids, now)
    missing = [rid for rid in ids if rid not in found]
    if missing:
        raise NotFound(f"no such resource: {', '.join(missing[:5])}"
                       + (" …" if len(missing) > 5 else ""))
    return found


def refusals(found: dict[str, Resource], today: dt.date) -> dict[str, str | None]:
    """Why each resource cannot be renewed at all (the same rules as everywhere), or None."""
    return {rid: rules.refusal(r.billing, r.expiry, today, r.pending_order, r.gone_at)
            for rid, r in found.items()}


def quoted_preview(found: dict[str, Resource], ids: Sequence[str], length: Duration,
                   today: dt.date, answers: Answers, currency: str, quoted_at: str) -> Preview:
    """The preview the fresh `answers` price (an id not asked: its refusal)."""
    refused = refusals(found, today)
    lines = tuple(_line(found[rid], length, today, *answers.get(rid, (None, refused[rid])))
                  for rid in dict.fromkeys(ids))
    return Preview(lines=lines, duration=length, align=None, currency=currency,
                   quoted_at=quoted_at)


def last_quoted_preview(db: sqlite_utils.Database, ids: Sequence[str], length: Duration,
                        today: dt.date, now: str) -> Preview:
    """The same preview from the quotes kept last time (none yet: no fee), without asking."""
    unique = list(dict.fromkeys(ids))
    found = resources(db, unique, now)
    kept = {rid: (amount, f"{code}: {message}" if code else None, at)
            for rid, amount, code, message, at in db.execute(
                "SELECT resource_id, amount_cents, error_code, error_msg, quoted_at FROM quotes"
                " WHERE months = ? AND resource_id IN (SELECT value FROM json_each(?))",
                (length.months, json.dumps(unique))).fetchall()}
    lines = []
    for rid in unique:
        resource = found[rid]
        refusal = rules.refusal(resource.billing, resource.expiry, today,
                                resource.pending_order, resource.gone_at)
        amount, why, _at = kept.get(rid, (None, None, None))
        lines.append(_line(resource, length, today, None if refusal else amount,
                           refusal or why or ("not quoted yet" if amount is None else None)))
    oldest = min((at for _, _, at in kept.values()), default=None)
    currency = db.execute("SELECT currency FROM account").fetchone()[0]
    return Preview(lines=tuple(lines), duration=length, align=None, currency=currency,
                   quoted_at=oldest, fresh=False)
