"""CSV/JSON import and export of resources."""

from __future__ import annotations

import datetime as dt
import io as text_io
import json

import pytest
from builders import TODAY

from store import demo, io
from store.errors import ImportFailed
from store.models import Billing, Duration, Filters, Kind, Resource, Tab

HEADER = "id,name,kind,expiry,monthly_price_cents"
FULL = {
    "id": "p-1", "name": "pool-llm-train-a3f2", "kind": "standard", "region": "cn-north-4",
    "enterprise_project": "llm-research", "status": "running", "billing": "yearly-monthly",
    "tab": "auto", "expiry": "2026-12-15", "monthly_price_cents": 5_200_000,
    "yearly_price_cents": 53_000_000, "currency": "CNY", "flavor": "modelarts.vm.gpu.8v100",
    "node_count": 2, "auto_period_months": 3, "auto_times": 5,
    # derived: present in an export, ignored by an import
    "phase": "in-use", "days_left": 19, "pending_order": "ORD-X",
}
EXPECTED_FULL = Resource(
    id="p-1", name="pool-llm-train-a3f2", kind=Kind.STANDARD, expiry=dt.date(2026, 12, 15),
    monthly_price_cents=5_200_000, yearly_price_cents=53_000_000, region="cn-north-4",
    enterprise_project="llm-research", flavor="modelarts.vm.gpu.8v100", node_count=2,
    tab=Tab.AUTO, auto_period_months=3, auto_times=5,
)


def write_json(tmp_path, items, name="in.json"):
    path = tmp_path / name
    path.write_text(json.dumps(items), encoding="utf-8")
    return path


