"""The fake cloud's wire: the operations' methods and paths, the SDK-HMAC-SHA256 signature
(recomputed with the SDK's own Signer), request bodies and query strings validated against the
SDK's own request models, answers serialised with the SDK's sanitize_for_serialization, the
per-operation rate limit, and the faults a test asks for."""

from __future__ import annotations

import datetime as dt
import functools
import hmac
import importlib
import inspect
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import simplejson
from huaweicloudsdkbss.v2 import model as bss
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer
from huaweicloudsdkcore.utils.http_utils import sanitize_for_serialization
from huaweicloudsdkmodelarts.v1 import model as ma

from . import fake_cloud_read as read
from . import fake_cloud_write as write
from .fake_cloud_state import Call, CloudError, CloudState, invalid

SDK_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
MAX_CLOCK_SKEW = dt.timedelta(minutes=15)
AUTHORIZATION = re.compile(
    r"SDK-HMAC-SHA256 Access=(?P<ak>[^,]+), SignedHeaders=(?P<headers>[^,]+), "
    r"Signature=(?P<signature>[0-9a-f]+)")
FAULT_KINDS = ("429", "500", "slow", "not_json", "empty_json", "drop")
THROTTLED = ("APIGW.0308", "The throttling threshold has been reached: policy user over ratelimit")


def auth_error(reason: str) -> CloudError:
    return CloudError(401, "APIGW.0301", f"Incorrect IAM authentication information: {reason}")


def verify_signature(ak: str, sk: str, method: str, raw_path: str, query: list[tuple[str, str]],
                     headers: Any, body: bytes) -> None:
    """Rebuild the canonical request from what arrived, the way the SDK's Signer built it."""
    sdk_date = headers.get("X-Sdk-Date")
    if not sdk_date:
        raise auth_error("the X-Sdk-Date header is missing")
    try:
        signed_at = dt.datetime.strptime(sdk_date, SDK_DATE_FORMAT)
    except ValueError:
        raise auth_error("X-Sdk-Date is not yyyyMMddTHHmmssZ") from None
    match = AUTHORIZATION.fullmatch(headers.get("Authorization") or "")
    if match is None:
        raise auth_error("the Authorization header is missing or not SDK-HMAC-SHA256")
    if match["ak"] != ak:
        raise auth_error("the access key does not exist")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if abs(now - signed_at) > MAX_CLOCK_SKEW:
        raise auth_error("the request has expired (X-Sdk-Date is too far from now)")
    signed_headers = match["headers"].split(";")
    if any(headers.get(name) is None for name in signed_headers):
        raise auth_error("a signed header is missing")
    request = SdkRequest(method=method, resource_path=raw_path, query_params=list(query),
                         header_params={name: headers.get(name) for name in signed_headers},
                         body=body or None)
    signer = Signer(SimpleNamespace(ak=ak, sk=sk))
    canonical = signer._process_canonical_request(request, signed_headers)
    expected = signer._sign_string_to_sign(signer._process_string_to_sign(canonical, signed_at), sk)
    if not hmac.compare_digest(expected, match["signature"]):
        raise auth_error("the signature does not match")


@functools.cache
def required_attributes(klass: type) -> frozenset[str]:
    """A generated SDK model's __init__ sets its required attributes unconditionally."""
    lines = inspect.getsource(klass.__init__).splitlines()
    required = set()
    for previous, line in zip(lines, lines[1:], strict=False):
        match = re.fullmatch(r"\s*self\.(\w+) = (\w+)", line)
        if match and match[1] == match[2] and "is not None" not in previous:
            required.add(match[1])
    return frozenset(required)


def build_model(klass: type, data: Any, where: str) -> Any:
    """The SDK model `klass` built from JSON `data`; unknown keys and wrong types are refused."""
    if not isinstance(data, dict):
        raise invalid(f"{where} must be a JSON object")
    attributes = {json_key: attr for attr, json_key in klass.attribute_map.items()}
    kwargs = {}
    for key, value in data.items():
        if key not in attributes:
            raise invalid(f"{where}.{key} is not a known parameter")
        attr = attributes[key]
        kwargs[attr] = converted(klass, klass.openapi_types[attr], value, f"{where}.{key}")
    missing = sorted(a for a in required_attributes(klass) if kwargs.get(a) is None)
    if missing:
        raise invalid(f"{where}.{klass.attribute_map[missing[0]]} is required")
    return klass(**kwargs)


