"""What `policy`, `tick` and `overview` print: JSON shapes (the stable contract) and plain text.

Text is ASCII only: the overview's bars are `#`, never block or double-width glyphs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from store.models import RowResult, Tab, TickReport, WeekExpiry
from store.money import format_cents
from store.text import safe_text
from tui.cli.output import table

BAR_WIDTH = 40          # the widest week's bar, in columns
SHOWN_IDS = 5           # ids listed on one summary line before "+N more"
SHOWN_FAILURES = 10     # failed auto-renewals listed one per line before "+N more"


# policy ----------------------------------------------------------------------------------------
def policy_json(results: Sequence[RowResult]) -> dict[str, Any]:
    moved = sum(1 for r in results if r.ok)
    return {"results": [{"id": r.id, "ok": r.ok, "reason": r.reason} for r in results],
            "moved": moved, "refused": len(results) - moved}


def policy_text(results: Sequence[RowResult], to: Tab) -> str:
    return "\n".join(f"{safe_text(r.id)}: moved to {to.value}" if r.ok
                     else f"{safe_text(r.id)}: refused: {safe_text(r.reason)}" for r in results)


# due events ------------------------------------------------------------------------------------
def tick_json(report: TickReport) -> dict[str, Any]:
    return {
        "expired_orders": list(report.expired_orders),
        "auto_renewed": [{"id": rid, "order_id": oid} for rid, oid in report.auto_renewed],
        "auto_failed": [{"id": rid, "reason": why} for rid, why in report.auto_failed],
        "to_pay_per_use": list(report.to_pay_per_use),
        "deleted": list(report.deleted),
    }


def some_ids(ids: Sequence[str]) -> str:
    shown = ", ".join(safe_text(i) for i in ids[:SHOWN_IDS])
    more = len(ids) - SHOWN_IDS
    return shown + (f" +{more} more" if more > 0 else "")


def tick_text(report: TickReport, charged_cents: int, currency: str) -> str:
    """A line per kind of event that happened; the first failures one per line, with why."""
    if report.nothing_done:
        return "nothing due"
    lines = []
    if report.expired_orders:
        lines.append(f"expired unpaid orders: {len(report.expired_orders)} "
                     f"({some_ids(report.expired_orders)})")
    if report.auto_renewed:
        ids = [rid for rid, _ in report.auto_renewed]
        lines.append(f"auto-renewed: {len(ids)}, charged {format_cents(charged_cents, currency)}"
                     f" from the balance ({some_ids(ids)})")
    if report.auto_failed:
        failed = report.auto_failed
        lines.append(f"auto-renew failed: {len(failed)} (retried daily until expiry)")
        lines.extend(f"  {safe_text(rid)}: {safe_text(why)}"
                     for rid, why in failed[:SHOWN_FAILURES])
        if len(failed) > SHOWN_FAILURES:
            lines.append(f"  +{len(failed) - SHOWN_FAILURES} more (--json lists every one)")
    if report.to_pay_per_use:
        lines.append(f"converted to pay-per-use: {len(report.to_pay_per_use)} "
                     f"({some_ids(report.to_pay_per_use)})")
    if report.deleted:
        lines.append(f"deleted after retention: {len(report.deleted)} "
                     f"({some_ids(report.deleted)})")
    return "\n".join(lines)


# expiry overview -------------------------------------------------------------------------------
def overview_json(weeks: Sequence[WeekExpiry]) -> list[dict[str, Any]]:
    return [{"week_start": w.start.isoformat(), "count": w.count,
             "monthly_cents": w.monthly_cents} for w in weeks]


def bar(count: int, widest: int, width: int = BAR_WIDTH) -> str:
    """`#` scaled so the widest week fills `width`; any count above zero shows at least one."""
    if count <= 0 or widest <= 0:
        return ""
    return "#" * max(1, round(count * width / widest))


def overview_text(weeks: Sequence[WeekExpiry], currency: str) -> str:
    """One line per week: its first day, how many expire, their monthly value, and a bar."""
    widest = max((w.count for w in weeks), default=0)
    body = [(w.start.isoformat(), w.count, format_cents(w.monthly_cents, currency),
             bar(w.count, widest)) for w in weeks]
    return table(("WEEK OF", "EXPIRING", "MONTHLY", ""), body, right=(1, 2))
