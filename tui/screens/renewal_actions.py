"""What the Renewals screen does to its checked rows (or the cursor row): renew, renew to the
renewal date, move between tabs (the renewal-policy actions), and export the current view.

`RenewalActions` is mixed into the resource lists (Renewals, Pools); its keys come from
`action_bindings`. Every
database call runs in a worker (`run_store_job`); dialogs only dismiss, and this code acts.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING

from textual.binding import Binding

from store.errors import StoreError
from store.models import AutoRenew, ResourceRow, RowResult, Tab, Unrenewal
from store.rules import RuleError
from tui.dialogs.confirm import Confirm
from tui.dialogs.export import (
    ExportDialog,
    ExportDone,
    ExportFailed,
    ExportRequest,
    default_path,
    export_view,
)
from tui.dialogs.policy import (
    ACTIONS_BY_NAME,
    POLICY_ACTIONS,
    TAB_NAMES,
    PolicyAction,
    PolicyDialog,
    PolicyResults,
    terms_text,
)
from tui.workers import run_store_job

if TYPE_CHECKING:
    from store.service import Store

def unrenew_job(store: Store, rid: str) -> Unrenewal | Exception:
    try:
        return store.unrenew([rid])
    except StoreError as exc:
        return exc


REFUSALS_IN_NOTICE = 3   # more than this: the full list opens in a dialog
NAMED_REFUSALS = 2_000   # refused rows looked up by name for the list
NOT_AUTO = "not on Auto Renewals: use enable auto-renew"
CONFIRM_QUESTIONS = {
    Tab.PPU: "At expiry they stop renewing and are billed by use from then on.",
    Tab.CANCELED: "They are released at expiry, after the grace and retention periods.",
    Tab.MANUAL: "They are renewed only when someone renews them.",
}

def action_bindings(screen: str) -> list[Binding]:
    """The keys of these actions, their ids starting with the screen's (`renewals.export`)."""
    return [
        Binding("R", "renew_to_date", "Renew to renewal date", show=False,
                id=f"{screen}.renew-to-date"),
        *(Binding(action.key, f"policy('{action.name}')", action.title, show=False,
                  id=f"{screen}.policy-{action.name}") for action in POLICY_ACTIONS),
        Binding("e", "export", "Export view", show=False, id=f"{screen}.export"),
    ]