PRIMITIVES = {"str": (str,), "int": (int,), "bool": (bool,), "float": (int, float)}


def converted(owner: type, type_name: str, value: Any, where: str) -> Any:
    if value is None or type_name == "object":
        return value
    if type_name.startswith("list["):
        if not isinstance(value, list):
            raise invalid(f"{where} must be a list")
        inner = type_name[5:-1]
        return [converted(owner, inner, item, f"{where}[{n}]") for n, item in enumerate(value)]
    if type_name in PRIMITIVES:
        is_bool_for_number = isinstance(value, bool) and type_name != "bool"
        if is_bool_for_number or not isinstance(value, PRIMITIVES[type_name]):
            raise invalid(f"{where} must be of type {type_name}")
        return value
    package = importlib.import_module(owner.__module__.rsplit(".", 1)[0])
    return build_model(getattr(package, type_name), value, where)


def parse_body(klass: type | None, raw: bytes) -> Any:
    if klass is None or not raw:
        return None
    try:
        data = simplejson.loads(raw.decode("utf-8"))
    except ValueError:
        raise invalid("the body is not JSON") from None
    return build_model(klass, data, "body")


def parse_query(request_class: type | None, names: tuple[str, ...],
                pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Query values typed as the SDK's request model declares them; unknown names are refused."""
    types = {}
    if request_class is not None:
        types = {request_class.attribute_map[a]: t for a, t in request_class.openapi_types.items()}
    query: dict[str, Any] = {}
    for name, text in pairs:
        if name not in names:
            raise invalid(f"query parameter {name} is not known")
        if types.get(name) != "int":
            query[name] = text
        elif re.fullmatch(r"-?\d+", text):
            query[name] = int(text)
        else:
            raise invalid(f"query parameter {name} must be an integer")
    return query


class RateLimiter:
    """A token bucket per operation: `rate` requests a second, bursts of up to `rate`."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.rates: dict[str, float] = {}  # operations with a rate of their own
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # operation → (tokens, last refill)

    def allow(self, operation: str) -> bool:
        rate = self.rates.get(operation, self.rate)
        if rate <= 0:
            return True
        with self._lock:
            now = time.monotonic()
            tokens, last = self._buckets.get(operation, (max(rate, 1.0), now))
            tokens = min(max(rate, 1.0), tokens + (now - last) * rate)
            allowed = tokens >= 1.0
            self._buckets[operation] = (tokens - 1.0 if allowed else tokens, now)
            return allowed


@dataclass(frozen=True)
class Fault:
    kind: str
    seconds: float = 0.0
    act_first: bool = False


class FaultQueue:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: dict[str, deque[Fault]] = {}

    def add(self, operation: str, fault: Fault, times: int) -> None:
        if fault.kind not in FAULT_KINDS:
            raise ValueError(f"fault kind must be one of {FAULT_KINDS}, not {fault.kind!r}")
        with self._lock:
            self._faults.setdefault(operation, deque()).extend([fault] * times)

    def take(self, operation: str) -> Fault | None:
        with self._lock:
            queue = self._faults.get(operation)
            return queue.popleft() if queue else None


@dataclass(frozen=True)
class Operation:
    name: str
    method: str
    path: str
    run: Callable[[CloudState, Call], Any]
    body: type | None = None
    request: type | None = None  # the SDK request model whose openapi_types type the query
    query: tuple[str, ...] = ()
    success: int = 200

    @property
    def pattern(self) -> re.Pattern:
        return re.compile(re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.path) + "$")


ORDER_QUERY = ("order_id", "customer_id", "create_time_begin", "create_time_end",
               "service_type_code", "status", "order_type", "limit", "offset", "order_by",
               "payment_time_begin", "payment_time_end", "indirect_partner_id", "method")
COUPON_QUERY = ("coupon_id", "order_id", "promotion_plan_id", "coupon_type", "status",
                "active_start_time", "active_end_time", "offset", "limit", "source_id",
                "indirect_partner_id")
RESOURCES = "/v2/orders/subscriptions/resources"
OPERATIONS = (
    Operation("list_pay_per_use_customer_resources", "POST",
              "/v2/orders/suscriptions/resources/query", read.list_resources,
              body=bss.QueryResourcesReq),
    Operation("list_customer_orders", "GET", "/v2/orders/customer-orders", read.list_orders,
              request=bss.ListCustomerOrdersRequest, query=ORDER_QUERY),
    Operation("show_customer_order_details", "GET",
              "/v2/orders/customer-orders/details/{order_id}", read.order_details,
              request=bss.ShowCustomerOrderDetailsRequest,
              query=("limit", "offset", "indirect_partner_id")),
    Operation("show_customer_account_balances", "GET", "/v2/accounts/customer-accounts/balances",
              read.balances),
    Operation("list_sub_customer_coupons", "GET", "/v2/promotions/benefits/coupons",
              read.list_coupons, request=bss.ListSubCustomerCouponsRequest, query=COUPON_QUERY),
    Operation("list_renew_rate_on_period", "POST", "/v2/bills/ratings/period-resources/renew-rate",
              read.renew_quote, body=bss.ListRenewRateOnPeriodReq),
    Operation("list_pools", "GET", "/v2/{project_id}/pools", read.list_pools,
              request=ma.ListPoolsRequest, query=("workspaceId", "labelSelector", "status")),
    Operation("renewal_resources", "POST", f"{RESOURCES}/renew", write.renewal_resources,
              body=bss.RenewalResourcesReq),
    Operation("pay_orders", "POST", "/v3/orders/customer-orders/pay", write.pay_orders,
              body=bss.PayCustomerOrderV3Req, success=204),
    Operation("cancel_customer_order", "PUT", "/v2/orders/customer-orders/cancel",
              write.cancel_customer_order, body=bss.CancelCustomerOrderReq, success=204),
    Operation("auto_renewal_resources", "POST", f"{RESOURCES}/autorenew/{{resource_id}}",
              write.auto_renewal_resources, body=bss.AutoRenewalResourcesReq, success=204),
    Operation("cancel_auto_renewal_resources", "DELETE", f"{RESOURCES}/autorenew/{{resource_id}}",
              write.cancel_auto_renewal_resources, success=204),
    Operation("update_period_to_on_demand", "POST", f"{RESOURCES}/to-on-demand",
              write.update_period_to_on_demand, body=bss.PeriodToOnDemandReq),
    Operation("cancel_resources_subscription", "POST", f"{RESOURCES}/unsubscribe",
              write.cancel_resources_subscription, body=bss.UnsubscribeResourcesReq),
    Operation("set_resources_renew_config", "POST", f"{RESOURCES}/renew/config",
              write.set_resources_renew_config, body=bss.RenewResourceConfigReq),
)
OPERATION_NAMES = frozenset(op.name for op in OPERATIONS)


@dataclass
class Answer:
    status: int
    body: bytes = b""
    content_type: str = "application/json;charset=UTF-8"
    drop: bool = False
    delay: float = 0.0

    @classmethod
    def of_model(cls, status: int, model: Any) -> Answer:
        if status == 204:
            return cls(204)
        return cls(status, simplejson.dumps(sanitize_for_serialization(model),
                                            use_decimal=True).encode())

    @classmethod
    def of_error(cls, error: CloudError) -> Answer:
        body = {"error_code": error.code, "error_msg": error.msg}
        return cls(error.status, simplejson.dumps(body).encode())


FAULT_ANSWERS = {
    "429": Answer.of_error(CloudError(429, *THROTTLED)),
    "500": Answer.of_error(CloudError(500, "CBC.0999", "Other errors.")),
    "not_json": Answer(200, b"<html><body>502 Bad Gateway</body></html>", "text/html"),
    "empty_json": Answer(200, b"{}"),
    "drop": Answer(0, drop=True),
}
