"""In team mode, what an operator's role lets through to the billing backend:
a viewer changes nothing, a renewer renews, pays, moves policies and runs due events, each
order up to the config's `renewer_limit` (above it, only an approved plan's: store.team.plans);
an approver may also top up and change the settings. Outside team mode (no role) everything
passes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from store.errors import Refused
from store.models import Duration, Method, Order, Payment, Preview, RenewalDay
from store.money import format_cents
from store.team import plan_rows

if TYPE_CHECKING:
    from store.billing import Billing
    from store.service import Store

RENEWER_VERBS = frozenset({"preview", "place_order", "pay", "checkout", "cancel_order",
                           "unrenew", "set_policy", "tick"})


class RoleGate:
    """A Billing that refuses, whole and before anything is written, what the role may not."""

    def __init__(self, inner: Billing, store: Store, approved: Preview | None = None) -> None:
        """`approved`: the renewal of an approved plan, as it is being applied."""
        self._inner, self._store = inner, store
        self._who = store.identity
        self._approved = {line.id: line for line in approved.renewable} if approved else {}

    def __getattr__(self, verb: str) -> Any:
        role = self._who.role
        if verb == "preview":  # a read: every role
            return self._inner.preview
        if role == "viewer" or (role == "renewer" and verb not in RENEWER_VERBS):
            needs = "a renewer or an approver" if verb in RENEWER_VERBS else "an approver"
            reads = "reads only; " if role == "viewer" else ""
            raise Refused(f"{self._who.operator} is a {role}: {reads}"
                          f"{verb.replace('_', ' ')} needs {needs}")
        return getattr(self._inner, verb)

    @property
    def _limited(self) -> bool:
        """Whether orders are capped: only a renewer's, only with a limit configured (else no
        preview or order is read for the check)."""
        return self._who.role == "renewer" and self._who.order_limit_cents is not None

    def _within_limit(self, total_cents: int, currency: str) -> None:
        limit = self._who.order_limit_cents
        if limit is not None and total_cents > limit:
            raise Refused(f"{self._who.operator} is a renewer: an order of "
                          f"{format_cents(total_cents, currency)} is above the renewer's limit "
                          f"of {format_cents(limit, currency)}; save it as a plan for an "
                          "approver to approve (renewals plan), or ask an approver to place it")

    def _preview_within_limit(self, ids: Sequence[str], length: Duration,
                              align: RenewalDay | None, seen: Preview | None) -> None:
        if not self._limited:
            return
        preview = seen or self._store.preview(ids, length, align)
        if not (self._approved and all(self._approved.get(line.id) == line
                                       for line in preview.renewable)):
            self._within_limit(preview.total_cents, preview.currency)

    def place_order(self, ids: Sequence[str], length: Duration, align: RenewalDay | None,
                    seen: Preview | None) -> Order:
        place = self.__getattr__("place_order")
        self._preview_within_limit(ids, length, align, seen)
        return place(ids, length, align, seen)

    def checkout(self, ids: Sequence[str], length: Duration, align: RenewalDay | None,
                 method: Method, key: str, card: str | None, coupons: Sequence[str],
                 seen: Preview | None) -> Payment:
        checkout = self.__getattr__("checkout")
        self._preview_within_limit(ids, length, align, seen)
        return checkout(ids, length, align, method, key, card, coupons, seen)

    def pay(self, order_id: str, method: Method, key: str, card: str | None,
            coupons: Sequence[str]) -> Payment:
        pay = self.__getattr__("pay")
        if self._limited and plan_rows.approved_plan_of(self._store.db(), order_id) is None:
            order = self._store.order(order_id)
            self._within_limit(order.total_cents, order.currency)
        return pay(order_id, method, key, card, coupons)


def gated(inner: Billing, store: Store, approved: Preview | None = None) -> Billing:
    if store.identity.role is None:
        return inner
    return RoleGate(inner, store, approved)  # type: ignore[return-value]
