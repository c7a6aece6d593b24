"""Quick filters with their counts, the search box, and the small pickers that set filters."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from store.models import Filters, Kind, Phase, QuickCounts
from store.rules import MAX_EXPIRING_DAYS as MAX_DAYS
from store.service import Store
from store.text import safe_text, whole_number
from tui.dialogs.base import Dialog
from tui.safe import safe
from tui.workers import run_store_job

ANY = "any"
CUSTOM_DAYS = "custom"
KIND_OPTIONS = ((ANY, "All kinds"), (Kind.STANDARD.value, "Standard pool"),
                (Kind.LITE.value, "Lite pool"), (Kind.SERVER.value, "Elastic server"))
# esc clears one of these at a time, in this order, once the search is empty.
CLEAR_ORDER = (("expiring_days", None), ("phase", None), ("kind", None), ("region", None),
               ("enterprise_project", None), ("hide_pending", False))


def with_expiry(filters: Filters, choice: str) -> Filters:
    """Filters with the expiry picker's choice: `any`, a day count, `grace` or `retention`."""
    if choice in (Phase.GRACE.value, Phase.RETENTION.value):
        return replace(filters, expiring_days=None, phase=Phase(choice))
    days = None if choice == ANY else int(choice)
    return replace(filters, expiring_days=days, phase=None)


def with_value(filters: Filters, column: str, choice: str) -> Filters:
    """Filters with a kind, region or enterprise project picked (`any` for all)."""
    value: object = None if choice == ANY else choice
    if column == "kind" and value is not None:
        value = Kind(choice)
    return replace(filters, **{column: value})


PHASE_OPTIONS = ((ANY, "Any status"), (Phase.IN_USE.value, "In use"),
                 (Phase.GRACE.value, "Expired, in grace"),
                 (Phase.RETENTION.value, "Frozen (retention)"), (Phase.DELETED.value, "Deleted"))


def with_phase(filters: Filters, choice: str) -> Filters:
    """Filters with the status picker's phase (`any` for all); an expiry window goes with any
    phase but in use, which it contradicts."""
    phase = None if choice == ANY else Phase(choice)
    days = filters.expiring_days if phase in (None, Phase.IN_USE) else None
    return replace(filters, phase=phase, expiring_days=days)


def one_filter_cleared(filters: Filters, keep: str = "tab") -> Filters:
    """The filters with the first one in force (in CLEAR_ORDER) cleared; the same if none.
    `keep`: the filter the screen's tabs set (`kind` on the pool browser) stays."""
    for name, empty in CLEAR_ORDER:
        if name != keep and getattr(filters, name) != empty:
            return replace(filters, **{name: empty})
    return filters


def quick_filter_counts(store: Store, filters: Filters) -> QuickCounts:
    """Each quick filter's count on top of the other filters in force.

    The expiry filters are left out of the base (each count is what picking it would show);
    `pending` counts the rows with a pending order even while they are hidden. Without an
    expiry filter the base's total is the list's own count, so it is not counted again.
    """
    base = replace(filters, expiring_days=None, phase=None)
    return store.quick_counts(base, total=base != filters)


def expiry_choice(filters: Filters) -> str:
    """The expiry picker's value for these filters: `any`, a day count, `grace`, `retention`."""
    if filters.phase is not None:
        return filters.phase.value
    return ANY if filters.expiring_days is None else str(filters.expiring_days)


def expiry_word(filters: Filters) -> str | None:
    words = {Phase.GRACE: "expired (grace)", Phase.RETENTION: "frozen", Phase.IN_USE: "in use",
             Phase.DELETED: "deleted"}
    phase = words.get(filters.phase) if filters.phase else None
    if filters.expiring_days is not None:
        within = f"expires within {filters.expiring_days}d"
        return f"{phase}, {within}" if phase else within
    return phase


def active_filter_words(filters: Filters, tabs_set: str = "tab") -> list[str]:
    """Every filter in force but the one the tabs set, in words (state is never shown by
    colour alone)."""
    words = [expiry_word(filters)]
    words += [f"kind {filters.kind.value}" if filters.kind and tabs_set != "kind" else None,
              f"region {filters.region}" if filters.region else None,
              f"project {filters.enterprise_project}" if filters.enterprise_project else None,
              "pending hidden" if filters.hide_pending else None]
    return [word for word in words if word]


