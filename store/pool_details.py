"""What the ModelArts pool API says of a dedicated pool beyond its billing: its type, the jobs
it takes, its availability zones, when it was made and how many of its nodes are available.

Only a cloud mirror knows these (a sync reads them with the pools); a local ledger has none,
and the console says so rather than make them up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlite_utils


@dataclass(frozen=True)
class PoolDetails:
    resource_id: str
    pool_type: str = ""
    """`Dedicate`, `Logical`, as the API says."""
    job_scope: str = ""
    """The job types it takes: `Train, Infer, Notebook`."""
    azs: str = ""
    created_at: str | None = None
    """A UTC stamp."""
    available_nodes: int | None = None
    total_nodes: int | None = None


COLUMNS = ("resource_id", "pool_type", "job_scope", "azs", "created_at", "available_nodes",
           "total_nodes")


def read(db: sqlite_utils.Database, resource_id: str) -> PoolDetails | None:
    row = db.execute(f"SELECT {', '.join(COLUMNS)} FROM pool_details WHERE resource_id = ?",
                     (resource_id,)).fetchone()
    return PoolDetails(*row) if row else None


def replace_all(db: sqlite_utils.Database, found: Iterable[PoolDetails]) -> None:
    """The pools as a sync found them, in place of the last sync's. Inside a write."""
    db.execute("DELETE FROM pool_details")
    db.conn.executemany(
        f"INSERT OR REPLACE INTO pool_details ({', '.join(COLUMNS)}) VALUES "
        f"({', '.join('?' * len(COLUMNS))})",
        [(d.resource_id, d.pool_type, d.job_scope, d.azs, d.created_at, d.available_nodes,
          d.total_nodes) for d in found])
