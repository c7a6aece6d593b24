"""The audit trail: every write appends who did what, when, to which resources, for how much."""

from __future__ import annotations

import getpass
import json
import os
from collections.abc import Iterable

import sqlite_utils

from store.models import AuditEntry


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def ssh_client() -> str | None:
    """The SSH client's address, when the user came in over SSH."""
    value = os.environ.get("SSH_CLIENT") or os.environ.get("SSH_CONNECTION")
    return value.split()[0] if value else None


def record(
    db: sqlite_utils.Database, at: str, action: str, result: str = "ok", *,
    resource_ids: Iterable[str] = (), amount_cents: int | None = None, detail: str = "",
) -> None:
    """Append one audit row; called inside the write it describes (or alone for a failure)."""
    db.execute(
        "INSERT INTO audit (at, os_user, ssh_client, action, resource_ids, amount_cents,"
        " result, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (at, os_user(), ssh_client(), action, json.dumps(list(resource_ids)), amount_cents,
         result, detail),
    )


def entries(db: sqlite_utils.Database, since: str | None = None,
            limit: int = -1) -> list[AuditEntry]:
    """Audit rows, newest first; `since` is a UTC stamp (see Clock.stamp)."""
    rows = db.execute(
        "SELECT id, at, os_user, ssh_client, action, resource_ids, amount_cents, result, detail"
        " FROM audit WHERE at >= ? ORDER BY at DESC, id DESC LIMIT ?",
        (since or "", limit)).fetchall()
    return [AuditEntry(rid, at, user, ssh, action, tuple(json.loads(ids)), amount, result,
                       detail) for rid, at, user, ssh, action, ids, amount, result, detail in rows]
