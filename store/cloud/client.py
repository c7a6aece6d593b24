"""The official SDK, wrapped: one method per billing operation the console uses, every call
paced by the Throttle, every SDK failure turned into one CloudError line.

Clients are built with `with_endpoints`, so the SDK never asks IAM for anything; the site picks
the international (bssintl) or the China (bss) package, whose models have the same shape. Each
SDK package takes about half a second to import, so only the site's is loaded, and ModelArts
only when pools are listed.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

import requests
from huaweicloudsdkcore.auth.credentials import BasicCredentials, GlobalCredentials
from huaweicloudsdkcore.exceptions import exceptions as sdk
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.http.http_handler import HttpHandler

from store.cloud.credentials import Credentials
from store.cloud.settings import CloudSettings
from store.cloud.throttle import CloudError, CloudTimeout, Throttle

PAGE = 500          # resources per query page
MAX_QUERIED = 50    # resource ids per resource query (documented limit)
MAX_QUOTED = 10     # resource ids per renewal quote (documented limit)
ORDERS_PAGE = 100
CONNECT_TIMEOUT_S = 10.0
BSS_PACKAGES = {"intl": "huaweicloudsdkbssintl.v2", "cn": "huaweicloudsdkbss.v2"}
PENDING_PAYMENT = 6
USABLE = 2          # a coupon's status: to be used
RENEWAL = "2"

Result = TypeVar("Result")


def translated(operation: str, send: Callable[[], Result], timeout_s: float) -> Result:
    """Run one SDK call; its failures become CloudError with what the system said."""
    try:
        return send()
    except sdk.ServiceResponseException as exc:
        raise CloudError(
            f"{operation}: the billing system answered HTTP {exc.status_code} "
            f"{exc.error_code or ''}: {exc.error_msg or 'no message'}"
            + (f" (request {exc.request_id})" if exc.request_id else ""),
            status=exc.status_code, code=exc.error_code, request_id=exc.request_id,
            retriable=exc.status_code >= 500) from None
    except (sdk.RequestTimeoutException, requests.exceptions.Timeout):
        raise CloudTimeout(f"{operation}: no answer within {timeout_s:g} s", retriable=True
                           ) from None
    except (sdk.ConnectionException, requests.exceptions.ConnectionError) as exc:
        if "ReadTimeout" in str(exc):  # how a GET's read timeout comes back from the SDK
            raise CloudTimeout(f"{operation}: no answer within {timeout_s:g} s",
                               retriable=True) from None
        raise CloudError(f"{operation}: cannot reach the billing system ({exc})",
                         retriable=True) from None


class RequestIds(threading.local):
    """The X-Request-Id of this thread's last answer: the audit names it for every write."""

    last: str | None = None

    def handler(self) -> HttpHandler:
        def remember(**kwargs: Any) -> None:
            self.last = kwargs["response"].headers.get("X-Request-Id") or None

        return HttpHandler().add_response_handler(remember)


def quiet(client: Any) -> Any:
    """The SDK logs its errors to stderr on its own; here every failure is a CloudError line."""
    logging.getLogger(f"HuaweiCloud-SDK-{type(client).__name__}").addHandler(
        logging.NullHandler())
    return client


def require(operation: str, answer: Any, *fields: str) -> Any:
    """The SDK turns a body it cannot read into a model of Nones: refuse that, by name."""
    missing = [name for name in fields if getattr(answer, name, None) is None]
    if missing:
        raise CloudError(f"{operation}: the billing system's answer has no "
                         f"{', '.join(missing)} (not a body the SDK could read)")
    return answer


def every_page(operation: str, page: Callable[[int], tuple[list[Any], int]],
               key: Callable[[Any], str]) -> list[Any]:
    """Every item of an offset-paged listing, checked. A page that brings nothing new before
    the total is reached, or a total that moves while the pages are read (the account changed
    meanwhile), is an error: half a listing would make the rest look gone."""
    found: dict[str, Any] = {}
    total: int | None = None
    while True:
        items, listed = page(len(found))
        if total is not None and listed != total:
            raise CloudError(f"{operation}: the listing changed while it was read ({total:,} "
                             f"then {listed:,} items): nothing was changed; try again")
        total, before = listed, len(found)
        for item in items:
            found.setdefault(key(item), item)
        if len(found) >= total:
            return list(found.values())
        if len(found) == before:
            raise CloudError(f"{operation}: the billing system listed {len(found):,} of "
                             f"{total:,} items, then nothing new: nothing was changed")


