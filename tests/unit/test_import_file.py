"""`Store.import_file`, the path a file takes without Resource objects: the same rows as
`import_resources`, the indexes kept, duplicates found across batches."""

from __future__ import annotations

import pytest

from store import io
from store.errors import ImportFailed
from store.import_fields import KNOWN_FIELDS
from store.models import Filters
from store.service import Store

HEADER = "id,name,kind,expiry,monthly_price_cents"
SCHEMA = "SELECT type, name, sql FROM sqlite_master ORDER BY name"
ROWS = "SELECT * FROM resources ORDER BY id"


def write_csv(tmp_path, *lines, name="in.csv"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def numbered(count):
    return [f"r-{n:05d},name-{n},lite,2027-01-01,{n}" for n in range(count)]


def test_a_file_may_carry_every_exported_field_and_nothing_else():
    assert set(io.EXPORT_FIELDS) == KNOWN_FIELDS


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_import_file_writes_what_import_resources_writes(store, tmp_path, fmt):
    store.seed_demo(300)
    path = tmp_path / f"out.{fmt}"
    with path.open("w", encoding="utf-8", newline="") as stream:
        store.export(Filters(), fmt, stream)
    by_file, by_objects = (Store(tmp_path / f"{name}.db", store.clock)
                           for name in ("file", "objects"))
    assert by_file.import_file(path) == 300
    assert by_objects.import_resources(io.read_resources(path)) == 300
    assert by_file.db().execute(ROWS).fetchall() == by_objects.db().execute(ROWS).fetchall()
    by_file.close()
    by_objects.close()


def test_an_import_into_an_empty_table_leaves_the_same_indexes(store, tmp_path):
    schema = store.db().execute(SCHEMA).fetchall()
    assert store.import_file(write_csv(tmp_path, HEADER, *numbered(50))) == 50
    assert store.db().execute(SCHEMA).fetchall() == schema
    assert store.db().execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    plan = store.db().execute("EXPLAIN QUERY PLAN SELECT id FROM resources"
                              " WHERE name = 'name-7' COLLATE NOCASE").fetchall()
    assert "resources_name" in str(plan)


def test_a_failed_import_into_an_empty_table_keeps_its_indexes(store, tmp_path):
    schema = store.db().execute(SCHEMA).fetchall()
    lines = [*numbered(1500), "bad,n,lite,2027-13-01,1"]
    with pytest.raises(ImportFailed, match="line 1502, field expiry"):
        store.import_file(write_csv(tmp_path, HEADER, *lines))
    assert store.db().execute(SCHEMA).fetchall() == schema
    assert store.count() == 0


def test_a_duplicate_in_a_later_batch_names_where_it_first_came(store, tmp_path):
    lines = numbered(1500)
    lines[1400] = lines[2]
    with pytest.raises(ImportFailed, match=r"^line 1402, field id: duplicate id 'r-00002' "
                                           r"\(first at line 4\)$"):
        store.import_file(write_csv(tmp_path, HEADER, *lines))
    assert store.count() == 0


def test_the_first_problem_in_the_file_is_named(store, tmp_path):
    duplicate_first = numbered(10)
    duplicate_first[4] = duplicate_first[0]
    duplicate_first[7] = "bad,n,lite,2027-13-01,1"
    with pytest.raises(ImportFailed, match="^line 6, field id: duplicate id"):
        store.import_file(write_csv(tmp_path, HEADER, *duplicate_first))
    bad_first = numbered(10)
    bad_first[4] = "bad,n,lite,2027-13-01,1"
    bad_first[7] = bad_first[0]
    with pytest.raises(ImportFailed, match="^line 6, field expiry"):
        store.import_file(write_csv(tmp_path, HEADER, *bad_first))


def test_a_short_line_leaves_the_missing_columns_blank(store, tmp_path):
    path = write_csv(tmp_path, HEADER + ",region", "a,n,lite,2027-01-01,1")
    assert store.import_file(path) == 1
    [row] = store.list()
    assert row.resource.region == ""


def test_a_quoted_formula_cell_reads_back_as_written(store, tmp_path):
    path = write_csv(tmp_path, HEADER, "a,'=SUM(A1),lite,2027-01-01,1", "b,it's,lite,2027-01-01,1")
    assert store.import_file(path) == 2
    assert sorted(row.resource.name for row in store.list()) == ["=SUM(A1)", "it's"]


def test_csv_bytes_that_are_not_utf8_are_refused(store, tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes(f"{HEADER}\na,n\xed\xa0\x80,lite,2027-01-01,1\n".encode("latin-1"))
    with pytest.raises(ImportFailed, match="cannot read"):
        store.import_file(path)
    assert store.count() == 0
