"""Where the billing system is: the site's endpoints, or overrides from the environment.

RENEWALS_BSS_ENDPOINT and RENEWALS_MODELARTS_ENDPOINT (a base URL) replace the site's endpoints,
for private endpoints and tests; plain http is accepted for a loopback host only. Every call
goes to one of these two: no IAM or other endpoint is ever asked. RENEWALS_CLOUD_TIMEOUT sets
the request timeout in seconds (default 30).
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from urllib.parse import urlsplit

from store.errors import StoreError
from store.text import seconds_setting

SITES = ("intl", "cn")
BSS_ENDPOINTS = {"intl": "https://bss-intl.myhuaweicloud.com",
                 "cn": "https://bss.myhuaweicloud.com"}
MODELARTS_ENDPOINTS = {"intl": "https://modelarts.{region}.myhuaweicloud.com",
                       "cn": "https://modelarts.{region}.myhuaweicloud.com"}
DEFAULT_TIMEOUT_S = 30.0


class BadSetting(StoreError):
    """An endpoint or timeout from the environment that cannot be used."""


@dataclass(frozen=True)
class CloudSettings:
    site: str
    bss_endpoint: str
    modelarts_endpoint: str
    """A base URL; `{region}` in it is the region of the pools asked for."""
    timeout_s: float
    overridden: bool = False

    def modelarts_for(self, region: str) -> str:
        return self.modelarts_endpoint.replace("{region}", region)


def checked_endpoint(url: str, variable: str) -> str:
    """A base URL the console may call: https, or http to a loopback host (tests, tunnels)."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host or parts.path not in ("", "/"):
        raise BadSetting(f"{variable} is a base URL such as https://bss.example.com, "
                         f"not {url!r}")
    if parts.scheme == "http" and not is_loopback(host):
        raise BadSetting(f"{variable}: plain http only to a loopback host (127.0.0.0/8, ::1, "
                         f"localhost); use https for {host}")
    return url.strip().rstrip("/")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def timeout() -> float:
    try:
        return seconds_setting("RENEWALS_CLOUD_TIMEOUT", DEFAULT_TIMEOUT_S, 600)
    except ValueError as exc:
        raise BadSetting(str(exc)) from None


def from_environment(site: str) -> CloudSettings:
    if site not in SITES:
        raise BadSetting(f"the site is intl or cn, not {site!r}")
    bss = os.environ.get("RENEWALS_BSS_ENDPOINT")
    modelarts = os.environ.get("RENEWALS_MODELARTS_ENDPOINT")
    return CloudSettings(
        site=site,
        bss_endpoint=checked_endpoint(bss, "RENEWALS_BSS_ENDPOINT") if bss
        else BSS_ENDPOINTS[site],
        modelarts_endpoint=checked_endpoint(modelarts, "RENEWALS_MODELARTS_ENDPOINT")
        if modelarts else MODELARTS_ENDPOINTS[site],
        timeout_s=timeout(),
        overridden=bool(bss or modelarts),
    )
