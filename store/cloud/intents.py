"""Intents: every call that changes the cloud account is written down before it is made.

`attempt` records the intent (committed, so it survives a crash), makes the call, then records
what came of it, with an audit row, in one more transaction:

- done: the system answered; the answer and its request id are kept;
- refused: it answered with an error (HTTP 4xx: it did not act);
- in doubt: no readable answer (a timeout, a dropped connection, a 5xx, a body the SDK could not
  read): it may have acted. Nothing more is sent for those resources until `store.cloud.reconcile`
  has found out what happened.

While a call is in flight its intent is leased to the process making it. Another process
reconciles it only once that process is gone (same host) or the lease has run out, and refuses
meanwhile to act on the same resources or order.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlite_utils

from store import audit
from store.clock import Clock, utc_stamp
from store.cloud.throttle import RETRIES_WHEN_THROTTLED, CloudError
from store.cloud.writes import Answer
from store.errors import Refused, StoreError

if TYPE_CHECKING:
    from store.service import Store

LEASE_MARGIN_S = 60.0
THROTTLE_PAUSES_S = 30.0  # the longest the Throttle sleeps between 429 retries, all together
OPEN = ("in_flight", "in_doubt")


class InDoubt(StoreError):
    """A write call ended without an answer the console could read: it may have acted."""


class InFlight(Refused):
    """Another process's call on the same resources or order has not ended yet."""


@dataclass(frozen=True)
class Intent:
    id: int
    operation: str
    resource_ids: tuple[str, ...]
    cloud_order_id: str | None
    local_order_id: str | None
    request: dict[str, Any]
    amount_cents: int | None
    state: str
    owner: str
    created_at: str
    lease_until: str


@dataclass(frozen=True)
class Plan:
    """What is about to be sent: the operation and what it touches."""

    operation: str
    resource_ids: Sequence[str] = ()
    cloud_order_id: str | None = None
    local_order_id: str | None = None
    request: dict[str, Any] = field(default_factory=dict)
    amount_cents: int | None = None


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


OWNER = this_process()


