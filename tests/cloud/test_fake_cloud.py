"""The fake cloud, driven by the real SDK clients over HTTP on 127.0.0.1 (the `fake_cloud`
fixture sets NO_PROXY so that no proxy is asked)."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from functools import partial

import pytest
import requests
from huaweicloudsdkbss.v2 import BssClient
from huaweicloudsdkbssintl.v2 import BssintlClient
from huaweicloudsdkbssintl.v2 import model as m
from huaweicloudsdkcore.auth.credentials import BasicCredentials, GlobalCredentials
from huaweicloudsdkcore.exceptions.exceptions import (
    ClientRequestException,
    ConnectionException,
    ServerResponseException,
)
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer
from huaweicloudsdkmodelarts.v1 import ListPoolsRequest, ModelArtsClient

from .fake_cloud import FakeCloud

NOW = dt.datetime(2026, 11, 26, 4, 0, tzinfo=dt.UTC)
BALANCES = m.ShowCustomerAccountBalancesRequest()


def built(kind, credentials, fake: FakeCloud, read_timeout: float = 5.0):
    config = HttpConfig.get_default_config()
    config.timeout = (2, read_timeout)  # as CLOUD.md builds them, with a short timeout
    return (kind.new_builder().with_http_config(config).with_credentials(credentials)
            .with_endpoints([fake.url]).build())


def bss_client(fake: FakeCloud, sk="SK-TEST", ak="AK-TEST", intl=True, read_timeout=5.0):
    return built(BssintlClient if intl else BssClient, GlobalCredentials(ak, sk), fake,
                 read_timeout)


def modelarts_client(fake: FakeCloud, project_id: str | None) -> ModelArtsClient:
    return built(ModelArtsClient, BasicCredentials("AK-TEST", "SK-TEST", project_id), fake)


def query(client, **body):
    request = m.ListPayPerUseCustomerResourcesRequest(body=m.QueryResourcesReq(**body))
    return client.list_pay_per_use_customer_resources(request)


def quote(client, ids, period_type=2, period_num=1):
    body = m.ListRenewRateOnPeriodReq(resource_ids=ids, period_type=period_type,
                                      period_num=period_num)
    return client.list_renew_rate_on_period(m.ListRenewRateOnPeriodRequest(body=body))


def renew(client, ids, period_type=2, period_num=1, is_auto_pay=None):
    body = m.RenewalResourcesReq(resource_ids=ids, period_type=period_type,
                                 period_num=period_num, is_auto_pay=is_auto_pay)
    return client.renewal_resources(m.RenewalResourcesRequest(body=body))


def pay(client, order_id, coupons=(), discounts=()):
    body = m.PayCustomerOrderV3Req(
        order_id=order_id, use_coupon="YES" if coupons else "NO",
        use_discount="YES" if discounts else "NO",
        coupon_infos=[m.CouponSimpleInfoOrderPayV3(id=i, type=t) for i, t in coupons] or None,
        discount_infos=[m.DiscountSimpleInfoV3(id=i, type=t) for i, t in discounts] or None)
    return client.pay_orders(m.PayOrdersRequest(body=body))


def refused(call, status: int = 400) -> ClientRequestException:
    with pytest.raises(ClientRequestException) as caught:
        call()
    assert caught.value.status_code == status
    return caught.value


def signed_get(fake: FakeCloud, path: str, params=(), drop_header: str | None = None):
    """A GET signed by the SDK's Signer but sent by hand, to say what the SDK never says."""
    request = SdkRequest(method="GET", schema="http", host=fake.url.removeprefix("http://"),
                         resource_path=path, query_params=list(params), header_params={})
    Signer(GlobalCredentials("AK-TEST", "SK-TEST")).sign(request)
    headers = {k: v for k, v in request.header_params.items() if k != drop_header}
    return requests.get(request.url, headers=headers, timeout=5)


@pytest.fixture
def fake(fake_cloud: FakeCloud) -> FakeCloud:
    fake_cloud.set_clock(lambda: NOW)
    fake_cloud.set_balance(500_000)
    fake_cloud.add_resource("res-a", "pool-a", dt.date(2026, 12, 15), 10_000, 100_000)
    fake_cloud.add_resource("res-b", "pool-b", "2027-01-31T15:59:59Z", 25_050, 250_000)
    fake_cloud.add_resource("disk-a", "disk", dt.date(2026, 12, 15), 1_000, 10_000,
                            is_main_resource=0, parent_resource_id="res-a")
    return fake_cloud


