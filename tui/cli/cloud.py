"""A database bound to a Huawei Cloud account: `cloud sync` and `cloud status`."""

from __future__ import annotations

import sys
import time
from typing import Any

import click

from store.money import format_cents
from tui.cli.common import Session, emit, json_option, note, pass_session, say

SYNC_FIELDS = ("resources", "added", "updated", "gone", "pools", "pending_orders",
               "balance_cents", "currency", "coupons")


@click.group()
def cloud() -> None:
    """Bind a database to a Huawei Cloud account, keep it in sync, and see where it stands.

    Credentials come the SDK's way: HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (optional
    HUAWEICLOUD_SDK_DOMAIN_ID, HUAWEICLOUD_SDK_PROJECT_ID, HUAWEICLOUD_SDK_SECURITY_TOKEN), or
    the SDK's credentials file. RENEWALS_BSS_ENDPOINT and RENEWALS_MODELARTS_ENDPOINT override
    the site's endpoints; RENEWALS_CLOUD_TIMEOUT sets the request timeout (seconds).

    Example: renewals --db cloud.db cloud sync
    """


@cloud.command()
@click.option("--site", type=click.Choice(["intl", "cn"]),
              help="The Huawei Cloud site (for a new database; default intl).")
@json_option
@pass_session
def sync(session: Session, site: str | None, as_json: bool) -> None:
    """Bind a new database to the account of the credentials, or sync a bound one again.

    Example: renewals --db cloud.db cloud sync --site intl
    """
    progress = note if sys.stderr.isatty() else (lambda _step: None)
    started = time.monotonic()
    report = session.store.sync_cloud(site, progress)
    seconds = time.monotonic() - started
    if as_json:
        emit({name: getattr(report, name) for name in SYNC_FIELDS})
    else:
        say(sync_text(report))
    for line in report.reconciled:
        note(f"found out: {line}")
    for warning in report.warnings:
        note(f"warning: {warning}")
    note(f"{report.requests:,} requests in {seconds:.1f} s")


def sync_text(report: Any) -> str:
    return (f"{report.resources:,} resources ({report.added:,} added, {report.updated:,} "
            f"updated, {report.gone:,} gone), {report.pools:,} ModelArts pools, "
            f"{report.pending_orders:,} pending renewal orders, {report.coupons:,} usable "
            f"coupons; balance {format_cents(report.balance_cents, report.currency)}")


@cloud.command()
@json_option
@pass_session
def status(session: Session, as_json: bool) -> None:
    """The site, the account (domain) id, the last sync, where the credentials come from (never
    the secret), and the endpoints in use.

    Example: renewals --db cloud.db cloud status --json
    """
    found = session.store.cloud_status()
    shown = {"site": found.site, "domain_id": found.domain_id, "synced_at": found.synced_at,
             "credentials": found.credentials, "bss_endpoint": found.bss_endpoint,
             "modelarts_endpoint": found.modelarts_endpoint}
    if as_json:
        emit(shown)
    else:
        say("\n".join(f"{name.replace('_', ' ')}: {value or '-'}"
                      for name, value in shown.items()))


COMMANDS = (cloud,)
