"""Renewing more resources than one order holds, in the TUI: several orders, paid one after
another with a progress bar, and one notification saying how many orders renewed what."""

from __future__ import annotations

import datetime as dt

from textual.widgets import ProgressBar, Static

from store.batches import BatchRenewal
from store.clock import Clock
from store.models import Kind, OrderStatus, Resource
from store.rules import MAX_ORDER_LINES
from store.service import Store
from tui.dialogs.payment import PaymentDialog
from tui.dialogs.renew import RenewDialog
from tui.flows import renew_flow

TODAY = "2026-11-26"
COUNT = MAX_ORDER_LINES + 20


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_more_than_one_order_holds_is_paid_as_several_with_progress(
        tmp_path, host, wait, monkeypatch):
    store = Store(tmp_path / "big.db", Clock.from_text(TODAY))
    store.import_resources(
        Resource(id=f"b-{n:05d}", name=f"pool-{n}", kind=Kind.STANDARD,
                 expiry=dt.date(2026, 12, 20), monthly_price_cents=1_000,
                 yearly_price_cents=10_000) for n in range(COUNT))
    store.top_up(COUNT * 1_000)
    shown_progress: list[tuple[int, int]] = []
    show = PaymentDialog._show_orders_paid

    def noting(dialog, paid, of):
        show(dialog, paid, of)
        shown_progress.append((dialog.query_one("#orders-progress", ProgressBar).progress, of))

    monkeypatch.setattr(PaymentDialog, "_show_orders_paid", noting)
    app = host(store)
    app.outcome = "running"
    notes: list[str] = []
    monkeypatch.setattr(app, "notify", lambda message, **_: notes.append(str(message)))

    async def renew() -> None:
        app.outcome = await renew_flow(app, store, [f"b-{n:05d}" for n in range(COUNT)])

    async with app.run_test(size=(80, 24)) as pilot:
        app.run_worker(renew(), exclusive=True)
        await wait(pilot, lambda: isinstance(app.screen, RenewDialog))
        dialog = app.screen
        await wait(pilot, lambda: "order total" in text_of(dialog, "#summary"), timeout=30)
        assert "in 2 orders of at most 10,000, paid one after another" in text_of(
            dialog, "#summary")
        await pilot.press("enter")
        await wait(pilot, lambda: isinstance(app.screen, PaymentDialog))
        payment = app.screen
        await wait(pilot, lambda: payment.account is not None)
        assert "in 2 orders of at most 10,000" in text_of(payment, "#order")
        assert "not offered across 2 orders" in text_of(payment, "#coupons-title")
        await pilot.press("y")
        await wait(pilot, lambda: app.outcome != "running", timeout=60)
    assert isinstance(app.outcome, BatchRenewal) and app.outcome.renewed == COUNT
    assert shown_progress == [(0, 2), (1, 2), (2, 2)]
    assert [len(o.resource_ids) for o in sorted(store.orders(), key=lambda o: -len(o.lines))
            ] == [MAX_ORDER_LINES, 20]
    assert {o.status for o in store.orders()} == {OrderStatus.PAID}
    assert notes and notes[-1].startswith(f"Renewed {COUNT:,} resources in 2 orders to "
                                          "2027-01-20; paid CNY 100,200.00 from balance")
    store.close()
