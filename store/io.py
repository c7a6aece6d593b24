"""Resources in and out: CSV/JSON import (all or nothing: a bad row undoes the rest) and
export."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

import sqlite_utils

from store import audit
from store.errors import ImportFailed
from store.import_fields import (
    READ_FIELDS,
    REQUIRED,
    UNKNOWN_FIELD,
    BadField,
    parse_fields,
    unknown_field,
)
from store.models import Resource, ResourceRow
from store.seen_ids import SeenIds
from store.text import (
    from_spreadsheet_cell,
    spreadsheet_row,
)

RECORD_FIELDS = (
    "id", "name", "kind", "region", "enterprise_project", "status", "billing", "tab", "phase",
    "expiry", "days_left", "monthly_price_cents", "yearly_price_cents", "currency",
    "pending_order", "flavor", "node_count", "auto_period_months", "auto_times", "service_type",
)
EXPORT_FIELDS = (*RECORD_FIELDS, "renewal_1_month_cents", "renewal_1_year_cents")
AUDIT_MAX_IDS = 1000
UPSERT_BATCH = 1000

COLUMNS = (
    "id", "name", "kind", "region", "enterprise_project", "flavor", "node_count", "status",
    "billing", "expiry", "monthly_price_cents", "yearly_price_cents", "currency", "tab",
    "auto_period_months", "auto_times", "service_type",
)
EXPIRY = COLUMNS.index("expiry")
UPSERT_SQL = (
    f"INSERT INTO resources ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
    " ON CONFLICT(id) DO UPDATE SET "
    + ", ".join(f"{column} = excluded.{column}" for column in COLUMNS[1:])
)



Located = list[tuple[str, Mapping[str, Any]]]  # ("line 4" or "item 3", the raw row)


# export ------------------------------------------------------------------------------------------
def resource_record(row: ResourceRow) -> dict[str, Any]:
    """A listed resource as plain JSON-ready values, keys in RECORD_FIELDS order."""
    r = row.resource
    return {
        "id": r.id, "name": r.name, "kind": r.kind.value, "region": r.region,
        "enterprise_project": r.enterprise_project, "status": row.status,
        "billing": r.billing.value, "tab": r.tab.value if r.tab else None,
        "phase": row.phase.value, "expiry": r.expiry.isoformat(), "days_left": row.days_left,
        "monthly_price_cents": r.monthly_price_cents,
        "yearly_price_cents": r.yearly_price_cents, "currency": r.currency,
        "pending_order": r.pending_order, "flavor": r.flavor, "node_count": r.node_count,
        "auto_period_months": r.auto_period_months, "auto_times": r.auto_times,
        "service_type": r.service_type,
    }


def write_json(lines: Iterable[str], stream: TextIO) -> int:
    """A JSON list of already encoded elements, one a line (readable, and json.dump(indent=)
    is twice as slow at 100k rows); returns how many."""
    written = 0
    stream.write("[\n")
    for line in lines:
        stream.write((",\n" if written else "") + line)
        written += 1
    stream.write("\n]\n")
    return written


def write_csv(rows: Iterable[Iterable[Any]], stream: TextIO,
              fields: Sequence[str] = EXPORT_FIELDS) -> int:
    """A header row, then each row's cells shown safely (a would-be formula quoted)."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(fields)
    written = 0
    for row in rows:
        writer.writerow(spreadsheet_row(row))
        written += 1
    return written


# import: reading files ---------------------------------------------------------------------------
def read_resources(path: str | Path) -> list[Resource]:
    """Every resource in a .json (a list of objects) or .csv (header row) file, all validated."""
    return list(resources_in(path))


def resources_in(path: str | Path) -> Iterator[Resource]:
    """The resources of a file one at a time, each validated as it is read (a CSV file is
    read as it goes; a JSON list is parsed whole): ImportFailed names the first bad one. A
    file of the wrong kind is refused at once, before anything is read."""
    return (Resource(**fields) for fields in _fields_in(path))


def rows_in(path: str | Path) -> Iterator[tuple[Any, ...]]:
    """`resources_in` as the rows `import_rows` writes (COLUMNS), without a Resource each."""
    return (_row(fields) for fields in _fields_in(path))


def _fields_in(path: str | Path) -> Iterator[dict[str, Any]]:
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".json", ".csv"):
        kind = repr(suffix) if suffix else "a file without an extension"
        raise ImportFailed(f"{target.name}: import reads .json or .csv files, not {kind}")
    return _read(target, suffix)


def _read(target: Path, suffix: str) -> Iterator[dict[str, Any]]:
    try:
        with target.open(encoding="utf-8-sig", newline="") as stream:
            located = (_json_items(stream.read(), target.name) if suffix == ".json"
                       else _csv_rows(stream))
            yield from _parse_each(located, decoded_text=suffix == ".csv")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFailed(f"cannot read {target}: {exc}") from exc


def _json_items(text: str, name: str) -> Located:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFailed(f"{name}: not valid JSON: {exc}") from exc
    except RecursionError:
        raise ImportFailed(f"{name}: JSON nested too deeply to read (an import file is a list "
                           "of flat objects)") from None
    if not isinstance(data, list):
        raise ImportFailed(f"{name}: expected a JSON list of objects, got {type(data).__name__}")
    items: Located = []
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise ImportFailed(f"item {number}: expected an object, got {type(item).__name__}")
        unknown = unknown_field(item)
        if unknown is not None:
            raise ImportFailed(f"item {number}, field {unknown}: {UNKNOWN_FIELD}")
        items.append((f"item {number}", item))
    return items


