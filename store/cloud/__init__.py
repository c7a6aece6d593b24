"""The cloud backend: a database bound to one Huawei Cloud account, kept in sync through the
official SDK, and renewed through the billing system's API.

Reads always come from SQLite (the account's mirror); the billing system is asked only to sync,
to quote and to act. The SDK is imported by `client` and `credentials` alone, and those only
when a bound database needs them: the local ledger and the offline demo never load it.
"""

from importlib.util import find_spec

from store.errors import StoreError

NO_ALIGN = ("renewing to a renewal date is not offered on a database bound to a cloud account: "
            "the renewal API renews whole periods only")


def require_sdk() -> None:
    """The SDK is the optional `huaweicloud` extra: say how to get it, not fail on an import."""
    if find_spec("huaweicloudsdkcore") is None:
        raise StoreError("the Huawei Cloud SDK is not installed: "
                         "pip install 'renewals[huaweicloud]'")
