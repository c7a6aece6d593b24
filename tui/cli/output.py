"""What the command-line twin prints: JSON shapes (the stable contract) and plain text tables.

Names come from a database, so every cell goes through `store.text.safe_text` (control
characters written visibly, never acted on), and JSON escapes them (`json_safe`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from io import StringIO
from typing import Any

from store.audit import AuditEntry
from store.clock import BILLING_OFFSET
from store.models import (
    Account,
    Coupon,
    Order,
    OrderLine,
    Payment,
    Preview,
    PreviewLine,
    ResourceRow,
)
from store.money import format_cents, price_text
from store.text import json_safe, safe_text


# JSON ------------------------------------------------------------------------------------------
def to_json(value: Any) -> str:
    """A list prints one compact element per line (fast, greppable); anything else indented."""
    if isinstance(value, list):
        if not value:
            return "[]"
        # Escaped an element at a time: text with a newline takes json_safe's slow path.
        body = ",\n".join(json_safe(json.dumps(item, ensure_ascii=False)) for item in value)
        return f"[\n{body}\n]"
    return json_safe(json.dumps(value, indent=2, ensure_ascii=False))


def _date(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def preview_line_json(line: PreviewLine) -> dict[str, Any]:
    return {
        "id": line.id, "current_expiry": _date(line.current_expiry),
        "new_expiry": _date(line.new_expiry), "months": line.months,
        "extra_days": line.extra_days, "base_fee_cents": line.base_fee_cents,
        "extra_fee_cents": line.extra_fee_cents, "fee_cents": line.fee_cents,
        "renewable": line.renewable, "reason": line.reason, "quoted": line.quoted,
    }


def preview_json(preview: Preview) -> dict[str, Any]:
    return {"lines": [preview_line_json(line) for line in preview.lines],
            "total_cents": preview.total_cents, "currency": preview.currency,
            "quoted_at": preview.quoted_at}


def order_line_json(line: OrderLine) -> dict[str, Any]:
    return {
        "resource_id": line.resource_id, "old_expiry": _date(line.old_expiry),
        "new_expiry": _date(line.new_expiry), "months": line.months,
        "extra_days": line.extra_days, "base_fee_cents": line.base_fee_cents,
        "extra_fee_cents": line.extra_fee_cents, "fee_cents": line.fee_cents,
    }


def order_json(order: Order) -> dict[str, Any]:
    return {
        "id": order.id, "status": order.status.value, "total_cents": order.total_cents,
        "currency": order.currency, "created_at": order.created_at,
        "expires_at": order.expires_at, "paid_cents": order.paid_cents, "method": order.method,
        "lines": [order_line_json(line) for line in order.lines], **cloud_json(order),
    }


def cloud_json(order: Order) -> dict[str, Any]:
    """On a bound database: the billing system's orders behind it; for an order of the
    account placed elsewhere, its resources; the resources the system refused to renew."""
    if order.source not in ("cloud", "account"):
        return {}
    shown: dict[str, Any] = {"source": order.source,
                             "cloud_order_ids": list(order.cloud_order_ids)}
    if order.source == "account":
        shown["resources"] = list(order.resources)
    if order.refused:
        shown["refused"] = [{"id": r.id, "reason": r.reason} for r in order.refused]
    return shown


def payment_json(payment: Payment) -> dict[str, Any]:
    return {
        "method": payment.method.value, "charged_cents": payment.charge.due_cents,
        "discount_cents": payment.charge.discount_cents,
        "coupon_cents": payment.charge.coupon_cents,
        "balance_after_cents": payment.balance_after_cents, "card_last4": payment.card_last4,
    }


def renew_json(order: Order, payment: Payment | None) -> dict[str, Any]:
    shown = payment.order if payment is not None else order
    result: dict[str, Any] = {
        "order_id": shown.id, "status": shown.status.value, "total_cents": shown.total_cents,
        "lines": [order_line_json(line) for line in shown.lines], **cloud_json(shown),
    }
    if payment is not None:
        result["payment"] = payment_json(payment)
    return result


def pay_json(payment: Payment) -> dict[str, Any]:
    return {"order_id": payment.order.id, "status": payment.order.status.value,
            **payment_json(payment)}


def coupon_json(coupon: Coupon) -> dict[str, Any]:
    return {"id": coupon.id, "kind": coupon.kind, "amount_cents": coupon.amount_cents,
            "percent_off": coupon.percent_off, "expires": _date(coupon.expires)}


def settings_json(account: Account) -> dict[str, Any]:
    if account.bound:  # as last set from this console (the API cannot read them back)
        return {"renewal_day": account.renewal_day if account.renewal_day_set_at else None,
                "deduction_days": account.deduction_days if account.deduction_days_set_at
                else None, "renewal_day_set_at": account.renewal_day_set_at,
                "deduction_days_set_at": account.deduction_days_set_at}
    return {"renewal_day": account.renewal_day, "deduction_days": account.deduction_days}


def account_json(account: Account) -> dict[str, Any]:
    return {"balance_cents": account.balance_cents, "currency": account.currency,
            **settings_json(account),
            "coupons": [coupon_json(coupon) for coupon in account.coupons]}


def audit_json(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id, "at": entry.at, "simulated_at": entry.simulated_at,
        "os_user": entry.os_user, "ssh_client": entry.ssh_client, "operator": entry.operator,
        "key_fingerprint": entry.key_fingerprint, "action": entry.action,
        "resource_ids": list(entry.resource_ids), "amount_cents": entry.amount_cents,
        "result": entry.result, "detail": entry.detail,
    }


# text ------------------------------------------------------------------------------------------
def table(headers: Sequence[str], rows: Sequence[Sequence[object]],
          right: Iterable[int] = ()) -> str:
    """Aligned columns, two spaces apart; the columns in `right` are right-aligned. Rich
    measures each cell as the terminal draws it, so wide (CJK) names keep the columns
    straight; every cell is Text, never markup, and no line is wrapped or cut."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    flush_right = set(right)
    grid = Table(box=None, pad_edge=False, show_edge=False, header_style=None)
    for index, header in enumerate(headers):
        grid.add_column(header, justify="right" if index in flush_right else "left",
                        no_wrap=True)
    for row in rows:
        grid.add_row(*(Text(safe_text(value)) for value in row))
    console = Console(file=StringIO(), width=1_000_000, color_system=None, legacy_windows=False)
    with console.capture() as captured:
        console.print(grid)
    return "\n".join(line.rstrip() for line in captured.get().splitlines())


