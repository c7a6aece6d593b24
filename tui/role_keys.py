"""Team mode in the console: the keys an operator's role cannot use are greyed in the footer
and, pressed, say why instead of doing nothing. The billing gate refuses the same changes
(store.team.gate); this only says so at the key."""

from __future__ import annotations

from typing import cast

from textual import events
from textual.screen import Screen

from store.audit import Identity

RENEWING = ("renewer", "approver")
APPROVING = ("approver",)
ACTION_NEEDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "renew": ("renew", RENEWING),
    "renew_to_date": ("renew", RENEWING),
    "policy": ("change a renewal policy", RENEWING),
    "pay": ("pay an order", RENEWING),
    "cancel_order": ("cancel an order", RENEWING),
    "save": ("change the settings", APPROVING),
    "save_plan": ("save a plan", RENEWING),
    "apply_plan": ("apply a plan", RENEWING),
    "approve_plan": ("approve a plan", APPROVING),
}
"""Action name -> (what it does, in words; the roles that may)."""


def role_refusal(who: Identity | None, verb: str,
                 may: tuple[str, ...] = RENEWING) -> str | None:
    """Why `who` may not `verb`, in one line; None outside team mode or when their role may."""
    if who is None or who.role is None or who.role in may:
        return None
    needs = "a renewer or an approver" if may == RENEWING else "an approver"
    reads = "reads only; " if who.role == "viewer" else ""
    return f"{who.operator} is a {who.role}: {reads}to {verb}, ask {needs}"


def action_refusal(who: Identity | None, action: str) -> str | None:
    needs = ACTION_NEEDS.get(action.split("(", 1)[0].rsplit(".", 1)[-1])
    return role_refusal(who, *needs) if needs else None


class RoleKeys(Screen[None]):
    """A screen whose role-bound keys are greyed for a role that cannot use them."""

    @property
    def _identity(self) -> Identity | None:
        return cast(Identity | None, getattr(self.app, "identity", None))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action_refusal(self._identity, action) is not None:
            return None  # shown greyed, not run
        return super().check_action(action, parameters)

    def on_key(self, event: events.Key) -> None:
        active = self.active_bindings.get(event.key)
        if active is None or active.enabled:
            return
        refusal = action_refusal(self._identity, active.binding.action)
        if refusal is not None:
            self.notify(refusal, severity="warning")
            event.stop()
