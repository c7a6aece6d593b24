"""Several processes on one database file, as ops staff on a shared jump host are."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from builders import TODAY, insert, resource

from store.clock import Clock
from store.models import Duration, Method
from store.service import Store

ROOT = Path(__file__).resolve().parents[2]

PAYER = textwrap.dedent("""
    import json, sys, time
    from store.clock import Clock
    from store.errors import StoreError
    from store.models import Method
    from store.service import Store

    path, start_at, *order_ids = sys.argv[1:]
    store = Store(path, Clock.from_text("{today}"))
    store.db()
    while time.time() < float(start_at):
        pass
    results = []
    for order_id in order_ids:
        print("paying", order_id, flush=True)
        try:
            store.pay(order_id, Method.BALANCE)
            results.append("paid")
        except StoreError as exc:
            results.append("refused: " + str(exc))
    print(json.dumps(results), flush=True)
""").format(today=TODAY)


def start_payer(tmp_path: Path, db: Path, start_at: float, order_ids: list[str]):
    script = tmp_path / "payer.py"
    script.write_text(PAYER)
    return subprocess.Popen(
        [sys.executable, str(script), str(db), str(start_at), *order_ids],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def results_of(process) -> list[str]:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def start_time() -> float:
    return time.time() + 1.0   # both processes are up and connected by then


def test_two_processes_paying_the_same_orders_charge_once(store, tmp_path):
    insert(store, *[resource(f"r{i}", "2026-12-10") for i in range(20)], balance_cents=10**9)
    order_ids = [store.place_order([f"r{i}"], Duration(1)).id for i in range(20)]
    at = start_time()
    first, second = (start_payer(tmp_path, store.path, at, order_ids) for _ in range(2))
    outcomes = list(zip(results_of(first), results_of(second), strict=True))
    assert all(sorted(pair)[0] == "paid" and pair.count("paid") == 1 for pair in outcomes)
    assert store.account().balance_cents == 10**9 - 20 * 10_000
    assert store.db().execute("SELECT COUNT(*) FROM payments").fetchone()[0] == 20


def test_writers_in_parallel_never_see_a_locked_database(store, tmp_path):
    insert(store, *[resource(f"r{i}", "2026-12-10") for i in range(90)], balance_cents=10**9)
    order_ids = [store.place_order([f"r{i}"], Duration(1)).id for i in range(90)]
    at = start_time()
    payers = [start_payer(tmp_path, store.path, at, order_ids[i::3]) for i in range(3)]
    outcomes = [outcome for payer in payers for outcome in results_of(payer)]
    assert outcomes == ["paid"] * 90
    assert store.account().balance_cents == 10**9 - 90 * 10_000


def assert_all_or_nothing(db_path: Path, initial_balance: int) -> int:
    """Each order is paid with every expiry moved, or pending with none moved."""
    store = Store(db_path, Clock.from_text(TODAY))
    paid = 0
    for order in store.orders():
        expiries = dict(store.db().execute(
            "SELECT r.id, r.expiry FROM resources r JOIN order_lines l ON l.resource_id = r.id"
            " WHERE l.order_id = ?", (order.id,)).fetchall())
        wanted = "new_expiry" if order.status.value == "paid" else "old_expiry"
        assert {ln.resource_id: getattr(ln, wanted).isoformat() for ln in order.lines} == expiries
        paid += order.status.value == "paid"
    charged = store.db().execute("SELECT COALESCE(SUM(charged_cents), 0) FROM payments")
    assert store.account().balance_cents == initial_balance - charged.fetchone()[0]
    store.close()
    return paid


def test_a_payer_killed_mid_payment_leaves_whole_payments_or_none(store, tmp_path):
    lines, orders = 2_000, 6
    insert(store, *[resource(f"r{i}", "2026-12-10", 1) for i in range(lines * orders)],
           balance_cents=10**9)
    ids = [store.place_order([f"r{i}" for i in range(n * lines, (n + 1) * lines)],
                             Duration(1)).id for n in range(orders)]
    store.close()
    payer = start_payer(tmp_path, store.path, 0, ids)
    assert payer.stdout.readline().startswith("paying")
    payer.stdout.readline()    # the second payment has begun: the first may have landed
    time.sleep(random.Random(7).uniform(0, 0.05))   # land the kill somewhere in a payment
    payer.send_signal(signal.SIGKILL)
    payer.wait(timeout=30)
    paid = assert_all_or_nothing(store.path, 10**9)
    assert 1 <= paid <= orders
    again = Store(store.path, Clock.from_text(TODAY))
    pending = [o.id for o in again.orders() if o.status.value == "pending_payment"]
    for order_id in pending:
        again.pay(order_id, Method.BALANCE)
    assert assert_all_or_nothing(store.path, 10**9) == orders


def test_a_database_error_beside_closes_that_connection_for_the_next_read(store):
    """What a read beside runs as, on whichever thread: an error closes that thread's
    connection, and the error reaches the caller."""
    import sqlite3

    connections = store._connections
    before = connections.get()
    with pytest.raises(sqlite3.OperationalError, match="no_such_table"):
        connections._read_beside(lambda db: db.execute("SELECT * FROM no_such_table"))
    after = connections.get()
    assert after is not before and after.execute("SELECT 1").fetchone() == (1,)
    assert connections.beside(lambda db: db.execute("SELECT 2").fetchone()).result() == (2,)