class CloudClient:
    def __init__(self, settings: CloudSettings, credentials: Credentials,
                 throttle: Throttle | None = None) -> None:
        self.settings, self.credentials = settings, credentials
        self.throttle = throttle or Throttle()
        self.api = importlib.import_module(BSS_PACKAGES[settings.site])
        config = HttpConfig.get_default_config()
        config.timeout = (min(CONNECT_TIMEOUT_S, settings.timeout_s), settings.timeout_s)
        config.retry_times = 0
        self.config = config
        self.request_ids = RequestIds()
        global_credentials = GlobalCredentials(credentials.ak, credentials.sk,
                                               credentials.domain_id)
        if credentials.security_token:
            global_credentials.with_security_token(credentials.security_token)
        client_type = self.api.BssintlClient if settings.site == "intl" else self.api.BssClient
        self.bss = quiet(client_type.new_builder().with_http_config(config)
                         .with_credentials(global_credentials)
                         .with_http_handler(self.request_ids.handler())
                         .with_endpoints([settings.bss_endpoint]).build())
        self._modelarts: dict[tuple[str, str], Any] = {}

    def call(self, operation: str, send: Callable[[], Result], *, read: bool = True) -> Result:
        """One SDK call, paced; a write (`read=False`) is never sent twice after a failure
        that may have reached the service."""
        self.request_ids.last = None
        return self.throttle.call(
            lambda: translated(operation, send, self.settings.timeout_s), read=read)

    # resources --------------------------------------------------------------------------------
    def resources_page(self, offset: int, limit: int = PAGE, **filters: Any) -> Any:
        """One page of yearly/monthly main resources (the SDK's QueryResourcesReq filters)."""
        body = self.api.QueryResourcesReq(only_main_resource=1, offset=offset, limit=limit,
                                          **filters)
        request = self.api.ListPayPerUseCustomerResourcesRequest(body=body)
        answer = self.call("list resources",
                            lambda: self.bss.list_pay_per_use_customer_resources(request))
        return require("list resources", answer, "total_count", "data")

    def all_resources(self, **filters: Any) -> list[Any]:
        """Every resource matching `filters`, page by page."""
        def page(offset: int) -> tuple[list[Any], int]:
            answer = self.resources_page(offset, **filters)
            return answer.data, answer.total_count

        return every_page("list resources", page, lambda item: item.resource_id)

    def resources_by_ids(self, ids: list[str]) -> list[Any]:
        """These main resources as the billing system has them now, MAX_QUERIED a call."""
        found: list[Any] = []
        for start in range(0, len(ids), MAX_QUERIED):
            chunk = ids[start:start + MAX_QUERIED]
            found += self.resources_page(0, limit=len(chunk), resource_ids=chunk).data
        return found

    # orders, balance, coupons -------------------------------------------------------------------
    def _pages(self, operation: str, send: Callable[[Any], Any], make: Callable[[int], Any],
               items: str, total: str, key: Callable[[Any], str]) -> list[Any]:
        """Every page of a GET that pages with offset/limit: `make(offset)` is the request."""
        def page(offset: int) -> tuple[list[Any], int]:
            answer = require(operation, self.call(operation, partial(send, make(offset))),
                             items)
            return getattr(answer, items), getattr(answer, total) or 0

        return every_page(operation, page, key)

    def pending_renewal_orders(self) -> list[Any]:
        return self._pages("list orders", self.bss.list_customer_orders, lambda offset:
                           self.api.ListCustomerOrdersRequest(
                               status=PENDING_PAYMENT, order_type=RENEWAL, offset=offset,
                               limit=ORDERS_PAGE), "order_infos", "total_count",
                           lambda order: order.order_id)

    def orders_since(self, begin: str, order_type: str, status: int | None = None) -> list[Any]:
        """Every order of `order_type` created since `begin` (UTC text), newest first."""
        return self._pages("list orders", self.bss.list_customer_orders, lambda offset:
                           self.api.ListCustomerOrdersRequest(
                               create_time_begin=begin, order_type=order_type, status=status,
                               offset=offset, limit=ORDERS_PAGE), "order_infos", "total_count",
                           lambda order: order.order_id)

    def order(self, order_id: str) -> Any | None:
        """One order as the billing system lists it, or None when it knows none by that id."""
        request = self.api.ListCustomerOrdersRequest(order_id=order_id, limit=1)
        answer = require("look up an order", self.call(
            "look up an order", lambda: self.bss.list_customer_orders(request)), "order_infos")
        return next((o for o in answer.order_infos if o.order_id == order_id), None)

    def balances(self) -> Any:
        request = self.api.ShowCustomerAccountBalancesRequest()
        answer = self.call("read the balance",
                            lambda: self.bss.show_customer_account_balances(request))
        return require("read the balance", answer, "account_balances")

    def usable_coupons(self) -> list[Any]:
        return self._pages("list coupons", self.bss.list_sub_customer_coupons, lambda offset:
                           self.api.ListSubCustomerCouponsRequest(
                               status=USABLE, offset=offset, limit=ORDERS_PAGE),
                           "user_coupons", "count", lambda coupon: coupon.coupon_id)

    # quotes -------------------------------------------------------------------------------------
    def quote(self, ids: list[str], period_type: int, period_num: int) -> Any:
        """The system's renewal price for up to MAX_QUOTED main resources."""
        if not 1 <= len(ids) <= MAX_QUOTED:
            raise ValueError(f"a quote covers 1-{MAX_QUOTED} resources, not {len(ids)}")
        body = self.api.ListRenewRateOnPeriodReq(resource_ids=ids, period_type=period_type,
                                                 period_num=period_num)
        request = self.api.ListRenewRateOnPeriodRequest(body=body)
        answer = self.call("quote a renewal",
                            lambda: self.bss.list_renew_rate_on_period(request))
        return require("quote a renewal", answer, "renew_inquiry_results")

    # ModelArts ----------------------------------------------------------------------------------
    def pools(self, region: str, project_id: str) -> list[Any]:
        modelarts = importlib.import_module("huaweicloudsdkmodelarts.v1")
        client = self._modelarts.get((region, project_id))
        if client is None:
            credentials = BasicCredentials(self.credentials.ak, self.credentials.sk, project_id)
            if self.credentials.security_token:
                credentials.with_security_token(self.credentials.security_token)
            client = quiet(modelarts.ModelArtsClient.new_builder().with_http_config(self.config)
                           .with_credentials(credentials)
                           .with_endpoints([self.settings.modelarts_for(region)]).build())
            self._modelarts[(region, project_id)] = client
        request = modelarts.ListPoolsRequest()
        answer = self.call(f"list the ModelArts pools of {region}",
                            lambda: client.list_pools(request))
        return list(require(f"list the ModelArts pools of {region}", answer, "items").items)