def test_pages_2500_resources_500_at_a_time(fake_cloud):
    for n in range(2500):
        fake_cloud.add_resource(f"res-{n:04d}", f"pool-{n}", dt.date(2027, 1, 1), 100, 1_000)
    client = bss_client(fake_cloud)
    pages = [query(client, offset=offset, limit=500) for offset in range(0, 2500, 500)]
    seen = [item.resource_id for page in pages for item in page.data]
    assert {page.total_count for page in pages} == {2500}
    assert seen == [f"res-{n:04d}" for n in range(2500)]
    assert fake_cloud.count("list_pay_per_use_customer_resources") == 5
    first = fake_cloud.requests[0]
    assert (first.operation, first.method, first.path, first.body, first.status) == (
        "list_pay_per_use_customer_resources", "POST", "/v2/orders/suscriptions/resources/query",
        {"offset": 0, "limit": 500}, 200)
    assert refused(lambda: query(client, limit=501)).error_code == "CBC.0100"
    assert len(query(client).data) == 10  # the default limit


def test_query_filters_and_fields(fake):
    client = bss_client(fake, intl=False)  # the China-site client reads the same answers
    item = query(client, resource_ids=["res-a"], only_main_resource=1).data
    assert [i.resource_id for i in item] == ["res-a"]
    assert item[0].expire_time == "2026-12-15T15:59:59Z"
    assert item[0].enterprise_project.name == "default"
    family = query(client, resource_ids=["res-a"]).data
    assert {i.resource_id for i in family} == {"res-a", "disk-a"}
    window = query(client, expire_time_begin="2027-01-01T00:00:00Z",
                   expire_time_end="2027-02-01T00:00:00Z")
    assert [i.resource_id for i in window.data] == ["res-b"]
    assert query(client, status_list=[5]).total_count == 0
    too_many = refused(lambda: query(client, resource_ids=[f"r{n}" for n in range(51)]))
    assert too_many.error_code == "CBC.0100"
    unknown_key = m.ListPayPerUseCustomerResourcesRequest(body={"limit": 1, "bogus": 1})
    refused(lambda: client.list_pay_per_use_customer_resources(unknown_key))
    wrong_type = m.ListPayPerUseCustomerResourcesRequest(body={"limit": "10"})
    refused(lambda: client.list_pay_per_use_customer_resources(wrong_type))


def test_a_bad_secret_key_is_a_401(fake):
    for wrong in (bss_client(fake, sk="SK-WRONG"), bss_client(fake, ak="AK-OTHER")):
        error = refused(partial(wrong.show_customer_account_balances, BALANCES), status=401)
        assert error.error_code == "APIGW.0301"
    assert [r.status for r in fake.requests] == [401, 401]
    path = "/v2/accounts/customer-accounts/balances"
    assert signed_get(fake, path).status_code == 200
    assert signed_get(fake, path, drop_header="X-Sdk-Date").status_code == 401
    assert signed_get(fake, path, drop_header="Authorization").status_code == 401
    unknown_query = signed_get(fake, "/v2/orders/customer-orders", [("colour", "red")])
    assert unknown_query.json()["error_code"] == "CBC.0100"


def test_quotes_refuse_eleven_ids_and_bad_periods(fake):
    client = bss_client(fake)
    assert refused(lambda: quote(client, [f"r{n}" for n in range(11)])).error_code == "CBC.0100"
    refused(lambda: quote(client, ["res-a"], period_type=2, period_num=12))
    refused(lambda: quote(client, ["res-a"], period_type=3, period_num=4))
    refused(lambda: quote(client, ["res-a"], period_type=1, period_num=1))
    answer = quote(client, ["res-a", "res-b", "disk-a", "gone"], period_type=3, period_num=2)
    assert {r.resource_id: r.amount for r in answer.renew_inquiry_results} == {
        "res-a": "2200.00", "res-b": "5000.00"}  # res-a's yearly price includes its disk's
    assert answer.official_website_rating_result.official_website_amount == "7200.00"
    assert {f.resource_id: f.error_code for f in answer.fail_resource_infos} == {
        "disk-a": "CBC.30050007", "gone": "CBC.30050009"}
    renew(client, ["res-a"])
    pending = quote(client, ["res-a"])
    assert [f.error_code for f in pending.fail_resource_infos] == ["CBC.30050010"]


def test_the_rate_limit_answers_429_when_exceeded(fake):
    client = bss_client(fake)
    for _ in range(10):  # the bucket starts full
        quote(client, ["res-a"])
    for _ in range(20):  # ~5 ms a call refills far slower than we spend
        with pytest.raises(ClientRequestException) as caught:
            quote(client, ["res-a"])
        if caught.value.status_code == 429:
            break
    assert caught.value.error_code == "APIGW.0308"
    client.show_customer_account_balances(BALANCES)  # another operation has a bucket of its own
    time.sleep(0.25)
    quote(client, ["res-a"])  # refilled at 10 a second
    fake.set_rate_limit(0)
    assert all(quote(client, ["res-a"]).renew_inquiry_results for _ in range(30))