def local_time(stamp: str | None) -> str:
    """A stored UTC stamp as `YYYY-MM-DD HH:MM:SS` in the billing zone (UTC+08:00)."""
    if not stamp:
        return ""
    moment = dt.datetime.fromisoformat(stamp).astimezone(BILLING_OFFSET)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def resources_text(rows: Sequence[ResourceRow]) -> str:
    headers = ("ID", "NAME", "KIND", "REGION", "EXPIRY", "DAYS", "STATUS", "TAB", "MONTHLY")
    body = [
        (r.resource.id, r.resource.name, r.resource.kind.value, r.resource.region,
         r.resource.expiry.isoformat(), r.days_left, r.status,
         r.resource.tab.value if r.resource.tab else r.resource.billing.value,
         price_text(r.resource.monthly_price_cents, r.resource.currency))
        for r in rows
    ]
    return table(headers, body, right=(5, 8))


def preview_text(preview: Preview) -> str:
    headers = ("ID", "NAME", "EXPIRY", "NEW EXPIRY", "MONTHS", "EXTRA DAYS", "BASE FEE",
               "EXTRA FEE", "FEE", "NOTE")
    cur = preview.currency
    body = [
        (ln.id, ln.name, _date(ln.current_expiry), _date(ln.new_expiry) or "-", ln.months,
         ln.extra_days, format_cents(ln.base_fee_cents, cur),
         format_cents(ln.extra_fee_cents, cur), format_cents(ln.fee_cents, cur),
         "" if ln.renewable else f"not renewable: {ln.reason}")
        for ln in preview.lines
    ]
    count = len(preview.renewable)
    total = (f"total: {format_cents(preview.total_cents, cur)} for {count} of "
             f"{len(preview.lines)} resource{'' if len(preview.lines) == 1 else 's'} "
             f"({preview.duration}"
             + (f", aligned to day {preview.align})" if preview.align is not None else ")"))
    return table(headers, body, right=(4, 5, 6, 7, 8)) + "\n" + total


