"""AI Dedicated Resource Pools: Elastic Clusters (Standard and Lite tabs) and Elastic Servers,
each pool with its status, flavor and nodes, and its billing in words; pay-per-use pools too.

The same list as the Renewals screen (resource_list.py): search, filters, sorting, checks,
and the same actions with the same refusals, on the checked pools or the cursor one.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from textual.binding import Binding, BindingType

from store.models import Filters, Kind
from tui.screens.resource_list import ResourceListScreen, list_bindings

TABS = (
    (Kind.STANDARD.value, "Cluster: Standard", "Standard"),
    (Kind.LITE.value, "Cluster: Lite", "Lite"),
    (Kind.SERVER.value, "Elastic Servers", "Servers"),
)


class PoolsScreen(ResourceListScreen):
    TITLE = "AI Dedicated Resource Pools"
    TABS = TABS
    NAME = "pools"
    INITIAL_FILTERS = Filters(kind=Kind.STANDARD)
    TABS_SET = "kind"
    BINDINGS: ClassVar[list[BindingType]] = [
        *list_bindings(NAME, TABS),
        Binding("t", "status_filter", "Status filter", show=False, id="pools.status-filter"),
    ]
    HELP_NOTES = (  # one paragraph each: the help box wraps them to its width
        "Every pool of the kind, yearly/monthly and pay-per-use; Billing says when each "
        "expires (grace: expired, still usable and renewable; frozen: unusable until renewed).",
        "[x] = checked; > = cursor row. r, R and the policy keys (n M P c m) act on the checked "
        "pools, or on the cursor one; enter lists every action for the cursor pool.",
        "The header marks the sort column (^ ascending, v descending): s sorts by the next "
        "column on screen, S reverses, a click on a header sorts by it.",
    )

    def tab_filters(self, filters: Filters, tab: str) -> Filters:
        return replace(filters, kind=Kind(tab))

    def tab_of(self, filters: Filters) -> str:
        return (filters.kind or Kind.STANDARD).value

    def action_status_filter(self) -> None:
        self.filter_bar.pick_phase()
