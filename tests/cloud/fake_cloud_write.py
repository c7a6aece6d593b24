"""The fake cloud's write-side operations: renew, pay, cancel, auto-renew, pay-per-use at expiry,
unsubscribe and the renewal settings. Each takes the state and a validated Call, changes the state
and answers with an SDK response model."""

from __future__ import annotations

import contextlib

from huaweicloudsdkbss.v2 import model as bss

from .fake_cloud_state import (
    CANCELLED,
    CASH,
    CLOSED,
    DELETED,
    EXPIRED,
    FROZEN,
    IN_USE,
    MAX_RENEW_IDS,
    NOT_MAIN,
    PAID,
    PENDING,
    RENEWAL,
    UNSUBSCRIBE,
    USABLE,
    USED,
    Call,
    CloudError,
    CloudState,
    Coupon,
    Discount,
    Order,
    Resource,
    add_months,
    check_period,
    checked_ids,
    fail_info,
    invalid,
    period_months,
)

MAX_ON_DEMAND_IDS, MAX_COUPONS, MAX_DISCOUNTS = 100, 3, 1
# CouponSimpleInfoOrderPayV3.type → IQueryUserCouponsResultV2.coupon_type
PAY_COUPON_TYPES = {300: 2, 301: 1, 302: 4}
# Our choice: CBC.99005003 (余额不足) is in public BSS error tables, but not on the PayOrders page.
INSUFFICIENT_BALANCE = ("CBC.99005003", "Insufficient balance.")
# Our choice, invented: no public text names the refusal for "no renewed period to take back".
NOTHING_TO_TAKE_BACK = ("CBC.99003151", "The resource has no renewed period to unsubscribe.")
RENEW_CONFIG_VALUES = {"EXPIRE_DATE": {str(day) for day in range(1, 29)} | {"-1"},
                       "DEDUCTION_DATE": {str(days) for days in range(2, 8)}}


def renewal_resources(state: CloudState, call: Call) -> bss.RenewalResourcesResponse:
    req = call.body
    ids = checked_ids(req.resource_ids, MAX_RENEW_IDS)
    check_period(req.period_type, req.period_num)
    if (req.is_auto_pay or 0) not in (0, 1):
        raise invalid("is_auto_pay must be 0 or 1")
    for resource_id in ids:
        if state.refusal(resource_id) == NOT_MAIN:  # the renew API refuses these outright
            raise CloudError(400, "CBC.30010036", f"{resource_id} is not a main resource.")
    lines, fails = {}, []
    for resource_id in ids:
        refusal = state.refusal(resource_id)
        if refusal:
            fails.append(fail_info(resource_id, refusal))
        else:
            lines[resource_id] = state.renewal_cents(resource_id, req.period_type, req.period_num)
    order_ids = []
    if lines:
        order = state.create_order(RENEWAL, lines, status=PENDING, period_type=req.period_type,
                                   period_num=req.period_num)
        order_ids.append(order.order_id)
        if req.is_auto_pay == 1:  # our choice: an auto-pay that cannot pay leaves it pending
            with contextlib.suppress(CloudError):
                settle(state, order, [], None)
    return bss.RenewalResourcesResponse(order_ids=order_ids, fail_resource_infos=fails)


def chosen_coupons(state: CloudState, order: Order, req: bss.PayCustomerOrderV3Req) -> list[Coupon]:
    infos = req.coupon_infos or []
    if req.use_coupon not in ("YES", "NO") or (req.use_coupon == "YES") != bool(infos):
        raise invalid("use_coupon YES needs coupon_infos; NO must come without them")
    if len(infos) > MAX_COUPONS or len({info.id for info in infos}) != len(infos):
        raise invalid(f"coupon_infos takes at most {MAX_COUPONS} different coupons")
    coupons = []
    for info in infos:
        coupon = state.coupons.get(info.id)
        usable = coupon is not None and coupon.status_at(state.now()) == USABLE
        if not usable or coupon.lock_order_id not in (None, order.order_id):
            raise invalid(f"coupon {info.id} is not usable")
        if PAY_COUPON_TYPES.get(info.type) != coupon.coupon_type:
            raise invalid(f"coupon {info.id} is not of type {info.type}")
        coupons.append(coupon)
    return coupons


