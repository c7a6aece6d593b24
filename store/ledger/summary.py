"""A renewal preview summed up in SQL: the count and total of every requested resource and the
first lines by the rules in Python, so 100,000 checked resources never become 100,000 Python
lines on the way to a dialog.

What a fee and renewability take from the dates is worked out per distinct expiry by
store/rules.py (a few hundred of them, not 100,000) into a temp table; the SQL adds what each
resource brings (billing, prices, pending order) and sums. tests/unit/test_summary.py checks
the sums against `store.preview.build_preview`, line by line.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import replace

import sqlite_utils

from store import queries, rules
from store.db import Beside, data_version, read_mark, read_unmoved, reading
from store.errors import StalePreview
from store.ledger import orders
from store.models import Duration, Phase, Preview, PreviewLine, PreviewSummary, RenewalDay
from store.money import format_cents
from store.preview import build_preview, line_change, not_found, one_currency, renewal_dates

DATE_TERMS = """CREATE TEMP TABLE IF NOT EXISTS preview_dates (
    expiry TEXT PRIMARY KEY, day INTEGER NOT NULL, dates_allow INTEGER NOT NULL,
    extra_months_numerator INTEGER NOT NULL, extra_months_denominator INTEGER NOT NULL
    ) WITHOUT ROWID"""

# Each requested resource: its fee, NULL when it cannot be renewed (the conditions of
# store.preview.preview_line), and a hash of what it was worked out from (rowid, expiry, tab).
# The extra days' fee rounds half up, as money.round_half_up does: floor((2·m·p + q) / 2q) for
# a monthly price m ≥ 0 and extra months p/q; p/q is under two months with q ≤ 31·31, so 2·m·p
# stays far inside 64 bits for any m ≤ money.MAX_CENTS. MATERIALIZED: each row's fee is worked
# out once, not once for each of the three sums below that use it.
PICKED = f"""WITH picked AS MATERIALIZED (
    SELECT r.currency,
        CASE WHEN d.dates_allow AND COALESCE(r.gone_at, '') = ''
            AND r.billing = 'yearly-monthly' AND r.id NOT IN {queries.PENDING_IDS}
            AND r.monthly_price_cents IS NOT NULL AND r.yearly_price_cents IS NOT NULL
        THEN (CASE :unit WHEN 'year' THEN r.yearly_price_cents ELSE r.monthly_price_cents END)
            * :count + (2 * r.monthly_price_cents * d.extra_months_numerator
                        + d.extra_months_denominator) / (2 * d.extra_months_denominator)
        END AS fee,
        ((r.rowid % :m) * 1000003 + d.day * 131 + COALESCE(unicode(r.tab), 0)) % :m AS hash
    FROM json_each(:ids) j CROSS JOIN resources r ON r.id = j.value
    CROSS JOIN temp.preview_dates d ON d.expiry = r.expiry)"""
# How many, how many renewable, their total, their currencies, and the sum of the hashes: with
# the counts and the total, what tells at confirmation that something moved.
TOTALS = f"""{PICKED}
SELECT COUNT(*), COUNT(fee), COALESCE(SUM(fee), 0),
    GROUP_CONCAT(DISTINCT CASE WHEN fee IS NOT NULL THEN currency END), COALESCE(SUM(hash), 0)
