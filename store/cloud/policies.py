"""Renewal policies and settings on a bound database, through the billing API.

Each tab move is the call (or two) the API has for it, every call an intent first:

- auto-renew on, or new terms: `auto_renewal_resources`, one resource a call (from the
  pay-per-use tab, `update_period_to_on_demand` CANCEL first);
- back to manual: `cancel_auto_renewal_resources` from auto, `update_period_to_on_demand`
  CANCEL from pay-per-use;
- pay-per-use after expiry: `update_period_to_on_demand` SET_UP, a hundred a call (from auto,
  auto-renew is cancelled first).

The API has no call that cancels a renewal (release at expiry) or restores a cancelled one to
manual renewal: those moves are refused, never made on the mirror alone. The renewal day and
the deduction days are account settings (`set_resources_renew_config`) the API cannot read
back: the database keeps the value last set from here, and when.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING

from store import queries
from store.clock import Clock
from store.cloud import refresh, writes
from store.cloud.client import CloudClient
from store.cloud.intents import InDoubt, Plan, attempt
from store.cloud.throttle import CloudError
from store.errors import Refused
from store.models import AutoRenew, RenewalDay, Resource, RowResult, Tab
from store.policy import check_terms, transition_refusal
from store.rules import RuleError

if TYPE_CHECKING:
    from store.service import Store

NO_CANCEL_CALL = ("the billing API has no call that cancels a renewal (release at expiry): "
                  "cancel it in the Billing Center, then run renewals cloud sync")
NO_RESTORE_CALL = ("the billing API has no call that restores a cancelled renewal to manual "
                   "renewal: restore it in the Billing Center (or enable auto-renew here)")
AUTO_PERIODS = {1: "MONTH", 12: "YEAR"}
MIN_API_DEDUCTION_DAYS = 2


def auto_period(terms: AutoRenew) -> str:
    check_terms(terms)
    if terms.period_months not in AUTO_PERIODS:
        raise RuleError(f"the billing API auto-renews for one month or one year at a time, "
                        f"not {terms.period_months} months")
    return AUTO_PERIODS[terms.period_months]


class _Mover:
    """One policy change over many resources: the calls in order, a result per resource."""

    def __init__(self, store: Store, client: CloudClient) -> None:
        self.store, self.client = store, client
        self.failed: dict[str, str] = {}
        self.sent: list[str] = []
        self.doubt: str | None = None

    def send(self, plan: Plan, call: Callable[[], writes.Answer]) -> writes.Answer | None:
        """Make one call for the resources of `plan` not failed yet; None when not made."""
        ids = [rid for rid in plan.resource_ids if rid not in self.failed]
        if not ids:
            return None
        if self.doubt:
            self.failed.update({rid: f"not sent: {self.doubt}" for rid in ids})
            return None
        self.sent += ids
        try:
            return attempt(self.store, plan, self.client.settings.timeout_s, call)
        except InDoubt as error:
            self.doubt = f"an earlier call got no answer ({error})"
            self.failed.update({rid: str(error) for rid in ids})
        except CloudError as error:
            self.failed.update({rid: str(error) for rid in ids})
        return None

    def each(self, operation: str, ids: list[str],
             call: Callable[[str], writes.Answer], request: dict | None = None) -> None:
        for rid in ids:
            self.send(Plan(operation, [rid], request=request or {}), partial(call, rid))

    def on_demand(self, ids: list[str], operation: str) -> None:
        for start in range(0, len(ids), writes.MAX_ON_DEMAND):
            chunk = [rid for rid in ids[start:start + writes.MAX_ON_DEMAND]
                     if rid not in self.failed]
            answer = self.send(Plan("to_on_demand", chunk, request={"operation": operation}),
                               partial(writes.to_on_demand, self.client, chunk, operation))
            for detail in (answer.value.error_details or []) if answer else []:
                self.failed[detail.id] = f"{detail.error_code}: {detail.error_msg}"


def set_policy(store: Store, client: CloudClient, ids: Sequence[str], to: Tab,
               terms: AutoRenew | None) -> list[RowResult]:
    """Move resources between tabs through the API; a result per resource, in order asked."""
    if to is Tab.CANCELED:
        raise Refused(NO_CANCEL_CALL)
    period = auto_period(terms or AutoRenew()) if to is Tab.AUTO else ""
    unique = list(dict.fromkeys(ids))
    today, now = store.today_now()
    found = queries.resources_by_id(store.db(), unique, now)
    mover = _Mover(store, client)
    movable: list[Resource] = []
    for rid in unique:
        resource = found.get(rid)
        reason = "no such resource" if resource is None else transition_refusal(resource, to,
                                                                                today)
        if reason is None and resource and to is Tab.MANUAL and resource.tab is Tab.CANCELED:
            reason = NO_RESTORE_CALL
        if reason or resource is None:
            mover.failed[rid] = reason or "no such resource"
        else:
            movable.append(resource)
    _move(mover, movable, to, terms or AutoRenew(), period)
    if mover.sent and not mover.doubt:
        refresh.resources(store, client, mover.sent)
    moved = [r.id for r in movable if r.id not in mover.failed]
    if to is Tab.AUTO and moved:
        chosen = terms or AutoRenew()
        with store.writing() as db:
            db.conn.executemany(
                "UPDATE resources SET auto_period_months = ?, auto_times = ? WHERE id = ?",
                [(chosen.period_months, chosen.times, rid) for rid in moved])
    return [RowResult(rid, rid not in mover.failed, mover.failed.get(rid)) for rid in unique]


def _move(mover: _Mover, movable: list[Resource], to: Tab, terms: AutoRenew,
          period: str) -> None:
    client = mover.client
    on = {tab: [r.id for r in movable if r.tab is tab] for tab in Tab}
    if to is Tab.AUTO:
        mover.on_demand(on[Tab.PPU], "CANCEL")
        times = 0 if terms.times is None else terms.times  # 0: unlimited, to the API
        mover.each("auto_renew", [r.id for r in movable],
                   lambda rid: writes.auto_renew(client, rid, times, period),
                   {"times": times, "period_type": period})
    elif to is Tab.MANUAL:
        mover.each("cancel_auto_renew", on[Tab.AUTO],
                   lambda rid: writes.cancel_auto_renew(client, rid))
        mover.on_demand(on[Tab.PPU], "CANCEL")
    else:
        mover.each("cancel_auto_renew", on[Tab.AUTO],
                   lambda rid: writes.cancel_auto_renew(client, rid))
        mover.on_demand([r.id for r in movable], "SET_UP")


def renewal_day_value(day: RenewalDay | None) -> str:
    """EXPIRE_DATE's value: the day renewals align to, 1-28, or "-1" for the last day."""
    if day is None:
        raise Refused("the billing API cannot unset the renewal day: it takes a day 1–28 or "
                      "'last'; unset it in the Billing Center")
    return "-1" if day == "last" else str(day)


def deduction_days_value(days: int) -> str:
    """DEDUCTION_DATE's value: how many days before expiry auto-renew charges, 2-7."""
    if not 0 <= days <= 7:
        raise RuleError(f"auto-renew deducts 0–7 days before expiry, not {days}")
    if days < MIN_API_DEDUCTION_DAYS:
        raise Refused(f"the billing API sets the deduction days to 2–7 only (DEDUCTION_DATE): "
                      f"{days} cannot be set on a cloud account from here")
    return str(days)


def set_config(store: Store, client: CloudClient, name: str, value: str, column: str,
               stored: str | int) -> None:
    """One renewal setting on the account, then kept here with when it was set."""
    attempt(store, Plan("renew_config", request={"config_name": name, "config_value": value}),
            client.settings.timeout_s, lambda: writes.renew_config(client, name, value))
    with store.writing() as db:
        db.execute(f"UPDATE account SET {column} = ?, {column}_set_at = ?",
                   (stored, Clock.wall_stamp()))
