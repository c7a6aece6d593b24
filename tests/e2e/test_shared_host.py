"""Two real OS users on one database, as on a shared jump host (root only: it adds users).

The users are made here with useradd and removed afterwards. Each command runs as one of them:
the interpreter starts as root (its files may sit under root's private home), imports the
command line, then drops to that user's uid and groups before doing anything.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="adds OS users: needs root")

AS_USER = """
import contextlib, io, os, pwd, sys, tempfile
import tui.cli
# Run the commands once as root, so every module they load lazily is loaded while root may
# still read the interpreter's files.
with tempfile.TemporaryDirectory() as warm, contextlib.redirect_stderr(io.StringIO()), \\
        contextlib.redirect_stdout(io.StringIO()):
    for args in (["demo", "--resources", "1"], ["list"], ["account", "--top-up", "1"],
                 ["audit", "--json"]):
        tui.cli.main(["--db", warm + "/warm.db", *args], standalone_mode=False)
user = pwd.getpwnam(sys.argv[1])
os.setgroups(os.getgrouplist(user.pw_name, user.pw_gid))
os.setgid(user.pw_gid)
os.setuid(user.pw_uid)
if sys.argv[2] == "--hold-open":  # a reader that dies with its connection open
    from store.service import Store
    store = Store(sys.argv[3])
    store.count()
    print("open", flush=True)
    sys.stdin.readline()
else:
    sys.argv = ["renewals", *sys.argv[2:]]
    tui.cli.main()
"""


def run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True, text=True)


@pytest.fixture
def team() -> Iterator[dict[str, str]]:
    """A group with two members, one outsider, and a setgid folder of the group's."""
    tag = uuid.uuid4().hex[:6]
    names = {"group": f"rnw-team-{tag}", "alice": f"rnw-alice-{tag}", "bob": f"rnw-bob-{tag}",
             "carol": f"rnw-carol-{tag}"}
    run("groupadd", names["group"])
    for who in ("alice", "bob"):
        run("useradd", "-M", "-N", "-g", names["group"], "-s", "/bin/sh", names[who])
    run("useradd", "-M", "-U", "-s", "/bin/sh", names["carol"])
    folder = Path(tempfile.mkdtemp(prefix="renewals-team-", dir="/tmp"))
    os.chown(folder, 0, int(subprocess.check_output(["getent", "group", names["group"]],
                                                     text=True).split(":")[2]))
    folder.chmod(0o2770)
    names["folder"] = str(folder)
    try:
        yield names
    finally:
        for who in ("alice", "bob", "carol"):
            subprocess.run(["userdel", names[who]], capture_output=True)
        subprocess.run(["groupdel", names["group"]], capture_output=True)
        subprocess.run(["rm", "-rf", str(folder)], check=False)


def as_user(user: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {"PATH": os.environ["PATH"], "HOME": "/tmp", "LANG": "C.UTF-8", **env}
    return subprocess.run([sys.executable, "-c", AS_USER, user, *args], capture_output=True,
                          text=True, timeout=120, env=environment,
                          cwd=Path(__file__).resolve().parents[2])


def test_a_team_shares_one_database_and_the_audit_names_each_real_user(team):
    db = Path(team["folder"]) / "pools.db"
    made = as_user(team["alice"], "--db", str(db), "--shared", "demo", "--resources", "30")
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE(db.stat().st_mode) == 0o660
    assert db.stat().st_gid == Path(team["folder"]).stat().st_gid

    # a reader of alice's dies with the file open: its -wal and -shm stay behind
    reader = subprocess.Popen(
        [sys.executable, "-c", AS_USER, team["alice"], "--hold-open", str(db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        cwd=Path(__file__).resolve().parents[2], env={"PATH": os.environ["PATH"],
                                                      "HOME": "/tmp"})
    assert reader.stdout is not None and reader.stdout.readline().strip() == "open"
    reader.send_signal(signal.SIGKILL)
    reader.wait(timeout=10)
    left = sorted(path.name for path in db.parent.iterdir())
    assert "pools.db-shm" in left and "pools.db-wal" in left

    # ... and bob, in the group, still writes; claiming to be root changes nothing
    topped = as_user(team["bob"], "--db", str(db), "account", "--top-up", "10", LOGNAME="root",
                     USER="root")
    assert topped.returncode == 0, topped.stderr
    audit = as_user(team["bob"], "--db", str(db), "audit", "--json")
    assert audit.returncode == 0, audit.stderr
    who = {entry["action"]: entry["os_user"] for entry in json.loads(audit.stdout)}
    assert who["account.top-up"] == team["bob"] and who["demo.seed"] == team["alice"]

    # someone outside the group can neither read nor write
    outsider = as_user(team["carol"], "--db", str(db), "list")
    assert outsider.returncode == 1 and "cannot open" in outsider.stderr


def test_a_database_made_without_shared_is_its_owner_s_alone(team):
    db = Path(team["folder"]) / "mine.db"
    assert as_user(team["alice"], "--db", str(db), "demo", "--resources", "5").returncode == 0
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    other = as_user(team["bob"], "--db", str(db), "list")
    assert other.returncode == 1 and "cannot open" in other.stderr and "Traceback" not in \
        other.stderr
