"""The payment modal: the order, a payment method, coupons and the amount due.

Focus starts on Cancel. `y` pays; Enter never does (not even on the Pay button). One idempotency
key is made when the modal opens and reused for every attempt: a refused attempt charges nothing,
so the key stays unused until a payment succeeds, and a double `y` charges once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Checkbox, ProgressBar, RadioSet, Static

from store.batches import BatchRenewal, BatchStopped, orders_for
from store.charges import MAX_CASH_COUPONS, MAX_DISCOUNTS, card_digits, charge_for
from store.cloud.coupons import MAX_PAY_COUPONS
from store.errors import PaymentFailed, Refused, StalePreview, StoreError
from store.models import Account, Charge, Coupon, Method, Order, Payment
from store.money import format_cents
from store.rules import MAX_ORDER_LINES
from store.service import Store, new_idempotency_key
from tui.dialogs.base import Dialog
from tui.dialogs.payment_widgets import CardInput, CheckMark, MethodChoice, PayButton
from tui.dialogs.renew import RenewRequest
from tui.safe import safe
from tui.watch import DataChanged

BALANCE_ONLY = ("Online card payment and monthly settlement are not offered on a database bound "
                "to a cloud account: the billing API pays from the account's balance and "
                "coupons only (use the Billing Center for the others).")
METHOD_LABELS = ((Method.BALANCE, "Account balance (b)"),
                 (Method.ONLINE, "Online payment, card (c)"),
                 (Method.SETTLEMENT, "Monthly settlement (m)"))


Outcome = Payment | BatchRenewal | StalePreview | BatchStopped | None


class PaymentDialog(Dialog[Outcome]):
    """Dismisses with the payment (a BatchRenewal when the renewal takes several orders); with
    StalePreview when the resources moved since the preview the user confirmed (nothing was
    ordered); with BatchStopped when a later order of several failed (the earlier ones are
    paid); None when the user backs out."""

    DEFAULT_CSS = """
    PaymentDialog {
        align: center middle;
        & > #pay-box {
            width: 76; max-width: 100%; height: auto; max-height: 100%;
            border: round $primary; background: $surface; padding: 0 1;
        }
        .section { text-style: bold; margin-top: 1; }
        #card { display: none; width: 40; }
        #card.-shown { display: block; }
        #coupons { height: auto; max-height: 5; }
        #coupons Checkbox.-textual-compact:focus { border: none !important; }
        #due { margin-top: 1; text-style: bold; }
        #orders-progress { display: none; }
        #orders-progress.-shown { display: block; }
        #message { height: auto; color: $text-warning; }
        #message.-error { color: $text-error; }
        #buttons { height: auto; align-horizontal: right; }
        #buttons Button { margin-left: 2; }
    }
    """
    BINDINGS = [
        Binding("y", "pay", "Pay", priority=True, id="payment.pay"),
        Binding("escape", "cancel", "Cancel", id="payment.cancel"),
        Binding("b", "method('balance')", "Balance", id="payment.balance"),
        Binding("c", "method('online')", "Card", id="payment.card"),
        Binding("m", "method('settlement')", "Settlement", id="payment.settlement"),
    ]
    AUTO_FOCUS = "#cancel"

    def __init__(self, store: Store, request: RenewRequest | None = None, *,
                 order: Order | None = None) -> None:
        if (request is None) == (order is None):
            raise ValueError("a PaymentDialog pays either a renewal request or an existing order")
        super().__init__()
        self.store = store
        self.request = request
        self.order_id = order.id if order is not None else None
        self.failed_order_id: str | None = None
        if request is not None:
            self.total_cents, self.currency = request.preview.total_cents, request.preview.currency
            self.items = request.renewable_count
            self.orders = orders_for(self.items)
        else:
            assert order is not None
            self.total_cents, self.currency, self.items = (
                order.total_cents, order.currency, len(order.resource_ids))
            self.orders = 1
        self.idempotency_key = new_idempotency_key()
        self.account: Account | None = None
        self.coupons: tuple[Coupon, ...] = ()
        self.paying = False

    # layout --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Vertical(id="pay-box") as box:
            box.border_title = "Payment"
            yield Static(self._order_text(), id="order")
            yield Static("Payment method", classes="section")
            with RadioSet(id="method", compact=True):
                for method, label in METHOD_LABELS:
                    yield MethodChoice(label, id=method.value, value=method is Method.BALANCE)
            yield Static("loading the account ...", id="balance")
            yield CardInput(placeholder="card number, 12-19 digits", id="card", compact=True,
                            restrict=r"[0-9 \-]*", max_length=23)
            yield Static(f"Coupons (up to {MAX_CASH_COUPONS} cash + {MAX_DISCOUNTS} discount)",
                         classes="section", id="coupons-title")
            yield VerticalScroll(id="coupons")
            yield Static(id="due")
            yield Static(id="message")
            yield ProgressBar(total=self.orders, show_eta=False, id="orders-progress")
            with Horizontal(id="buttons"):
                yield Button("Cancel (esc)", id="cancel")
                yield PayButton("Pay (y)", id="pay", variant="success")

    def on_mount(self) -> None:
        self._refresh_amounts()
        self._load_account()

    def on_data_changed(self, _message: DataChanged) -> None:
        if not self.paying:  # the balance and coupons on screen follow other users' writes
            self._load_account()

    def _order_text(self) -> Text:
        noun = "resource" if self.items == 1 else "resources"
        total = format_cents(self.total_cents, self.currency)
        if self.order_id is not None:
            return safe(f"Order {self.order_id}: {self.items:,} {noun}, total {total}"
                        " (pending payment)")
        assert self.request is not None
        align = self.request.align
        to_day = "" if align is None else f", to renewal day {align}"
        # The total early in the line: a narrow dialog wraps the rest, never the amount.
        text = f"Renew {self.items:,} {noun}, order total {total}, for {self.request.duration}"
        text += to_day
        if self.orders > 1:
            text += (f", in {self.orders} orders of at most {MAX_ORDER_LINES:,} paid one "
                     "after another")
        return Text(text)

    # account and coupons -------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="account")
    def _load_account(self) -> None:
        self.call_later(self._account_loaded, self.store.account())

    def _account_loaded(self, account: Account) -> None:
        if self.dismissed:
            return
        first_load = self.account is None
        self.account = account
        if first_load and account.bound:
            self._offer_balance_only()
        if first_load:
            today = self.store.clock.today()
            self.coupons = tuple(c for c in account.coupons
                                 if c.expires is None or c.expires >= today)
            self._mount_coupons()
            if self.orders > 1:
                self._no_coupons_for_several_orders()
        self._refresh_amounts()

    def _mount_coupons(self) -> None:
        box = self.query_one("#coupons", VerticalScroll)
        if not self.coupons:
            box.mount(Static("no coupons available"))
            return
        box.mount_all(
            CheckMark(safe(coupon_text(coupon)), id=f"coupon-{index}", compact=True)
            for index, coupon in enumerate(self.coupons))

    def _no_coupons_for_several_orders(self) -> None:
        for box in self.query("#coupons Checkbox").results(Checkbox):
            box.disabled = True
        self.query_one("#coupons-title", Static).update(
            f"Coupons: not offered across {self.orders} orders (a coupon belongs to one order)")

    def _offer_balance_only(self) -> None:
        for method, _label in METHOD_LABELS[1:]:
            self.query_one(f"#{method.value}", MethodChoice).disabled = True
        self.query_one("#coupons-title", Static).update(
            f"Coupons (up to {MAX_PAY_COUPONS}; the billing system works out what they take off)")
        self._say(BALANCE_ONLY)

    @property
    def bound(self) -> bool:
        return self.account is not None and self.account.bound

    def selected_coupons(self) -> list[Coupon]:
        """The coupons ticked (their boxes may still be mounting: those are not ticked yet)."""
        ticked = {box.id for box in self.query("#coupons Checkbox").results(Checkbox)
                  if box.value}
        return [coupon for index, coupon in enumerate(self.coupons)
                if f"coupon-{index}" in ticked]

    @on(Checkbox.Changed, "#coupons Checkbox")
    def _coupon_toggled(self, event: Checkbox.Changed) -> None:
        chosen = self.selected_coupons()
        if self.bound:
            if event.value and len(chosen) > MAX_PAY_COUPONS:
                event.checkbox.value = False
                self._say(f"At most {MAX_PAY_COUPONS} coupons a payment", error=True)
                return
            self._refresh_amounts()
            return
        too_many_cash = sum(c.kind == "cash" for c in chosen) > MAX_CASH_COUPONS
        too_many_discounts = sum(c.kind == "discount" for c in chosen) > MAX_DISCOUNTS
        if event.value and (too_many_cash or too_many_discounts):
            event.checkbox.value = False
            self._say(f"At most {MAX_CASH_COUPONS} cash coupons and {MAX_DISCOUNTS} discount "
                      "per order", error=True)
            return
        self._refresh_amounts()

    # method and amounts --------------------------------------------------------------------
    @property
    def method(self) -> Method:
        pressed = self.query_one("#method", RadioSet).pressed_button
        return Method(pressed.id) if pressed is not None and pressed.id else Method.BALANCE

    def action_method(self, method: str) -> None:
        """b, c, m: choose the payment method (the card number field takes focus for c)."""
        choice = self.query_one("#method", RadioSet).query_one(f"#{Method(method).value}",
                                                               MethodChoice)
        if choice.disabled:
            self._say(BALANCE_ONLY, error=True)
            return
        choice.value = True
        if choice.id == Method.ONLINE.value:
            self.query_one("#card", CardInput).focus()

    @on(RadioSet.Changed, "#method")
    def _method_changed(self) -> None:
        self.query_one("#card", CardInput).set_class(self.method is Method.ONLINE, "-shown")
        self._refresh_amounts()

    def due_cents(self) -> int:
        return self._charge().due_cents

    def _charge(self) -> Charge:
        """What paying costs; on a bound database before coupons (the system applies them)."""
        if self.bound:
            return Charge(self.total_cents, 0, 0)
        return charge_for(self.total_cents, self.selected_coupons())

    def _refresh_amounts(self) -> None:
        charge = self._charge()
        money = self._money
        due = f"Amount due: {money(charge.due_cents)}"
        if self.bound and self.selected_coupons():
            due += " before coupons"
        saved = charge.discount_cents + charge.coupon_cents
        if saved:
            due += f" (total {money(charge.total_cents)}, coupons -{money(saved)})"
        self.query_one("#due", Static).update(Text(due))
        self.query_one("#balance", Static).update(Text(self._method_text(charge.due_cents)))

    def _method_text(self, due: int) -> str:
        if self.method is Method.ONLINE:
            return f"The card is charged {self._money(due)}."
        if self.method is Method.SETTLEMENT:
            return f"{self._money(due)} is added to this month's settlement bill."
        if self.account is None:
            return "loading the account ..."
        balance = self.account.balance_cents
        if balance < due:
            return f"Balance {self._money(balance)}: not enough for {self._money(due)}"
        return f"Balance {self._money(balance)} -> {self._money(balance - due)} after paying"

    def _money(self, cents: int) -> str:
        return format_cents(cents, self.currency)

    def _say(self, text: str, error: bool = False) -> None:
        message = self.query_one("#message", Static)
        message.set_class(error, "-error")
        message.update(safe(text))

    @on(PayButton.EnterPressed)
    def _enter_on_pay(self) -> None:
        self._say(f"Enter does not pay: press y to pay {self._money(self.due_cents())}.")

    # paying --------------------------------------------------------------------------------
    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "pay":  # only a mouse click gets here: Enter is intercepted
            self.action_pay()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        if self.paying:
            self._say("A payment is in flight: wait for its result.")
            return
        if self.failed_order_id is not None:
            self.notify(f"Order {self.failed_order_id} stays pending payment: pay or cancel "
                        "it in Orders (o).", severity="warning", timeout=8, markup=False)
        self.dismiss(None)

    def action_pay(self) -> None:
        if self.paying:
            return
        if self.account is None:
            self._say("Still loading the account: press y again in a moment.")
            return
        method = self.method
        card = self.query_one("#card", CardInput).value if method is Method.ONLINE else None
        problem = card_problem(card) if method is Method.ONLINE else None
        if problem:
            self._say(problem, error=True)
            return
        self.paying = True
        pay_button = self.query_one("#pay", PayButton)
        pay_button.disabled = True
        pay_button.label = "Paying ..."
        self._say(f"Paying {self._money(self.due_cents())} ...")
        self._run_payment(method, card, tuple(c.id for c in self.selected_coupons()))

    @work(thread=True, exclusive=True, group="pay")
    def _run_payment(self, method: Method, card: str | None, coupon_ids: Sequence[str]) -> None:
        outcome: Payment | BatchRenewal | StoreError | sqlite3.Error
        try:
            outcome = self._pay_now(method, card, coupon_ids)
        except StoreError as exc:
            outcome = exc
        except sqlite3.Error as exc:
            self.store.close()  # the next job starts on a fresh connection
            outcome = exc
        self.call_later(self._payment_done, outcome)

    def _pay_now(self, method: Method, card: str | None,
                 coupon_ids: Sequence[str]) -> Payment | BatchRenewal:
        if self.order_id is not None:
            return self.store.pay(self.order_id, method, self.idempotency_key, card, coupon_ids)
        assert self.request is not None
        request = self.request
        if self.orders > 1:
            return self.store.renew_in_orders(request.preview, method, self.idempotency_key,
                                              card, coupon_ids, progress=self._order_paid)
        return self.store.checkout(request.ids, request.duration, request.align, method,
                                   self.idempotency_key, card, coupon_ids, seen=request.preview)

    def _order_paid(self, paid: int, of: int) -> None:
        """From the paying thread: one more order of several is paid."""
        self.app.call_from_thread(self._show_orders_paid, paid, of)

    def _show_orders_paid(self, paid: int, of: int) -> None:
        bar = self.query_one("#orders-progress", ProgressBar)
        bar.add_class("-shown")
        bar.update(progress=paid)
        self._say(f"Paying order {min(paid + 1, of)} of {of} ({paid} paid) ...")

    def _payment_done(self, outcome: Payment | BatchRenewal | StoreError | sqlite3.Error
                      ) -> None:
        if isinstance(outcome, Payment | BatchRenewal | StalePreview | BatchStopped):
            self.dismiss(outcome)
            return
        self.paying = False
        pay_button = self.query_one("#pay", PayButton)
        pay_button.disabled = False
        pay_button.label = "Pay (y)"
        if isinstance(outcome, PaymentFailed):
            self.order_id = self.failed_order_id = outcome.order_id
            self.query_one("#order", Static).update(self._order_text())
            self._say(f"{outcome}. Order {outcome.order_id} is pending payment in Orders: "
                      "choose another method (or top up) and press y again, or esc.",
                      error=True)
            self._load_account()
        elif self.order_id is not None:
            self._say(f"Not paid: {outcome}. Order {self.order_id} stays pending payment.",
                      error=True)
        else:
            self._say(f"Not paid: {outcome}", error=True)


def card_problem(card: str | None) -> str | None:
    """Why a card number cannot even be tried; a declined card is for the payment to find."""
    try:
        card_digits(card)
    except Refused as exc:
        return f"Card number: {exc}"
    return None


def coupon_text(coupon: Coupon) -> str:
    expires = f", expires {coupon.expires}" if coupon.expires else ""
    return f"{coupon.id}: {coupon.kind} {coupon.label}{expires}"
