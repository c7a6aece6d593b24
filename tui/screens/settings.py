"""Settings (`,`): the account's renewal day and the auto-renew deduction day.

Both are steppers (left/right); up/down or tab moves between them, enter saves (in a worker,
with the store's verbs), esc goes back and drops unsaved changes.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Static

from store.models import Account, RenewalDay
from store.service import Store
from tui.dialogs.renew import DAYS
from tui.dialogs.renew_text import PROPOSED_DAY, day_label
from tui.role_keys import RoleKeys
from tui.watch import DataChanged
from tui.widgets.stepper import Stepper
from tui.widgets.title_bar import TitleBar
from tui.workers import run_store_job

DAY_CHOICES: tuple[RenewalDay | None, ...] = (None, *DAYS)
DEDUCTION_CHOICES = tuple(range(0, 8))


def deduction_label(days: int) -> str:
    if days == 0:
        return "on the expiry day"
    return f"{days} day{'' if days == 1 else 's'} before expiry"


def renewal_day_meaning(day: RenewalDay | None) -> str:
    if day is None:
        return (f"Not set: turning on \"Renew to renewal date\" proposes "
                f"{day_label(PROPOSED_DAY)}.")
    where = "the last day of a month" if day == "last" else f"day {day} of a month"
    return (f"\"Renew to renewal date\" (R on Renewals, d in the renewal dialog) moves new "
            f"expiries to {where}: the first one on or after the usual new expiry. The extra "
            "days are charged pro rata.")


def deduction_meaning(days: int) -> str:
    return (f"Auto-renew charges the balance at 03:00 UTC+08:00, {deduction_label(days)}; "
            "a failed charge is retried daily until expiry.")


def saved_text(account: Account) -> str:
    day = account.renewal_day
    day_text = {None: "not set", "last": "the last day of the month"}.get(day, str(day))
    return (f"Saved: renewal day {day_text}; auto-renew deduction "
            f"{deduction_label(account.deduction_days)}.")


class SettingsScreen(RoleKeys):
    TITLE = "Settings"
    DEFAULT_CSS = """
    SettingsScreen #settings-body { height: 1fr; padding: 1 1; }
    SettingsScreen .field { height: 1; }
    SettingsScreen .label { width: 24; text-style: bold; }
    SettingsScreen .meaning { height: auto; margin: 0 0 1 2; color: $text-muted; }
    SettingsScreen #settings-state { height: auto; text-style: bold; }
    SettingsScreen #settings-keys { height: auto; margin-top: 1; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "save", "Save", id="settings.save"),
        Binding("escape", "back", "Back", id="settings.back"),
        Binding("up", "app.focus_previous", "Previous field", show=False,
                id="settings.previous"),
        Binding("down", "app.focus_next", "Next field", show=False, id="settings.next"),
    ]
    HELP_NOTES = ("left/right changes the value under the cursor; enter saves both.",)

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.saved: Account | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar("Settings: renewal date and auto-renew")
        with Vertical(id="settings-body"):
            with Horizontal(classes="field"):
                yield Static("Renewal day", classes="label")
                yield Stepper([day_label(day) for day in DAY_CHOICES], id="renewal-day",
                              disabled=True)
            yield Static(id="renewal-day-meaning", classes="meaning")
            with Horizontal(classes="field"):
                yield Static("Auto-renew deduction", classes="label")
                yield Stepper([deduction_label(days) for days in DEDUCTION_CHOICES],
                              id="deduction-days", disabled=True)
            yield Static(id="deduction-meaning", classes="meaning")
            yield Static("loading the settings ...", id="settings-state")
            yield Static("left/right: change   up/down or tab: other setting   enter: save   "
                         "esc: back", id="settings-keys")
        yield Footer(compact=True, show_command_palette=False)  # 80 columns hold every key

    def on_mount(self) -> None:
        self._load()

    def on_data_changed(self, _message: DataChanged) -> None:
        if not self.unsaved:  # never throw away what the user is changing
            self._load()

    def _load(self) -> None:
        run_store_job(self, self.store, lambda store: store.account(), self._show_saved,
                      group="settings-load")

    # values --------------------------------------------------------------------------------
    @property
    def renewal_day(self) -> RenewalDay | None:
        return DAY_CHOICES[self.query_one("#renewal-day", Stepper).index]

    @property
    def deduction_days(self) -> int:
        return DEDUCTION_CHOICES[self.query_one("#deduction-days", Stepper).index]

    @property
    def unsaved(self) -> bool:
        saved = self.saved
        return saved is not None and (saved.renewal_day, saved.deduction_days) != (
            self.renewal_day, self.deduction_days)

    def _show_saved(self, account: Account) -> None:
        self.saved = account
        day, deduction = self.query_one("#renewal-day", Stepper), self.query_one(
            "#deduction-days", Stepper)
        day.move_to(DAY_CHOICES.index(account.renewal_day), announce=False)
        deduction.move_to(DEDUCTION_CHOICES.index(account.deduction_days), announce=False)
        day.disabled = deduction.disabled = False
        if self.focused is None:
            day.focus()
        self._describe()

    @on(Stepper.Changed)
    def _describe(self) -> None:
        self.query_one("#renewal-day-meaning", Static).update(
            Text(renewal_day_meaning(self.renewal_day)))
        self.query_one("#deduction-meaning", Static).update(
            Text(deduction_meaning(self.deduction_days)))
        state = "" if self.saved is None else saved_text(self.saved)
        if self.unsaved:
            state += "\nUnsaved changes: enter saves, esc drops them."
        self.query_one("#settings-state", Static).update(Text(state))

    # actions -------------------------------------------------------------------------------
    def action_save(self) -> None:
        saved = self.saved
        if saved is None:
            return
        day, deduction = self.renewal_day, self.deduction_days

        def job(store: Store) -> Account:
            if day != saved.renewal_day:
                store.set_renewal_day(day)
            if deduction != saved.deduction_days:
                store.set_deduction_days(deduction)
            return store.account()

        run_store_job(self, self.store, job, self._saved, group="settings-save")

    def _saved(self, account: Account) -> None:
        self._show_saved(account)
        self.notify(saved_text(account), title="Settings", markup=False)

    def action_back(self) -> None:
        if self.unsaved:
            self.notify("Settings not saved.", severity="warning")
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