def _csv_rows(lines: Iterable[str]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    reader = csv.reader(lines)
    header = next(reader, None)
    if not header:
        raise ImportFailed("line 1: no header row")
    columns = [column.strip() for column in header]
    _check_header(columns)
    read = [(index, column) for index, column in enumerate(columns) if column in READ_FIELDS]
    for values in reader:
        line = "".join(values)
        if not line.strip():
            continue
        if len(values) > len(columns):
            raise ImportFailed(f"line {reader.line_num}: {len(values)} values "
                               f"but the header has {len(columns)} columns")
        if len(values) < len(columns):
            values += [""] * (len(columns) - len(values))
        if "'" in line:  # only a quoted cell needs undoing; most lines have none
            values = [from_spreadsheet_cell(value) for value in values]
        yield f"line {reader.line_num}", {column: values[index] for index, column in read}


def _check_header(columns: list[str]) -> None:
    seen: set[str] = set()
    for column in columns:
        if column in seen:
            raise ImportFailed(f"line 1, field {column}: the column appears twice")
        if unknown_field([column]) is not None:
            raise ImportFailed(f"line 1, field {column}: {UNKNOWN_FIELD}")
        seen.add(column)
    for column in REQUIRED:
        if column not in seen:
            raise ImportFailed(f"line 1, field {column}: required column is missing")


def _parse_each(
    located: Iterable[tuple[str, Mapping[str, Any]]], *, decoded_text: bool
) -> Iterator[dict[str, Any]]:
    """Each row's fields, a batch at a time; the first problem in file order is named (a
    duplicate id before a bad field in the same batch comes first)."""
    with SeenIds() as seen:
        batch: list[tuple[str, dict[str, Any]]] = []
        for where, raw in located:
            try:
                batch.append((where, parse_fields(raw, decoded_text=decoded_text)))
            except BadField as exc:
                seen.add(batch)
                raise ImportFailed(f"{where}, field {exc.field}: {exc}") from None
            if len(batch) == UPSERT_BATCH:
                seen.add(batch)
                yield from (fields for _where, fields in batch)
                batch = []
        seen.add(batch)
        yield from (fields for _where, fields in batch)


# import: writing -------------------------------------------------------------------------------
def _row(fields: Mapping[str, Any]) -> tuple[Any, ...]:
    """Parsed fields as a row of COLUMNS (the enums are text: sqlite3 writes a str subclass as
    text)."""
    row = [fields[column] for column in COLUMNS]
    row[EXPIRY] = row[EXPIRY].isoformat()
    return tuple(row)


def _values(resource: Resource) -> tuple[Any, ...]:
    r = resource
    return (r.id, r.name, r.kind.value, r.region, r.enterprise_project, r.flavor, r.node_count,
            r.status, r.billing.value, r.expiry.isoformat(), r.monthly_price_cents,
            r.yearly_price_cents, r.currency, r.tab.value if r.tab else None,
            r.auto_period_months, r.auto_times, r.service_type)


def upsert_rows(db: sqlite_utils.Database, resources: Sequence[Resource]) -> None:
    """Insert or update in place (never delete + insert: order lines point at resources).

    Call inside a write transaction.
    """
    db.conn.executemany(UPSERT_SQL, [_values(resource) for resource in resources])


def audit_ids(resources: Sequence[Resource]) -> tuple[list[str], str]:
    """The ids an audit row lists (the first AUDIT_MAX_IDS) and a note on how many there were."""
    ids = [resource.id for resource in resources[:AUDIT_MAX_IDS]]
    note = f"{len(resources):,} resources"
    if len(resources) > AUDIT_MAX_IDS:
        note += f" (first {AUDIT_MAX_IDS:,} ids listed)"
    return ids, note


def _indexes_to_rebuild(db: sqlite_utils.Database) -> list[tuple[str, str]]:
    """The resource indexes (name, SQL) to drop and build again after an import into an empty
    table: SQLite sorts each once far faster than it inserts 100,000 random keys into each
    (about 7.3 → 4.5 s here). Inside the import's transaction, so a failed import keeps them."""
    if db.execute("SELECT 1 FROM resources LIMIT 1").fetchone():
        return []
    return db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'"
                      " AND tbl_name = 'resources' AND sql IS NOT NULL").fetchall()


def upsert_resources(db: sqlite_utils.Database, resources: Iterable[Resource]) -> int:
    """`import_rows` of Resource objects."""
    return import_rows(db, (_values(resource) for resource in resources))


def import_rows(db: sqlite_utils.Database, rows: Iterable[tuple[Any, ...]]) -> int:
    """Add or replace resources (rows of COLUMNS) as they come, a batch at a time, with one
    audit row; returns how many. Call inside a write transaction: a bad one (ImportFailed)
    undoes them all."""
    rebuilt = _indexes_to_rebuild(db)
    for name, _sql in rebuilt:
        db.execute(f'DROP INDEX "{name}"')
    count = 0
    ids: list[str] = []
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        count += 1
        if len(ids) < AUDIT_MAX_IDS:
            ids.append(row[0])
        batch.append(row)
        if len(batch) == UPSERT_BATCH:
            db.conn.executemany(UPSERT_SQL, batch)
            batch.clear()
    db.conn.executemany(UPSERT_SQL, batch)
    for _name, sql in rebuilt:
        db.execute(sql)
    listed = f" (first {AUDIT_MAX_IDS:,} ids listed)" if count > AUDIT_MAX_IDS else ""
    audit.record(db, "import", resource_ids=ids,
                 detail=f"imported {count:,} resources{listed}")
    return count
