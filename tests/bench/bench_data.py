"""`list --json`, `export` and `import` at 1,000 and at 100,000 resources, as processes, each
against plain Python + sqlite3 doing the same work in the same run (a script: it prints).

    .venv/bin/python tests/bench/bench_data.py [--large 100000] [--repeat 3]

For each command: the median wall time and peak memory (max RSS) of the renewals process at
the large size, the same for the plain-Python baseline, their ratio, and the command's peak
memory at the large size against the small one (streaming keeps it flat).
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from figures import Figure, table

from store import records
from store.clock import Clock
from store.io import EXPORT_FIELDS
from store.models import Filters

RENEWALS = [sys.executable, "-m", "tui"]
NOW = "2026-11-26"
FIELDS = ("id, name, kind, region, enterprise_project, flavor, node_count, status, billing,"
          " expiry, monthly_price_cents, yearly_price_cents, currency, tab,"
          " auto_period_months, auto_times")
# The baselines: what the command does, with nothing but the standard library.
RAW_LIST = f"""
import json, sqlite3, sys
keys = [k.strip() for k in "{FIELDS}".split(",")]
out, first = sys.stdout, True
out.write("[\\n")
for row in sqlite3.connect(sys.argv[1]).execute(
        "SELECT {FIELDS} FROM resources ORDER BY expiry, name, id"):
    out.write(("" if first else ",\\n") + json.dumps(dict(zip(keys, row)), ensure_ascii=False))
    first = False
out.write("\\n]\\n")
"""
# The export's own statement (argv[2], its parameters argv[3], its header argv[4]: the 22
# columns, with the derived status, phase, days left and pending order) written by csv.writer
# with no cell checked: the same file, as `same_output` makes sure.
RAW_CSV = """
import csv, json, sqlite3, sys
writer = csv.writer(sys.stdout, lineterminator="\\n")
writer.writerow(json.loads(sys.argv[4]))
writer.writerows(sqlite3.connect(sys.argv[1]).execute(sys.argv[2], json.loads(sys.argv[3])))
"""
# The same rows into the same (empty) table as `renewals import`, read with csv and nothing
# checked: a copy of an empty renewals database (argv[2]) made afresh (argv[3]).
RAW_IMPORT = """
import csv, shutil, sqlite3, sys
columns = ("id name kind region enterprise_project flavor node_count status billing expiry"
           " monthly_price_cents yearly_price_cents currency tab auto_period_months auto_times"
           " service_type").split()
numbers = {"node_count", "monthly_price_cents", "yearly_price_cents", "auto_period_months",
           "auto_times"}
sql = (f"INSERT INTO resources ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
       " ON CONFLICT(id) DO UPDATE SET "
       + ", ".join(f"{c} = excluded.{c}" for c in columns[1:]))
def value(column, text):
    if column in numbers:
        return int(text) if text else None
    return (text or None) if column == "tab" else text
shutil.copyfile(sys.argv[2], sys.argv[3])
conn = sqlite3.connect(sys.argv[3], isolation_level=None)
with open(sys.argv[1], newline="", encoding="utf-8") as stream:
    reader = csv.reader(stream)
    header = next(reader)
    at = [(header.index(c), c) for c in columns]
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(sql, (tuple(value(c, row[i]) for i, c in at) for row in reader))
conn.execute("COMMIT")
"""


def raw_export(db: Path) -> list[str]:
    clock = Clock.from_text(NOW)
    sql, params = records.values_query(Filters(), clock.today(), clock.stamp())
    return [sys.executable, "-c", RAW_CSV, str(db), sql, json.dumps(params),
            json.dumps(EXPORT_FIELDS)]


def same_output(folder: Path, ours: list[str], raw: list[str]) -> None:
    """The baseline writes exactly what the command writes, or its figure would mislead.
    (Into files: held here, the output would count in the children's peak memory, which
    starts from this process's size when they are forked.)"""
    written = []
    for name, command in (("ours", ours), ("raw", raw)):
        with (folder / f"{name}.out").open("wb") as out:
            subprocess.run(command, stdout=out, check=True)
        written.append(folder / f"{name}.out")
    if not filecmp.cmp(*written, shallow=False):
        raise SystemExit(f"the baseline writes other bytes than {' '.join(ours)}")
    for path in written:
        path.unlink()


def measured(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak memory (MiB) of one process, output discarded."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}")
    return seconds, usage.ru_maxrss / 1024


def median_of(repeat: int, command: Callable[[], list[str]]) -> tuple[float, float]:
    """Each run's command made afresh: an import goes into a new database every time."""
    runs = [measured(command()) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


def make_database(folder: Path, count: int) -> Path:
    path = folder / f"data-{count}.db"
    subprocess.run([*RENEWALS, "--db", str(path), "--now", NOW, "demo", "--resources",
                    str(count)], check=True, capture_output=True)
    subprocess.run([*RENEWALS, "--db", str(path), "--now", NOW, "export", "--format", "csv",
                    "--output", str(folder / f"data-{count}.csv")], check=True,
                   capture_output=True)
    return path


def figures(large: int, repeat: int) -> list[Figure]:
    found = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        small_db, large_db = make_database(folder, 1_000), make_database(folder, large)
        empty_db = folder / "empty.db"
        subprocess.run([*RENEWALS, "--db", str(empty_db), "account"], check=True,
                       capture_output=True)

        def renewals(db: Path, *args: str) -> list[str]:
            return [*RENEWALS, "--db", str(db), "--now", NOW, *args]

        def importing(count: int, into: str) -> list[str]:
            fresh = folder / f"{into}-{time.perf_counter_ns()}.db"
            return renewals(fresh, "import", str(folder / f"data-{count}.csv"))

        cases = [
            ("list --json", lambda db, _n: renewals(db, "list", "--json"),
             lambda db, _n: [sys.executable, "-c", RAW_LIST, str(db)]),
            ("export --format csv", lambda db, _n: renewals(db, "export", "--format", "csv"),
             lambda db, _n: raw_export(db)),
            ("import (csv)", lambda _db, n: importing(n, "import"),
             lambda _db, n: [sys.executable, "-c", RAW_IMPORT,
                             str(folder / f"data-{n}.csv"), str(empty_db),
                             str(folder / f"raw-{time.perf_counter_ns()}.db")]),
        ]
        same_output(folder, cases[1][1](large_db, large), cases[1][2](large_db, large))
        for name, ours, raw in cases:
            seconds, mib = median_of(repeat, partial(ours, large_db, large))
            raw_seconds, raw_mib = median_of(repeat, partial(raw, large_db, large))
            _small_seconds, small_mib = median_of(repeat, partial(ours, small_db, 1_000))
            found += [
                Figure(f"`{name}` at {large:,}", seconds, raw_seconds,
                       "plain Python + sqlite3", 1.3),
                Figure(f"peak memory of `{name}` at {large:,}", mib, small_mib, "at 1,000",
                       1.2, unit="MiB"),
            ]
    return found


def main(large: int, repeat: int) -> None:
    print(table(figures(large, repeat)))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    main(arguments.large, arguments.repeat)
