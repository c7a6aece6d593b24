"""Orders, newest first: look at an order's lines, pay a pending one, or cancel it."""

from __future__ import annotations

from typing import ClassVar

import arrow
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Input, Static

from store.clock import BILLING_TZ
from store.errors import StoreError
from store.models import Order, OrderStatus, Payment, ResourceRow
from store.money import format_cents
from store.service import Store
from tui.dialogs.base import Dialog
from tui.dialogs.confirm import Confirm
from tui.dialogs.payment import PaymentDialog
from tui.flows import renewed_message
from tui.role_keys import RoleKeys
from tui.safe import safe
from tui.watch import DataChanged
from tui.widgets.list_table import ListTable
from tui.widgets.resource_columns import SHORT_ID_LENGTH
from tui.widgets.title_bar import TitleBar
from tui.workers import run_store_job

LINES_SHOWN = 300
STATUS_WORDS = {
    OrderStatus.PENDING: "pending payment",
    OrderStatus.PAID: "paid",
    OrderStatus.CANCELLED: "cancelled",
    OrderStatus.EXPIRED: "expired",
}
LINE_COLUMNS = (("name", "Name"), ("expiry", "Expiry"), ("new", "New expiry"),
                ("extra", "+Days"), ("fee", "Fee"), ("id", "Resource ID"))
FULL_IDS_FROM = 120  # terminal columns; narrower, an id's first characters (as on Renewals)
ORDER_COLUMNS = (("id", "Order"), ("status", "Status"), ("total", "Total"),
                 ("items", "Items"), ("created", "Created"))


def local_time(stamp: str, fmt: str = "YYYY-MM-DD HH:mm") -> str:
    """A stored UTC stamp as billing time (UTC+08:00), to the minute."""
    return arrow.get(stamp).to(BILLING_TZ).format(fmt)


