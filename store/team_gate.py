"""In team mode, what an operator's role lets through to the billing backend (store.team):
a viewer changes nothing, a renewer renews, pays, moves policies and runs due events, each
order up to the config's `renewer_limit`; an approver may also top up and change the
settings. Outside team mode (no role) everything passes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from store.errors import Refused
from store.models import Duration, Preview, RenewalDay
from store.money import format_cents

if TYPE_CHECKING:
    from store.billing import Billing
    from store.service import Store

RENEWER_VERBS = frozenset({"preview", "place_order", "pay", "checkout", "cancel_order",
                           "unrenew", "set_policy", "tick"})


class RoleGate:
    """A Billing that refuses, whole and before anything is written, what the role may not."""

    def __init__(self, inner: Billing, store: Store) -> None:
        self._inner, self._store = inner, store
        self._who = store.identity

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

    def _within_limit(self, total_cents: int, currency: str) -> None:
        limit = self._who.order_limit_cents
        if self._who.role == "renewer" and limit is not None and total_cents > limit:
            raise Refused(f"{self._who.operator} is a renewer: an order of "
                          f"{format_cents(total_cents, currency)} is above the renewer's limit "
                          f"of {format_cents(limit, currency)}; an approver can place it")

    def place_order(self, ids: Sequence[str], length: Duration, align: RenewalDay | None,
                    seen: Preview | None = None) -> Any:
        place = self.__getattr__("place_order")
        self._check_preview(seen or self._store.preview(ids, length, align))
        return place(ids, length, align, seen)

    def checkout(self, ids: Sequence[str], length: Duration, align: RenewalDay | None,
                 *args: Any) -> Any:
        checkout = self.__getattr__("checkout")
        seen = args[-1] if args and isinstance(args[-1], Preview) else None
        self._check_preview(seen or self._store.preview(ids, length, align))
        return checkout(ids, length, align, *args)

    def pay(self, order_id: str, *args: Any) -> Any:
        pay = self.__getattr__("pay")
        order = self._store.order(order_id)
        self._within_limit(order.total_cents, order.currency)
        return pay(order_id, *args)

    def _check_preview(self, preview: Preview) -> None:
        self._within_limit(preview.total_cents, preview.currency)


def gated(inner: Billing, store: Store) -> Billing:
    return inner if store.identity.role is None else RoleGate(inner, store)  # type: ignore[return-value]
