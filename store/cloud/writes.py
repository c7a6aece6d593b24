"""The billing system's write operations, one function each, as the SDK takes them.

Each returns the system's answer and the request id it was given. None of them is ever retried
after a failure that may have reached the service (the Throttle retries only HTTP 429 for a
write): the caller records an intent before the call and finds out what happened after doubt.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from store.cloud.client import CloudClient
from store.cloud.coupons import MAX_PAY_COUPONS, PAY_COUPON_TYPE
from store.cloud.throttle import CloudError

MAX_RENEWED = 10       # main resources per renewal or unsubscribe call (documented limits)
MAX_ON_DEMAND = 100    # main resources per pay-per-use-at-expiry call
UNSUBSCRIBE_RENEWED_PERIODS = 2
RENEW_CONFIG_DONE = "CBC.0000"


@dataclass(frozen=True)
class Answer:
    value: Any
    request_id: str | None


def _write(client: CloudClient, operation: str, send: Any) -> Answer:
    value = client.call(operation, send, read=False)
    return Answer(value, client.request_ids.last)


def renew(client: CloudClient, ids: list[str], period_type: int, period_num: int) -> Answer:
    """Renewal orders, pending payment (is_auto_pay 0), for up to MAX_RENEWED main resources."""
    if not 1 <= len(ids) <= MAX_RENEWED:
        raise ValueError(f"a renewal call covers 1-{MAX_RENEWED} resources, not {len(ids)}")
    api = client.api
    request = api.RenewalResourcesRequest(body=api.RenewalResourcesReq(
        resource_ids=ids, period_type=period_type, period_num=period_num, is_auto_pay=0))
    answer = _write(client, "renew", lambda: client.bss.renewal_resources(request))
    refused = {info.resource_id for info in answer.value.fail_resource_infos or []}
    if set(ids) - refused and not answer.value.order_ids:  # renewed into no order: in doubt
        raise CloudError("renew: the billing system's answer names no order for the resources "
                         "it did not refuse")
    return answer


def pay(client: CloudClient, order_id: str, coupons: list[tuple[str, int]]) -> Answer:
    """Pay one order; `coupons` are (coupon id, coupon_type as the coupon list gives it)."""
    api = client.api
    infos = [api.CouponSimpleInfoOrderPayV3(id=cid, type=PAY_COUPON_TYPE[kind])
             for cid, kind in coupons[:MAX_PAY_COUPONS]]
    body = api.PayCustomerOrderV3Req(order_id=order_id, use_coupon="YES" if infos else "NO",
                                     coupon_infos=infos or None, use_discount="NO")
    request = api.PayOrdersRequest(body=body)
    return _write(client, "pay an order", lambda: client.bss.pay_orders(request))


def cancel_order(client: CloudClient, order_id: str) -> Answer:
    api = client.api
    request = api.CancelCustomerOrderRequest(body=api.CancelCustomerOrderReq(order_id=order_id))
    return _write(client, "cancel an order", lambda: client.bss.cancel_customer_order(request))


def auto_renew(client: CloudClient, resource_id: str, times: int, period_type: str) -> Answer:
    """Auto-renew on (or new terms): `times` 0-99, 0 = unlimited; period MONTH or YEAR."""
    api = client.api
    request = api.AutoRenewalResourcesRequest(
        resource_id=resource_id,
        body=api.AutoRenewalResourcesReq(auto_renew_times=times, period_type=period_type))
    return _write(client, "enable auto-renew",
                  lambda: client.bss.auto_renewal_resources(request))


def cancel_auto_renew(client: CloudClient, resource_id: str) -> Answer:
    api = client.api
    request = api.CancelAutoRenewalResourcesRequest(resource_id=resource_id)
    return _write(client, "cancel auto-renew",
                  lambda: client.bss.cancel_auto_renewal_resources(request))


def to_on_demand(client: CloudClient, ids: list[str], operation: str) -> Answer:
    """Pay-per-use after expiry: SET_UP or CANCEL, for up to MAX_ON_DEMAND main resources."""
    if not 1 <= len(ids) <= MAX_ON_DEMAND:
        raise ValueError(f"a pay-per-use call covers 1-{MAX_ON_DEMAND} resources")
    api = client.api
    request = api.UpdatePeriodToOnDemandRequest(
        body=api.PeriodToOnDemandReq(operation=operation, resource_ids=ids))
    return _write(client, "set pay-per-use after expiry",
                  lambda: client.bss.update_period_to_on_demand(request))


def unsubscribe_renewals(client: CloudClient, ids: list[str]) -> Answer:
    """Take back the renewed periods (not the resources) of up to MAX_RENEWED resources."""
    if not 1 <= len(ids) <= MAX_RENEWED:
        raise ValueError(f"an unsubscribe call covers 1-{MAX_RENEWED} resources")
    api = client.api
    request = api.CancelResourcesSubscriptionRequest(body=api.UnsubscribeResourcesReq(
        resource_ids=ids, unsubscribe_type=UNSUBSCRIBE_RENEWED_PERIODS))
    return _write(client, "unsubscribe renewed periods",
                  lambda: client.bss.cancel_resources_subscription(request))


def renew_config(client: CloudClient, name: str, value: str) -> Answer:
    """EXPIRE_DATE ("1"-"28", "-1" the last day) or DEDUCTION_DATE ("2"-"7")."""
    api = client.api
    request = api.SetResourcesRenewConfigRequest(
        body=api.RenewResourceConfigReq(config_name=name, config_value=value))
    answer = _write(client, "set the renewal settings",
                    lambda: client.bss.set_resources_renew_config(request))
    if answer.value.error_code != RENEW_CONFIG_DONE:
        raise CloudError(f"set the renewal settings: the billing system answered "
                         f"{answer.value.error_code}: {answer.value.error_msg or 'no message'}",
                         code=answer.value.error_code, request_id=answer.request_id)
    return answer