def quick_chips(counts: QuickCounts | None, filters: Filters) -> list[tuple[str, bool]]:
    """(text, active) for each quick filter, with its count."""
    def number(value: int) -> str:
        return "..." if counts is None else f"{value:,}"

    c = counts or QuickCounts(0, 0, 0, 0, 0, 0, 0)
    choice = expiry_choice(filters)
    return [
        (f"7d: {number(c.within_7)}", choice == "7"),
        (f"15d: {number(c.within_15)}", choice == "15"),
        (f"30d: {number(c.within_30)}", choice == "30"),
        (f"grace: {number(c.grace)}", choice == Phase.GRACE.value),
        (f"frozen: {number(c.retention)}", choice == Phase.RETENTION.value),
        (f"pending: {number(c.pending)}{' hidden' if filters.hide_pending else ''}",
         filters.hide_pending),
    ]


class FilterBar(Vertical):
    """Two lines: quick-filter counts; the search box and the filters in force."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"filter-bar--active", "filter-bar--label"}

    counts: reactive[QuickCounts | None] = reactive(None)
    filters: reactive[Filters] = reactive(Filters)
    sort_label: reactive[str] = reactive("expiry asc")

    @dataclass
    class SearchChanged(Message):
        text: str

    class SearchSubmitted(Message):
        """Enter in the search box: back to the table, keeping the search."""

    @dataclass
    class Picked(Message):
        """A picker chose a filter; `apply` turns the current filters into the new ones."""

        apply: Callable[[Filters], Filters]

    def __init__(self, store: Store, *, tabs_set: str = "tab", id: str | None = None) -> None:
        """`tabs_set`: the filter the screen's tabs show (the bar does not repeat it)."""
        super().__init__(id=id)
        self._store = store
        self._tabs_set = tabs_set

    def compose(self) -> ComposeResult:
        yield Static(id="quick-filters")
        with Horizontal(id="search-row"):
            yield Input(placeholder="/ search name, ID, order", id="search", compact=True)
            yield Static(id="filters-in-force")

    @property
    def search_input(self) -> Input:
        return self.query_one("#search", Input)

    def on_mount(self) -> None:
        self._show_everything()

    def watch_counts(self) -> None:
        self._show_everything()

    def watch_filters(self) -> None:
        self._show_everything()

    def watch_sort_label(self) -> None:
        self._show_everything()

    def _show_everything(self) -> None:
        if not self.is_mounted:
            return  # reactives are set before the children exist; on_mount draws them
        self._show_quick_filters()
        self._show_filters_in_force()

    def clear_search(self) -> None:
        """Empty the search box without announcing it (the caller updates the filters)."""
        with self.search_input.prevent(Input.Changed):
            self.search_input.value = ""

    def _show_quick_filters(self) -> None:
        label = self.get_component_rich_style("filter-bar--label", partial=True)
        active = self.get_component_rich_style("filter-bar--active", partial=True)
        line = Text(no_wrap=True, overflow="ellipsis")
        for text, is_active in quick_chips(self.counts, self.filters):
            line.append(f" {text} ", style=active if is_active else "")
        line.append(" (f, h)", style=label)  # last: at 80 columns a count must not be cut
        self.query_one("#quick-filters", Static).update(line)

    def _show_filters_in_force(self) -> None:
        words = active_filter_words(self.filters, self._tabs_set) or ["none"]
        line = Text(f" filters: {safe_text(', '.join(words))} | sort: {self.sort_label}",
                    no_wrap=True, overflow="ellipsis")
        self.query_one("#filters-in-force", Static).update(line)

    # pickers -------------------------------------------------------------------------------
    def pick_expiry(self, shown: int | None = None) -> None:
        """`shown`: how many rows the list shows (what "Any expiry" shows with no expiry filter
        in force)."""
        options = expiry_options(self.counts, shown)
        self._pick("Expiry", options, expiry_choice(self.filters), self._expiry_picked)

    def _expiry_picked(self, choice: str) -> None:
        if choice == CUSTOM_DAYS:
            self.app.push_screen(DaysPrompt(), self._days_picked)
        else:
            self.post_message(self.Picked(lambda filters: with_expiry(filters, choice)))

    def _days_picked(self, days: int | None) -> None:
        if days is not None:
            self.post_message(self.Picked(lambda filters: with_expiry(filters, str(days))))

    def pick_kind(self) -> None:
        current = self.filters.kind.value if self.filters.kind else ANY
        self._pick("Kind", KIND_OPTIONS, current, partial(self._value_picked, "kind"))

    def pick_phase(self) -> None:
        current = self.filters.phase.value if self.filters.phase else ANY
        self._pick("Status", PHASE_OPTIONS, current, lambda choice: self.post_message(
            self.Picked(lambda filters: with_phase(filters, choice))))

    def pick_value_in_use(self, column: str, title: str) -> None:
        """A menu of the regions or projects in use (read in a worker)."""
        def show_menu(values: list[str]) -> None:
            options = [(ANY, f"All {title.lower()}s"), *((value, value) for value in values)]
            current = getattr(self.filters, column) or ANY
            self._pick(title, options, current, partial(self._value_picked, column))

        run_store_job(self, self._store, lambda store: store.distinct(column), show_menu,
                      group="distinct-values")

    def _value_picked(self, column: str, choice: str) -> None:
        self.post_message(self.Picked(lambda filters: with_value(filters, column, choice)))

    def _pick(self, title: str, options: Sequence[tuple[str, str]], current: str,
              chosen: Callable[[str], None]) -> None:
        """Push a menu; `chosen(value)` runs unless it is dismissed with esc."""
        def picked(choice: str | None) -> None:
            if choice is not None:
                chosen(choice)

        self.app.push_screen(ChoiceMenu(title, options, current), picked)

    # search box ----------------------------------------------------------------------------
    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.SearchChanged(event.value))

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.SearchSubmitted())


