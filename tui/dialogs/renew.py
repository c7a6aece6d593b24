"""The renewal dialog: duration, "renew to renewal date", and a live preview of every resource.

The preview is computed in a thread worker (exclusive: a newer request cancels a stale one; it
keeps its thread's connection, see tui/workers.py), so 100,000 resources never freeze the UI;
it comes summed up (`PreviewSummary`: the count and total
of every line, the first few hundred lines for the table). `enter` works the whole preview out
again, checks that nothing it was summed from has moved, and dismisses with exactly that.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from store.cloud import NO_ALIGN
from store.errors import StalePreview, StoreError
from store.models import Account, Duration, Preview, PreviewSummary, RenewalDay
from store.rules import MAX_MONTHS, MAX_YEARS
from store.service import Store
from store.team.plan_rows import Plan
from tui.dialogs.base import Dialog
from tui.dialogs.renew_text import (
    PROPOSED_DAY,
    above_limit,
    changed_text,
    day_label,
    day_note,
    preview_cells,
    summary_text,
)
from tui.safe import safe
from tui.state import ConsoleState
from tui.watch import DataChanged
from tui.widgets.list_table import ListTable
from tui.widgets.stepper import Stepper

PREVIEW_ROWS = 300
PREVIEW_DEBOUNCE_SECONDS = 0.15
DURATIONS = (*(Duration(n) for n in range(1, MAX_MONTHS + 1)),
             *(Duration(n, "year") for n in range(1, MAX_YEARS + 1)))
DAYS: tuple[RenewalDay, ...] = (*range(1, 29), "last")
COLUMNS = (("name", "Name"), ("expiry", "Expiry"), ("new", "New expiry"),
           ("extra", "+Days"), ("fee", "Fee"), ("note", "Why"))
WHY_COLUMN_FROM = 120  # terminal columns; narrower, the line under the table says the why


@dataclass(frozen=True)
class RenewRequest:
    """What the user agreed to in the renewal dialog: exactly the preview that was shown."""

    ids: tuple[str, ...]
    duration: Duration
    align: RenewalDay | None
    preview: Preview

    @property
    def renewable_count(self) -> int:
        return len(self.preview.renewable)


class RenewDialog(Dialog[RenewRequest | Plan | None]):
    CSS_PATH = "renew.tcss"
    BINDINGS = [
        Binding("enter", "continue", "Continue", priority=True, id="renew.continue"),
        Binding("escape", "cancel", "Cancel", id="renew.cancel"),
        Binding("d", "toggle_align", "Renewal date", id="renew.align"),
        Binding("plus", "step_duration(1)", "Longer", id="renew.longer"),
        Binding("minus", "step_duration(-1)", "Shorter", id="renew.shorter"),
        Binding("p", "save_plan", "Save as plan", id="renew.save-plan"),
    ]
    AUTO_FOCUS = "#duration"

    aligned: reactive[bool] = reactive(False, init=False)

    def __init__(self, store: Store, ids: Sequence[str], *, aligned: bool = False,
                 duration: Duration = DURATIONS[0], changed: Sequence[str] = ()) -> None:
        """`aligned`: start with "Renew to renewal date" on. `changed`: what moved since the
        user last confirmed these resources (the order was refused): said above the preview."""
        super().__init__()
        self.set_reactive(RenewDialog.aligned, aligned)
        self.store = store
        self.ids = tuple(dict.fromkeys(ids))
        self.initial_duration = duration
        self.changed = tuple(changed)
        self.saved_day: RenewalDay | None = None
        self.day_touched = False
        self.generation = 0
        self.shown: PreviewSummary | None = None
        self.shown_generation = -1
        self._preview_timer: Timer | None = None
        self.leaving = False

    # layout --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Vertical(id="renew-box") as box:
            noun = "resource" if len(self.ids) == 1 else "resources"
            box.border_title = f"Renew {len(self.ids):,} {noun}"
            yield Static(changed_text(self.changed) if self.changed else "", id="changed")
            with Horizontal(classes="field"):
                yield Static("Duration", classes="label")
                yield Stepper([str(d) for d in DURATIONS], DURATIONS.index(self.initial_duration),
                              id="duration")
                yield Static("left/right or + -", classes="hint")
            with Horizontal(classes="field"):
                yield Static(self._toggle_text(), id="align-toggle")
                yield Stepper([day_label(d) for d in DAYS], DAYS.index(PROPOSED_DAY),
                              id="day", disabled=not self.aligned)
            yield Static(id="day-note")
            table: DataTable = ListTable(id="preview")
            for key, label in self._columns:
                table.add_column(label, key=key)
            yield table
            yield Static(id="reason")
            yield Static(id="more")
            yield Static("computing the preview ...", id="summary")
            yield Static(id="refusal")
            yield Static("enter: continue  p: save as plan  esc: cancel  d: renewal date  "
                         "tab: next", id="keys")

    def on_mount(self) -> None:
        self.query_one("#changed", Static).display = bool(self.changed)
        self._load_account()
        self._request_preview(immediate=True)
        self._show_day_note()

    def on_data_changed(self, _message: DataChanged) -> None:
        """Another user wrote: the preview on screen may be out of date, so it is worked out
        again (and what is confirmed is checked once more when the order is placed)."""
        if not self.leaving:
            self._request_preview()

    # choices -------------------------------------------------------------------------------
    @property
    def duration(self) -> Duration:
        return DURATIONS[self.query_one("#duration", Stepper).index]

    @property
    def day(self) -> RenewalDay:
        return DAYS[self.query_one("#day", Stepper).index]

    @property
    def align(self) -> RenewalDay | None:
        return self.day if self.aligned else None

    def action_step_duration(self, delta: int) -> None:
        self.query_one("#duration", Stepper).action_step(delta)

    @property
    def bound(self) -> bool:
        """A database bound to a cloud account: the billing system quotes, in whole periods."""
        database = cast(ConsoleState, self.app).database
        return database is not None and database.bound

    def action_toggle_align(self) -> None:
        if self.bound:
            self._refuse(NO_ALIGN)
            return
        self.aligned = not self.aligned

    def watch_aligned(self, aligned: bool) -> None:
        self.query_one("#day", Stepper).disabled = not aligned
        self.query_one("#align-toggle", Static).update(self._toggle_text())
        self._show_day_note()
        self._request_preview()

    @on(Stepper.Changed, "#duration")
    def _duration_changed(self) -> None:
        self._request_preview()

    @on(Stepper.Changed, "#day")
    def _day_changed(self) -> None:
        self.day_touched = True
        self._show_day_note()
        if self.aligned:
            self._request_preview()

    def _toggle_text(self) -> Text:
        return Text(f"[{'x' if self.aligned else ' '}] Renew to renewal date (d)")

    def _show_day_note(self) -> None:
        self.query_one("#day-note", Static).update(Text(day_note(
            self.bound, self.aligned, self.saved_day, self.day)))

    # account -------------------------------------------------------------------------------
    @work(thread=True, group="account")
    def _load_account(self) -> None:
        account = self.store.account()
        if not get_current_worker().is_cancelled:
            self.call_later(self._account_loaded, account)

    def _account_loaded(self, account: Account) -> None:
        if self.dismissed:
            return
        self.saved_day = account.renewal_day
        if not self.day_touched:
            proposed = DAYS.index(account.renewal_day or PROPOSED_DAY)
            self.query_one("#day", Stepper).move_to(proposed, announce=False)
            if self.aligned:
                self._request_preview()
        self._show_day_note()

    # preview -------------------------------------------------------------------------------
    def _request_preview(self, immediate: bool = False) -> None:
        """Preview the current choices; quick successive changes compute only the last one."""
        self.generation += 1
        self.query_one("#summary", Static).update("computing the preview ...")
        self._refuse("")
        if self._preview_timer is not None:
            self._preview_timer.stop()
        if immediate:
            self._start_preview()
        else:
            self._preview_timer = self.set_timer(PREVIEW_DEBOUNCE_SECONDS, self._start_preview)

    def _start_preview(self) -> None:
        self._preview_timer = None
        self._compute_preview(self.generation, self.duration, self.align)

    @work(thread=True, exclusive=True, group="preview")
    def _compute_preview(self, generation: int, duration: Duration,
                         align: RenewalDay | None) -> None:
        """The preview; on a bound database first the last known quotes (marked as such),
        then the billing system's fresh ones, with how many have come so far."""
        worker = get_current_worker()

        def deliver(result: PreviewSummary | StoreError) -> None:
            if not worker.is_cancelled:
                self.app.call_from_thread(self._preview_ready, generation, result)

        def quoted(done: int, of: int) -> None:
            if not worker.is_cancelled:
                self.app.call_from_thread(self._quotes_coming, generation, done, of)

        try:
            if self.bound:
                deliver(self.store.last_quoted_preview(self.ids, duration).summary(PREVIEW_ROWS))
            deliver(self.store.preview_summary(self.ids, duration, align, quoted, PREVIEW_ROWS))
        except StoreError as exc:
            deliver(exc)

    def _quotes_coming(self, generation: int, done: int, of: int) -> None:
        if generation == self.generation and not self.dismissed:
            self.query_one("#summary", Static).update(
                f"asking the billing system for quotes: {done:,} of {of:,} ...")

    def _preview_ready(self, generation: int, result: PreviewSummary | StoreError) -> None:
        if generation != self.generation or self.dismissed:
            return
        self.shown_generation = generation
        if isinstance(result, StoreError):
            self.shown = None
            self.query_one("#summary", Static).update(safe(f"Cannot preview: {result}"))
            return
        self.shown = result
        self._fill_table(result)
        self.query_one("#summary", Static).update(summary_text(result))
        hint = above_limit(result.total_cents, result.currency, self._limit)
        if hint:  # else a "wait for the preview" said meanwhile stays
            self._refuse(hint)
        more = result.count - len(result.first_lines)
        more_line = self.query_one("#more", Static)
        more_line.display = more > 0
        more_line.update(f"... and {more:,} more (counted in the total)")
        self._show_reason()

    def _fill_table(self, preview: PreviewSummary) -> None:
        # Refilling a few hundred rows is cheaper than update_cell(update_width=True), which
        # re-measures the whole column for every cell that got narrower.
        table = self.query_one("#preview", DataTable)
        cursor, scroll_y = table.cursor_row, table.scroll_y
        table.clear()
        shown = len(table.columns)  # as composed: a resize since does not add columns
        for line in preview.first_lines:
            table.add_row(*preview_cells(line, preview.currency)[:shown], key=line.id)
        table.move_cursor(row=min(cursor, table.row_count - 1), scroll=False)
        table.scroll_to(y=scroll_y, animate=False)

    @on(DataTable.RowHighlighted, "#preview")
    def _show_reason(self) -> None:
        table = self.query_one("#preview", DataTable)
        reason = ""
        if self.shown is not None and table.row_count:
            line = self.shown.first_lines[table.cursor_row]
            if line.reason:
                reason = f"{line.name}: {line.reason}"
        self.query_one("#reason", Static).update(safe(reason))

    @property
    def _columns(self) -> tuple[tuple[str, str], ...]:
        """Every column where it fits beside the others; the why left out where it would be
        cut off (it is said under the table for the cursor row)."""
        return COLUMNS if self.app.size.width >= WHY_COLUMN_FROM else COLUMNS[:-1]

    # leaving -------------------------------------------------------------------------------
    def action_cancel(self) -> None:
        if not self.leaving:
            self.leaving = True
            self.dismiss(None)

    @property
    def _limit(self) -> int | None:
        """The operator's largest order, if they are a renewer with one (team mode)."""
        who = cast(ConsoleState, self.app).identity
        return who.order_limit_cents if who is not None and who.role == "renewer" else None

    def action_continue(self) -> None:
        shown = self._ready_to_leave()
        if shown is not None and above_limit(shown.total_cents, shown.currency, self._limit):
            self._refuse(above_limit(shown.total_cents, shown.currency, self._limit))
        elif shown is not None:
            self._leave_with(shown, as_plan=False)

    def action_save_plan(self) -> None:
        """Save exactly this preview as a plan (store.team.plans) instead of paying."""
        shown = self._ready_to_leave()
        if shown is not None:
            self._leave_with(shown, as_plan=True)

    def _ready_to_leave(self) -> PreviewSummary | None:
        shown = self.shown
        if self.leaving:
            return None
        if shown is None or self.shown_generation != self.generation or not shown.fresh:
            self._refuse("Wait for the preview to finish.")
            return None
        if not shown.renewable_count:
            self._refuse("None of these resources can be renewed: see the reasons.")
            return None
        return shown

    def _leave_with(self, shown: PreviewSummary, as_plan: bool) -> None:
        self.leaving = True
        self._refuse("")  # a "wait for the preview" said before is past
        if shown.full is None:
            self.query_one("#summary", Static).update(
                f"checking the {shown.count:,} lines once more ...")
        # A plan keeps its own renewal day: only continuing to pay saves the account's.
        save_day = not as_plan and shown.align is not None and shown.align != self.saved_day
        self._confirm(shown, save_day, as_plan)

    @work(thread=True, exclusive=True, group="confirm")
    def _confirm(self, shown: PreviewSummary, save_day: bool, as_plan: bool) -> None:
        """Save the renewal day chosen, then the whole preview behind `shown` to order (or,
        `as_plan`, saved as a plan)."""
        failure = "Renewal day not saved"
        try:
            if save_day:
                self.store.set_renewal_day(shown.align)
            failure = "Cannot continue"
            preview = self.store.confirmed_preview(shown)
            if as_plan:
                failure = "Plan not saved"
                plan = self.store.plans.make(self.ids, shown.duration, shown.align, preview)
        except StalePreview as exc:
            self.call_later(self._moved, exc.changes)
            return
        except StoreError as exc:
            self.call_later(self._not_continued, f"{failure}: {exc}")
            return
        self.call_later(self._leave, plan if as_plan else RenewRequest(
            self.ids, shown.duration, shown.align, preview))

    def _leave(self, result: RenewRequest | Plan) -> None:
        self.dismiss(result)  # not awaited: from the screen's own handler it cannot be

    def _moved(self, changes: Sequence[str]) -> None:
        """What was shown moved while the user looked: say what, and preview afresh."""
        self.leaving = False
        moved = self.query_one("#changed", Static)
        moved.update(changed_text(changes))
        moved.display = True
        self._request_preview(immediate=True)

    def _not_continued(self, message: str) -> None:
        self.leaving = False
        if self.shown is not None:
            self.query_one("#summary", Static).update(summary_text(self.shown))
        self._refuse(message)

    def _refuse(self, message: str) -> None:
        """Say why not inside the dialog, under its total: a toast would cover that line."""
        refusal = self.query_one("#refusal", Static)
        refusal.update(safe(message))
        refusal.display = bool(message)
