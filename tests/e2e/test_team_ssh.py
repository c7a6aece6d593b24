"""Team mode through real OpenSSH: a service account owns the database; operators come in with
their own keys, which `renewals team add-key` forces to run `renewals --operator NAME`.

Root only (it adds OS users). A private sshd runs on 127.0.0.1 at a free port with its own host
key and config: no system sshd is touched. It runs as root, as OpenSSH needs to give a session
its terminal (an unprivileged sshd cannot hand the pty to the account), and makes its empty
privilege-separation folder /run/sshd when it is missing, removing it afterwards. The service
account runs the installed code through the system Python (3.11, as the project's venv): the
venv's own interpreter may sit under root's private home, out of another account's reach.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SYSTEM_PYTHON = Path("/usr/bin/python3")
ROOT = Path(__file__).resolve().parents[2]
TOOLS = ("sshd", "ssh", "ssh-keygen", "useradd", "runuser")


def system_python_matches() -> bool:
    if not SYSTEM_PYTHON.exists():
        return False
    version = subprocess.run([str(SYSTEM_PYTHON), "-c", "import sys; print(sys.version_info[:2])"],
                             capture_output=True, text=True, check=False).stdout.strip()
    return version == str(sys.version_info[:2])


pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="adds OS users: needs root"),
    pytest.mark.skipif(any(shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists()
                           for tool in TOOLS), reason="needs OpenSSH (CI installs it)"),
    pytest.mark.skipif(not system_python_matches(), reason="needs a system Python like the venv's"),
]


def run(*command: str, **options) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=120, **options)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Site:
    account: str
    home: Path
    program: Path
    port: int
    keys: dict[str, Path]
    folder: Path

    def as_account(self, *args: str) -> subprocess.CompletedProcess:
        """`renewals ARGS` run by the service account in its own shell."""
        return run("runuser", "-u", self.account, "--", "env", f"HOME={self.home}",
                   "PATH=/usr/bin:/bin", str(self.program), *args)

    def ssh(self, operator: str, *command: str, tty: bool = False) -> subprocess.CompletedProcess:
        return run(*self.ssh_command(operator, tty), *command)

    def ssh_command(self, operator: str, tty: bool = False) -> list[str]:
        return ["ssh", "-i", str(self.keys[operator]), "-p", str(self.port), "-F", "/dev/null",
                "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
                "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                *(["-tt"] if tty else ["-T"]), "--", f"{self.account}@127.0.0.1"]


def program_for_others(folder: Path) -> Path:
    """A venv of the system Python that sees the project's code and packages (readable by any
    account), and a `renewals` in it as pip would write it."""
    venv = folder / "venv"
    made = run(str(SYSTEM_PYTHON), "-m", "venv", "--without-pip", str(venv))
    assert made.returncode == 0, made.stderr
    site = next((venv / "lib").glob("python3*/site-packages"))
    packages = Path(next(p for p in sys.path if p.endswith("site-packages")))
    (site / "renewals-project.pth").write_text(f"{ROOT}\n{packages}\n")
    program = venv / "bin" / "renewals"
    program.write_text(f"#!{venv}/bin/python\nfrom tui.cli import run\nrun()\n")
    program.chmod(0o755)
    for path in (folder, *folder.rglob("*")):
        path.chmod(path.stat().st_mode | 0o005 | (0o040 if path.is_dir() else 0))
    return program


@pytest.fixture
def site() -> Iterator[Site]:
    tag = uuid.uuid4().hex[:6]
    account, outsider = f"rnw-svc-{tag}", f"rnw-op-{tag}"
    folder = Path(tempfile.mkdtemp(prefix="renewals-ssh-", dir="/tmp"))
    folder.chmod(0o755)
    sshd: subprocess.Popen | None = None
    made_privsep = False
    try:
        assert run("useradd", "-m", "-U", "-s", "/bin/sh", account).returncode == 0
        # no password, yet not locked: sshd (without PAM) turns a locked account away
        assert run("usermod", "-p", "*", account).returncode == 0
        assert run("useradd", "-M", "-U", "-s", "/bin/sh", outsider).returncode == 0
        home = Path(pwd.getpwnam(account).pw_dir)
        program = program_for_others(folder)
        keys = {}
        for name in ("alice", "bob", "carol", "host"):
            assert run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"{name}@test",
                       "-f", str(folder / name)).returncode == 0
            keys[name] = folder / name
        privsep = Path("/run/sshd")
        made_privsep = not privsep.exists()
        if made_privsep:
            privsep.mkdir(mode=0o755)
        port = free_port()
        config = folder / "sshd_config"
        config.write_text(
            f"Port {port}\nListenAddress 127.0.0.1\nHostKey {folder / 'host'}\n"
            f"PidFile {folder / 'sshd.pid'}\nAuthorizedKeysFile .ssh/authorized_keys\n"
            "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
            f"StrictModes yes\nAllowUsers {account}\nPermitUserEnvironment no\n"
            "LogLevel ERROR\n")
        config.chmod(0o644)
        sshd_path = shutil.which("sshd") or "/usr/sbin/sshd"
        sshd = subprocess.Popen([sshd_path, "-D", "-e", "-f", str(config)],
                                stderr=subprocess.PIPE, text=True)
        found = Site(account, home, program, port, keys, folder)
        found.outsider = outsider  # type: ignore[attr-defined]
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert sshd.poll() is None, sshd.stderr.read() if sshd.stderr else ""
            time.sleep(0.1)
        yield found
    finally:
        if sshd is not None:
            sshd.terminate()
            sshd.wait(timeout=10)
        run("userdel", "-r", account)
        run("userdel", outsider)
        shutil.rmtree(folder, ignore_errors=True)
        if made_privsep:
            Path("/run/sshd").rmdir()


def ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, (result.stdout, result.stderr)
    return result


def set_up_team(site: Site) -> None:
    """What a sysadmin runs, as the README says: the service account, its database, two keys."""
    ok(site.as_account("team", "init"))
    ok(site.as_account("demo", "--resources", "20"))
    ok(site.as_account("team", "add-key", "alice", "--role", "renewer",
                       str(site.keys["alice"]) + ".pub"))
    ok(site.as_account("team", "add-key", "bob", "--role", "viewer",
                       str(site.keys["bob"]) + ".pub"))


def test_operators_come_in_by_key_with_their_roles_and_the_audit_names_them(site):
    set_up_team(site)
    lines = (site.home / ".ssh" / "authorized_keys").read_text().splitlines()
    assert len(lines) == 2 and all(
        line.startswith(f'command="{site.program} --operator ') and ",restrict,pty " in line
        for line in lines)
    team = json.loads(ok(site.as_account("team", "list", "--json")).stdout)
    assert [(o["name"], o["role"]) for o in team] == [("alice", "renewer"), ("bob", "viewer")]

    listed = json.loads(ok(site.ssh("alice", "list", "--tab", "manual", "--json")).stdout)
    target = next(r for r in listed if r["phase"] == "in-use" and not r["pending_order"])
    renewed = json.loads(ok(site.ssh("alice", "renew", target["id"], "--months", "1", "--pay",
                                     "balance", "--yes", "--json")).stdout)
    assert renewed["status"] == "paid", renewed

    refused = site.ssh("bob", "account", "--top-up", "10")
    assert refused.returncode == 1 and "bob is a viewer: reads only" in refused.stderr
    assert json.loads(ok(site.ssh("bob", "orders", "--json")).stdout)  # reading is fine

    audit = json.loads(ok(site.as_account("audit", "--json")).stdout)
    paid = next(e for e in audit if e["action"] == "order.pay")
    alice_key = ok(run("ssh-keygen", "-lf", str(site.keys["alice"]) + ".pub")).stdout.split()[1]
    assert (paid["os_user"], paid["operator"], paid["key_fingerprint"], paid["ssh_client"]) == (
        site.account, "alice", alice_key, "127.0.0.1")


def test_the_client_cannot_choose_the_database_the_operator_or_run_team_commands(site):
    set_up_team(site)
    for command, words in ((["--db", "/tmp/other.db", "list"], "--db cannot be given over SSH"),
                           (["list", "--operator=alice"], "--operator cannot be given"),
                           (["team", "add-key", "eve", "--role", "approver", "/dev/null"],
                            "team commands run as the service account"),
                           (["list;", "id"], "")):
        result = site.ssh("bob", *command)
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        assert words in result.stderr
    assert "uid=" not in site.ssh("bob", "list", "$(id)").stdout  # no shell reads it


def test_an_operator_cannot_read_the_database_from_their_own_account(site):
    set_up_team(site)
    database = site.home / ".local" / "share" / "renewals" / "renewals.db"
    assert database.exists()
    peek = run("runuser", "-u", site.outsider, "--", "cat", str(database))  # type: ignore[attr-defined]
    assert peek.returncode != 0 and "Permission denied" in peek.stderr
    claimed = run("runuser", "-u", site.outsider, "--", "env", "HOME=/tmp", str(site.program),  # type: ignore[attr-defined]
                  "--operator", "alice", "list")
    assert claimed.returncode == 2 and "honoured only for the service account" in claimed.stderr


def test_the_console_over_ssh_renews_and_pays_for_a_renewer_and_refuses_a_viewer(site):
    from terminal import Terminal

    set_up_team(site)
    for operator in ("alice", "bob"):
        (site.folder / f"tmux-{operator}").mkdir()
        terminal = Terminal(site.folder / f"tmux-{operator}")
        try:
            terminal.start(site.ssh_command(operator, tty=True))
            screen = terminal.wait_for_text(f"{operator} (", " rows")
            role = "renewer" if operator == "alice" else "viewer"
            assert f"{operator} ({role})" in screen.splitlines()[0], screen
            terminal.press("G", "space", "r")
            if operator == "bob":
                terminal.wait_for_text("bob is a viewer: reads only")
                continue
            terminal.wait_for_text("Renew 1 resource", "order total")
            terminal.press("Enter")
            terminal.wait_for_text("Payment method", "after paying")
            terminal.press("y")
            terminal.wait_for_text("Renewed 1 resource")
        finally:
            terminal.close()
    audit = json.loads(ok(site.as_account("audit", "--json")).stdout)
    # alice's payment (and any auto-renewal her console's due events paid); none of bob's
    assert {e["operator"] for e in audit if e["action"] == "order.pay"} == {"alice"}


def renewable_ids(site: Site, operator: str, count: int) -> list[str]:
    listed = json.loads(ok(site.ssh(operator, "list", "--tab", "manual", "--json")).stdout)
    return [r["id"] for r in listed if r["phase"] == "in-use" and not r["pending_order"]][:count]


def test_a_plan_above_the_renewer_s_limit_is_approved_by_another_operator_then_applied(site):
    set_up_team(site)
    ok(site.as_account("team", "add-key", "carol", "--role", "approver",
                       str(site.keys["carol"]) + ".pub"))
    config = site.home / ".config" / "renewals" / "config.toml"
    with config.open("a") as settings:  # the sysadmin sets the limit: CNY 1.00
        settings.write('renewer_limit = "1.00"\n')
    first, second, third = renewable_ids(site, "alice", 3)

    direct = site.ssh("alice", "renew", first, "--months", "1", "--pay", "balance", "--yes")
    assert direct.returncode == 1 and "above the renewer's limit" in direct.stderr
    plan = json.loads(ok(site.ssh("alice", "plan", first, second, "--months", "1",
                                  "--json")).stdout)
    assert (plan["status"], plan["author"]) == ("awaiting_approval", "alice")
    assert [line["id"] for line in plan["lines"]] == [first, second]
    early = site.ssh("alice", "apply", plan["plan_id"], "--yes")
    assert early.returncode == 1 and "needs an approver's approval" in early.stderr
    refused = site.ssh("bob", "approve", plan["plan_id"])
    assert refused.returncode == 1 and "bob is a viewer" in refused.stderr
    approved = json.loads(ok(site.ssh("carol", "approve", plan["plan_id"], "--json")).stdout)
    assert (approved["status"], approved["approved_by"]) == ("approved", "carol")
    paid = json.loads(ok(site.ssh("alice", "apply", plan["plan_id"], "--yes", "--json")).stdout)
    assert paid["renewed"] == 2 and paid["charged_cents"] == plan["total_cents"]
    listed = json.loads(ok(site.ssh("bob", "plans", "--json")).stdout)
    assert [(p["id"], p["status"]) for p in listed] == [(plan["plan_id"], "applied")]

    moved = json.loads(ok(site.ssh("alice", "plan", third, "--months", "1", "--json")).stdout)
    ok(site.ssh("carol", "approve", moved["plan_id"]))
    ok(site.ssh("carol", "renew", third, "--months", "2", "--pay", "balance", "--yes"))
    orders = len(json.loads(ok(site.ssh("bob", "orders", "--json")).stdout))
    stale = site.ssh("alice", "apply", moved["plan_id"], "--yes")
    assert stale.returncode == 1 and "no longer holds" in stale.stderr and "expiry" in stale.stderr
    assert len(json.loads(ok(site.ssh("bob", "orders", "--json")).stdout)) == orders

    audit = json.loads(ok(site.as_account("audit", "--json")).stdout)
    steps = [(e["action"], e["operator"], e["result"].split(":")[0]) for e in reversed(audit)
             if e["action"].startswith("plan.")]
    assert steps == [("plan.make", "alice", "ok"), ("plan.apply", "alice", "refused"),
                     ("plan.approve", "carol", "ok"), ("plan.apply", "alice", "ok"),
                     ("plan.make", "alice", "ok"), ("plan.approve", "carol", "ok"),
                     ("plan.apply", "alice", "refused")]
    carol_key = ok(run("ssh-keygen", "-lf", str(site.keys["carol"]) + ".pub")).stdout.split()[1]
    assert next(e for e in audit if e["action"] == "plan.approve")["key_fingerprint"] == carol_key
