"""Files on a shared host: private by default, shared only through a setgid folder, --db never
creates a folder, exports appear whole and never through a symbolic link; and the audit names
the process's real OS account."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from store.audit import Identity
from tui.cli import main

RENEWALS = [sys.executable, "-m", "tui"]


def cli(db: Path, *args: str) -> Result:
    return CliRunner(env={"RENEWALS_DB": None, "RENEWALS_NOW": None}).invoke(
        main, ["--db", str(db), *args])


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_is_private_whatever_the_umask_and_says_it_was_made(tmp_path):
    db = tmp_path / "pools.db"
    done = subprocess.run(["sh", "-c", 'umask 000 && exec "$@"', "sh", *RENEWALS, "--db",
                           str(db), "demo", "--resources", "5"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[0] == f"created a new database: {db}"
    assert mode(db) == 0o600
    for leftover in tmp_path.glob("pools.db-*"):  # -wal and -shm take the database's mode
        assert mode(leftover) == 0o600
    again = cli(db, "list")
    assert "created" not in again.stderr


def test_db_in_a_folder_that_does_not_exist_is_exit_2_and_creates_nothing(tmp_path):
    result = cli(tmp_path / "typo" / "pools.db", "list")
    assert result.exit_code == 2
    assert result.stderr == (f"error: --db {tmp_path / 'typo' / 'pools.db'}: the folder "
                             f"{tmp_path / 'typo'} does not exist; create it first\n")
    assert not (tmp_path / "typo").exists()


def test_a_shared_database_needs_a_setgid_folder(tmp_path):
    folder = tmp_path / "team"
    folder.mkdir(mode=0o770)
    result = cli(folder / "pools.db", "--shared", "list")
    assert result.exit_code == 1 and "needs a setgid folder" in result.stderr
    assert not (folder / "pools.db").exists()
    folder.chmod(0o2770)
    assert cli(folder / "pools.db", "--shared", "list").exit_code == 0
    assert mode(folder / "pools.db") == 0o660
    assert (folder / "pools.db").stat().st_gid == folder.stat().st_gid


# exports ------------------------------------------------------------------------------------------
@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "pools.db"
    assert cli(path, "demo", "--resources", "20").exit_code == 0
    return path


def test_export_refuses_to_replace_a_file_without_force(db, tmp_path):
    target = tmp_path / "out.json"
    target.write_text("keep me")
    result = cli(db, "export", "--format", "json", "--output", str(target))
    assert result.exit_code == 1 and "exists" in result.stderr and "--force" in result.stderr
    assert target.read_text() == "keep me"
    assert cli(db, "export", "--format", "json", "--output", str(target), "--force"
               ).exit_code == 0
    assert len(json.loads(target.read_text())) == 20
    assert sorted(path.name for path in tmp_path.iterdir() if "out" in path.name) == ["out.json"]


def test_export_never_follows_a_symbolic_link(db, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    link = tmp_path / "out.csv"
    link.symlink_to(victim)
    for force in ([], ["--force"]):
        result = cli(db, "export", "--format", "csv", "--output", str(link), *force)
        assert result.exit_code == 1 and "symbolic link" in result.stderr
    assert victim.read_text() == "precious" and link.is_symlink()


def test_export_is_written_whole_through_a_private_temporary_file(db, tmp_path, monkeypatch):
    from store import io

    def fail_half_way(rows, stream, fields=io.EXPORT_FIELDS):
        stream.write("id,name\n")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(io, "write_csv", fail_half_way)
    result = cli(db, "export", "--format", "csv", "--output", str(tmp_path / "out.csv"))
    assert result.exit_code == 1 and "No space left on device" in result.stderr
    assert not any("out.csv" in path.name for path in tmp_path.iterdir())


# who did it -------------------------------------------------------------------------------------
def test_the_audit_names_the_uid_s_account_not_what_logname_says(db, monkeypatch):
    import pwd

    monkeypatch.setenv("LOGNAME", "mallory")
    monkeypatch.setenv("USER", "mallory")
    monkeypatch.setenv("SSH_CONNECTION", "203.0.113.9 52100 10.0.0.1 22")
    assert Identity.of_this_process() == Identity(pwd.getpwuid(os.getuid()).pw_name,
                                                  "203.0.113.9")
    assert cli(db, "account", "--top-up", "1").exit_code == 0
    [entry] = json.loads(cli(db, "audit", "--json").stdout)[:1]
    assert entry["os_user"] == pwd.getpwuid(os.getuid()).pw_name != "mallory"
    assert entry["ssh_client"] == "203.0.113.9"


def test_db_through_a_dangling_symbolic_link_is_refused_and_creates_nothing(tmp_path):
    link = tmp_path / "pools.db"
    link.symlink_to(tmp_path / "elsewhere.db")
    result = cli(link, "list")
    assert result.exit_code == 1 and "symbolic link to a file that does not exist" in result.stderr
    assert not (tmp_path / "elsewhere.db").exists()


def test_a_data_folder_that_cannot_be_made_is_one_line(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    result = CliRunner(env={"RENEWALS_DB": None, "XDG_DATA_HOME": str(blocker)}).invoke(
        main, ["list"])
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"error: cannot make the data folder {blocker}/renewals")


def test_a_reader_that_stops_early_is_not_a_crash(tmp_path):
    db, data = tmp_path / "big.db", tmp_path / "data"
    assert cli(db, "demo", "--resources", "5000").exit_code == 0  # far past a pipe's buffer
    done = subprocess.run(["sh", "-c", '"$@" | head -1', "sh", *RENEWALS, "--db", str(db),
                           "export", "--format", "csv"], capture_output=True, text=True,
                          env={**os.environ, "XDG_DATA_HOME": str(data)}, timeout=60)
    assert done.stdout.startswith("id,") and done.stdout.count("\n") == 1
    assert done.stderr == "" and not list(data.glob("renewals/crash-*.log"))