def test_each_fault_kind(fake):
    client = bss_client(fake, read_timeout=0.5)
    errors = (("429", ClientRequestException), (500, ServerResponseException),
              (500, ServerResponseException), ("drop", ConnectionException))
    for kind, error in errors:
        fake.fail("list_renew_rate_on_period", kind)
        with pytest.raises(error):
            quote(client, ["res-a"])
    fake.fail("list_renew_rate_on_period", "not_json")
    assert quote(client, ["res-a"]).renew_inquiry_results is None  # no error: fields are None
    fake.fail("list_renew_rate_on_period", "empty_json", times=2)
    assert quote(client, ["res-a"]).renew_inquiry_results is None
    assert quote(client, ["res-a"]).renew_inquiry_results is None
    fake.fail("list_renew_rate_on_period", "slow", seconds=1.0)
    with pytest.raises(requests.exceptions.ReadTimeout):  # a POST's timeout comes out raw
        quote(client, ["res-a"])
    fake.fail("show_customer_account_balances", "slow", seconds=1.0)
    with pytest.raises(ConnectionException):  # a GET's timeout goes through urllib3's retries
        client.show_customer_account_balances(BALANCES)
    assert quote(client, ["res-a"]).renew_inquiry_results[0].amount == "110.00"
    statuses = [r.status for r in fake.requests if r.operation == "list_renew_rate_on_period"]
    assert statuses[:7] == [429, 500, 500, None, 200, 200, 200]


def test_a_slow_answer_after_acting_leaves_the_change_made(fake):
    client = bss_client(fake, read_timeout=0.3)
    fake.fail("renewal_resources", "slow", seconds=0.8, act_first=True)
    with pytest.raises(requests.exceptions.ReadTimeout):
        renew(client, ["res-a"])
    assert [o.status for o in fake.orders.values()] == [6]  # the order exists all the same
    fake.fail("renewal_resources", "500", act_first=True)
    with pytest.raises(ServerResponseException):
        renew(client, ["res-b"])
    assert len(fake.orders) == 2
    fake.fail("renewal_resources", "drop")
    with pytest.raises(ConnectionException):
        renew(client, ["res-b"])
    assert len(fake.orders) == 2  # without act_first nothing happened


def test_renew_then_pay_moves_expiries(fake):
    client = bss_client(fake)
    fake.add_resource("res-feb", "pool-feb", "2027-02-28T15:59:59Z", 5_000, 50_000)
    fake.add_resource("res-31", "pool-31", "2027-01-31T15:59:59Z", 5_000, 50_000)
    fake.add_resource("res-late", "pool-late", dt.date(2026, 10, 31), 5_000, 50_000, status=5)
    renewed = renew(client, ["res-a", "res-feb", "res-31", "res-late", "gone"], period_num=1)
    assert [f.error_code for f in renewed.fail_resource_infos] == ["CBC.30050009"]
    (order_id,) = renewed.order_ids
    listed = client.list_customer_orders(m.ListCustomerOrdersRequest(status=6, order_type="2"))
    assert listed.total_count == 1 and listed.order_infos[0].amount_after_discount == 260.0
    details = client.show_customer_order_details(
        m.ShowCustomerOrderDetailsRequest(order_id=order_id))
    assert details.order_info.pending_payment_end_time is not None
    assert len(details.order_line_items) == 4
    assert not hasattr(details.order_line_items[0], "resource_id")
    in_order = query(client, order_id=order_id).data
    assert {i.resource_id for i in in_order} == {"res-a", "disk-a", "res-feb", "res-31",
                                                 "res-late"}
    assert pay(client, order_id).status_code == 204
    assert fake.expiry_text("res-a") == "2027-01-15T15:59:59Z"
    assert fake.expiry_text("disk-a") == "2027-01-15T15:59:59Z"
    assert fake.expiry_text("res-feb") == "2027-03-31T15:59:59Z"  # a month-end stays one
    assert fake.expiry_text("res-31") == "2027-02-28T15:59:59Z"  # clamped to the month's end
    assert fake.expiry_text("res-late") == "2026-11-30T15:59:59Z"  # counted from the old end
    assert fake.resources["res-late"].status == 2  # expired, now in use again
    assert fake.balance_cents == 500_000 - 26_000
    paid = client.list_customer_orders(m.ListCustomerOrdersRequest(order_id=order_id))
    assert paid.order_infos[0].status == 5 and paid.order_infos[0].payment_time
    assert refused(lambda: pay(client, order_id)).error_code == "CBC.99003106"
    assert refused(lambda: pay(client, "CS-NONE")).error_code == "CBC.30000010"
    yearly = renew(client, ["res-b"], period_type=3, period_num=1, is_auto_pay=1).order_ids
    assert fake.orders[yearly[0]].status == 5  # paid at once
    assert fake.expiry_text("res-b") == "2028-01-31T15:59:59Z"


