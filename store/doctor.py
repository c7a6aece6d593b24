"""`renewals doctor`: what a database file, its folder and the config file look like from
here, each finding with a hint when something is wrong. Reads only: a missing database is not
created, a database is opened read-only, and the write lock is tried without waiting.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path

from store.config import Config
from store.migrations import KNOWN
from store.money import format_cents


@dataclass(frozen=True)
class Finding:
    topic: str
    value: str
    hint: str | None = None
    """What to do about it; None when all is well."""


def permissions(topic: str, path: Path, private: int) -> Finding:
    """Owner and mode; a hint when others than the owner may read it (`private`: the bits
    no one else should have)."""
    info = path.stat()
    mode = stat.S_IMODE(info.st_mode)
    owner = "you" if info.st_uid == os.getuid() else f"uid {info.st_uid}"
    value = f"{oct(mode)[2:].zfill(4)} {path}, owned by {owner}"
    hint = None
    if path.is_dir() and mode & 0o002:
        hint = ("anyone may add files beside the database (its -wal and -shm): keep it in a "
                "folder of its own (mkdir -m 700 FOLDER)")
    elif mode & private:
        hint = (f"others can read it: chmod {'700' if path.is_dir() else '600'} {path} "
                "(or share it with a group on purpose: renewals --shared)")
    return Finding(topic, value, hint)


def database_findings(path: Path) -> list[Finding]:
    if not path.exists():
        return [Finding("database", f"{path} (does not exist yet)",
                        "renewals demo, renewals import FILE or renewals cloud sync makes it")]
    findings = [Finding("database", f"{path} ({path.stat().st_size:,} bytes)"),
                permissions("file", path, 0o077), permissions("folder", path.parent, 0o077)]
    try:
        findings += _inside(path)
    except sqlite3.DatabaseError as exc:
        findings.append(Finding("contents", f"cannot read it: {exc}",
                                "is it a renewals database? renewals --db FILE list says more"))
    return findings


def _inside(path: Path) -> list[Finding]:
    reader = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        applied = [row[0] for row in reader.execute(
            "SELECT name FROM _sqlite_migrations ORDER BY id")]
        binding, site = reader.execute("SELECT binding, site FROM account").fetchone()
    finally:
        reader.close()
    findings = [_schema(applied, len(KNOWN))]
    findings.append(_lock(path))
    findings.append(Finding("binding", BINDINGS.get(binding, binding).format(site=site)))
    if binding == "cloud":
        findings += _cloud(site)
    return findings


BINDINGS = {"cloud": "the mirror of a Huawei Cloud account ({site} site)",
            "local": "a local ledger (made by demo or import)",
            "none": "none yet (demo, import or cloud sync decides)"}


def _schema(applied: list[str], known: int) -> Finding:
    value = f"{len(applied)} of this version's {known} migrations"
    if any(name not in KNOWN for name in applied):
        return Finding("schema", value + ", and some this version does not know",
                       "a newer renewals wrote it: upgrade renewals to open it")
    if len(applied) < known:
        return Finding("schema", value, "it is brought up to date when next opened to write")
    return Finding("schema", value + " (up to date)")


def _lock(path: Path) -> Finding:
    """Whether a write could start now: BEGIN IMMEDIATE without waiting, then rolled back."""
    if not os.access(path, os.W_OK):
        return Finding("write lock", "the file is read-only for you",
                       "reads work; writes need write permission on the file and its folder")
    writer = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("ROLLBACK")
        return Finding("write lock", "free")
    except sqlite3.OperationalError as exc:
        return Finding("write lock", f"not free ({exc})",
                       "another renewals is writing (it waits RENEWALS_BUSY_TIMEOUT seconds "
                       "for it); if none runs, look for a stuck process with fuser FILE")
    finally:
        writer.close()


def _cloud(site: str | None) -> list[Finding]:
    from store.cloud.binding import DEFAULT_SITE
    from store.cloud.credentials import NoCredentials, find_credentials
    from store.cloud.settings import BadSetting, from_environment

    try:
        settings = from_environment(site or DEFAULT_SITE)
    except BadSetting as exc:
        return [Finding("cloud endpoints", str(exc), "fix or unset the variable it names")]
    findings = [Finding("billing endpoint", settings.bss_endpoint),
                Finding("ModelArts endpoint", settings.modelarts_endpoint)]
    try:
        findings.append(Finding("credentials", find_credentials().source))
    except NoCredentials as exc:
        findings.append(Finding("credentials", "none found", str(exc)))
    return findings


def config_findings(config: Config, problems: list[str]) -> list[Finding]:
    if not config.path.is_file():
        return [Finding("config file", f"{config.path} (none: the defaults)")]
    private = 0o077 if config.service_account else 0o022  # team mode: the account's alone
    findings = [Finding("config file", str(config.path)),
                permissions("config file mode", config.path, private)]
    findings += [Finding("config problem", problem, "fix that line (renewals config show)")
                 for problem in problems]
    if config.service_account:
        findings.append(team_limits(config))
    return findings


def team_limits(config: Config) -> Finding:
    """Team mode: without a renewer's limit, no order needs a second person's approval."""
    if config.renewer_limit is None:
        return Finding("team limits", "no renewer_limit", "renewers may place orders of any "
                       "size and no plan needs an approval: set renewer_limit = \"50000.00\"")
    return Finding("team limits", f"renewer_limit {format_cents(config.renewer_limit)}; "
                   f"plans hold {config.plan_max_age_hours} h")