def chosen_discount(state: CloudState, req: bss.PayCustomerOrderV3Req) -> Discount | None:
    infos = req.discount_infos or []
    if req.use_discount not in ("YES", "NO") or (req.use_discount == "YES") != bool(infos):
        raise invalid("use_discount YES needs discount_infos; NO must come without them")
    if len(infos) > MAX_DISCOUNTS:
        raise invalid(f"discount_infos takes at most {MAX_DISCOUNTS} discount")
    if not infos:
        return None
    discount = state.discounts.get(infos[0].id)
    if discount is None or discount.discount_type != infos[0].type:
        raise invalid(f"discount {infos[0].id} is not available")
    return discount


def settle(state: CloudState, order: Order, coupons: list[Coupon], discount: Discount | None):
    """Pay from the cash balance after the discount and the coupons; all or nothing."""
    discount_cents = order.official_cents * discount.percent // 100 if discount else 0
    due = order.official_cents - discount_cents
    spent = []
    for coupon in coupons:
        used = min(coupon.balance_cents, due - sum(spent))
        spent.append(used)
    cash = due - sum(spent)
    if state.accounts.get(CASH, 0) < cash:
        raise CloudError(400, *INSUFFICIENT_BALANCE)
    state.accounts[CASH] -= cash
    for coupon, used in zip(coupons, spent, strict=True):
        if not used:
            continue
        coupon.balance_cents -= used
        coupon.order_id, coupon.lock_order_id = order.order_id, None
        if coupon.coupon_version == 1 or coupon.balance_cents == 0:
            coupon.status = USED
    order.discount_cents, order.coupon_cents, order.cash_cents = discount_cents, sum(spent), cash
    order.status, order.payment_time = PAID, state.now()
    extend_members(state, order)


def extend_members(state: CloudState, order: Order) -> None:
    months = period_months(order.period_type, order.period_num)
    now = state.now()
    for member in order.members:
        resource = state.resources[member]
        order.previous_expiry[member] = resource.expire_time
        resource.expire_time = add_months(resource.expire_time, months)
        if resource.status in (FROZEN, EXPIRED) and resource.expire_time > now:
            resource.status = IN_USE


def pay_orders(state: CloudState, call: Call) -> bss.PayOrdersResponse:
    req = call.body
    order = state.orders.get(req.order_id)
    if order is None:
        raise CloudError(400, "CBC.30000010", f"Invalid order {req.order_id}: it does not exist.")
    if order.status != PENDING:
        raise CloudError(400, "CBC.99003106", "The order status has changed and cannot be paid.")
    settle(state, order, chosen_coupons(state, order, req), chosen_discount(state, req))
    return bss.PayOrdersResponse()


def cancel_customer_order(state: CloudState, call: Call) -> bss.CancelCustomerOrderResponse:
    order = state.orders.get(call.body.order_id)
    if order is None:
        raise CloudError(400, "CBC.30000010", f"Invalid order {call.body.order_id}.")
    if order.status != PENDING:
        raise CloudError(400, "CBC.99005010", "The order status does not allow cancellation.")
    order.status = CANCELLED
    return bss.CancelCustomerOrderResponse()


def live_resource(state: CloudState, resource_id: str) -> Resource:
    resource = state.resources.get(resource_id)
    if resource is None or not resource.live:  # CBC.99003012 (资源ID不存在) is in public tables
        raise CloudError(400, "CBC.99003012", f"The resource {resource_id} does not exist.")
    return resource


def auto_renewal_resources(state: CloudState, call: Call) -> bss.AutoRenewalResourcesResponse:
    resource = live_resource(state, call.path["resource_id"])
    req = call.body or bss.AutoRenewalResourcesReq()
    if req.auto_renew_times is not None and not 0 <= req.auto_renew_times <= 99:
        raise invalid("auto_renew_times must be 0-99")
    if req.period_type not in (None, "MONTH", "YEAR"):
        raise invalid("period_type must be MONTH or YEAR")
    resource.expire_policy = 3
    resource.auto_renew_times = req.auto_renew_times
    resource.auto_renew_period_type = req.period_type
    return bss.AutoRenewalResourcesResponse()


