"""The renewal dialog's words: each preview line as cells, and the lines under the table.

Names and reasons come from the database, so every one of them is literal Text (`tui.safe`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from rich.text import Text

from store.batches import orders_for
from store.clock import BILLING_OFFSET, Clock
from store.models import PreviewLine, PreviewSummary, RenewalDay
from store.money import format_cents
from store.rules import MAX_ORDER_LINES
from tui.safe import safe


def billing_minute(stamp: str) -> str:
    """A stored UTC stamp as `HH:MM` in UTC+08:00 (today), or `MM-DD HH:MM` (another day)."""
    moment = dt.datetime.fromisoformat(stamp).astimezone(BILLING_OFFSET)
    return moment.strftime("%H:%M" if moment.date() == Clock().today() else "%m-%d %H:%M")


PROPOSED_DAY: RenewalDay = 1
"""What "Renew to renewal date" proposes when no renewal day is saved."""


def day_label(day: RenewalDay | None) -> str:
    if day is None:
        return "not set"
    return "last day of the month" if day == "last" else f"day {day}"


def preview_cells(line: PreviewLine, currency: str) -> tuple[Text, ...]:
    """A preview line as table cells; names and reasons are Text, never markup."""
    name, expiry = safe(line.name), Text(str(line.current_expiry))
    if not line.renewable:
        return (name, expiry, Text("-"), Text(""),
                Text("not renewable", style="italic", justify="right"), safe(line.reason or ""))
    extra = f"+{line.extra_days}" if line.extra_days else "0"
    return (name, expiry, Text(str(line.new_expiry)), Text(extra, justify="right"),
            Text(format_cents(line.fee_cents, currency), justify="right"), Text(""))


def changed_text(changed: Sequence[str]) -> Text:
    """Why the dialog is back: the order was refused because these resources moved."""
    shown = "; ".join(changed[:3]) + (f"; and {len(changed) - 3:,} more" if len(changed) > 3
                                      else "")
    return safe(f"Nothing was ordered: {len(changed):,} changed since you looked ({shown}). "
                "Below is the fresh preview: check it, then continue again.")


def summary_text(preview: PreviewSummary) -> Text:
    renewable, total = preview.renewable_count, preview.count
    # The total early in the line: a narrow dialog wraps the rest, never the amount.
    text = (f"{renewable:,} of {total:,} renewable, order total "
            f"{format_cents(preview.total_cents, preview.currency)}, for {preview.duration}"
            f"{'' if preview.align is None else ' to ' + day_label(preview.align)}")
    if preview.quoted_at and not preview.fresh:
        text = (f"last quoted {billing_minute(preview.quoted_at)}: {text} (asking for fresh "
                "quotes ...)")
    elif preview.quoted_at:
        text += f", as the billing system quoted it at {billing_minute(preview.quoted_at)}"
    if renewable < total:
        text += f" ({total - renewable:,} left out)"
    if renewable > MAX_ORDER_LINES:
        text += (f"; in {orders_for(renewable)} orders of at most {MAX_ORDER_LINES:,}, paid "
                 "one after another")
    return Text(text)


def day_note(bound: bool, aligned: bool, saved: RenewalDay | None, chosen: RenewalDay) -> str:
    """The line under "Renew to renewal date": what the renewal day will do."""
    if bound:
        return "Renew to renewal date is not offered: the renewal API renews whole periods."
    if not aligned and saved is None:
        return f"Your renewal day is not set: d proposes {day_label(PROPOSED_DAY)}."
    if not aligned:
        return f"Your renewal day: {day_label(saved)}. Press d to make new expiries land on it."
    if chosen == saved:
        return (f"New expiries land on your renewal day ({day_label(saved)}). left/right "
                "changes it.")
    return f"Continuing saves {day_label(chosen)} as your renewal day (now: {day_label(saved)})."


def above_limit(total_cents: int, currency: str, limit_cents: int | None) -> str:
    """A renewer's hint when the total is more than they may order, or empty."""
    if limit_cents is None or total_cents <= limit_cents:
        return ""
    return (f"{format_cents(total_cents, currency)} is above your renewer's limit of "
            f"{format_cents(limit_cents, currency)}: p saves it as a plan for an approver")
