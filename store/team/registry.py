"""Team mode: one service account owns the database; operators reach it only through OpenSSH,
each with their own key, which `authorized_keys` forces to run `renewals --operator NAME`.

The team (each operator's role and key) is kept in `team.json` in the service account's
config folder, private; the `authorized_keys` lines are written from it. A line this module
wrote carries `--operator NAME` in its forced command: only those lines are replaced or
removed, every other line of the file is left as it was.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import pwd
import re
import shlex
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TextIO

from store.errors import Refused
from store.files import write_atomically

ROLES = ("viewer", "renewer", "approver")
KEY_TYPES = re.compile(r"(ssh-(ed25519|rsa)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|"
                       r"ecdsa-sha2-nistp256)@openssh\.com)")
NAME = re.compile(r"[a-z][a-z0-9_.-]{0,31}")
OPTIONS = "restrict,pty"  # no forwarding of any kind, no ~/.ssh/rc; a terminal for the console


@dataclass(frozen=True)
class Operator:
    name: str
    role: str
    key: str
    """The public key line: type, base64, comment."""
    fingerprint: str


def account_name() -> str:
    """The OS account this process runs as (by uid: USER and LOGNAME can say anything)."""
    return pwd.getpwuid(os.getuid()).pw_name


def fingerprint(blob: str) -> str:
    """`SHA256:…` of a key's base64 part, as `ssh-keygen -l` prints it."""
    digest = hashlib.sha256(base64.b64decode(blob, validate=True)).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def read_public_key(text: str) -> tuple[str, str]:
    """A public key file's one key as (`type base64 comment`, fingerprint); refused unless it
    is one key of a type OpenSSH takes."""
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    if len(lines) != 1:
        raise Refused(f"a public key file holds one key; this one has {len(lines)} lines")
    parts = lines[0].split()
    if len(parts) < 2 or not KEY_TYPES.fullmatch(parts[0]):
        raise Refused("not an OpenSSH public key (ssh-ed25519 AAAA…): is it the private one?")
    try:
        found = fingerprint(parts[1])
    except (binascii.Error, ValueError):
        raise Refused("the key's base64 part is damaged") from None
    comment = " ".join(parts[2:])
    if any(not char.isprintable() for char in comment) or '"' in comment:
        raise Refused("the key's comment has characters an authorized_keys line cannot hold")
    return " ".join([parts[0], parts[1], *([comment] if comment else [])]), found


def checked_name(name: str) -> str:
    if not NAME.fullmatch(name):
        raise Refused(f"an operator name is 1-32 of a-z 0-9 _ . - starting with a letter, "
                      f"not {name!r}")
    return name


class Team:
    """The team of the service account whose config folder holds `team.json`."""

    def __init__(self, path: Path, authorized_keys: Path) -> None:
        self.path = path
        self.authorized_keys = authorized_keys

    def operators(self) -> dict[str, Operator]:
        try:
            listed = json.loads(self.path.read_text(encoding="utf-8"))["operators"]
        except FileNotFoundError:
            return {}
        except (ValueError, KeyError, TypeError) as exc:
            raise Refused(f"{self.path} is damaged ({exc}): fix or remove it") from None
        return {name: Operator(**fields) for name, fields in listed.items()}

    def operator(self, name: str) -> Operator:
        found = self.operators().get(name)
        if found is None:
            raise Refused(f"no operator {name!r} in the team ({self.path})")
        return found

    def add(self, name: str, role: str, key_text: str, command: str) -> Operator:
        """Add NAME with ROLE and that key, or replace what NAME had; rewrite the keys."""
        if role not in ROLES:
            raise Refused(f"the role is one of {', '.join(ROLES)}, not {role!r}")
        key, found = read_public_key(key_text)
        operators = self.operators()
        taken = [o.name for o in operators.values() if o.fingerprint == found and o.name != name]
        if taken:
            raise Refused(f"that key is {taken[0]}'s already: one key, one operator")
        operators[checked_name(name)] = Operator(name, role, key, found)
        self._save(operators, command)
        return operators[name]

    def remove(self, name: str, command: str) -> Operator:
        operators = self.operators()
        gone = operators.pop(name, None)
        if gone is None:
            raise Refused(f"no operator {name!r} in the team")
        self._save(operators, command)
        return gone

    def _save(self, operators: dict[str, Operator], command: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        listed = {"operators": {name: asdict(o) for name, o in sorted(operators.items())}}
        write_atomically(self.path, lambda stream: json.dump(listed, stream, indent=2),
                         replace=True)  # a private temporary file, renamed: mode 0600
        self._write_keys(operators.values(), command)

    def _write_keys(self, operators: Iterable[Operator], command: str) -> None:
        """The team's lines in place of the ones written before; other lines kept."""
        folder = self.authorized_keys.parent
        folder.mkdir(mode=0o700, exist_ok=True)
        try:
            kept = [line for line in self.authorized_keys.read_text(encoding="utf-8")
                    .splitlines() if OPERATOR_MARK not in line]
        except FileNotFoundError:
            kept = []
        ours = [authorized_line(o, command) for o in operators]
        text = "".join(f"{line}\n" for line in [*kept, *ours])

        def write(stream: TextIO) -> None:
            stream.write(text)

        write_atomically(self.authorized_keys, write, replace=True)


OPERATOR_MARK = " --operator "


def authorized_line(operator: Operator, command: str) -> str:
    """`command="/path/renewals --operator NAME",restrict,pty ssh-ed25519 AAAA… comment`."""
    if '"' in command or "\\" in command:
        raise Refused(f"the program's path {command!r} cannot go in an authorized_keys line")
    forced = f"{command}{OPERATOR_MARK}{shlex.quote(operator.name)}"
    return f'command="{forced}",{OPTIONS} {operator.key}'