def write_csv(tmp_path, *lines, name="in.csv"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def import_file(store, path) -> int:
    return store.import_resources(io.read_resources(path))


def audit_rows(store, action):
    return store.db().execute(
        "SELECT resource_ids, detail FROM audit WHERE action = ?", (action,)).fetchall()


# happy paths -------------------------------------------------------------------------------------
def test_json_import_reads_every_field_and_ignores_derived_ones(store, tmp_path):
    path = write_json(tmp_path, [FULL])
    assert io.read_resources(path) == [EXPECTED_FULL]
    assert import_file(store, path) == 1
    [row] = store.list()
    assert row.resource == EXPECTED_FULL  # no pending order came from the file
    assert json.loads(audit_rows(store, "import")[0][0]) == ["p-1"]


def test_csv_import_fills_defaults(store, tmp_path):
    path = write_csv(tmp_path, HEADER, "c-1,lite-infer-bj4-07,lite,2027-01-31,480000")
    [resource] = io.read_resources(path)
    assert resource == Resource(
        id="c-1", name="lite-infer-bj4-07", kind=Kind.LITE, expiry=dt.date(2027, 1, 31),
        monthly_price_cents=480_000, yearly_price_cents=4_800_000, currency="CNY", region="",
        enterprise_project="default", flavor="", node_count=1, status="running",
        billing=Billing.SUBSCRIPTION, tab=Tab.MANUAL, auto_period_months=None, auto_times=None,
    )
    assert import_file(store, path) == 1
    assert store.count() == 1


def test_pay_per_use_defaults_to_no_tab(tmp_path):
    path = write_csv(tmp_path, HEADER + ",billing,tab", "u-1,pool-x,standard,2027-01-01,1,"
                     "pay-per-use,")
    [resource] = io.read_resources(path)
    assert resource.billing is Billing.PAY_PER_USE and resource.tab is None


def test_a_listed_frozen_status_reads_back_as_the_platform_status(tmp_path):
    items = [FULL | {"status": "frozen"}, FULL | {"id": "p-2", "status": "stopped"}]
    path = write_json(tmp_path, items)
    assert [r.status for r in io.read_resources(path)] == ["running", "stopped"]


def test_csv_blank_lines_and_bom_are_tolerated(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("\ufeff" + HEADER + "\n\nc-1,n,server,2027-01-01,1\n", encoding="utf-8")
    assert [r.id for r in io.read_resources(path)] == ["c-1"]


def test_import_replaces_an_existing_id_and_keeps_its_order_lines(store, tmp_path):
    import_file(store, write_json(tmp_path, [FULL]))
    order = store.place_order(["p-1"], Duration(1))
    renamed = FULL | {"name": "pool-renamed", "monthly_price_cents": 6_000_000}
    assert import_file(store, write_json(tmp_path, [renamed])) == 1
    [row] = store.list()
    assert (row.resource.name, row.resource.monthly_price_cents) == ("pool-renamed", 6_000_000)
    assert row.resource.pending_order == order.id
    assert [line.resource_id for line in store.order(order.id).lines] == ["p-1"]
    assert store.db().execute("PRAGMA foreign_key_check").fetchall() == []


def test_a_huge_import_lists_at_most_1000_ids_in_its_audit_row(store):
    resources = demo.generate(1500, 3, dt.date.fromisoformat(TODAY))
    assert store.import_resources(resources) == 1500
    [(ids, detail)] = audit_rows(store, "import")
    assert len(json.loads(ids)) == 1000
    assert "1,500" in detail


def test_a_default_yearly_price_too_large_to_renew_is_refused(store, tmp_path):
    item = {"id": "x", "name": "n", "kind": "lite", "expiry": "2027-01-01",
            "monthly_price_cents": 500_000_000_000}
    with pytest.raises(ImportFailed, match="item 1, field yearly_price_cents: ten months' price "
                                           r"\(the default\): 5,000,000,000,000 cents is too"):
        import_file(store, write_json(tmp_path, [item]))


def test_json_nested_too_deeply_is_a_clear_error(store, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ImportFailed, match="deep.json: JSON nested too deeply"):
        import_file(store, path)


# validation --------------------------------------------------------------------------------------
CSV_ERRORS = [
    ("expiry", "2026-13-01", "'2026-13-01' is not a date (YYYY-MM-DD)"),
    ("expiry", "20261201", "not a date"),
    ("expiry", "", "missing"),
    ("kind", "gpu", "'gpu' is not a kind (standard, lite, server, other)"),
    ("monthly_price_cents", "12.50", "'12.50' is not a whole number"),
    ("monthly_price_cents", "-1", "out of range"),
    ("monthly_price_cents", "1e3", "not a whole number"),
    ("yearly_price_cents", "ten", "not a whole number"),
    ("node_count", "0", "out of range"),
    ("tab", "weekly", "is not a tab"),
    ("billing", "monthly", "is not a billing"),
    ("currency", "cny", "not a currency code"),
    ("auto_period_months", "37", "out of range"),
    ("auto_period_months", "13", "13 months is not an auto-renew period"),
    ("auto_period_months", "3", "auto-renew terms go with the auto tab only"),
    ("auto_times", "100", "out of range"),
    ("auto_times", "0", "out of range"),
    ("monthly_price_cents", "833333333334", "renewing for 11 months and a month of extra days "
     "would pass the limit of 10,000,000,000,000 cents"),
    ("monthly_price_cents", "92233720368547758070", "too large"),
    ("yearly_price_cents", "3333333333334", "renewing for 3 years would pass the limit"),
    ("node_count", "100001", "out of range"),
    ("expiry", "9999-12-31", "outside the years renewals works in (1970-2999)"),
    ("expiry", "0001-01-01", "outside the years"),
    ("monthly_price_cents", "١٠٠", "not a whole number"),
    ("id", "", "missing"),
    ("name", " ", "missing"),
]


@pytest.mark.parametrize(("field", "value", "message"), CSV_ERRORS)
def test_a_bad_csv_value_names_line_and_field_and_imports_nothing(
    store, tmp_path, field, value, message
):
    good = {"id": "ok-1", "name": "n", "kind": "standard", "expiry": "2027-01-01",
            "monthly_price_cents": "100"}
    bad = good | {"id": "bad-1", field: value}
    columns = list(good) + [f for f in (field,) if f not in good]
    lines = [",".join(columns)] + [",".join(row.get(c, "") for c in columns) for row in (good, bad)]
    with pytest.raises(ImportFailed) as failure:
        import_file(store, write_csv(tmp_path, *lines))
    assert str(failure.value).startswith(f"line 3, field {field}: ")
    assert message in str(failure.value)
    assert store.count() == 0


JSON_ERRORS = [
    ("monthly_price_cents", 12.5, "12.5 is not a whole number"),
    ("monthly_price_cents", "12.50", "'12.50' is not a whole number"),
    ("yearly_price_cents", True, "not a whole number"),
    ("node_count", 0, "out of range"),
    ("name", 42, "42 is not text"),
    ("expiry", "2026-02-30", "not a date"),
    ("kind", None, "missing"),
    ("colour", "red", "unknown field"),
    ("monthly_price_cents", 10**30, "too large"),
    ("name", "\udc80", "lone surrogate"),
]


@pytest.mark.parametrize(("field", "value", "message"), JSON_ERRORS)
def test_a_bad_json_value_names_item_and_field_and_imports_nothing(
    store, tmp_path, field, value, message
):
    good = {"id": "ok-1", "name": "n", "kind": "lite", "expiry": "2027-01-01",
            "monthly_price_cents": 100}
    items = [good, good | {"id": "ok-2"}, good | {"id": "bad", field: value}]
    with pytest.raises(ImportFailed) as failure:
        import_file(store, write_json(tmp_path, items))
    assert str(failure.value).startswith(f"item 3, field {field}: ")
    assert message in str(failure.value)
    assert store.count() == 0


def test_the_documented_message(tmp_path):
    path = write_csv(tmp_path, HEADER, "a,n,lite,2027-01-01,1", "b,n,lite,2027-01-01,1",
                     "c,n,lite,2026-13-01,1")
    with pytest.raises(ImportFailed, match=r"^line 4, field expiry: '2026-13-01' is not a date "
                                           r"\(YYYY-MM-DD\)$"):
        io.read_resources(path)


def test_a_tab_for_a_pay_per_use_resource_is_refused(tmp_path):
    item = {"id": "u", "name": "n", "kind": "standard", "expiry": "2027-01-01",
            "monthly_price_cents": 1, "billing": "pay-per-use", "tab": "manual"}
    with pytest.raises(ImportFailed, match="^item 1, field tab: a pay-per-use"):
        io.read_resources(write_json(tmp_path, [item]))


def test_duplicate_ids_are_refused(store, tmp_path):
    path = write_csv(tmp_path, HEADER, "a,n,lite,2027-01-01,1", "a,m,lite,2027-01-02,1")
    duplicate = r"^line 3, field id: duplicate id 'a' \(first at line 2\)$"
    with pytest.raises(ImportFailed, match=duplicate):
        import_file(store, path)
    assert store.count() == 0


@pytest.mark.parametrize(("lines", "message"), [
    ((), "line 1: no header row"),
    (("id,name,kind,expiry",), "line 1, field monthly_price_cents: required column is missing"),
    ((HEADER + ",colour",), "line 1, field colour: unknown field"),
    ((HEADER + ",name",), "line 1, field name: the column appears twice"),
    ((HEADER, "a,n,lite,2027-01-01,1,extra"), "line 2: 6 values but the header has 5 columns"),
])
def test_bad_csv_shapes(tmp_path, lines, message):
    path = tmp_path / "in.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ImportFailed, match=f"^{message}"):
        io.read_resources(path)


@pytest.mark.parametrize(("text", "message"), [
    ("{not json", "not valid JSON"),
    ('{"id": "a"}', "expected a JSON list of objects"),
    ('["a"]', "item 1: expected an object"),
])
def test_bad_json_shapes(tmp_path, text, message):
    path = tmp_path / "in.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ImportFailed, match=message):
        io.read_resources(path)


@pytest.mark.parametrize("name", ["in.txt", "in.xlsx", "resources"])
def test_unknown_extension_is_refused(tmp_path, name):
    path = tmp_path / name
    path.write_text("[]", encoding="utf-8")
    with pytest.raises(ImportFailed, match="import reads .json or .csv files"):
        io.read_resources(path)


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ImportFailed, match="cannot read"):
        io.read_resources(tmp_path / "nope.json")


# export ------------------------------------------------------------------------------------------
CONTRACT = ["id", "name", "kind", "region", "enterprise_project", "status", "billing", "tab",
            "phase", "expiry", "days_left", "monthly_price_cents", "yearly_price_cents",
            "currency", "pending_order"]


def test_records_follow_the_contract(store):
    store.seed_demo(30)
    rows = store.list(limit=100)
    stream = text_io.StringIO()
    store.export(Filters(), "json", stream)
    records = json.loads(stream.getvalue())
    for row, record in zip(rows, records, strict=True):
        assert list(record)[:len(CONTRACT)] == CONTRACT
        assert {"flavor", "node_count"} <= set(record)
        assert record["phase"] == row.phase.value and record["status"] == row.status
        assert record["renewal_1_month_cents"] == row.resource.monthly_price_cents
        assert record["renewal_1_year_cents"] == row.resource.yearly_price_cents
    assert {record["tab"] for record in records} >= {"manual", "auto", "ppu", "canceled", None}


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_then_import_gives_the_same_resources(store, tmp_path, fmt):
    from store.service import Store

    store.seed_demo(200)
    exported = [row.resource for row in store.list(sort="id", limit=1000)]
    path = tmp_path / f"out.{fmt}"
    with path.open("w", encoding="utf-8", newline="") as stream:
        store.export(Filters(), fmt, stream)
    fresh = Store(tmp_path / "fresh.db", store.clock)
    assert import_file(fresh, path) == 200
    assert [row.resource for row in fresh.list(sort="id", limit=1000)] == exported
    fresh.close()


def test_an_empty_csv_export_still_has_a_header(store):
    stream = text_io.StringIO()
    assert store.export(Filters(), "csv", stream) == 0
    assert stream.getvalue().startswith("id,name,kind,")


def test_an_unknown_export_format_is_refused(store):
    with pytest.raises(ValueError, match="csv or json"):
        store.export(Filters(), "xml", text_io.StringIO())
