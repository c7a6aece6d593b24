"""The audit trail: every write appends who did what, when, to which resources, for how much.

Who: the OS account of the process's uid (USER and LOGNAME are whatever the caller set), and the
SSH client address as the environment reports it. When: the wall-clock UTC time, and, when the
store runs on a simulated clock, that time too. A Store binds both to each of its connections
(`bind`), so `record` takes them from the connection it writes on and callers pass neither.
"""

from __future__ import annotations

import json
import os
import pwd
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import sqlite_utils

from store.clock import Clock

SSH_CLIENT_WIDTH = 64


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    os_user: str
    ssh_client: str | None
    action: str
    resource_ids: tuple[str, ...]
    amount_cents: int | None
    result: str
    detail: str
    simulated_at: str | None = None
    """The simulated clock's time of the write, when there was one (`at` is the wall clock)."""
    operator: str | None = None
    """The team operator the service account acted for (`--operator`, from an SSH key)."""
    key_fingerprint: str | None = None


@dataclass(frozen=True)
class Identity:
    """Who is writing, as the audit records it; in team mode also the operator the service
    account acts for, the fingerprint of their SSH key, and their role (store.team)."""

    os_user: str
    ssh_client: str | None = None
    operator: str | None = None
    key_fingerprint: str | None = None
    role: str | None = None
    order_limit_cents: int | None = None
    """A renewer's largest order (the config's `renewer_limit`); None: no limit."""

    @classmethod
    def of_this_process(cls) -> Identity:
        uid = os.getuid()
        try:
            user = pwd.getpwuid(uid).pw_name
        except KeyError:
            user = f"uid {uid}"
        return cls(user, reported_ssh_client())


def reported_ssh_client() -> str | None:
    """The client address SSH put in the environment (unverified: the environment says so)."""
    value = os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_CLIENT")
    return value.split()[0][:SSH_CLIENT_WIDTH] if value and value.split() else None


def bind(db: sqlite_utils.Database, clock: Clock, who: Identity) -> None:
    """Give this connection the time and identity `record` writes."""
    conn = db.conn
    conn.create_function("audit_wall_time", 0, clock.wall_stamp)
    conn.create_function("audit_simulated_time", 0,
                         lambda: clock.stamp() if clock.is_fixed else None)
    conn.create_function("audit_os_user", 0, lambda: who.os_user)
    conn.create_function("audit_ssh_client", 0, lambda: who.ssh_client)
    conn.create_function("audit_operator", 0, lambda: who.operator)
    conn.create_function("audit_key", 0, lambda: who.key_fingerprint)


STAMP = ("audit_wall_time(), audit_simulated_time(), audit_os_user(), audit_ssh_client(),"
         " audit_operator(), audit_key()")
INSERT_INTO = ("INSERT INTO audit (at, simulated_at, os_user, ssh_client, operator,"
               " key_fingerprint, action, resource_ids, amount_cents, result, detail) VALUES")
INSERT_ENTRY = f"{INSERT_INTO} ({STAMP}, ?, ?, ?, ?, ?)"


class Entry(NamedTuple):
    """One audit row to append: what `record` takes, for `record_many`."""

    action: str
    result: str = "ok"
    resource_ids: Sequence[str] = ()
    amount_cents: int | None = None
    detail: str = ""


def record(
    db: sqlite_utils.Database, action: str, result: str = "ok", *,
    resource_ids: Iterable[str] = (), amount_cents: int | None = None, detail: str = "",
) -> None:
    """Append one audit row; called inside the write it describes (or alone for a failure)."""
    db.execute(INSERT_ENTRY,
               (action, json.dumps(list(resource_ids)), amount_cents, result, detail))


def record_many(db: sqlite_utils.Database, rows: Iterable[Entry]) -> None:
    """Append audit rows in the order given, in one statement, all stamped with the one moment
    and identity of that statement; inside the write they describe."""
    stamped = [(e.action, json.dumps(list(e.resource_ids)), e.amount_cents, e.result, e.detail)
               for e in rows]
    if not stamped:
        return
    when = db.execute(f"SELECT {STAMP}").fetchone()
    db.conn.executemany(f"{INSERT_INTO} ({', '.join('?' * 11)})",
                        [(*when, *row) for row in stamped])


def entries(db: sqlite_utils.Database, since: str | None = None,
            limit: int = -1) -> list[AuditEntry]:
    """Audit rows, newest first; `since` is a UTC stamp (see Clock.stamp) of wall-clock time."""
    rows = db.execute(
        "SELECT id, at, simulated_at, os_user, ssh_client, action, resource_ids, amount_cents,"
        " result, detail, operator, key_fingerprint FROM audit WHERE at >= ?"
        " ORDER BY at DESC, id DESC LIMIT ?", (since or "", limit)).fetchall()
    return [AuditEntry(rid, at, user, ssh, action, tuple(json.loads(ids)), amount, result,
                       detail, simulated_at=simulated, operator=operator, key_fingerprint=key)
            for rid, at, simulated, user, ssh, action, ids, amount, result, detail, operator, key
            in rows]
