"""The access key, found the SDK's way: the environment, then the SDK's credentials file.

HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (with HUAWEICLOUD_SDK_SECURITY_TOKEN for temporary
keys, and optional HUAWEICLOUD_SDK_DOMAIN_ID / HUAWEICLOUD_SDK_PROJECT_ID), else the [global]
section of HUAWEICLOUD_SDK_CREDENTIALS_FILE or ~/.huaweicloud/credentials. The rest of the SDK's
default chain (OIDC, the ECS metadata service, pod identity) asks the network and is not used.
The secret key never leaves this object: not in its repr, the database, a log or the screen.
"""

from __future__ import annotations

import configparser
import os
from dataclasses import dataclass, field
from pathlib import Path

from huaweicloudsdkcore.auth.provider import EnvCredentialProvider, ProfileCredentialProvider

from store.errors import StoreError

FILE_VARIABLE = "HUAWEICLOUD_SDK_CREDENTIALS_FILE"


class NoCredentials(StoreError):
    pass


@dataclass(frozen=True)
class Credentials:
    ak: str
    sk: str = field(repr=False)
    security_token: str | None = field(default=None, repr=False)
    domain_id: str | None = None
    project_id: str | None = None
    source: str = ""
    """Where they came from, in words (never the secret)."""


def _found(global_provider, basic_provider, source: str) -> Credentials:
    found = global_provider.get_credentials()
    try:
        project_id = basic_provider.get_credentials().project_id
    except ValueError:  # a credentials file may hold a [global] section only
        project_id = None
    return Credentials(found.ak, found.sk, found.security_token, found.domain_id or None,
                       project_id or None, source)


def credentials_file() -> Path:
    """Where the SDK looks for its credentials file."""
    named = os.environ.get(FILE_VARIABLE)
    return Path(named) if named else Path.home() / ".huaweicloud" / "credentials"


def line_of(error: Exception) -> str:
    """`, line 3` for a parsing error, without the line itself."""
    lines = [number for number, _text in getattr(error, "errors", [])]
    number = getattr(error, "lineno", None) or (lines[0] if lines else None)
    return f", line {number}" if number else ""


def find_credentials() -> Credentials:
    """The first credentials the environment or the credentials file gives; NoCredentials
    (one line, naming both places) when neither does."""
    if os.environ.get("HUAWEICLOUD_SDK_AK") or os.environ.get("HUAWEICLOUD_SDK_SK"):
        try:
            return _found(EnvCredentialProvider.get_global(), EnvCredentialProvider.get_basic(),
                          "the environment (HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK)")
        except ValueError:
            raise NoCredentials("HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK must both be set"
                                ) from None
    path = credentials_file()
    try:
        return _found(ProfileCredentialProvider.get_global(),
                      ProfileCredentialProvider.get_basic(), f"the credentials file {path}")
    except ValueError as exc:
        missing = ("no access key: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK, or write "
                   f"ak and sk in the [global] section of {path} (or {FILE_VARIABLE})")
        raise NoCredentials(missing if "does not exist" in str(exc) else f"{path}: {exc}"
                            ) from None
    except (configparser.Error, UnicodeError, OSError) as exc:
        # Never the parser's own message: it quotes the line it could not read, the secret key
        # perhaps.
        raise NoCredentials(f"{path} is not a credentials file the SDK can read "
                            f"({type(exc).__name__}{line_of(exc)})") from None
