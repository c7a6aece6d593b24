"""What a renewal would do to each resource: pure, so the preview and the order agree."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping, Sequence

from store import rules
from store.errors import NotFound, Refused
from store.models import Duration, Preview, PreviewLine, RenewalDay, Resource


def preview_line(
    resource: Resource, length: Duration, align: RenewalDay | None, today: dt.date
) -> PreviewLine:
    """One resource's renewal: dates and fees, or the reason it cannot be renewed."""
    reason = rules.refusal(resource.billing, resource.expiry, today, resource.pending_order,
                           resource.gone_at)
    monthly, yearly = resource.monthly_price_cents, resource.yearly_price_cents
    if reason is None and (monthly is None or yearly is None):
        reason = "no renewal price known yet"
    base = new_expiry = None
    if reason is None:
        base, new_expiry, reason = renewal_dates(resource.expiry, length, align, today)
    if reason is not None or base is None or new_expiry is None or monthly is None \
            or yearly is None:
        return PreviewLine(
            id=resource.id, name=resource.name, current_expiry=resource.expiry,
            new_expiry=new_expiry, months=length.months, extra_days=0,
            base_fee_cents=0, extra_fee_cents=0, renewable=False, reason=reason,
            tab=resource.tab, pending_order=resource.pending_order,
        )
    return PreviewLine(
        id=resource.id, name=resource.name, current_expiry=resource.expiry,
        new_expiry=new_expiry, months=length.months, extra_days=(new_expiry - base).days,
        base_fee_cents=rules.base_fee(monthly, yearly, length),
        extra_fee_cents=rules.extra_day_fee(monthly, base, new_expiry),
        renewable=True, tab=resource.tab, pending_order=resource.pending_order,
    )


# Many resources share an expiry (100,000 of them have a few hundred): their dates are worked
# out once per preview, not once per resource.
@functools.lru_cache(maxsize=8192)
def renewal_dates(expiry: dt.date, length: Duration, align: RenewalDay | None,
                  today: dt.date) -> tuple[dt.date, dt.date, str | None]:
    """(base, new expiry, why that is refused or None) of renewing from `expiry`."""
    base, new_expiry = rules.renew_dates(expiry, length, align)
    return base, new_expiry, (rules.still_expired_reason(new_expiry, today)
                              or rules.too_late_reason(new_expiry))



def line_change(seen: PreviewLine, now: PreviewLine) -> str | None:
    """What moved on one resource since `seen` was shown, in words; None when nothing did."""
    if seen.current_expiry != now.current_expiry:
        return f"expiry {seen.current_expiry} is now {now.current_expiry}"
    if seen.pending_order != now.pending_order:
        return (f"order {now.pending_order} is now pending" if now.pending_order
                else f"order {seen.pending_order} is no longer pending")
    if seen.tab != now.tab:
        return f"moved from {seen.tab or 'no tab'} to {now.tab or 'no tab'}"
    if (seen.renewable, seen.new_expiry, seen.fee_cents) != (now.renewable, now.new_expiry,
                                                             now.fee_cents):
        return "its price or renewal changed"
    return None


def changes_since(seen: Preview, now: Preview) -> list[str]:
    """`name: what moved` for each resource of `seen` whose renewal would differ now (the same
    request: the same ids, duration and renewal day)."""
    fresh = {line.id: line for line in now.lines}
    found = []
    for line in seen.lines:
        change = line_change(line, fresh[line.id])
        if change:
            found.append(f"{line.name}: {change}")
    return found


def build_preview(
    ids: Sequence[str], resources: Mapping[str, Resource], length: Duration,
    align: RenewalDay | None, today: dt.date,
) -> Preview:
    """A line per requested id, in the order asked. Unknown ids are an error."""
    missing = [rid for rid in ids if rid not in resources]
    if missing:
        raise not_found(missing)
    lines = tuple(preview_line(resources[rid], length, align, today) for rid in ids)
    currency = one_currency({resources[line.id].currency for line in lines if line.renewable})
    return Preview(lines=lines, duration=length, align=align, currency=currency)


def not_found(missing: Sequence[str]) -> NotFound:
    shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
    return NotFound(f"no such resource: {shown}")


def one_currency(currencies: Iterable[str]) -> str:
    """The currency of an order's lines (CNY when there are none): one order holds one."""
    found = set(currencies)
    if len(found) > 1:
        raise Refused(f"one order holds one currency; these are in {', '.join(sorted(found))}")
    return found.pop() if found else "CNY"