class OrderLinesDialog(Dialog[None]):
    """One order's lines: each resource's old and new expiry, and its fee."""

    DEFAULT_CSS = """
    OrderLinesDialog {
        align: center middle;
    }
    OrderLinesDialog > #lines-box {
        width: 110;
        max-width: 100%;
        height: 30;
        max-height: 100%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    OrderLinesDialog DataTable {
        height: 1fr;
    }
    OrderLinesDialog .muted {
        color: $text-muted;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,v,q", "close", "Close", id="order_lines.close"),
    ]
    AUTO_FOCUS = "DataTable"

    def __init__(self, store: Store, order: Order) -> None:
        super().__init__()
        self.store = store
        self.order = order

    def compose(self) -> ComposeResult:
        order = self.order
        with Vertical(id="lines-box") as box:
            box.border_title = safe(f"Order {order.id}")
            yield Static(safe(order_summary(order)))
            table: DataTable = ListTable()
            full_ids = self.app.size.width >= FULL_IDS_FROM
            for key, label in LINE_COLUMNS:
                table.add_column(label if full_ids or key != "id" else "ID", key=key)
            for line in order.lines[:LINES_SHOWN]:
                rid = line.resource_id if full_ids else line.resource_id[:SHORT_ID_LENGTH]
                table.add_row(Text("..."), str(line.old_expiry), str(line.new_expiry),
                              Text(f"+{line.extra_days}" if line.extra_days else "0",
                                   justify="right"),
                              Text(format_cents(line.fee_cents, order.currency), justify="right"),
                              safe(rid), key=line.resource_id)
            yield table
            more = len(order.lines) - LINES_SHOWN
            yield Static(f"... and {more:,} more lines" if more > 0 else "", classes="muted")
            if not order.lines and order.resources:  # placed elsewhere: no lines known here
                yield Static(safe("Its resources: " + ", ".join(order.resources)))
            yield Static("esc: close", classes="muted")

    def on_mount(self) -> None:
        shown = [line.resource_id for line in self.order.lines[:LINES_SHOWN]]
        run_store_job(self, self.store, lambda store: store.rows(shown),
                      self._show_names, group="order-lines")

    def _show_names(self, rows: list[ResourceRow]) -> None:
        table = self.query_one(DataTable)
        for row in rows:
            if row.resource.id in table.rows:
                table.update_cell(row.resource.id, "name", safe(row.resource.name),
                                  update_width=True)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)


def order_summary(order: Order) -> str:
    months = order.lines[0].months if order.lines else 0
    count = len(order.resource_ids)
    renewed = (" (placed in the Billing Center)" if order.source == "account" else
               f" renewed by {months} month{'' if months == 1 else 's'}")
    text = (f"{STATUS_WORDS[order.status]}; {count:,} resource{'' if count == 1 else 's'}"
            f"{renewed}; total {format_cents(order.total_cents, order.currency)}; created "
            f"{local_time(order.created_at)}")
    if order.cloud_order_ids and order.source == "cloud":
        text += f"; billing orders {', '.join(order.cloud_order_ids)}"
    if order.status is OrderStatus.PAID and order.paid_cents is not None:
        text += f"; paid {format_cents(order.paid_cents, order.currency)} by {order.method}"
    return text


class OrdersScreen(RoleKeys):
    TITLE = "Orders"
    DEFAULT_CSS = """
    OrdersScreen #orders {
        height: 1fr;
    }
    OrdersScreen #orders-note {
        height: 1;
        color: $text-muted;
    }
    OrdersScreen #orders-search {
        height: 1;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,v", "view", "Lines", id="orders.view"),
        Binding("y,P", "pay", "Pay", id="orders.pay"),
        Binding("c,x", "cancel_order", "Cancel order", id="orders.cancel"),
        Binding("slash", "search", "Search", id="orders.search"),
        Binding("escape", "clear_or_back", "Back", show=False, id="orders.back"),
    ]
    HELP_NOTES = ("An unpaid order expires 7 days after it was placed.",
                  "/ matches the order ID, status and total; esc clears it, then goes back.")
    AUTO_FOCUS = "#orders"

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.every_order: list[Order] = []
        self.orders: dict[str, Order] = {}
        """The orders shown (those the search matches), by id."""
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield TitleBar("Orders, newest first")
        yield Input(placeholder="/ search order ID, status, total", id="orders-search",
                    compact=True)
        table: DataTable = ListTable(id="orders")
        for key, label in ORDER_COLUMNS:
            table.add_column(label, key=key)
        yield table
        yield Static("loading orders ...", id="orders-note")
        yield Footer(compact=True, show_command_palette=False)  # 80 columns hold every key

    def on_mount(self) -> None:
        self.reload()

    def on_data_changed(self, _message: DataChanged) -> None:
        self.reload()

    def reload(self) -> None:
        run_store_job(self, self.store, lambda store: store.orders(), self._show_orders,
                      group="orders-load")

    # showing -------------------------------------------------------------------------------
    def _show_orders(self, orders: list[Order]) -> None:
        self.every_order = orders
        self.loaded = True
        self._show_matches()

    @on(Input.Changed, "#orders-search")
    def _show_matches(self) -> None:
        needle = self.query_one("#orders-search", Input).value.strip().lower()
        orders = [order for order in self.every_order if self._matches(order, needle)]
        table = self.query_one("#orders", DataTable)
        before = self.orders
        cursor = self.cursor_order
        self.orders = {order.id: order for order in orders}
        if list(before) == list(self.orders):  # same orders: update changed rows in place
            for order in orders:
                if before[order.id] != order:
                    for (column, _label), cell in zip(ORDER_COLUMNS, self._cells(order),
                                                      strict=True):
                        table.update_cell(order.id, column, cell, update_width=True)
        else:
            table.clear()
            for order in orders:
                table.add_row(*self._cells(order), key=order.id)
            if cursor is not None and cursor.id in self.orders:
                table.move_cursor(row=table.get_row_index(cursor.id))
        pending = sum(self._status(o) == "pending payment" for o in orders)
        note = f"{len(orders):,} orders, {pending:,} pending payment"
        if len(orders) < len(self.every_order):
            note += f" (of {len(self.every_order):,}; esc clears the search)"
        elif not orders:
            note = "No orders yet: renew something (r on the Renewals screen)."
        self.query_one("#orders-note", Static).update(note)

    def _matches(self, order: Order, needle: str) -> bool:
        return not needle or any(needle in text.lower() for text in (
            order.id, self._status(order), format_cents(order.total_cents, order.currency)))

    def _status(self, order: Order) -> str:
        if order.status is OrderStatus.PENDING and order.expires_at is not None \
                and order.expires_at <= self.store.clock.stamp():
            return "expired (unpaid)"
        return STATUS_WORDS[order.status]

    def _cells(self, order: Order) -> tuple[Text, ...]:
        return (safe(order.id), Text(self._status(order)),
                Text(format_cents(order.total_cents, order.currency), justify="right"),
                Text(f"{len(order.resource_ids):,}", justify="right"),
                # The year is in the order ID; the short form keeps the table within 80 columns.
                Text(local_time(order.created_at, "MM-DD HH:mm")))

    @property
    def cursor_order(self) -> Order | None:
        key = self.query_one("#orders", ListTable).cursor_key
        return None if key is None else self.orders.get(key)

    def _pending_cursor_order(self, verb: str) -> Order | None:
        order = self.cursor_order
        if order is None:
            self.notify("No order here", severity="warning")
            return None
        if self._status(order) != "pending payment":
            self.notify(f"Order {order.id} is {self._status(order)}: nothing to {verb}",
                        severity="warning", markup=False)
            return None
        return order

    # actions -------------------------------------------------------------------------------
    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_view()

    def action_view(self) -> None:
        order = self.cursor_order
        if order is not None:
            self.app.push_screen(OrderLinesDialog(self.store, order))

    def action_pay(self) -> None:
        order = self._pending_cursor_order("pay")
        if order is not None:
            self.app.push_screen(PaymentDialog(self.store, order=order), self._paid)

    def _paid(self, payment: Payment | None) -> None:
        if payment is not None:
            self.notify(renewed_message(payment), title=f"Order {payment.order.id} paid",
                        timeout=8, markup=False)
        self.reload()

    def action_cancel_order(self) -> None:
        order = self._pending_cursor_order("cancel")
        if order is None:
            return
        question = (f"Cancel order {order.id}? Its {len(order.resource_ids):,} resources keep "
                    "their current expiry; nothing is charged.")

        def answered(yes: bool | None) -> None:
            if yes:
                self._cancel(order.id)

        self.app.push_screen(Confirm(question, title="Cancel order"), answered)

    def _cancel(self, order_id: str) -> None:
        def job(store: Store) -> Order | StoreError:
            try:
                return store.cancel_order(order_id)
            except StoreError as exc:
                return exc

        run_store_job(self, self.store, job, self._cancelled, group="orders-cancel")

    def _cancelled(self, outcome: Order | StoreError) -> None:
        if isinstance(outcome, StoreError):
            self.notify(f"Not cancelled: {outcome}", severity="error", markup=False)
        else:
            self.notify(f"Order {outcome.id} cancelled")
        self.reload()

    def action_search(self) -> None:
        self.query_one("#orders-search", Input).focus()

    @on(Input.Submitted, "#orders-search")
    def _search_done(self) -> None:
        self.query_one("#orders", DataTable).focus()

    def action_clear_or_back(self) -> None:
        search = self.query_one("#orders-search", Input)
        if search.value or search.has_focus:
            search.value = ""
            self.query_one("#orders", DataTable).focus()
        elif len(self.app.screen_stack) > 1:
            self.app.pop_screen()
