"""The default screen: the four Renewals tabs over every yearly/monthly resource (the list
itself, its filters, checks and actions: resource_list.py)."""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from textual.binding import Binding, BindingType

from store.models import Filters, Tab
from tui.screens.resource_list import ResourceListScreen, list_bindings

TABS = (
    (Tab.MANUAL.value, "Manual Renewals", "Manual"),
    (Tab.AUTO.value, "Auto Renewals", "Auto"),
    (Tab.PPU.value, "Pay-per-Use After Expiration", "Pay-per-Use"),
    (Tab.CANCELED.value, "Renewals Canceled", "Canceled"),
)


class RenewalsScreen(ResourceListScreen):
    TITLE = "Renewals"
    TABS = TABS
    NAME = "renewals"
    INITIAL_FILTERS = Filters(tab=Tab.MANUAL)
    TABS_SET = "tab"
    BINDINGS: ClassVar[list[BindingType]] = [
        *list_bindings(NAME, TABS),
        Binding("t", "kind_filter", "Kind filter", show=False, id="renewals.kind-filter"),
    ]
    HELP_NOTES = (  # one paragraph each: the help box wraps them to its width
        "Left/phase: days until expiry (12d, today); after expiry, days since it: grace Nd = "
        "expired, still usable and renewable; frozen Nd = unusable until renewed.",
        "[x] = checked; > = cursor row. Checks survive sorting, filters and tab switches; "
        "a checks every row matching the tab and filters, not just those on screen.",
        "The status bar total is the renewal price for 1 month, before any alignment.",
        "Policy keys (n M P c m) and R act on the checked rows, or on the cursor row if none.",
        "The header marks the sort column (^ ascending, v descending): s sorts by the next "
        "column on screen, S reverses, a click on a header sorts by it.",
    )

    def tab_filters(self, filters: Filters, tab: str) -> Filters:
        return replace(filters, tab=Tab(tab))

    def tab_of(self, filters: Filters) -> str:
        return (filters.tab or Tab.MANUAL).value

    def action_kind_filter(self) -> None:
        self.filter_bar.pick_kind()
