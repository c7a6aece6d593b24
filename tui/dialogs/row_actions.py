"""The actions menu of one resource (`enter` on a row). Returns the chosen action, or None.

The choices are "renew", the renewal-policy moves allowed
from the row's tab (a PolicyAction name such as "auto" or "canceled"). A move the row cannot make
(pay-per-use, deleted, order pending) is listed as unavailable, with the reason.
"""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from store.clock import BILLING_OFFSET
from store.models import AutoRenew, Billing, Kind, ResourceRow, Tab
from store.money import price_text
from store.pool_details import PoolDetails
from store.rules import refusal
from store.text import safe_text
from tui.dialogs.base import Dialog
from tui.dialogs.policy import (
    ACTIONS_BY_NAME,
    TAB_NAMES,
    PolicyAction,
    action_refusal,
    offered_actions,
    terms_text,
)
from tui.safe import safe
from tui.widgets.pool_columns import PAY_PER_USE, SUBSCRIPTION


def row_today(row: ResourceRow) -> dt.date:
    """The billing day the row was listed on."""
    return row.resource.expiry - dt.timedelta(days=row.days_left)


def renew_refusal(row: ResourceRow) -> str | None:
    """Why this resource cannot be renewed (pay-per-use, deleted, order pending), or None."""
    resource = row.resource
    return refusal(resource.billing, resource.expiry, row_today(row), resource.pending_order,
                   resource.gone_at)


def policy_refusals(row: ResourceRow) -> dict[str, str | None]:
    """Each move offered from the row's tab, with why it is refused (None: allowed)."""
    today = row_today(row)
    return {action.name: action_refusal(action, row.resource, today)
            for action in offered_actions(row.resource.tab)}


def policy_option(action: PolicyAction, reason: str | None) -> Option:
    label = f"{action.title} ({action.key})"
    if reason:
        return Option(f"{label} - unavailable", id=action.name, disabled=True)
    return Option(label, id=action.name)


def policy_words(row: ResourceRow) -> str:
    """`Auto Renewals, every 1 month, 3 times`; `none (pay-per-use)` without a tab."""
    resource = row.resource
    if resource.tab is None:
        return "none (pay-per-use)"
    if resource.tab is Tab.AUTO:
        terms = AutoRenew(resource.auto_period_months or 1, resource.auto_times)
        return f"{TAB_NAMES[Tab.AUTO]}, {terms_text(terms)}"
    return TAB_NAMES[resource.tab]


POOL_KINDS = frozenset({Kind.STANDARD, Kind.LITE})  # the dedicated pools (ModelArts)


def pool_line(row: ResourceRow, details: PoolDetails | None) -> str | None:
    """`Pool     Dedicate; jobs Train, Infer; zones cn-north-4a; made 2026-01-02; 3 of 4 nodes
    available`, as far as the pool API says; for a pool it has not described, that it is not
    known; None for a resource that is no pool."""
    if details is None:
        if row.resource.kind not in POOL_KINDS:
            return None
        return ("Pool     type, jobs, zones, nodes available: not known here (a cloud "
                "account's sync reads them)")
    parts = [details.pool_type or "type not given"]
    if details.job_scope:
        parts.append(f"jobs {details.job_scope}")
    if details.azs:
        parts.append(f"zones {details.azs}")
    if details.created_at:
        parts.append(f"made {billing_day(details.created_at)}")
    if details.available_nodes is not None and details.total_nodes:
        parts.append(f"{details.available_nodes} of {details.total_nodes} nodes available")
    return "Pool     " + safe_text("; ".join(parts))


def billing_day(stamp: str) -> str:
    return dt.datetime.fromisoformat(stamp).astimezone(BILLING_OFFSET).date().isoformat()


def describe(row: ResourceRow, details: PoolDetails | None = None) -> Text:
    """A few lines about the resource; names come from the database, so this is Text."""
    resource = row.resource
    left = row.days_left
    when = f"{left} days left" if left >= 0 else f"expired {-left} days ago"
    lines = [
        f"ID       {safe_text(resource.id)}",
        f"Kind     {resource.kind.value}, {safe_text(resource.flavor or '-')} x "
        f"{resource.node_count} nodes",
        f"Status   {safe_text(row.status)} ({row.phase.value}), billed "
        f"{PAY_PER_USE if resource.billing is Billing.PAY_PER_USE else SUBSCRIPTION}",
        f"Expiry   {resource.expiry} 23:59:59 GMT+08:00, {when}",
        f"Region   {safe_text(resource.region or '-')}, project "
        f"{safe_text(resource.enterprise_project)}",
        f"Price    {price_text(resource.monthly_price_cents, resource.currency)} a month",
        f"Policy   {policy_words(row)}",
        pool_line(row, details),
    ]
    return Text("\n".join(line for line in lines if line))


class RowActions(Dialog[str | None]):
    DEFAULT_CSS = """
    RowActions {
        align: center middle;
    }
    RowActions > #actions-box {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    RowActions #row-details {
        margin-bottom: 1;
    }
    RowActions #refusal, RowActions #policy-refusal {
        color: $text-warning;
        height: auto;
    }
    RowActions #actions {
        height: auto;
    }
    RowActions .muted {
        color: $text-muted;
        margin-top: 1;
    }
    """
    BINDINGS = [
        Binding("r", "choose('renew')", "Renew", id="row_actions.renew"),
        *(Binding(action.key, f"choose_policy('{action.name}')", action.title, show=False,
                  id=f"row_actions.{action.name}") for action in ACTIONS_BY_NAME.values()),
        Binding("escape,q", "choose(None)", "Back", id="row_actions.back"),
    ]
    AUTO_FOCUS = "#actions"

    def __init__(self, row: ResourceRow, can_unrenew: bool = False,
                 details: PoolDetails | None = None) -> None:
        """`can_unrenew`: offer taking back the renewed periods (a database bound to a cloud
        account: the billing system decides what can be taken back)."""
        super().__init__()
        self.row = row
        self.refusals = policy_refusals(row)
        self.can_unrenew = can_unrenew
        self.details = details

    def compose(self) -> ComposeResult:
        with Vertical(id="actions-box") as box:
            box.border_title = safe(self.row.resource.name)
            yield Static(describe(self.row, self.details), id="row-details")
            reason = renew_refusal(self.row)
            if reason:
                yield Static(safe(f"Cannot renew: {reason}"), id="refusal")
            policy_reason = next((why for why in self.refusals.values() if why), None)
            if policy_reason:
                yield Static(safe(f"Cannot change the renewal policy: {policy_reason}"),
                             id="policy-refusal")
            options = [Option("Renew (r)", id="renew")]
            options += [policy_option(ACTIONS_BY_NAME[name], why)
                        for name, why in self.refusals.items()]
            if self.can_unrenew:
                options.append(Option("Take back the renewal (unsubscribe renewed periods)",
                                      id="unrenew"))
            yield OptionList(*options, id="actions", compact=True)
            yield Static("enter: choose   esc: back", classes="muted")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_choose(self, action: str | None) -> None:
        self.dismiss(action)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Policy keys exist only for the moves offered from the row's tab."""
        if action == "choose_policy":
            return bool(parameters) and parameters[0] in self.refusals and bool(
                super().check_action(action, parameters))
        return super().check_action(action, parameters)

    def action_choose_policy(self, name: str) -> None:
        reason = self.refusals[name]
        if reason:
            self.notify(f"{ACTIONS_BY_NAME[name].title}: {reason}", severity="warning",
                        markup=False)
            return
        self.dismiss(name)
