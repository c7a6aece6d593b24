"""Plans, newest first (store.team.plans): read a plan's lines, approve one (an approver who
did not make it), apply one (place and pay it from the balance, exactly as saved)."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Static

from store.batches import BatchRenewal
from store.errors import StoreError
from store.models import Method, PreviewLine
from store.money import format_cents
from store.service import Store
from store.team.plan_rows import Plan
from tui.dialogs.base import Dialog
from tui.dialogs.confirm import Confirm
from tui.dialogs.renew_text import preview_cells
from tui.flows import renewed_message
from tui.role_keys import RoleKeys
from tui.safe import safe
from tui.screens.orders import LINES_SHOWN, local_time
from tui.watch import DataChanged
from tui.widgets.list_table import ListTable
from tui.widgets.title_bar import TitleBar
from tui.workers import run_store_job

PLAN_COLUMNS = (("id", "Plan"), ("status", "Status"), ("author", "By"), ("total", "Total"),
                ("renewals", "Renewals"), ("made", "Made"))
STATUS_WORDS = {"awaiting_approval": "to approve", "approved": "approved", "ready": "ready",
                "applied": "applied", "expired": "expired"}


def plan_summary(plan: Plan) -> str:
    text = (f"{plan.status.replace('_', ' ')}; {plan.renewable_count:,} renewals for "
            f"{plan.duration}; total {format_cents(plan.total_cents, plan.currency)}; made by "
            f"{plan.author} {local_time(plan.created_at)}")
    if plan.approved_by and plan.approved_at:
        text += f"; approved by {plan.approved_by} {local_time(plan.approved_at)}"
    if plan.applied_by and plan.applied_at:
        text += (f"; applied by {plan.applied_by} {local_time(plan.applied_at)} (orders "
                 f"{', '.join(plan.order_ids) or 'none'})")
    return text


class PlanLinesDialog(Dialog[None]):
    """A plan's lines as they were saved: each resource's expiry then, new expiry and fee."""

    DEFAULT_CSS = """
    PlanLinesDialog { align: center middle; }
    PlanLinesDialog > #plan-box {
        width: 110; max-width: 100%; height: 30; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    PlanLinesDialog DataTable { height: 1fr; }
    PlanLinesDialog .muted { color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,v,q", "close", "Close", id="plan_lines.close"),
    ]
    AUTO_FOCUS = "DataTable"

    def __init__(self, store: Store, plan: Plan) -> None:
        super().__init__()
        self.store, self.plan = store, plan

    def compose(self) -> ComposeResult:
        with Vertical(id="plan-box") as box:
            box.border_title = safe(f"Plan {self.plan.id}")
            yield Static(safe(plan_summary(self.plan)))
            table: DataTable = ListTable()
            for label in ("Name", "Expiry", "New expiry", "+Days", "Fee"):
                table.add_column(label)
            yield table
            yield Static("loading the lines ...", classes="muted", id="plan-more")
            yield Static("esc: close", classes="muted")

    def on_mount(self) -> None:
        plan_id = self.plan.id
        run_store_job(self, self.store, lambda store: store.plans.lines(plan_id),
                      self._show_lines, group="plan-lines")

    def _show_lines(self, lines: tuple[PreviewLine, ...]) -> None:
        table = self.query_one(DataTable)
        for line in lines[:LINES_SHOWN]:
            table.add_row(*preview_cells(line, self.plan.currency)[:5])
        more = len(lines) - LINES_SHOWN
        self.query_one("#plan-more", Static).update(
            f"... and {more:,} more lines" if more > 0 else "")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)