class ChoiceMenu(Dialog[str | None]):
    """A small list to pick one value from; esc picks nothing."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss_menu", "Cancel", id="menu.cancel"),
    ]

    def __init__(self, title: str, options: Sequence[tuple[str, str]], current: str | None) -> None:
        super().__init__(classes="menu")
        self._title = title
        self._options = list(options)
        self._current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="menu-box"):
            yield Label(self._title, classes="menu-title")
            yield OptionList(*[Option(self._prompt(label, False), id=value)
                               for value, label in self._options], compact=True)
            yield Label("up/down, enter: choose   esc: cancel", classes="menu-keys")

    @staticmethod
    def _prompt(label: str, under_cursor: bool) -> Text:
        """`> label` under the cursor: a word, not only the highlight's colour, says where."""
        return safe(f"{'>' if under_cursor else ' '} {label}")

    def on_mount(self) -> None:
        menu = self.query_one(OptionList)
        values = [value for value, _ in self._options]
        menu.highlighted = values.index(self._current) if self._current in values else 0

    @on(OptionList.OptionHighlighted)
    def _mark_cursor(self, event: OptionList.OptionHighlighted) -> None:
        menu = self.query_one(OptionList)
        for index, (_value, label) in enumerate(self._options):
            menu.replace_option_prompt_at_index(index, self._prompt(label,
                                                                    index == event.option_index))

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_dismiss_menu(self) -> None:
        self.dismiss(None)


class DaysPrompt(Dialog[int | None]):
    """Asks for N in "expires within N days"."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss_prompt", "Cancel", id="days.cancel"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="menu-box"):
            yield Label(f"Expires within how many days? (1-{MAX_DAYS})", classes="menu-title")
            yield Input(type="integer", id="days", compact=True)
            yield Label("", id="days-error")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        try:
            self.dismiss(whole_number(event.value, 1, MAX_DAYS, "the number of days"))
        except ValueError:
            self.query_one("#days-error", Label).update(f"Type a whole number, 1 to {MAX_DAYS}.")

    def action_dismiss_prompt(self) -> None:
        self.dismiss(None)


def expiry_options(counts: QuickCounts | None,
                   shown: int | None = None) -> list[tuple[str, str]]:
    def count(value: int | None) -> str:
        return "" if counts is None or value is None else f"  ({value:,})"

    c = counts or QuickCounts(0, 0, 0, 0, 0, 0, 0)
    return [
        (ANY, f"Any expiry{count(shown if c.total is None else c.total)}"),
        ("7", f"Expires within 7 days{count(c.within_7)}"),
        ("15", f"Expires within 15 days{count(c.within_15)}"),
        ("30", f"Expires within 30 days{count(c.within_30)}"),
        (CUSTOM_DAYS, "Expires within N days..."),
        (Phase.GRACE.value, f"Expired (grace){count(c.grace)}"),
        (Phase.RETENTION.value, f"Frozen (retention){count(c.retention)}"),
    ]
