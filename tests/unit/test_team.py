"""Team mode's rules without SSH: keys read and fingerprinted, authorized_keys lines written
and replaced (other lines kept), the service account named once, what an SSH client may ask."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from store.config import load_config, set_service_account
from store.errors import Refused
from store.team.registry import Team, authorized_line, fingerprint, read_public_key
from tui.cli.common import BadInput
from tui.cli.team import ssh_arguments

BLOB = base64.b64encode(b"\x00\x00\x00\x0bssh-ed25519" + bytes(36)).decode()
KEY = f"ssh-ed25519 {BLOB} alice@laptop"
OTHER = "ssh-ed25519 " + base64.b64encode(b"\x00\x00\x00\x0bssh-ed25519" + bytes([1]) * 36
                                          ).decode() + " bob"


def team(tmp_path) -> Team:
    (tmp_path / "home").mkdir(exist_ok=True)  # the service account's home exists
    return Team(tmp_path / "config" / "team.json", tmp_path / "home" / ".ssh" / "authorized_keys")


def test_a_key_is_read_and_fingerprinted_as_ssh_keygen_does():
    key, found = read_public_key(KEY + "\n")
    assert key == KEY
    digest = hashlib.sha256(base64.b64decode(BLOB)).digest()
    assert found == "SHA256:" + base64.b64encode(digest).decode().rstrip("=")
    assert fingerprint(BLOB) == found


@pytest.mark.parametrize(("text", "words"), [
    ("-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n", "one key"),
    ("ssh-dss AAAA", "not an OpenSSH public key"),
    ("ssh-ed25519 not-base64!", "damaged"),
    (f"ssh-ed25519 {BLOB} evil\" ,command=\"sh", "comment"),
    (f"{KEY}\n{KEY}\n", "one key"),
])
def test_anything_but_one_public_key_is_refused(text, words):
    with pytest.raises(Refused, match=words):
        read_public_key(text)


def test_lines_are_written_replaced_and_removed_leaving_other_lines(tmp_path):
    crew = team(tmp_path)
    crew.authorized_keys.parent.mkdir()
    crew.authorized_keys.write_text("ssh-ed25519 AAAAother admin@host\n")
    crew.add("alice", "renewer", KEY, "/opt/renewals")
    crew.add("bob", "viewer", OTHER, "/opt/renewals")
    crew.add("alice", "approver", KEY, "/opt/renewals")  # replaced, not added
    lines = crew.authorized_keys.read_text().splitlines()
    assert lines[0] == "ssh-ed25519 AAAAother admin@host"
    assert lines[1:] == [f'command="/opt/renewals --operator alice",restrict,pty {KEY}',
                         f'command="/opt/renewals --operator bob",restrict,pty {OTHER}']
    assert crew.operator("alice").role == "approver"
    assert (crew.authorized_keys.stat().st_mode & 0o777, crew.path.stat().st_mode & 0o777) == (
        0o600, 0o600)
    crew.remove("bob", "/opt/renewals")
    assert len(crew.authorized_keys.read_text().splitlines()) == 2
    assert list(json.loads(crew.path.read_text())["operators"]) == ["alice"]


def test_one_key_one_operator_and_names_and_roles_are_checked(tmp_path):
    crew = team(tmp_path)
    crew.add("alice", "renewer", KEY, "/opt/renewals")
    with pytest.raises(Refused, match="alice's already"):
        crew.add("mallory", "approver", KEY, "/opt/renewals")
    with pytest.raises(Refused, match="operator name"):
        crew.add("Bob Smith", "viewer", OTHER, "/opt/renewals")
    with pytest.raises(Refused, match="role"):
        crew.add("bob", "root", OTHER, "/opt/renewals")
    with pytest.raises(Refused, match="no operator"):
        crew.operator("nobody")
    with pytest.raises(Refused, match="cannot go in an authorized_keys line"):
        authorized_line(crew.operator("alice"), '/opt/ren"ewals')


def test_the_service_account_is_written_once_and_not_taken_over(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('theme = "nord"\n[keys]\n"app.orders" = "o"\n')
    set_service_account(path, "renewals")
    set_service_account(path, "renewals")  # again: nothing changes
    config = load_config(path)
    assert (config.service_account, config.theme, dict(config.keys)) == (
        "renewals", "nord", {"app.orders": "o"})
    assert path.read_text().count("service_account") == 1
    with pytest.raises(Refused, match="makes 'renewals' the service account"):
        set_service_account(path, "mallory")


@pytest.mark.parametrize(("original", "expected"), [
    (None, ["--operator", "alice"]),
    ("list --json", ["--operator", "alice", "list", "--json"]),
    ("renewals list --search 'a b'", ["--operator", "alice", "list", "--search", "a b"]),
    ("list $(id)", ["--operator", "alice", "list", "$(id)"]),
])
def test_the_client_s_command_follows_the_forced_arguments_unparsed_by_a_shell(original,
                                                                              expected):
    assert ssh_arguments(["--operator", "alice"], original) == expected


@pytest.mark.parametrize(("original", "words"), [
    ("--db /tmp/x list", "--db cannot be given"), ("list --operator=bob", "--operator"),
    ("--shared list", "--shared"), ("team list", "team commands"), ("list 'open", "cannot be read"),
])
def test_overrides_and_team_commands_over_ssh_are_refused(original, words):
    with pytest.raises(BadInput, match=words):
        ssh_arguments(["--operator", "alice"], original)


def test_without_an_operator_the_ssh_command_is_not_read():
    assert ssh_arguments(["list"], "--db /tmp/x list") == ["list"]