def test_balances_and_insufficient_funds(fake):
    client = bss_client(fake)
    fake.set_balance(12_345, "CNY", credit_cents=100_000, debt_cents=50)
    answer = client.show_customer_account_balances(BALANCES)
    amounts = {a.account_type: a.amount for a in answer.account_balances}
    assert amounts == {1: Decimal("123.45"), 2: Decimal("1000.00")}
    assert isinstance(amounts[1], Decimal) and answer.debt_amount == Decimal("0.50")
    assert answer.currency == "CNY"
    (order_id,) = renew(client, ["res-b"]).order_ids  # 250.50 due, 123.45 held
    assert refused(lambda: pay(client, order_id)).error_code == "CBC.99005003"
    assert fake.orders[order_id].status == 6 and fake.balance_cents == 12_345
    fake.set_balance(25_050)
    pay(client, order_id)
    assert fake.balance_cents == 0


def test_coupons_and_discounts_lower_what_the_balance_pays(fake):
    client = bss_client(fake)
    fake.add_coupon("cp-1", 3_000, dt.date(2027, 6, 30), coupon_type=1)
    fake.add_coupon("cp-old", 1_000, dt.date(2026, 1, 1))
    fake.add_discount("disc-1", 10, discount_type=2)
    usable = client.list_sub_customer_coupons(m.ListSubCustomerCouponsRequest(status=2))
    assert [c.coupon_id for c in usable.user_coupons] == ["cp-1"] and usable.count == 1
    assert usable.user_coupons[0].balance == 30.0
    (order_id,) = renew(client, ["res-a"]).order_ids  # 110.00
    assert quote(client, ["res-b"]).optional_discount_rating_results[0].amount == "225.45"
    refused(lambda: pay(client, order_id, coupons=[("cp-1", 300)]))  # a voucher is type 301
    refused(lambda: pay(client, order_id, coupons=[("cp-old", 301)]))  # expired
    pay(client, order_id, coupons=[("cp-1", 301)], discounts=[("disc-1", 2)])
    assert fake.balance_cents == 500_000 - (11_000 - 1_100 - 3_000)
    assert fake.coupons["cp-1"].status == 3 and fake.coupons["cp-1"].balance_cents == 0
    info = client.list_customer_orders(m.ListCustomerOrdersRequest(order_id=order_id))
    assert info.order_infos[0].amount_after_discount == 99.0
    assert info.order_infos[0].amount_info.coupon_amount == 30.0


def test_cancel_frees_the_resources(fake):
    client = bss_client(fake)
    (order_id,) = renew(client, ["res-a"]).order_ids
    cancel = m.CancelCustomerOrderRequest(body=m.CancelCustomerOrderReq(order_id=order_id))
    assert client.cancel_customer_order(cancel).status_code == 204
    assert fake.orders[order_id].status == 4
    assert refused(lambda: client.cancel_customer_order(cancel)).error_code == "CBC.99005010"
    (late,) = renew(client, ["res-a"]).order_ids
    fake.set_clock(lambda: NOW + dt.timedelta(days=7))  # unpaid for a week: cancelled
    assert refused(lambda: pay(client, late)).error_code == "CBC.99003106"
    assert refused(lambda: renew(client, ["disk-a"])).error_code == "CBC.30010036"


def test_orders_list_time_ranges_and_paging(fake):
    client = bss_client(fake)
    for resource_id in ("res-a", "res-b"):
        renew(client, [resource_id])
    newest_first = client.list_customer_orders(m.ListCustomerOrdersRequest(limit=1, offset=1))
    assert newest_first.total_count == 2 and len(newest_first.order_infos) == 1
    too_long = m.ListCustomerOrdersRequest(create_time_begin="2025-01-01T00:00:00Z",
                                           create_time_end="2026-01-02T00:00:00Z")
    assert refused(lambda: client.list_customer_orders(too_long)).error_code == "CBC.0100"
    refused(lambda: client.list_customer_orders(m.ListCustomerOrdersRequest(limit=101)))
    unknown = m.ShowCustomerOrderDetailsRequest(order_id="CS-NONE")
    assert refused(lambda: client.show_customer_order_details(unknown)).error_code == (
        "CBC.30000010")


