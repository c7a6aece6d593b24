"""The fake cloud's read-side operations: each takes the state and a validated Call, and answers
with an SDK response model."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from huaweicloudsdkbss.v2 import model as bss
from huaweicloudsdkcore.utils.http_utils import sanitize_for_serialization
from huaweicloudsdkmodelarts.v1 import model as ma

from .fake_cloud_state import (
    MAX_LIST_LIMIT,
    MAX_ORDER_LIMIT,
    MAX_QUERY_IDS,
    MAX_RENEW_IDS,
    MAX_RESOURCE_LIMIT,
    PAY_WINDOW,
    Call,
    CloudError,
    CloudState,
    Coupon,
    Order,
    Pool,
    Resource,
    add_months,
    check_period,
    checked_ids,
    fail_info,
    invalid,
    paging,
    parse_utc,
    period_months,
    utc_text,
    yuan_decimal,
    yuan_float,
    yuan_text,
)

ORDER_STATUS_FILTERS = {1, 3, 4, 5, 6, 9}
ORDER_TYPE_FILTERS = {"1", "2", "3", "4", "10", "11", "13", "14", "15"}
POOL_STATUS_FILTERS = {"created": {"Running", "Abnormal"}, "creating": {"Creating"},
                       "failed": {"Error"}}
# Our choice: the typed PoolSpecModel has no field naming a pool's kind, so kind maps to type+scope.
POOL_SPEC_BY_KIND = {"standard": ("Dedicate", ["Train", "Infer", "Notebook"]),
                     "lite": ("Dedicate", []), "logical": ("Logical", ["Train", "Infer"])}


def resource_filters(req: bss.QueryResourcesReq) -> list[Callable]:
    ids = set(req.resource_ids or [])
    if len(req.resource_ids or []) > MAX_QUERY_IDS:
        raise invalid(f"resource_ids holds more than {MAX_QUERY_IDS} ids")
    only_main = req.only_main_resource or 0
    if only_main not in (0, 1):
        raise invalid("only_main_resource must be 0 or 1")
    statuses = set(req.status_list or [])
    if statuses - {2, 3, 4, 5}:
        raise invalid("status_list accepts 2, 3, 4 and 5")
    if req.service_type_code == "":
        raise invalid("service_type_code must not be empty")
    tests: list[Callable[[Resource], bool]] = []
    if ids:
        tests.append(lambda r: r.resource_id in ids
                     or (not only_main and r.parent_resource_id in ids))
    if only_main:  # a child asked for by its own id still answers for itself
        tests.append(lambda r: r.is_main_resource == 1 or r.resource_id in ids)
    if statuses:
        tests.append(lambda r: r.status in statuses)
    if req.expire_time_begin:
        begin = parse_utc(req.expire_time_begin, "expire_time_begin")
        tests.append(lambda r: r.expire_time >= begin)
    if req.expire_time_end:
        end = parse_utc(req.expire_time_end, "expire_time_end")
        tests.append(lambda r: r.expire_time <= end)
    if req.order_id:
        tests.append(lambda r: req.order_id in r.order_ids)
    if req.service_type_code:
        tests.append(lambda r: r.service_type_code == req.service_type_code)
    return tests


def resource_model(resource: Resource) -> bss.OrderInstanceV2:
    project_id, project_name = resource.enterprise_project
    return bss.OrderInstanceV2(
        resource_id=resource.resource_id, resource_name=resource.name,
        region_code=resource.region, service_type_code=resource.service_type_code,
        resource_type_code=resource.resource_type_code, project_id=resource.project_id,
        parent_resource_id=resource.parent_resource_id,
        is_main_resource=resource.is_main_resource, status=resource.status,
        effective_time=utc_text(resource.effective_time),
        expire_time=utc_text(resource.expire_time),
        expire_policy=resource.expire_policy,
        enterprise_project=bss.EnterpriseProject(id=project_id, name=project_name))


def list_resources(state: CloudState, call: Call) -> bss.ListPayPerUseCustomerResourcesResponse:
    req = call.body or bss.QueryResourcesReq()
    offset, limit = paging(req.offset, req.limit, MAX_RESOURCE_LIMIT)
    tests = resource_filters(req)
    found = [r for r in state.resources.values() if all(test(r) for test in tests)]
    return bss.ListPayPerUseCustomerResourcesResponse(
        total_count=len(found), data=[resource_model(r) for r in found[offset:offset + limit]])


def time_range(query: dict, prefix: str) -> tuple[dt.datetime | None, dt.datetime | None]:
    begin_text, end_text = query.get(f"{prefix}_begin"), query.get(f"{prefix}_end")
    begin = parse_utc(begin_text, f"{prefix}_begin") if begin_text else None
    end = parse_utc(end_text, f"{prefix}_end") if end_text else None
    if begin and end and end > add_months(begin, 12):
        raise invalid(f"{prefix}_begin and {prefix}_end may be at most one year apart")
    return begin, end


def within(moment: dt.datetime | None, bounds: tuple) -> bool:
    begin, end = bounds
    if begin is None and end is None:
        return True
    after_begin = begin is None or (moment is not None and moment >= begin)
    before_end = end is None or (moment is not None and moment <= end)
    return after_begin and before_end


def order_filters(query: dict) -> list[Callable[[Order], bool]]:
    status, order_type = query.get("status"), query.get("order_type")
    if status is not None and status not in ORDER_STATUS_FILTERS:
        raise invalid(f"status must be one of {sorted(ORDER_STATUS_FILTERS)}")
    if order_type and order_type not in ORDER_TYPE_FILTERS:
        raise invalid("order_type is not a known order type")
    created, paid = time_range(query, "create_time"), time_range(query, "payment_time")
    order_id, service = query.get("order_id"), query.get("service_type_code")
    return [lambda o: status is None or o.status == status,
            lambda o: not order_type or str(o.order_type) == order_type,
            lambda o: not order_id or o.order_id.lower() == order_id.lower(),
            lambda o: not service or o.service_type_code.lower() == service.lower(),
            lambda o: within(o.create_time, created), lambda o: within(o.payment_time, paid)]


def order_fields(order: Order) -> dict:
    discounts = [bss.DiscountItemV2(discount_type="700", discount_amount=yuan_float(
        order.discount_cents))] if order.discount_cents else []
    return dict(order_id=order.order_id, customer_id=order.customer_id,
                service_type_code=order.service_type_code, source_type=1, status=order.status,
                order_type=order.order_type, measure_id=1, currency=order.currency,
                amount_after_discount=yuan_float(order.after_discount_cents),
                official_amount=yuan_float(order.official_cents),
                create_time=utc_text(order.create_time), payment_time=utc_text(order.payment_time),
                amount_info=bss.AmountInfomationV2(
                    discounts=discounts, coupon_amount=yuan_float(order.coupon_cents),
                    flexipurchase_coupon_amount=0.0, stored_card_amount=0.0))


def list_orders(state: CloudState, call: Call) -> bss.ListCustomerOrdersResponse:
    offset, limit = paging(call.query.get("offset"), call.query.get("limit"), MAX_ORDER_LIMIT)
    order_by = (call.query.get("order_by") or "-createTime").lower()
    if order_by not in ("createtime", "-createtime"):
        raise invalid("order_by must be createTime or -createTime")
    tests = order_filters(call.query)
    found = [o for o in state.orders.values() if all(test(o) for test in tests)]
    found.sort(key=lambda o: o.create_time, reverse=order_by.startswith("-"))
    return bss.ListCustomerOrdersResponse(
        total_count=len(found),
        order_infos=[bss.CustomerOrderV2(**order_fields(o)) for o in found[offset:offset + limit]])


def find_order(state: CloudState, order_id: str) -> Order:
    order = state.orders.get(order_id)
    if order is None:  # CBC.30000010 appears in the public error tables of the order APIs
        raise CloudError(400, "CBC.30000010", f"Invalid order {order_id}: it does not exist.")
    return order


def line_item(state: CloudState, order: Order, index: int,
              main_id: str) -> bss.OrderLineItemEntityV2:
    resource = state.resources.get(main_id)
    begins = order.previous_expiry.get(main_id) or (resource.expire_time if resource else None)
    months = period_months(order.period_type or 2, order.period_num or 0)
    ends = add_months(begins, months) if begins and order.period_num else None
    return bss.OrderLineItemEntityV2(
        order_line_item_id=f"{order.order_id}-{index}", order_id=order.order_id,
        service_type_code=order.service_type_code, period_type=order.period_type,
        period_num=order.period_num, subscription_num=1, currency=order.currency,
        effective_time=utc_text(begins), expire_time=utc_text(ends),
        official_amount=yuan_float(order.lines[main_id]),
        amount_after_discount=yuan_float(order.lines[main_id]))


def order_details(state: CloudState, call: Call) -> bss.ShowCustomerOrderDetailsResponse:
    order = find_order(state, call.path["order_id"])
    offset, limit = paging(call.query.get("offset"), call.query.get("limit"), MAX_LIST_LIMIT)
    items = [line_item(state, order, n, main) for n, main in enumerate(order.lines, start=1)]
    info = bss.CustomerOrderV3(**order_fields(order), user_name=state.domain_id,
                               pending_payment_end_time=utc_text(order.create_time + PAY_WINDOW))
    return bss.ShowCustomerOrderDetailsResponse(total_count=len(items), order_info=info,
                                                order_line_items=items[offset:offset + limit])


def balances(state: CloudState, call: Call) -> bss.ShowCustomerAccountBalancesResponse:
    accounts = [bss.AccountBalanceV3(
        account_id=f"{state.domain_id}-{kind}", account_type=kind, amount=yuan_decimal(cents),
        currency=state.currency, designated_amount=yuan_decimal(0), measure_id=1)
        for kind, cents in state.accounts.items()]
    return bss.ShowCustomerAccountBalancesResponse(
        account_balances=accounts, debt_amount=yuan_decimal(state.debt_cents), measure_id=1,
        currency=state.currency)


def coupon_model(state: CloudState, coupon: Coupon) -> bss.IQueryUserCouponsResultV2:
    return bss.IQueryUserCouponsResultV2(
        coupon_id=coupon.coupon_id, coupon_code=coupon.coupon_id,
        status=coupon.status_at(state.now()), customer_id=state.domain_id,
        coupon_type=coupon.coupon_type, measure_id=1,
        face_value=yuan_float(coupon.face_value_cents), expire_time=utc_text(coupon.expire_time),
        order_id=coupon.order_id, coupon_version=coupon.coupon_version,
        balance=yuan_float(coupon.balance_cents) if coupon.coupon_version == 2 else None,
        lock_order_id=coupon.lock_order_id, is_frozen="0", currency=state.currency,
        use_limits=[bss.ICouponUseLimitInfoV2(**limit) for limit in coupon.use_limits])


def list_coupons(state: CloudState, call: Call) -> bss.ListSubCustomerCouponsResponse:
    query = call.query
    if "offset" in query and "limit" not in query:
        raise invalid("offset must come with limit")
    offset, limit = paging(query.get("offset"), query.get("limit"), MAX_LIST_LIMIT)
    if query.get("status") not in (None, 1, 2, 3, 4, 5):
        raise invalid("status must be 1-5")
    if query.get("coupon_type") not in (None, 1, 2, 3, 4):
        raise invalid("coupon_type must be 1-4")
    now = state.now()
    found = [c for c in state.coupons.values()
             if query.get("status") in (None, c.status_at(now))
             and query.get("coupon_type") in (None, c.coupon_type)
             and query.get("coupon_id") in (None, c.coupon_id)
             and query.get("order_id") in (None, c.order_id)]
    return bss.ListSubCustomerCouponsResponse(
        count=len(found),
        user_coupons=[coupon_model(state, c) for c in found[offset:offset + limit]])


def discount_results(state: CloudState, total: int) -> list[bss.OptionalDiscountRatingResultV2]:
    offs = {d.discount_id: total * d.percent // 100 for d in state.discounts.values()}
    best = max(offs.values(), default=0)
    return [bss.OptionalDiscountRatingResultV2(
        discount_id=d.discount_id, discount_type=d.discount_type, discount_name=d.name,
        official_website_amount=yuan_text(total), discount_amount=yuan_text(offs[d.discount_id]),
        amount=yuan_text(total - offs[d.discount_id]), best_offer=int(offs[d.discount_id] == best))
        for d in state.discounts.values()]


def renew_quote(state: CloudState, call: Call) -> bss.ListRenewRateOnPeriodResponse:
    req = call.body
    ids = checked_ids(req.resource_ids, MAX_RENEW_IDS)
    check_period(req.period_type, req.period_num)
    results, fails, total = [], [], 0
    for resource_id in ids:
        refusal = state.refusal(resource_id)
        if refusal:
            fails.append(fail_info(resource_id, refusal))
            continue
        cents = state.renewal_cents(resource_id, req.period_type, req.period_num)
        results.append(bss.RenewInquiryResultInfo(resource_id=resource_id, amount=yuan_text(cents)))
        total += cents
    return bss.ListRenewRateOnPeriodResponse(
        currency=state.currency, renew_inquiry_results=results, fail_resource_infos=fails,
        official_website_rating_result=bss.OfficialWebsiteRatingResultV2(
            official_website_amount=yuan_text(total)),
        optional_discount_rating_results=discount_results(state, total) if results else [])


def label_selector_tests(selector: str) -> list[Callable[[dict], bool]]:
    """Comma-separated `key=value`, `key!=value` and bare `key` terms, as Kubernetes has them."""
    tests: list[Callable[[dict], bool]] = []
    for term in filter(None, (t.strip() for t in selector.split(","))):
        key, op, value = term.partition("!=") if "!=" in term else term.partition("=")
        if not op:
            tests.append(lambda labels, key=key: key in labels)
        elif op == "!=":
            tests.append(lambda labels, key=key, value=value: labels.get(key) != value)
        else:
            tests.append(lambda labels, key=key, value=value: labels.get(key) == value)
    return tests


def pool_model(state: CloudState, pool: Pool) -> ma.PoolModel:
    resource = state.resources.get(pool.resource_id)
    enterprise_project = resource.enterprise_project[0] if resource else "0"
    labels = ma.PoolMetaLabels(
        os_modelarts_name=pool.pool_name, os_modelarts_workspace_id=pool.workspace_id,
        os_modelarts_resource_id=pool.resource_id, os_modelarts_tenant_domain_id=state.domain_id,
        os_modelarts_tenant_project_id=pool.project_id, os_modelarts_region=pool.region,
        os_modelarts_enterprise_project_id=enterprise_project)
    auto_renew = "1" if resource and resource.expire_policy == 3 else "0"
    annotations = ma.PoolMetaAnnotations(
        os_modelarts_billing_mode="1", os_modelarts_period_type=str(pool.period_type),
        os_modelarts_period_num=str(pool.period_num), os_modelarts_auto_renew=auto_renew,
        os_modelarts_order_id=pool.order_id)
    spec_type, scope = POOL_SPEC_BY_KIND[pool.kind]
    flavor_count = ma.PoolResourceFlavorCount(flavor=pool.flavor, count=pool.nodes,
                                              max_count=pool.nodes)
    return ma.PoolModel(
        api_version="v2", kind="Pool",
        metadata=ma.PoolMetadata(name=pool.pool_id, creation_timestamp=utc_text(pool.created),
                                 labels=labels, annotations=annotations),
        spec=ma.PoolSpecModel(type=spec_type, scope=list(scope), resources=[
            ma.PoolSpecModelResources(flavor=pool.flavor, count=pool.nodes, max_count=pool.nodes,
                                      azs=[ma.PoolNodeAz(az=az, count=pool.nodes // len(pool.azs))
                                           for az in pool.azs] or None)]),
        status=ma.PoolStatus(phase=pool.status, resources=ma.PoolStatusResources(
            available=flavor_count)))


def list_pools(state: CloudState, call: Call) -> ma.ListPoolsResponse:
    project_id = call.path["project_id"]
    if "{" in project_id or "}" in project_id:  # our choice of code: no public text gives it
        raise CloudError(400, "ModelArts.0101", f"Invalid project id {project_id!r}.")
    status = call.query.get("status")
    if status is not None and status not in POOL_STATUS_FILTERS:
        raise CloudError(400, "ModelArts.0101", "status must be created, creating or failed.")
    workspace = call.query.get("workspaceId")
    tests = label_selector_tests(call.query.get("labelSelector") or "")
    items = []
    for pool in (p for p in state.pools if p.project_id == project_id):
        model = pool_model(state, pool)
        labels = sanitize_for_serialization(model.metadata.labels)
        if status and pool.status not in POOL_STATUS_FILTERS[status]:
            continue
        if workspace not in (None, pool.workspace_id) or not all(t(labels) for t in tests):
            continue
        items.append(model)
    return ma.ListPoolsResponse(api_version="v2", kind="PoolList", items=items)
