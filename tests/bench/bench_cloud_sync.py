"""`renewals cloud sync` of 2,500 resources against the fake billing system, as a user runs it.

    .venv/bin/python tests/bench/bench_cloud_sync.py [--resources N]

Prints the wall time of the sync process, the requests it made per operation, and whether
`renewals list --json` afterwards matches the fake account field by field.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cloud.fake_cloud import FakeCloud  # noqa: E402

TODAY = dt.date(2026, 11, 26)


def fill(fake: FakeCloud, count: int) -> None:
    for number in range(count):
        region = ("cn-north-4", "ap-southeast-1")[number % 2]
        fake.add_resource(f"res-{number:05d}", f"pool-{number:05d}",
                          TODAY + dt.timedelta(days=number % 400), 10_000 + number, 100_000,
                          region=region, project_id=f"proj-{region}",
                          expire_policy=(0, 1, 2, 3, 4, 5)[number % 6])
        if number % 10 == 0:
            fake.add_pool(f"proj-{region}", f"pool-{number:05d}", f"res-{number:05d}",
                          nodes=1 + number % 8, region=region)
    fake.set_balance(1_000_000_00)


def renewals(db: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui", "--db", str(db), *args], env=env,
                          capture_output=True, text=True, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=2_500)
    count = parser.parse_args().resources
    with FakeCloud() as fake, tempfile.TemporaryDirectory() as folder:
        fill(fake, count)
        env = {**os.environ, "HUAWEICLOUD_SDK_AK": "AK-TEST", "HUAWEICLOUD_SDK_SK": "SK-TEST",
               "RENEWALS_BSS_ENDPOINT": fake.url, "RENEWALS_MODELARTS_ENDPOINT": fake.url,
               "NO_PROXY": "127.0.0.1,localhost", "HUAWEICLOUD_SDK_CREDENTIALS_FILE":
               str(Path(folder) / "none")}
        db = Path(folder) / "cloud.db"
        started = time.perf_counter()
        report = json.loads(renewals(db, env, "cloud", "sync", "--json").stdout)
        seconds = time.perf_counter() - started
        per_operation = Counter(request.operation for request in fake.requests)
        print(f"cloud sync of {count:,} resources: {seconds:.2f} s (whole process), "
              f"{sum(per_operation.values())} requests")
        for operation, calls in sorted(per_operation.items()):
            print(f"  {operation}: {calls}")
        print(f"  report: {report}")
        listed = {r["id"]: r for r in json.loads(renewals(db, env, "list", "--json").stdout)}
        pooled = {pool.resource_id for pool in fake.state.pools}
        mismatches = [rid for rid, record in fake.resources.items()
                      if mirrored(listed[rid]) != expected(fake, record, rid in pooled)]
        print(f"list --json: {len(listed):,} resources; {len(mismatches)} differ from the fake "
              "in id, name, region, project, expiry, tab, kind or service type")


TABS = {0: "manual", 1: "ppu", 2: "canceled", 3: "auto", 4: "manual", 5: "canceled"}


def mirrored(listed: dict) -> tuple:
    return (listed["id"], listed["name"], listed["region"], listed["enterprise_project"],
            listed["expiry"], listed["tab"], listed["kind"], listed["service_type"])


def expected(fake: FakeCloud, record, pooled: bool) -> tuple:
    expiry = (record.expire_time.astimezone(dt.timezone(dt.timedelta(hours=8)))).date()
    return (record.resource_id, record.name, record.region, record.enterprise_project[1],
            expiry.isoformat(), TABS[record.expire_policy], "standard" if pooled else "other",
            record.service_type_code)


if __name__ == "__main__":
    main()
