"""Binding a database to one cloud account, syncing it, and telling where it stands.

A new (empty) database is bound by its first `cloud sync`, to the account of the credentials
and the site asked for (intl by default); after that every sync refreshes it, and it refuses
another site or another account. A local ledger (made by demo or import) is never bound.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from store.clock import Clock
from store.cloud import reconcile, sync
from store.cloud.client import CloudClient
from store.cloud.credentials import NoCredentials, find_credentials
from store.cloud.settings import CloudSettings, from_environment
from store.errors import Refused

if TYPE_CHECKING:
    from store.service import Store

DEFAULT_SITE = "intl"


@dataclass(frozen=True)
class CloudStatus:
    site: str
    domain_id: str | None
    synced_at: str | None
    credentials: str
    """Where the credentials come from, or why there are none (never the secret)."""
    bss_endpoint: str
    modelarts_endpoint: str


def bound_to(store: Store) -> tuple[str, str | None, str | None, str | None]:
    """(binding, site, domain id, last sync) as the database records them."""
    return store.db().execute(
        "SELECT binding, site, domain_id, synced_at FROM account").fetchone()


def site_for(store: Store, asked: str | None) -> str:
    binding, site, _domain, _synced = bound_to(store)
    if binding == "local":
        raise Refused(f"{store.path} is a local ledger (made by demo or import): a cloud account "
                      "gets a database of its own, e.g. renewals --db cloud.db cloud sync")
    if binding == "cloud" and asked and asked != site:
        raise Refused(f"{store.path} mirrors the {site} site; the {asked} site needs a database "
                      "of its own")
    return site or asked or DEFAULT_SITE


def settings_for(store: Store, asked: str | None = None) -> CloudSettings:
    return from_environment(site_for(store, asked))


def client_for(store: Store, asked: str | None = None) -> CloudClient:
    return CloudClient(settings_for(store, asked), find_credentials())


def run_sync(store: Store, client: CloudClient,
             progress: Callable[[str], None] = lambda _step: None) -> sync.SyncReport:
    """Find out what calls left in doubt did, read the account, then write it into the
    mirror in one transaction; combined orders paid or cancelled elsewhere follow."""
    site = client.settings.site
    calls_before = client.throttle.calls
    found = reconcile.reconcile(store, client) if store.binding() == "cloud" else []
    snapshot = sync.fetch(client, progress)
    with store.writing() as db:
        binding, bound_site, domain, balance_account = db.execute(
            "SELECT binding, site, domain_id, balance_account FROM account").fetchone()
        if binding == "local":
            raise Refused(f"{store.path} became a local ledger while the account was read")
        if binding == "cloud":
            same_account(store, snapshot, site, (bound_site, domain, balance_account))
        report = sync.write(db, snapshot, site, Clock.wall_stamp())
    lost = reconcile.settle_orders(store, client, {order.id for order in snapshot.orders})
    progress("done")
    return sync.SyncReport(**{**report.__dict__, "reconciled": tuple(found),
                              "warnings": report.warnings + tuple(lost),
                              "requests": client.throttle.calls - calls_before})


def same_account(store: Store, snapshot: sync.Snapshot, site: str,
                 bound: tuple[str | None, str | None, str | None]) -> None:
    """Refuse a sync whose credentials are not the account the database mirrors: it would
    mark that account's resources gone and show another's. Checked by the domain id when both
    are known, else by the cash account's id; refused when neither can be compared."""
    bound_site, domain, balance_account = bound
    if bound_site != site:
        raise Refused(f"{store.path} mirrors the {bound_site} site, not {site}: nothing was "
                      "changed")
    if domain and snapshot.domain_id:
        if domain != snapshot.domain_id:
            raise Refused(f"these credentials belong to account {snapshot.domain_id}, but "
                          f"{store.path} mirrors account {domain}: nothing was changed")
    elif balance_account and snapshot.balance_account:
        if balance_account != snapshot.balance_account:
            raise Refused(f"these credentials belong to another account than the one "
                          f"{store.path} mirrors (cash account {snapshot.balance_account}, "
                          f"not {balance_account}): nothing was changed")
    else:
        raise Refused("cannot tell whether these credentials belong to the account this "
                      "database mirrors: set HUAWEICLOUD_SDK_DOMAIN_ID (the account ID) and "
                      "sync again; nothing was changed")


def status(store: Store) -> CloudStatus:
    binding, site, domain, synced = bound_to(store)
    if binding != "cloud":
        raise Refused(f"{store.path} is not bound to a cloud account"
                      + (" (it is a local ledger)" if binding == "local" else
                         ": bind it with renewals cloud sync"))
    settings = from_environment(site or DEFAULT_SITE)
    try:
        source = find_credentials().source
    except NoCredentials as exc:
        source = f"none found ({exc})"
    return CloudStatus(site=settings.site, domain_id=domain, synced_at=synced, credentials=source,
                       bss_endpoint=settings.bss_endpoint,
                       modelarts_endpoint=settings.modelarts_endpoint)
