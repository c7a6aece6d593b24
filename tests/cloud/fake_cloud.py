"""A stateful test double of Huawei Cloud BSS (billing) and ModelArts (pools) that the real SDK
clients talk to over plain HTTP on 127.0.0.1. One server answers both services' paths.

    with FakeCloud() as fake:                      # or the `fake_cloud` fixture
        fake.set_balance(100_000)                  # cents, in fake.currency
        fake.add_resource("res-1", "pool-a", dt.date(2026, 12, 15), 10_000, 100_000)
        client = BssintlClient.new_builder()...with_endpoints([fake.url]).build()

Control API (money always in integer cents; times as dt.date, aware dt.datetime or UTC text):
    FakeCloud(ak="AK-TEST", sk="SK-TEST", domain_id="domain-test-1", rate_limit=10.0,
              currency="USD", clock=None)      clock: () -> aware datetime, "now" for the state
    .start() -> self; .stop(); .url -> "http://127.0.0.1:PORT"; a context manager
    .add_resource(resource_id, name, expire_time, monthly_cents, yearly_cents, *,
        region="ap-southeast-1", service_type_code="hws.service.type.ma",
        resource_type_code="hws.resource.type.ma.pool", project_id="project-test-1",
        expire_policy=0, status=2, enterprise_project=("0", "default"), is_main_resource=1,
        parent_resource_id=None, effective_time=None (a year before expiry),
        order_id=None (the purchase order)) -> Resource;  .remove_resource(id);  .resources
    .add_pool(project_id, pool_name, resource_id, kind="standard" | "lite" | "logical",
        flavor="modelarts.vm.gpu.8v100", nodes=1, region="ap-southeast-1", status="Running", *,
        pool_id=None ("pool-" + pool_name), workspace_id="0", period_type=2, period_num=1,
        order_id=None (default: the order_id given to add_resource)) -> Pool
    .set_balance(cents, currency=None, *, credit_cents=None, bonus_cents=None,
        deposit_cents=None, debt_cents=0);  .balance_cents
    .add_coupon(coupon_id, face_value_cents, expire_time, *, coupon_type=1, balance_cents=None,
        status=2, coupon_version=2, use_limits=(), lock_order_id=None) -> Coupon;  .coupons
    .add_discount(discount_id, percent, discount_type=2, name="discount") -> Discount
    .orders (dict order_id -> Order);  .renew_config (dict: what set_resources_renew_config set)
    .expiry_text(resource_id) -> "2026-12-15T15:59:59Z";  .currency;  .state (all of it)
    .fail(operation, kind, times=1, seconds=0.0, act_first=False): the next `times` calls of
        `operation` answer with kind "429" | "500" | "slow" (sleep `seconds`, then act and
        answer) | "not_json" (200, HTML) | "empty_json" (200, {}) | "drop" (close the socket).
        act_first=True performs the operation first, then answers with the fault; with "slow"
        it acts, sleeps, then sends the real answer, so a client timeout follows the change.
    .set_rate_limit(rate, operation=None): requests a second per operation, for all operations or
        just `operation` (the real API allows balances 20/s); 0 disables;  .set_clock(clock)
    .requests -> [RecordedRequest(operation, method, path, query, body, time, status)];
    .count(operation);  .errors (exceptions the fake itself raised, answered as 500)

Answers and refusals (HTTP status, error_code). Codes marked * are our choice: no public text
settles them. Per-resource refusals come back with HTTP 200 in fail_resource_infos/error_details.
    any:     401 APIGW.0301 bad/missing signature, unknown AK, X-Sdk-Date missing or 15 min off*
             (one code for all of them*);
             404 APIGW.0101 unknown path; 429 APIGW.0308 throttled; 400 CBC.0100 unknown body key,
             wrong type, missing required field, unknown query parameter, value out of range.
    list_pay_per_use_customer_resources: > 50 resource_ids, limit outside 1-500 -> 400 CBC.0100.
    list_customer_orders: limit 1-100; create/payment time ranges > 1 year -> 400 CBC.0100.
    show_customer_order_details: unknown order -> 400 CBC.30000010*; limit 1-500*.
    list_sub_customer_coupons: limit 1-500*; offset without limit -> 400 CBC.0100.
    list_renew_rate_on_period / renewal_resources: 1-10 ids, month 1-11 / year 1-3, else 400
             CBC.0100; per resource CBC.30050009 unknown or deleted, CBC.30050007 not main (renew:
             400 CBC.30010036 for the whole call), CBC.30050010 in an unpaid order.
    pay_orders: 204; unknown order 400 CBC.30000010; not pending 400 CBC.99003106; insufficient
             balance 400 CBC.99005003*; > 3 coupons, > 1 discount, unusable ones 400 CBC.0100*.
    cancel_customer_order: 204; unknown 400 CBC.30000010*; not pending 400 CBC.99005010.
    auto_renewal_resources / cancel_auto_renewal_resources: 204; unknown 400 CBC.99003012*.
    update_period_to_on_demand: 1-100 ids; error_details CBC.30050009* / CBC.30050007*.
    cancel_resources_subscription: 1-10 ids; type 2 with no renewed period that has not begun:
             CBC.99003151* (invented). Type 1 closes the resource (status 3), refunding only the
             renewed periods; refunds go to the cash balance through an order of type 4.
    set_resources_renew_config: 200 {"error_code": "CBC.0000"}; stored only, never applied.
    list_pools: a literal {project_id} in the path or a bad status -> 400 ModelArts.0101*.
Orders: status 6 pending, 5 paid (已完成), 4 cancelled; a renewal pays from the cash balance only;
is_auto_pay=1 pays at once if it can, else the order stays pending*. An order unpaid for 7 days*
is cancelled (status 4) when the next request arrives (the fake's clock decides).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote

import simplejson

from .fake_cloud_read import POOL_SPEC_BY_KIND
from .fake_cloud_state import (
    BONUS,
    CASH,
    CREDIT,
    DEPOSIT,
    Call,
    CloudError,
    CloudState,
    Coupon,
    Discount,
    Pool,
    Resource,
    as_moment,
    utc_text,
)
from .fake_cloud_wire import (
    FAULT_ANSWERS,
    OPERATION_NAMES,
    OPERATIONS,
    THROTTLED,
    Answer,
    Fault,
    FaultQueue,
    Operation,
    RateLimiter,
    parse_body,
    parse_query,
    verify_signature,
)


@dataclass
class RecordedRequest:
    operation: str
    method: str
    path: str
    query: dict[str, str]
    body: Any
    time: float
    status: int | None = None  # None until answered; stays None for a dropped connection


class FakeCloud:
    def __init__(self, ak: str = "AK-TEST", sk: str = "SK-TEST", domain_id: str = "domain-test-1",
                 rate_limit: float = 10.0, currency: str = "USD",
                 clock: Callable[[], dt.datetime] | None = None) -> None:
        self.ak, self.sk, self.domain_id = ak, sk, domain_id
        self.state = CloudState(domain_id, currency, clock or (lambda: dt.datetime.now(dt.UTC)))
        self.errors: list[BaseException] = []
        self._limiter = RateLimiter(rate_limit)
        self._faults = FaultQueue()
        self._requests: list[RecordedRequest] = []
        self._requests_lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> FakeCloud:
        handler = type("FakeCloudHandler", (_Handler,), {"cloud": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={
            "poll_interval": 0.05}, name="fake-cloud", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def __enter__(self) -> FakeCloud:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the fake cloud is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # -- state the tests set and read -------------------------------------------------------
    @property
    def currency(self) -> str:
        return self.state.currency

    @property
    def resources(self) -> dict[str, Resource]:
        return self.state.resources

    @property
    def orders(self) -> dict:
        return self.state.orders

    @property
    def coupons(self) -> dict[str, Coupon]:
        return self.state.coupons

    @property
    def renew_config(self) -> dict[str, str]:
        return self.state.renew_config

    @property
    def balance_cents(self) -> int:
        return self.state.accounts[CASH]

    def add_resource(self, resource_id: str, name: str, expire_time: dt.date | dt.datetime | str,
                     monthly_cents: int, yearly_cents: int, *, region: str = "ap-southeast-1",
                     service_type_code: str = "hws.service.type.ma",
                     resource_type_code: str = "hws.resource.type.ma.pool",
                     project_id: str = "project-test-1", expire_policy: int = 0, status: int = 2,
                     enterprise_project: tuple[str, str] = ("0", "default"),
                     is_main_resource: int = 1, parent_resource_id: str | None = None,
                     effective_time: dt.date | dt.datetime | str | None = None,
                     order_id: str | None = None) -> Resource:
        if expire_policy not in range(6) or status not in (2, 3, 4, 5):
            raise ValueError("expire_policy must be 0-5 and status 2, 3, 4 or 5")
        expiry = as_moment(expire_time)
        effective = as_moment(effective_time) if effective_time else expiry.replace(
            year=expiry.year - 1, day=min(expiry.day, 28))
        resource = Resource(
            resource_id, name, expiry, monthly_cents, yearly_cents, region, service_type_code,
            resource_type_code, project_id, expire_policy, status, tuple(enterprise_project),
            is_main_resource, parent_resource_id, effective, [order_id] if order_id else [])
        with self.state.lock:
            self.state.resources[resource_id] = resource
        return resource

    def remove_resource(self, resource_id: str) -> None:
        with self.state.lock:
            del self.state.resources[resource_id]

    def add_pool(self, project_id: str, pool_name: str, resource_id: str, kind: str = "standard",
                 flavor: str = "modelarts.vm.gpu.8v100", nodes: int = 1,
                 region: str = "ap-southeast-1", status: str = "Running", *,
                 pool_id: str | None = None, workspace_id: str = "0", period_type: int = 2,
                 period_num: int = 1, order_id: str | None = None,
                 azs: tuple[str, ...] = ()) -> Pool:
        if kind not in POOL_SPEC_BY_KIND:
            raise ValueError(f"kind must be one of {sorted(POOL_SPEC_BY_KIND)}")
        with self.state.lock:
            resource = self.state.resources.get(resource_id)
            if order_id is None and resource and resource.order_ids:
                order_id = resource.order_ids[0]
            pool = Pool(project_id, pool_id or f"pool-{pool_name}", pool_name, resource_id, kind,
                        flavor, nodes, region, status, workspace_id, period_type, period_num,
                        self.state.now(), order_id, azs)
            self.state.pools.append(pool)
        return pool

    def set_balance(self, cents: int, currency: str | None = None, *,
                    credit_cents: int | None = None, bonus_cents: int | None = None,
                    deposit_cents: int | None = None, debt_cents: int = 0) -> None:
        others = {CREDIT: credit_cents, BONUS: bonus_cents, DEPOSIT: deposit_cents}
        with self.state.lock:
            self.state.accounts = {CASH: cents} | {k: v for k, v in others.items() if v is not None}
            self.state.debt_cents = debt_cents
            self.state.currency = currency or self.state.currency

    def add_coupon(self, coupon_id: str, face_value_cents: int, expire_time: Any, *,
                   coupon_type: int = 1, balance_cents: int | None = None, status: int = 2,
                   coupon_version: int = 2, use_limits: tuple[dict[str, str], ...] = (),
                   lock_order_id: str | None = None) -> Coupon:
        coupon = Coupon(coupon_id, face_value_cents,
                        face_value_cents if balance_cents is None else balance_cents,
                        as_moment(expire_time), coupon_type, status, coupon_version,
                        list(use_limits), lock_order_id)
        with self.state.lock:
            self.state.coupons[coupon_id] = coupon
        return coupon

    def add_discount(self, discount_id: str, percent: int, discount_type: int = 2,
                     name: str = "discount") -> Discount:
        discount = Discount(discount_id, percent, discount_type, name)
        with self.state.lock:
            self.state.discounts[discount_id] = discount
        return discount

    def expiry_text(self, resource_id: str) -> str | None:
        return utc_text(self.state.resources[resource_id].expire_time)

    # -- faults, limits, records ------------------------------------------------------------
    def fail(self, operation: str, kind: str | int, times: int = 1, seconds: float = 0.0,
             act_first: bool = False) -> None:
        if operation not in OPERATION_NAMES:
            raise ValueError(f"unknown operation {operation!r}")
        self._faults.add(operation, Fault(str(kind), seconds, act_first), times)

    def set_clock(self, clock: Callable[[], dt.datetime]) -> None:
        """What the state takes for now (signatures are always checked against the real clock)."""
        self.state.clock = clock

    def set_rate_limit(self, rate: float, operation: str | None = None) -> None:
        if operation is None:
            self._limiter.rate = rate
        else:
            self._limiter.rates[operation] = rate

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._requests_lock:
            return list(self._requests)

    def count(self, operation: str) -> int:
        return sum(1 for r in self.requests if r.operation == operation)

    # -- serving ----------------------------------------------------------------------------
    def serve(self, handler: BaseHTTPRequestHandler) -> None:
        raw_path, _, query_text = handler.path.partition("?")
        length = int(handler.headers.get("Content-Length") or 0)
        raw_body = handler.rfile.read(length) if length else b""
        pairs = parse_qsl(query_text, keep_blank_values=True)
        operation, path_params = self._route(handler.command, raw_path)
        record = RecordedRequest(operation.name if operation else "unknown", handler.command,
                                 unquote(raw_path), dict(pairs), _loose_json(raw_body), time.time())
        with self._requests_lock:
            self._requests.append(record)
        try:
            answer = self._answer(handler, operation, path_params, pairs, raw_body)
        except CloudError as error:
            answer = Answer.of_error(error)
        time.sleep(answer.delay)
        record.status = None if answer.drop else answer.status
        _send(handler, answer)

    def _route(self, method: str, raw_path: str) -> tuple[Operation | None, dict[str, str]]:
        path = unquote(raw_path)
        for operation in OPERATIONS:
            match = operation.pattern.match(path)
            if match and operation.method == method:
                return operation, match.groupdict()
        return None, {}

    def _answer(self, handler: BaseHTTPRequestHandler, operation: Operation | None,
                path_params: dict[str, str], pairs: list, raw_body: bytes) -> Answer:
        if operation is None:
            raise CloudError(404, "APIGW.0101", "The API does not exist or has not been published.")
        verify_signature(self.ak, self.sk, handler.command, handler.path.partition("?")[0], pairs,
                         handler.headers, raw_body)
        if not self._limiter.allow(operation.name):
            raise CloudError(429, *THROTTLED)
        fault = self._faults.take(operation.name)
        if fault is None:
            return self._perform(operation, path_params, pairs, raw_body)
        if fault.act_first:  # the change is made whatever the client comes to hear
            answer = self._perform(operation, path_params, pairs, raw_body)
            if fault.kind != "slow":
                return FAULT_ANSWERS[fault.kind]
            answer.delay = fault.seconds
            return answer
        if fault.kind != "slow":
            return FAULT_ANSWERS[fault.kind]
        time.sleep(fault.seconds)
        return self._perform(operation, path_params, pairs, raw_body)

    def _perform(self, operation: Operation, path_params: dict[str, str], pairs: list,
                 raw_body: bytes) -> Answer:
        try:
            call = Call(parse_body(operation.body, raw_body),
                        parse_query(operation.request, operation.query, pairs), path_params)
            with self.state.lock:
                self.state.expire_unpaid_orders()
                return Answer.of_model(operation.success, operation.run(self.state, call))
        except CloudError as error:
            return Answer.of_error(error)
        except Exception as error:  # a bug in the fake: answer 500 and keep it for the test
            self.errors.append(error)
            return Answer.of_error(CloudError(500, "CBC.0999", f"fake cloud error: {error!r}"))


def _loose_json(raw: bytes) -> Any:
    try:
        return simplejson.loads(raw.decode("utf-8")) if raw else None
    except ValueError:
        return raw.decode("utf-8", "replace")


def _send(handler: BaseHTTPRequestHandler, answer: Answer) -> None:
    if answer.drop:
        handler.close_connection = True
        return
    try:
        handler.send_response(answer.status)
        handler.send_header("X-Request-Id", f"fake-{time.monotonic_ns()}")
        if answer.body:
            handler.send_header("Content-Type", answer.content_type)
        handler.send_header("Content-Length", str(len(answer.body)))
        handler.end_headers()
        handler.wfile.write(answer.body)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the client gave up (a timeout) before the answer was ready


class _Handler(BaseHTTPRequestHandler):
    cloud: FakeCloud

    def do_GET(self) -> None:  # http.server dispatches on these names
        self.cloud.serve(self)

    do_POST = do_PUT = do_DELETE = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep the test output quiet