def order_lines_text(order: Order) -> str:
    headers = ("RESOURCE", "OLD EXPIRY", "NEW EXPIRY", "MONTHS", "EXTRA DAYS", "FEE")
    body = [(ln.resource_id, _date(ln.old_expiry), _date(ln.new_expiry), ln.months,
             ln.extra_days, format_cents(ln.fee_cents, order.currency)) for ln in order.lines]
    return table(headers, body, right=(3, 4, 5))


def order_summary(order: Order) -> str:
    count = len(order.resource_ids)
    backed = (f" (billing orders {', '.join(safe_text(c) for c in order.cloud_order_ids)})"
              if order.source == "cloud" and order.cloud_order_ids else "")
    placed = " placed in the Billing Center" if order.source == "account" else ""
    return (f"order {safe_text(order.id)}{placed}: {order.status.value}, "
            f"{count} resource{'' if count == 1 else 's'}, "
            f"total {format_cents(order.total_cents, order.currency)}{backed}")


def payment_text(payment: Payment) -> str:
    currency = payment.order.currency
    parts = [f"paid {format_cents(payment.charge.due_cents, currency)} for order "
             f"{payment.order.id} by {payment.method.value}"]
    if payment.card_last4:
        parts.append(f"card ending {payment.card_last4}")
    saved = payment.charge.discount_cents + payment.charge.coupon_cents
    if saved:
        parts.append(f"coupons and discount saved {format_cents(saved, currency)}")
    if payment.method.value == "balance":
        parts.append(f"balance now {format_cents(payment.balance_after_cents, currency)}")
    return "; ".join(parts)


def orders_text(orders: Sequence[Order]) -> str:
    headers = ("ORDER", "STATUS", "TOTAL", "PAID", "METHOD", "RESOURCES", "CREATED", "EXPIRES")
    body = [
        (o.id, o.status.value, format_cents(o.total_cents, o.currency),
         format_cents(o.paid_cents, o.currency) if o.paid_cents is not None else "-",
         o.method or "-", len(o.resource_ids), local_time(o.created_at),
         local_time(o.expires_at) or "-")
        for o in orders
    ]
    return table(headers, body, right=(2, 3, 5))


def settings_text(account: Account) -> str:
    if account.bound:
        return (f"renewal day: {set_here(account.renewal_day, account.renewal_day_set_at)}\n"
                f"deduction days: "
                f"{set_here(account.deduction_days, account.deduction_days_set_at)}")
    day = account.renewal_day if account.renewal_day is not None else "not set (1st proposed)"
    return f"renewal day: {day}\ndeduction days: {account.deduction_days}"


def set_here(value: object, set_at: str | None) -> str:
    """A bound account's setting: the billing API cannot read it back."""
    if set_at is None:
        return ("unknown (never set from this console, and the billing API cannot read it "
                "back)")
    return f"{value} (as last set from this console, {local_time(set_at)})"


def account_text(account: Account) -> str:
    head = (f"balance: {format_cents(account.balance_cents, account.currency)}\n"
            + settings_text(account))
    if not account.coupons:
        return head + "\ncoupons: none"
    body = [(c.id, c.kind, c.label, _date(c.expires) or "-") for c in account.coupons]
    return head + "\ncoupons:\n" + table(("COUPON", "KIND", "VALUE", "EXPIRES"), body)


def audit_text(entries: Sequence[AuditEntry], currency: str) -> str:
    """AT is the wall clock; SIMULATED, shown when any entry has one, the simulated clock."""
    simulated = any(e.simulated_at for e in entries)
    headers = ("AT (UTC+08:00)", *(("SIMULATED",) if simulated else ()), "OS USER",
               "OPERATOR", "SSH CLIENT (ENV)", "ACTION", "RESULT", "AMOUNT", "RESOURCES",
               "DETAIL")
    body = [
        (local_time(e.at), *((local_time(e.simulated_at) or "-",) if simulated else ()),
         e.os_user, e.operator or "-", e.ssh_client or "-", e.action, e.result,
         format_cents(e.amount_cents, currency) if e.amount_cents is not None else "-",
         _ids_text(e.resource_ids), e.detail)
        for e in entries
    ]
    return table(headers, body, right=(headers.index("AMOUNT"),))


def _ids_text(ids: Sequence[str]) -> str:
    if len(ids) <= 2:
        return ",".join(ids) or "-"
    return f"{ids[0]},{ids[1]} +{len(ids) - 2}"
