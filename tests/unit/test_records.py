"""The listings and exports SQLite builds (`store.records`) are the records the object model
makes (`store.io.resource_record`): every field, for every phase, tab, billing, pending and
gone resource, on any day and in any sort."""

from __future__ import annotations

import datetime as dt
import io as text_io
import json

import pytest
from builders import TODAY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store import io, records
from store.clock import Clock
from store.models import Duration, Filters, Kind, Resource, Tab
from store.service import Store
from store.text import json_safe


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory) -> Store:
    store = Store(tmp_path_factory.mktemp("records") / "demo.db", Clock.from_text(TODAY))
    store.seed_demo(400)
    renewable = [row.resource.id for row in store.list(Filters(tab=Tab.MANUAL), limit=40)
                 if row.phase.value in ("in-use", "grace")]
    store.place_order(renewable[:5], Duration(1))  # pending orders show on their rows
    store.import_resources([Resource(  # every character JSON or a terminal treats specially
        id="hostile", name='q"b\\n\n\r\t\x00\x1b]0;x\x07\x7f\x85\u202e\u2028é中\U0001f600',
        kind=Kind.LITE, expiry=dt.date.fromisoformat(TODAY), monthly_price_cents=1,
        yearly_price_cents=None, region="\u009b31m")])
    with store.writing() as db:
        db.execute("UPDATE resources SET gone_at = ? WHERE id = ?",
                   ("2026-11-20T00:00:00+00:00", renewable[6]))
    return store


def reference(store: Store, filters: Filters, sort: str, descending: bool) -> list[dict]:
    return [io.resource_record(row) for row in store.list(filters, sort, descending, limit=-1)]


@settings(max_examples=40, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture])
@given(days=st.integers(-400, 800), sort=st.sampled_from(["expiry", "name", "id", "price"]),
       descending=st.booleans(), tab=st.sampled_from([None, *Tab]))
def test_sql_records_are_the_object_models_records(demo_store, days, sort, descending, tab):
    today = dt.date.fromisoformat(TODAY) + dt.timedelta(days=days)
    store = Store(demo_store.path, Clock.from_text(today.isoformat()))
    filters = Filters(tab=tab)
    lines = list(records.json_lines(store.db(), filters, *store.today_now(), sort, descending))
    expected = reference(store, filters, sort, descending)
    assert lines == [json_safe(json.dumps(record, ensure_ascii=False)) for record in expected]
    built = [json.loads(line) for line in lines]
    values = list(records.value_rows(store.db(), filters, *store.today_now(), sort,
                                     descending, io.RECORD_FIELDS))
    assert [dict(zip(io.RECORD_FIELDS, row, strict=True)) for row in values] == built
    store.close()


def test_an_export_adds_the_renewal_prices(demo_store):
    stream = text_io.StringIO()
    count = demo_store.export(Filters(), "json", stream)
    exported = json.loads(stream.getvalue())
    assert count == len(exported) == 401  # the demo and the hostile one
    assert list(exported[0]) == list(io.EXPORT_FIELDS)
    assert all(r["renewal_1_month_cents"] == r["monthly_price_cents"] for r in exported)