FROM picked"""
FIRST_IDS = """SELECT r.id FROM json_each(:ids) j CROSS JOIN resources r ON r.id = j.value
    ORDER BY r.expiry, r.name, r.id LIMIT :first"""
HASH_MODULUS = 2_147_483_647
# Below this many ids, summing on three connections costs more than it saves.
BESIDE_FROM = 5_000

Totals = tuple[int, int, int, str, tuple[int, ...]]
Sums = tuple[int, int, int, frozenset[str], int]


def date_terms(expiries: Iterable[str], length: Duration, align: RenewalDay | None,
               today: dt.date) -> list[tuple[str, int, bool, int, int]]:
    """Per expiry: its day number, whether its dates allow a renewal, and the extra days as
    months (p, q)."""
    terms = []
    for text in expiries:
        expiry = dt.date.fromisoformat(text)
        if rules.phase(expiry, today) is Phase.DELETED:
            terms.append((text, expiry.toordinal(), False, 0, 1))
            continue
        base, new_expiry, refused = renewal_dates(expiry, length, align, today)
        months = rules.extra_day_months(base, new_expiry)
        terms.append((text, expiry.toordinal(), refused is None, months.numerator,
                      months.denominator))
    return terms


def summarize(db: sqlite_utils.Database, ids: Sequence[str], length: Duration,
              align: RenewalDay | None, today: dt.date, now: str, first: int,
              beside: Beside | None = None) -> PreviewSummary:
    """The preview of renewing `ids`: counted and totalled in SQL, the first `first` lines
    (soonest expiry first) line by line. Unknown ids are an error, as in `build_preview`.

    `beside` (`Connections.beside`): from BESIDE_FROM ids, the second half of them is summed,
    and the first lines read, on other connections while this one sums the first half, and
    all of it is kept when none saw a commit meanwhile (they then read the same database);
    otherwise everything is read again here, in one snapshot."""
    unique = tuple(dict.fromkeys(ids))
    listed = json.dumps(unique)
    terms = (length, align, today, now)
    if beside is None or len(unique) < BESIDE_FROM:
        with reading(db):
            sums = _sums(db, listed, *terms)
            return _summary(unique, length, align, _totals_of(db, unique, [sums]),
                            _first_lines(db, listed, *terms, first))
    half = len(unique) // 2
    other_listed = json.dumps(unique[half:])
    before = data_version(db)
    other_half = beside(lambda other: read_unmoved(other, _sums, other_listed, *terms))
    lines = beside(lambda other: read_unmoved(other, _first_lines, listed, *terms, first))
    with reading(db):
        sums = _sums(db, json.dumps(unique[:half]), *terms)
    other_sums, shown = other_half.result(), lines.result()
    if other_sums is None or shown is None or data_version(db) != before:
        return summarize(db, ids, length, align, today, now, first)
    return _summary(unique, length, align, _totals_of(db, unique, [sums, other_sums]), shown)


def _summary(ids: tuple[str, ...], length: Duration, align: RenewalDay | None,
             totals: Totals, first_lines: tuple[PreviewLine, ...]) -> PreviewSummary:
    count, renewable, total, currency, basis = totals
    return PreviewSummary(
        ids=ids, duration=length, align=align, currency=currency, count=count,
        renewable_count=renewable, total_cents=total, first_lines=first_lines, basis=basis)


def _first_lines(db: sqlite_utils.Database, listed: str, length: Duration,
                 align: RenewalDay | None, today: dt.date, now: str,
                 first: int) -> tuple[PreviewLine, ...]:
    """The preview lines of the first `first` of `listed` (JSON ids), soonest expiry first."""
    picked = [row[0] for row in db.execute(
        FIRST_IDS, {"ids": listed, "first": first}).fetchall()]
    return build_preview(picked, queries.resources_by_id(db, picked, now), length, align,
                         today).lines


def confirm(db: sqlite_utils.Database, shown: PreviewSummary, today: dt.date,
            now: str) -> Preview:
    """The whole preview `shown` summed up, line by line; StalePreview if anything it was
    worked out from has moved since (then nothing of it is to be ordered)."""
    before = data_version(db)
    with reading(db):
        sums = _sums(db, json.dumps(shown.ids), shown.duration, shown.align, today, now)
        totals = _totals_of(db, shown.ids, [sums])
        whole = orders.preview(db, list(shown.ids), shown.duration, shown.align, today, now)
    if totals != (shown.count, shown.renewable_count, shown.total_cents, shown.currency,
                  shown.basis):
        raise StalePreview(_what_moved(shown, whole))
    return replace(whole, read=read_mark(db, before, today, now))


def _sums(db: sqlite_utils.Database, listed: str, length: Duration, align: RenewalDay | None,
          today: dt.date, now: str) -> Sums:
    """What renewing the ids of `listed` (JSON) adds up to, as `_totals_of` combines it: how
    many, how many renewable, their total, their currencies, their hash sum."""
    db.execute(DATE_TERMS)
    db.execute("DELETE FROM temp.preview_dates")
    expiries = (row[0] for row in db.execute("SELECT DISTINCT expiry FROM resources"))
    db.conn.executemany("INSERT INTO temp.preview_dates VALUES (?, ?, ?, ?, ?)",
                        date_terms(expiries, length, align, today))
    params = {"ids": listed, "unit": length.unit, "count": length.count, "m": HASH_MODULUS,
              "now": now}
    count, renewable, total, currencies, hashed = db.execute(TOTALS, params).fetchone()
    return (count, renewable, total,
            frozenset(currencies.split(",") if currencies else ()), hashed)


def _totals_of(db: sqlite_utils.Database, ids: Sequence[str], parts: Sequence[Sums]) -> Totals:
    """The counts, total, currency and basis of renewing `ids`, summed in `parts` (every id
    in one of them); unknown ids are named."""
    count = sum(part[0] for part in parts)
    if count < len(ids):
        raise not_found(_missing(db, ids))
    currency = one_currency(frozenset().union(*(part[3] for part in parts)))
    return (count, sum(part[1] for part in parts), sum(part[2] for part in parts), currency,
            (sum(part[4] for part in parts),))


def _missing(db: sqlite_utils.Database, ids: Sequence[str]) -> list[str]:
    return [row[0] for row in db.execute(
        "SELECT value FROM json_each(?) WHERE value NOT IN (SELECT id FROM resources) LIMIT 6",
        (json.dumps(ids),)).fetchall()]


def _what_moved(shown: PreviewSummary, whole: Preview) -> list[str]:
    """`name: what moved` for the lines that were on screen, and the total if it moved."""
    fresh = {line.id: line for line in whole.lines}
    moved = [f"{line.name}: {change}" for line in shown.first_lines
             if (change := line_change(line, fresh[line.id]))]
    if whole.total_cents != shown.total_cents:
        moved.append(f"the order total is now {format_cents(whole.total_cents, whole.currency)}"
                     f", not {format_cents(shown.total_cents, shown.currency)}")
    return moved or ["resources further down moved (expiry, price, tab or pending order)"]