def progress_bar(done: int, total: int | None, width: int = 10) -> str:
    """`[####------] 45%`, in ASCII (the Linux console too); the count of rows when the total
    is not known. Short: it shares the status line with the selection and the row count."""
    if not total:
        return f"{done:,} rows"
    filled = min(width, done * width // total)
    return f"[{'#' * filled}{'-' * (width - filled)}] {min(100, done * 100 // total)}%"


def policy_headline(action: PolicyAction, results: Sequence[RowResult],
                    terms: AutoRenew | None) -> str:
    """`Moved 12 to Auto Renewals (every 1 month, unlimited times)`."""
    moved = sum(result.ok for result in results)
    if action.modifies:
        text = f"Changed auto-renew of {moved:,}"
    else:
        text = f"Moved {moved:,} to {TAB_NAMES[action.to]}"
    if terms is not None and moved:
        text += f" ({terms_text(terms)})"
    return text


def policy_summary(action: PolicyAction, results: Sequence[RowResult], terms: AutoRenew | None,
                   names: dict[str, str]) -> str:
    """The headline, then `; 2 refused: pool-a: why; pool-b: why` (the first few)."""
    text = policy_headline(action, results, terms)
    refused = [result for result in results if not result.ok]
    if refused:
        shown = "; ".join(refusal_line(result, names) for result in refused[:REFUSALS_IN_NOTICE])
        more = "; ..." if len(refused) > REFUSALS_IN_NOTICE else ""
        text += f"; {len(refused):,} refused: {shown}{more}"
    return text


def refusal_line(result: RowResult, names: dict[str, str]) -> str:
    return f"{names.get(result.id, result.id)}: {result.reason}"


class RenewalActions:
    """Renewal, policy and export actions of a resource list (a mixin: see the module)."""

    store: Store

    # targets -------------------------------------------------------------------------------
    def target_ids(self, verb: str) -> list[str]:
        """The checked rows' ids, or the cursor row's; empty (with a word why) when neither."""
        ids = sorted(self.selected)
        if ids:
            return ids
        row = self.table.cursor_row
        if row is None:
            self.notify(f"Nothing to {verb}: check rows with space first.")
            return []
        return [row.resource.id]

    # renewing ------------------------------------------------------------------------------
    def action_renew(self) -> None:
        ids = self.target_ids("renew")
        if ids:
            self.start_renewal(ids)

    def action_renew_to_date(self) -> None:
        ids = self.target_ids("renew")
        if ids:
            self.start_renewal(ids, to_renewal_date=True)

    def start_renewal(self, ids: list[str], to_renewal_date: bool = False) -> None:
        if self.app.refused_for_role("renew"):
            return
        # The function, not a coroutine: a worker replaced before it starts leaves none behind.
        self.run_worker(partial(self._renew, ids, to_renewal_date), group="renew",
                        exclusive=True)

    async def _renew(self, ids: list[str], to_renewal_date: bool) -> None:
        from tui.flows import renew_flow

        options = {"to_renewal_date": True} if to_renewal_date else {}
        payment = await renew_flow(self.app, self.store, ids, **options)
        if payment is not None:
            self.selected = frozenset()
        self.refresh_all()  # a refused payment still leaves a pending order to show

    # renewal policy ------------------------------------------------------------------------
    def action_policy(self, name: str) -> None:
        ids = self.target_ids("change")
        if ids:
            self.start_policy(ACTIONS_BY_NAME[name], ids)

    def start_policy(self, action: PolicyAction, ids: list[str]) -> None:
        """Ask what the move needs (terms, or a yes: the same from a key as from the row menu),
        then move every row in one transaction."""
        if self.app.refused_for_role("change a renewal policy"):
            return
        if action.modifies:
            run_store_job(self, self.store, lambda store: store.rows(ids),
                          partial(self._ask_new_terms, action), group="policy-rows")
        elif action.to is Tab.AUTO:
            self._ask_terms(action, ids, AutoRenew(), [])
        else:
            self._confirm_move(action, ids)

    def _confirm_move(self, action: PolicyAction, ids: list[str]) -> None:
        noun = "resource" if len(ids) == 1 else "resources"
        question = f"{action.title}: {len(ids):,} {noun}?\n{CONFIRM_QUESTIONS[action.to]}"

        def answered(yes: bool | None) -> None:
            if yes:
                self._apply_policy(action, ids, None, [])

        self.app.push_screen(Confirm(question, title=action.title), answered)

    def _ask_new_terms(self, action: PolicyAction, rows: list[ResourceRow]) -> None:
        """Modify auto-renew: only rows on the Auto tab; the dialog shows the first one's terms."""
        auto = [row.resource for row in rows if row.resource.tab is Tab.AUTO]
        if not auto:
            self.notify("Modify auto-renew works on rows of the Auto Renewals tab; use enable "
                        "auto-renew (n) for the others.", severity="warning")
            return
        refused = [(RowResult(row.resource.id, False, NOT_AUTO), row.resource.name)
                   for row in rows if row.resource.tab is not Tab.AUTO]
        terms = AutoRenew(auto[0].auto_period_months or 1, auto[0].auto_times)
        self._ask_terms(action, [resource.id for resource in auto], terms, refused)

    def _ask_terms(self, action: PolicyAction, ids: list[str], terms: AutoRenew,
                   refused: list[tuple[RowResult, str]]) -> None:
        def chosen(terms: AutoRenew | None) -> None:
            if terms is not None:
                self._apply_policy(action, ids, terms, refused)

        self.app.push_screen(PolicyDialog(len(ids), terms, modify=action.modifies), chosen)

    def _apply_policy(self, action: PolicyAction, ids: list[str], terms: AutoRenew | None,
                      refused_before: list[tuple[RowResult, str]]) -> None:
        def job(store: Store) -> tuple[list[RowResult], dict[str, str]] | Exception:
            try:
                results = store.set_policy(ids, action.to, terms)
            except (StoreError, RuleError) as exc:
                return exc
            refused = [result.id for result in results if not result.ok][:NAMED_REFUSALS]
            return results, {row.resource.id: row.resource.name for row in store.rows(refused)}

        def done(outcome: tuple[list[RowResult], dict[str, str]] | Exception) -> None:
            if isinstance(outcome, Exception):
                self.notify(f"{action.title}: nothing changed: {outcome}", severity="error",
                            markup=False)
                return
            results, names = outcome
            names |= {result.id: name for result, name in refused_before}
            self._policy_done(action, terms, [r for r, _ in refused_before] + results, names)

        run_store_job(self, self.store, job, done, group="policy", exclusive=False)

    def _policy_done(self, action: PolicyAction, terms: AutoRenew | None,
                     results: list[RowResult], names: dict[str, str]) -> None:
        moved = {result.id for result in results if result.ok}
        self.selected = self.selected - moved
        self.refresh_all()
        refused = [refusal_line(result, names) for result in results if not result.ok]
        summary = policy_summary(action, results, terms, names)
        self.notify(summary, title=action.title, severity="warning" if refused else "information",
                    timeout=10, markup=False)
        if len(refused) > REFUSALS_IN_NOTICE:
            headline = policy_headline(action, results, terms)
            self.app.push_screen(PolicyResults(f"{headline}; {len(refused):,} refused:",
                                               refused))

    # taking a renewal back (a bound database) ----------------------------------------------
    def start_unrenew(self, row: ResourceRow) -> None:
        """Ask (the answer starts on No), then unsubscribe the row's renewed periods."""
        rid = row.resource.id
        question = (f"Take back the renewals of {row.resource.name} that have not "
                    "begun yet? The resource stays; its expiry goes back, and the billing "
                    "system refunds what it refunds.")

        def answered(yes: bool | None) -> None:
            if yes:
                run_store_job(self, self.store, lambda store: unrenew_job(store, rid),
                              self._unrenew_done, group="unrenew", exclusive=False)

        self.app.push_screen(Confirm(question, title="Take back the renewal"), answered)

    def _unrenew_done(self, outcome: Unrenewal | Exception) -> None:
        self.refresh_all()
        if isinstance(outcome, Exception):
            self.notify(f"Take back the renewal: nothing was taken back: {outcome}",
                        severity="error", markup=False, timeout=10)
            return
        result = outcome.results[0]
        refunds = f" (refund order {', '.join(outcome.order_ids)})" if outcome.order_ids else ""
        self.notify(f"Renewed periods taken back{refunds}" if result.ok
                    else f"The billing system refused: {result.reason}",
                    title="Take back the renewal", markup=False, timeout=10,
                    severity="information" if result.ok else "warning")

    # export --------------------------------------------------------------------------------
    def action_export(self) -> None:
        dialog = ExportDialog(default_path(self.store.clock.today()), self.status.row_count,
                              self.view_name)
        self.app.push_screen(dialog, self._export)

    def _export(self, request: ExportRequest | None) -> None:
        if request is None:
            return
        filters, (sort, descending) = self.filters, self.sort
        total = self.status.row_count

        def progress(done: int) -> None:  # in the worker's thread
            self.app.call_from_thread(self._export_progress, done, total)

        run_store_job(self, self.store, lambda store: export_view(
            store, filters, sort, descending, request, progress), self._exported,
            group="export", exclusive=False)

    def _export_progress(self, done: int, total: int | None) -> None:
        self.status.note = f"exporting {progress_bar(done, total)}"

    def _exported(self, outcome: ExportDone | ExportFailed) -> None:
        self.status.note = ""
        if isinstance(outcome, ExportFailed):
            self.notify(f"Not exported: {outcome.reason}",
                        severity="error", timeout=10, markup=False)
            return
        self.notify(f"Exported {outcome.count:,} rows as {outcome.fmt.upper()} to "
                    f"{outcome.path}", title="Export", timeout=10, markup=False)
