"""Renewal-policy moves: what each one is called, the auto-renew terms dialog, the results list.

The five moves of RULES.md §7 (enable and modify auto-renew, pay-per-use after expiration,
cancel renewal, restore to manual renewal) are described once here, so the row-actions menu,
the Renewals screen's keys and the command palette name them the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Static

from store.models import AutoRenew, Resource, Tab
from store.policy import ALLOWED_FROM, AUTO_PERIODS, transition_refusal
from store.text import safe_text, whole_number
from tui.dialogs.base import Dialog
from tui.safe import safe
from tui.widgets.stepper import Stepper

TAB_NAMES = {
    Tab.MANUAL: "Manual Renewals",
    Tab.AUTO: "Auto Renewals",
    Tab.PPU: "Pay-per-Use After Expiration",
    Tab.CANCELED: "Renewals Canceled",
}
MAX_TIMES = 99
UNLIMITED_WORDS = frozenset({"", "u", "unlimited"})


@dataclass(frozen=True)
class PolicyAction:
    """One move between Renewals tabs, as the user sees it."""

    name: str
    key: str
    to: Tab
    title: str

    @property
    def modifies(self) -> bool:
        """Modify auto-renew: new terms for rows already on the Auto tab."""
        return self.name == "modify"


POLICY_ACTIONS = (
    PolicyAction("auto", "n", Tab.AUTO, "Enable auto-renew"),
    PolicyAction("modify", "M", Tab.AUTO, "Modify auto-renew"),
    PolicyAction("ppu", "P", Tab.PPU, "Change to pay-per-use after expiration"),
    PolicyAction("canceled", "c", Tab.CANCELED, "Cancel renewal"),
    PolicyAction("manual", "m", Tab.MANUAL, "Restore to manual renewal"),
)
ACTIONS_BY_NAME = {action.name: action for action in POLICY_ACTIONS}


def offered_actions(tab: Tab | None) -> list[PolicyAction]:
    """The moves RULES.md §7 allows from `tab`; without a tab (pay-per-use), the usual four."""
    if tab is None:
        return [action for action in POLICY_ACTIONS if not action.modifies]
    if tab is Tab.AUTO:
        return [action for action in POLICY_ACTIONS if action.to is not Tab.AUTO
                or action.modifies]
    return [action for action in POLICY_ACTIONS
            if not action.modifies and action.to is not tab and tab in ALLOWED_FROM[action.to]]


def action_refusal(action: PolicyAction, resource: Resource, today: dt.date) -> str | None:
    """Why `action` cannot apply to `resource` today, or None."""
    if action.modifies and resource.tab is not Tab.AUTO:
        return "not on Auto Renewals: use enable auto-renew"
    return transition_refusal(resource, action.to, today)


def period_label(months: int) -> str:
    if months >= 12:
        years = months // 12
        return f"{years} year{'' if years == 1 else 's'}"
    return f"{months} month{'' if months == 1 else 's'}"


def parse_times(text: str) -> int | None:
    """How many times auto-renew runs: 1–99, or None (unlimited) for blank or `unlimited`."""
    value = text.strip().lower()
    if value in UNLIMITED_WORDS:
        return None
    try:
        return whole_number(value, 1, MAX_TIMES, "times")
    except ValueError:
        raise ValueError(f"times is a whole number from 1 to {MAX_TIMES}, or blank for unlimited"
                         ) from None


def terms_text(terms: AutoRenew) -> str:
    times = "unlimited times" if terms.times is None else (
        f"{terms.times} time{'' if terms.times == 1 else 's'}")
    return f"every {period_label(terms.period_months)}, {times}"


class PolicyDialog(Dialog[AutoRenew | None]):
    """Auto-renew terms: a period (1–11 months, 1–3 years) and a number of times (1–99 or
    unlimited). Dismisses with the terms, or None on esc."""

    DEFAULT_CSS = """
    PolicyDialog {
        align: center middle;
        & > #policy-box {
            width: 70; max-width: 100%; height: auto; max-height: 100%;
            border: round $primary; background: $surface; padding: 0 1;
        }
        .field { height: 1; margin-bottom: 1; }
        .label { width: 9; }
        #times { width: 12; border: none; height: 1; padding: 0 1; }
        .hint, #policy-keys { color: $text-muted; margin-left: 1; }
        #policy-error { color: $text-error; height: auto; }
        #policy-note { height: auto; margin-bottom: 1; }
    }
    """
    BINDINGS = [
        Binding("enter", "save", "Save", priority=True, id="policy.save"),
        Binding("escape", "cancel", "Cancel", id="policy.cancel"),
    ]
    AUTO_FOCUS = "#period"

    def __init__(self, count: int, terms: AutoRenew | None = None, modify: bool = False) -> None:
        super().__init__()
        self.count = count
        self.terms = terms or AutoRenew()
        self.modify = modify

    def compose(self) -> ComposeResult:
        noun = "resource" if self.count == 1 else "resources"
        verb = "Modify auto-renew of" if self.modify else "Enable auto-renew for"
        labels = [period_label(months) for months in AUTO_PERIODS]
        period = self.terms.period_months
        times = "" if self.terms.times is None else str(self.terms.times)
        with Vertical(id="policy-box") as box:
            box.border_title = f"{verb} {self.count:,} {noun}"
            with Horizontal(classes="field"):
                yield Static("Period", classes="label")
                yield Stepper(labels, AUTO_PERIODS.index(period) if period in AUTO_PERIODS
                              else 0, id="period")
                yield Static("left/right", classes="hint")
            with Horizontal(classes="field"):
                yield Static("Times", classes="label")
                yield Input(times, placeholder="unlimited", id="times", max_length=9)
                yield Static("1-99, blank = unlimited", classes="hint")
            yield Static(Text(
                "Each renewal is charged to the balance at 03:00 UTC+08:00 on the deduction "
                "day and uses one time; after the last one the resource returns to Manual "
                "Renewals."), id="policy-note")
            yield Static(id="policy-error")
            yield Static("enter: save   esc: cancel   tab: next field", id="policy-keys")

    def chosen_terms(self) -> AutoRenew:
        """The terms on screen; ValueError says what is wrong with them."""
        months = AUTO_PERIODS[self.query_one("#period", Stepper).index]
        return AutoRenew(months, parse_times(self.query_one("#times", Input).value))

    def action_save(self) -> None:
        try:
            terms = self.chosen_terms()
        except ValueError as exc:
            self.query_one("#policy-error", Static).update(Text(str(exc)))
            self.query_one("#times", Input).focus()
            return
        self.dismiss(terms)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PolicyResults(Dialog[None]):
    """Every refused row of a policy move with its reason, scrollable; esc closes."""

    DEFAULT_CSS = """
    PolicyResults {
        align: center middle;
        & > #results-box {
            width: 100; max-width: 100%; height: 80%;
            border: round $warning; background: $surface; padding: 0 1;
        }
        #results-summary { height: auto; text-style: bold; margin-bottom: 1; }
        #results-list { height: 1fr; }
        #results-keys { color: $text-muted; }
    }
    """
    BINDINGS = [
        Binding("escape,q,enter", "close", "Close", id="policy_results.close"),
    ]
    AUTO_FOCUS = "#results-list"

    def __init__(self, summary: str, refused: Sequence[str]) -> None:
        super().__init__()
        self.summary = summary
        self.refused = refused

    def compose(self) -> ComposeResult:
        with Vertical(id="results-box") as box:
            box.border_title = "Policy change: refused rows"
            yield Static(safe(self.summary), id="results-summary")
            with VerticalScroll(id="results-list"):
                yield Static(Text("\n".join(safe_text(line) for line in self.refused)))
            yield Static("up/down/pgup/pgdn: scroll   esc: close", id="results-keys")

    def action_close(self) -> None:
        self.dismiss(None)