class PlansScreen(RoleKeys):
    TITLE = "Plans"
    DEFAULT_CSS = """
    PlansScreen #plans { height: 1fr; }
    PlansScreen #plans-note { height: 1; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,v", "view", "Lines", id="plans.view"),
        Binding("A", "approve_plan", "Approve", id="plans.approve"),
        Binding("y", "apply_plan", "Apply", id="plans.apply"),
        Binding("escape", "back", "Back", show=False, id="plans.back"),
    ]
    HELP_NOTES = ("A plan above the renewer's limit is applied only after an approver who "
                  "did not make it approves it (A). y places and pays it from the balance "
                  "exactly as saved, or not at all if anything in it moved since.",
                  "p in the renewal dialog saves a plan; renewals plan does it from a shell.")
    AUTO_FOCUS = "#plans"

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.plans: dict[str, Plan] = {}

    def compose(self) -> ComposeResult:
        yield TitleBar("Plans, newest first")
        table: DataTable = ListTable(id="plans")
        for key, label in PLAN_COLUMNS:
            table.add_column(label, key=key)
        yield table
        yield Static("loading plans ...", id="plans-note")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.reload()

    def on_data_changed(self, _message: DataChanged) -> None:
        self.reload()

    def reload(self) -> None:
        run_store_job(self, self.store, lambda store: store.plans.list(), self._show_plans,
                      group="plans-load")

    def _show_plans(self, plans: list[Plan]) -> None:
        table = self.query_one("#plans", DataTable)
        cursor = self.cursor_plan
        self.plans = {plan.id: plan for plan in plans}
        table.clear()
        for plan in plans:
            table.add_row(*self._cells(plan), key=plan.id)
        if cursor is not None and cursor.id in self.plans:
            table.move_cursor(row=table.get_row_index(cursor.id))
        waiting = sum(plan.status == "awaiting_approval" for plan in plans)
        note = (f"{len(plans):,} plans, {waiting:,} awaiting approval" if plans else
                "No plans yet: p in the renewal dialog saves one.")
        self.query_one("#plans-note", Static).update(note)

    @staticmethod
    def _cells(plan: Plan) -> tuple[Text, ...]:
        return (safe(plan.id), Text(STATUS_WORDS[plan.status]), safe(plan.author),
                Text(format_cents(plan.total_cents, plan.currency), justify="right"),
                Text(f"{plan.renewable_count:,}", justify="right"),
                Text(local_time(plan.created_at, "MM-DD HH:mm")))

    @property
    def cursor_plan(self) -> Plan | None:
        key = self.query_one("#plans", ListTable).cursor_key
        return None if key is None else self.plans.get(key)

    # actions -------------------------------------------------------------------------------
    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_view()

    def action_view(self) -> None:
        plan = self.cursor_plan
        if plan is not None:
            self.app.push_screen(PlanLinesDialog(self.store, plan))

    def action_approve_plan(self) -> None:
        plan = self.cursor_plan
        if plan is not None:
            self._ask(f"Approve plan {plan.id} by {plan.author}: {plan.renewable_count:,} "
                      f"renewals, {format_cents(plan.total_cents, plan.currency)}?",
                      "Approve plan", lambda store: store.plans.approve(plan.id))

    def action_apply_plan(self) -> None:
        plan = self.cursor_plan
        if plan is not None:
            self._ask(f"Apply plan {plan.id}: place and pay its {plan.renewable_count:,} "
                      f"renewals, {format_cents(plan.total_cents, plan.currency)}, from the "
                      "balance? Nothing is ordered if anything in it moved since it was made.",
                      "Apply plan", lambda store: store.plans.apply(plan.id, Method.BALANCE))

    def _ask(self, question: str, title: str, change: Callable[[Store], object]) -> None:
        """Confirm, then make the change in a worker; its outcome or refusal in a toast."""
        def job(store: Store) -> object:
            try:
                return change(store)
            except StoreError as exc:
                return exc

        def answered(yes: bool | None) -> None:
            if yes:
                run_store_job(self, self.store, job, self._done, group="plans-change")

        self.app.push_screen(Confirm(question, title=title), answered)

    def _done(self, outcome: object) -> None:
        if isinstance(outcome, StoreError):
            self.notify(str(outcome), title="Refused", severity="error", timeout=15,
                        markup=False)
        elif isinstance(outcome, BatchRenewal):
            self.notify(renewed_message(outcome), title="Plan applied", timeout=8,
                        markup=False)
        elif isinstance(outcome, Plan):
            self.notify(f"Plan {outcome.id} approved", markup=False)
        self.reload()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