def cancel_auto_renewal_resources(
        state: CloudState, call: Call) -> bss.CancelAutoRenewalResourcesResponse:
    resource = live_resource(state, call.path["resource_id"])
    if resource.expire_policy == 3:
        resource.expire_policy = 0
    return bss.CancelAutoRenewalResourcesResponse()


def update_period_to_on_demand(state: CloudState, call: Call) -> bss.UpdatePeriodToOnDemandResponse:
    req = call.body
    if req.operation not in ("SET_UP", "CANCEL"):
        raise invalid("operation must be SET_UP or CANCEL")
    errors = []
    for resource_id in checked_ids(req.resource_ids, MAX_ON_DEMAND_IDS):
        refusal = state.refusal(resource_id)
        if refusal in (DELETED, NOT_MAIN):
            errors.append(bss.ErrorDetail(id=resource_id, error_code=refusal[0],
                                          error_msg=refusal[1]))
            continue
        resource = state.resources[resource_id]
        if req.operation == "SET_UP":
            resource.expire_policy = 1
        elif resource.expire_policy == 1:
            resource.expire_policy = 0
    return bss.UpdatePeriodToOnDemandResponse(error_details=errors)


def take_back_renewals(state: CloudState, main_id: str) -> int | None:
    """Undo the paid renewals of `main_id` that have not begun; the cash refunded, or None."""
    now = state.now()
    renewals = [o for o in state.orders.values()
                if o.order_type == RENEWAL and o.status == PAID and main_id in o.lines
                and main_id not in o.taken_back and o.previous_expiry[main_id] > now]
    if not renewals:
        return None
    first = min(renewals, key=lambda o: o.previous_expiry[main_id])
    for member, expiry in first.previous_expiry.items():
        if member == main_id or state.resources[member].parent_resource_id == main_id:
            state.resources[member].expire_time = expiry
    refund = 0
    for order in renewals:
        order.taken_back.add(main_id)
        refund += order.cash_cents * order.lines[main_id] // max(order.official_cents, 1)
    return refund


def cancel_resources_subscription(
        state: CloudState, call: Call) -> bss.CancelResourcesSubscriptionResponse:
    req = call.body
    ids = checked_ids(req.resource_ids, MAX_RENEW_IDS)
    if req.unsubscribe_type not in (1, 2):
        raise invalid("unsubscribe_type must be 1 or 2")
    if req.unsubscribe_reason_type not in (None, 1, 2, 3, 4, 5):
        raise invalid("unsubscribe_reason_type must be 1-5")
    refunds, fails = {}, []
    for resource_id in ids:
        refusal = state.refusal(resource_id)
        refund = None if refusal else take_back_renewals(state, resource_id)
        if refusal or (refund is None and req.unsubscribe_type == 2):
            fails.append(fail_info(resource_id, refusal or NOTHING_TO_TAKE_BACK))
            continue
        refunds[resource_id] = refund or 0
        if req.unsubscribe_type == 1:  # our simplification: the current period refunds nothing
            for resource in [state.resources[resource_id], *state.children(resource_id)]:
                resource.status = CLOSED
    if not refunds:
        return bss.CancelResourcesSubscriptionResponse(order_ids=[], fail_resource_infos=fails)
    order = state.create_order(UNSUBSCRIBE, refunds, status=PAID)
    order.payment_time, order.cash_cents = order.create_time, sum(refunds.values())
    state.accounts[CASH] = state.accounts.get(CASH, 0) + order.cash_cents
    return bss.CancelResourcesSubscriptionResponse(order_ids=[order.order_id],
                                                   fail_resource_infos=fails)


def set_resources_renew_config(
        state: CloudState, call: Call) -> bss.SetResourcesRenewConfigResponse:
    req = call.body
    allowed = RENEW_CONFIG_VALUES.get(req.config_name)
    if allowed is None:
        raise invalid("config_name must be EXPIRE_DATE or DEDUCTION_DATE")
    if req.config_value not in allowed:
        raise invalid(f"config_value {req.config_value!r} is not allowed for {req.config_name}")
    state.renew_config[req.config_name] = req.config_value
    return bss.SetResourcesRenewConfigResponse(error_code="CBC.0000", error_msg="success")