def test_auto_renew_and_pay_per_use_at_expiry(fake):
    client = bss_client(fake)
    on = m.AutoRenewalResourcesRequest(resource_id="res-a", body=m.AutoRenewalResourcesReq(
        auto_renew_times=0, period_type="MONTH"))
    assert client.auto_renewal_resources(on).status_code == 204
    assert fake.resources["res-a"].expire_policy == 3
    off = m.CancelAutoRenewalResourcesRequest(resource_id="res-a")
    assert client.cancel_auto_renewal_resources(off).status_code == 204
    assert fake.resources["res-a"].expire_policy == 0
    off.resource_id = "gone"
    assert refused(lambda: client.cancel_auto_renewal_resources(off)).error_code == "CBC.99003012"

    def on_demand(operation, ids):
        body = m.PeriodToOnDemandReq(operation=operation, resource_ids=ids)
        return client.update_period_to_on_demand(m.UpdatePeriodToOnDemandRequest(body=body))

    answer = on_demand("SET_UP", ["res-a", "gone"])
    assert [(e.id, e.error_code) for e in answer.error_details] == [("gone", "CBC.30050009")]
    assert fake.resources["res-a"].expire_policy == 1
    assert on_demand("CANCEL", ["res-a"]).error_details == []
    assert fake.resources["res-a"].expire_policy == 0
    refused(lambda: on_demand("SET_UP", [f"r{n}" for n in range(101)]))


def test_unsubscribing_renewed_periods_restores_the_expiry(fake):
    client = bss_client(fake)
    (order_id,) = renew(client, ["res-b"], period_num=2).order_ids
    pay(client, order_id)
    assert fake.expiry_text("res-b") == "2027-03-31T15:59:59Z"

    def unsubscribe(ids, kind):
        body = m.UnsubscribeResourcesReq(resource_ids=ids, unsubscribe_type=kind)
        return client.cancel_resources_subscription(m.CancelResourcesSubscriptionRequest(body=body))

    answer = unsubscribe(["res-b", "res-a"], 2)
    assert len(answer.order_ids) == 1
    assert [f.resource_id for f in answer.fail_resource_infos] == ["res-a"]
    assert fake.expiry_text("res-b") == "2027-01-31T15:59:59Z"
    assert fake.balance_cents == 500_000
    assert unsubscribe(["res-a"], 1).order_ids
    assert fake.resources["res-a"].status == 3 and fake.resources["disk-a"].status == 3
    refused(lambda: unsubscribe([f"r{n}" for n in range(11)], 2))


def test_renew_config_is_stored(fake):
    client = bss_client(fake)

    def configure(name, value):
        body = m.RenewResourceConfigReq(config_name=name, config_value=value)
        return client.set_resources_renew_config(m.SetResourcesRenewConfigRequest(body=body))

    assert configure("EXPIRE_DATE", "-1").error_code == "CBC.0000"
    assert configure("DEDUCTION_DATE", "7").error_code == "CBC.0000"
    assert fake.renew_config == {"EXPIRE_DATE": "-1", "DEDUCTION_DATE": "7"}
    refused(lambda: configure("EXPIRE_DATE", "29"))
    refused(lambda: configure("DEDUCTION_DATE", "1"))


def test_pools_carry_their_billing_resource(fake):
    fake.add_pool("proj-1", "pool-a", "res-a", kind="standard", nodes=4)
    fake.add_pool("proj-1", "lite-b", "res-b", kind="lite", status="Creating")
    fake.add_pool("proj-2", "other", "res-x")
    fake.resources["res-a"].expire_policy = 3
    client = modelarts_client(fake, "proj-1")
    pools = client.list_pools(ListPoolsRequest()).items
    assert [p.metadata.labels.os_modelarts_resource_id for p in pools] == ["res-a", "res-b"]
    assert pools[0].metadata.annotations.os_modelarts_billing_mode == "1"
    assert pools[0].metadata.annotations.os_modelarts_auto_renew == "1"
    assert pools[0].spec.resources[0].count == 4
    selected = client.list_pools(ListPoolsRequest(label_selector="os.modelarts/name=lite-b"))
    assert [p.metadata.name for p in selected.items] == ["pool-lite-b"]
    assert len(client.list_pools(ListPoolsRequest(status="created")).items) == 1
    no_project = modelarts_client(fake, None)
    refused(lambda: no_project.list_pools(ListPoolsRequest()))
    assert fake.requests[-1].path == "/v2/{project_id}/pools" and not fake.errors