def owner_is_gone(owner: str) -> bool:
    """True when the process that owned an intent has ended (known only on this host)."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # another user's process: alive
        return False
    return False


def settled_by_nobody(intent: Intent, now: dt.datetime) -> bool:
    """An open intent no live process will finish: it is for reconciling."""
    if intent.state == "in_doubt":
        return True
    expired = dt.datetime.fromisoformat(intent.lease_until) <= now
    return expired or (intent.owner != OWNER and owner_is_gone(intent.owner))


COLUMNS = ("id, operation, resource_ids, cloud_order_id, local_order_id, request, amount_cents,"
           " state, owner, created_at, lease_until")


def _intent(row: tuple) -> Intent:
    iid, operation, ids, order, local, request, amount, state, owner, created, lease = row
    return Intent(iid, operation, tuple(json.loads(ids)), order, local, json.loads(request),
                  amount, state, owner, created, lease)


def open_intents(db: sqlite_utils.Database) -> list[Intent]:
    return [_intent(row) for row in db.execute(
        f"SELECT {COLUMNS} FROM cloud_intents WHERE state IN ('in_flight', 'in_doubt')"
        " ORDER BY id").fetchall()]


def _conflict(db: sqlite_utils.Database, plan: Plan) -> Intent | None:
    """An open intent on the same resources: in flight in a live process, or left in doubt
    since this process reconciled (a write verb reconciles before it begins)."""
    return next((intent for intent in open_intents(db) if touches(plan, intent)), None)


def touches(plan: Plan, intent: Intent) -> bool:
    """The same resources, the same order, or (for account settings) the same operation."""
    if set(plan.resource_ids) & set(intent.resource_ids):
        return True
    if plan.cloud_order_id and plan.cloud_order_id == intent.cloud_order_id:
        return True
    return not plan.resource_ids and not plan.cloud_order_id and plan.operation == \
        intent.operation


def wall_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def lease_seconds(timeout_s: float) -> float:
    """How long a call can last at most: every 429 retry, each a full timeout, and the pauses."""
    return (RETRIES_WHEN_THROTTLED + 1) * timeout_s + THROTTLE_PAUSES_S + LEASE_MARGIN_S


def begin(store: Store, plan: Plan, timeout_s: float) -> int:
    """Write the intent down (its own transaction) before the call is made."""
    with store.writing() as db:
        busy = _conflict(db, plan)
        if busy is not None and not settled_by_nobody(busy, wall_now()):
            raise InFlight(f"another renewals process ({busy.owner.rsplit(':', 1)[0]}) is "
                           f"still waiting for the billing system on {busy.operation} of "
                           "the same resources: nothing was sent; try again in a minute")
        if busy is not None:
            raise InFlight(f"an earlier {busy.operation} of the same resources ended without "
                           "an answer: nothing was sent; run the command again (or renewals "
                           "cloud sync) to find out what it did first")
        now = wall_now()
        lease = now + dt.timedelta(seconds=lease_seconds(timeout_s))
        cursor = db.execute(
            "INSERT INTO cloud_intents (operation, resource_ids, cloud_order_id, local_order_id,"
            " request, amount_cents, state, owner, created_at, lease_until)"
            " VALUES (?, ?, ?, ?, ?, ?, 'in_flight', ?, ?, ?)",
            (plan.operation, json.dumps(list(plan.resource_ids)), plan.cloud_order_id,
             plan.local_order_id, json.dumps(plan.request), plan.amount_cents, OWNER,
             utc_stamp(now), utc_stamp(lease)))
        return int(cursor.lastrowid or 0)


def close(db: sqlite_utils.Database, intent_id: int, state: str, answer: dict[str, Any],
          request_id: str | None, result: str) -> None:
    """Record how an intent ended, with its audit row. Call inside a write."""
    db.execute("UPDATE cloud_intents SET state = ?, answer = ?, request_id = ?, closed_at = ?"
               " WHERE id = ?", (state, json.dumps(answer), request_id, Clock.wall_stamp(),
                                 intent_id))
    intent = _intent(db.execute(f"SELECT {COLUMNS} FROM cloud_intents WHERE id = ?",
                                (intent_id,)).fetchone())
    detail = "; ".join(filter(None, (
        intent.cloud_order_id and f"order {intent.cloud_order_id}",
        answer.get("order_ids") and f"orders {', '.join(answer['order_ids'])}",
        answer.get("why"), request_id and f"request {request_id}")))
    audit.record(db, f"cloud.{intent.operation}", result, resource_ids=intent.resource_ids,
                 amount_cents=intent.amount_cents, detail=detail)


def definitive(error: CloudError) -> bool:
    """The system answered with a refusal: it did not act (HTTP 4xx, 429 included)."""
    return error.status is not None and 400 <= error.status < 500


def attempt(store: Store, plan: Plan, timeout_s: float, call: Callable[[], Answer],
            describe: Callable[[Any], dict[str, Any]] = lambda _value: {},
            on_done: Callable[[sqlite_utils.Database, Any], None] = lambda _db, _value: None,
            ) -> Answer:
    """Record, call, record: see the module. InDoubt when the outcome cannot be known.
    `on_done(db, value)` records what the answer made (its orders, say) in the transaction
    that closes the intent, so a crash cannot leave a done call whose result is unknown."""
    intent_id = begin(store, plan, timeout_s)
    try:
        answer = call()
    except BaseException as error:
        if not isinstance(error, CloudError):  # a bug, or an interrupt: the call may have gone
            with store.writing() as db:
                close(db, intent_id, "in_doubt", {"why": repr(error)}, None, "unknown: stopped")
            raise
        refused = definitive(error)
        with store.writing() as db:
            close(db, intent_id, "refused" if refused else "in_doubt",
                  {"code": error.code, "why": str(error)}, error.request_id,
                  f"refused {error.code}" if refused else "unknown: no answer")
        if refused:
            raise
        raise InDoubt(f"{error}. The billing system may have acted: nothing more was sent. "
                      "Run the same command again (or renewals cloud sync) to find out what "
                      "happened and carry on from there") from None
    with store.writing() as db:
        close(db, intent_id, "done", describe(answer.value), answer.request_id, "done")
        on_done(db, answer.value)
    return answer
