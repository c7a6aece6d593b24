"""The actions menu of one resource (`enter` on a row). Returns the chosen action, or None."""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from store.models import ResourceRow
from store.money import format_cents
from store.rules import refusal


def renew_refusal(row: ResourceRow) -> str | None:
    """Why this resource cannot be renewed (pay-per-use, deleted, order pending), or None."""
    resource = row.resource
    today = resource.expiry - dt.timedelta(days=row.days_left)
    return refusal(resource.billing, resource.expiry, today, resource.pending_order)


def describe(row: ResourceRow) -> Text:
    """A few lines about the resource; names come from the database, so this is Text."""
    resource = row.resource
    left = row.days_left
    when = f"{left} days left" if left >= 0 else f"expired {-left} days ago"
    lines = [
        f"ID       {resource.id}",
        f"Kind     {resource.kind.value}, {resource.flavor or '-'} x {resource.node_count} nodes",
        f"Status   {row.status} ({row.phase.value}), {resource.billing.value}",
        f"Expiry   {resource.expiry} 23:59:59 GMT+08:00, {when}",
        f"Region   {resource.region or '-'}, project {resource.enterprise_project}",
        f"Price    {format_cents(resource.monthly_price_cents, resource.currency)} a month",
    ]
    return Text("\n".join(lines))


class RowActions(ModalScreen[str | None]):
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
    RowActions #refusal {
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
        Binding("escape,q", "choose(None)", "Back", id="row_actions.back"),
    ]
    AUTO_FOCUS = "#actions"

    def __init__(self, row: ResourceRow) -> None:
        super().__init__()
        self.row = row

    def compose(self) -> ComposeResult:
        with Vertical(id="actions-box") as box:
            box.border_title = Text(self.row.resource.name)
            yield Static(describe(self.row), id="row-details")
            reason = renew_refusal(self.row)
            if reason:
                yield Static(Text(f"Cannot renew: {reason}"), id="refusal")
            yield OptionList(Option("Renew (r)", id="renew"), id="actions", compact=True)
            yield Static("enter: choose   esc: back", classes="muted")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_choose(self, action: str | None) -> None:
        self.dismiss(action)
