"""Filtered, counted, paged reads: what each Renewals tab and quick filter shows."""

from __future__ import annotations

from dataclasses import replace

from builders import insert, resource

from store.db import write
from store.models import Billing, Duration, Filters, Kind, Phase, Tab


def seed(store):
    insert(store,
           resource("in7", "2026-12-03", name="alpha"),          # 7 days left
           resource("in15", "2026-12-11", name="beta"),          # 15 days left
           resource("in30", "2026-12-26", name="gamma", kind=Kind.LITE),
           resource("later", "2027-06-01", name="delta", region="cn-east-3"),
           resource("grace", "2026-11-11", name="eps"),           # 15 days late
           resource("frozen", "2026-10-27", name="zeta"),         # 30 days late
           resource("deleted", "2026-10-26", name="eta"),         # 31 days late
           resource("auto", "2026-12-01", name="theta", tab=Tab.AUTO),
           resource("ppu", "2026-12-01", name="iota", billing=Billing.PAY_PER_USE, tab=None),
           resource("pct", "2026-12-02", name="100%_off [bold]"))


def ids(store, **filters):
    return [row.resource.id for row in store.list(Filters(**filters), limit=-1)]


def test_a_tab_lists_its_rows_by_expiry_without_deleted_ones(store):
    seed(store)
    assert ids(store, tab=Tab.MANUAL) == ["frozen", "grace", "pct", "in7", "in15", "in30", "later"]
    assert ids(store, tab=Tab.AUTO) == ["auto"]
    assert ids(store, tab=Tab.PPU) == []


def test_without_a_tab_everything_is_listed(store):
    seed(store)
    assert set(ids(store)) >= {"deleted", "ppu"}
    assert store.count() == 10


def test_expiring_within_days_counts_today_to_the_horizon(store):
    seed(store)
    assert ids(store, expiring_days=7) == ["auto", "pct", "in7"]   # pay-per-use never expires
    assert "in15" in ids(store, expiring_days=15) and "in30" not in ids(store, expiring_days=15)


def test_phases_are_derived_from_expiry_and_today(store):
    seed(store)
    assert ids(store, phase=Phase.GRACE) == ["grace"]
    assert ids(store, phase=Phase.RETENTION) == ["frozen"]
    assert ids(store, phase=Phase.DELETED) == ["deleted"]
    assert "ppu" in ids(store, phase=Phase.IN_USE)
    rows = {row.resource.id: row for row in store.list(limit=-1)}
    assert (rows["frozen"].status, rows["deleted"].status) == ("frozen", "deleted")
    assert rows["in7"].days_left == 7 and rows["grace"].days_left == -15


def test_kind_region_and_search(store):
    seed(store)
    assert ids(store, kind=Kind.LITE) == ["in30"]
    assert ids(store, region="cn-east-3") == ["later"]
    assert ids(store, search="ALPH") == ["in7"]
    assert ids(store, search="%_") == ["pct"]          # LIKE wildcards are literal
    assert ids(store, search="[bold]") == ["pct"]


def test_search_finds_resources_by_order_id(store):
    seed(store)
    order = store.place_order(["in7", "in15"], Duration(1))
    assert ids(store, search=order.id) == ["in7", "in15"]


def test_pending_orders_show_and_can_be_hidden(store):
    seed(store)
    order = store.place_order(["in7"], Duration(1))
    assert store.list(Filters(search="alpha"))[0].resource.pending_order == order.id
    assert "in7" not in ids(store, tab=Tab.MANUAL, hide_pending=True)
    assert store.quick_counts(Filters(tab=Tab.MANUAL)).pending == 1


def test_the_pending_count_is_of_the_rows_shown_with_a_pending_order(store):
    """Counted from the pending orders' resources: one pending here and on the account (as
    last synced) counts once, and only where the other filters show it."""
    seed(store)
    store.place_order(["in7", "in15"], Duration(1))
    with write(store.db()) as db:
        db.execute("INSERT INTO cloud_orders VALUES ('CS1', 6, 'renew', 100, 'CNY', '2026-11-20')")
        db.conn.executemany("INSERT INTO cloud_order_resources VALUES ('CS1', ?)",
                            [("in7",), ("auto",)])
    for filters in (Filters(), Filters(tab=Tab.MANUAL), Filters(tab=Tab.AUTO),
                    Filters(tab=Tab.MANUAL, search="alpha"), Filters(kind=Kind.LITE)):
        shown = store.list(filters, limit=-1)
        assert store.quick_counts(filters).pending == sum(
            1 for row in shown if row.resource.pending_order), filters
    assert store.quick_counts(Filters()).pending == 3
    hidden = store.quick_counts(Filters(tab=Tab.MANUAL, hide_pending=True))
    assert hidden.pending == 2 and hidden.total == store.count(Filters(tab=Tab.MANUAL)) - 2


def test_quick_counts_match_the_filters_they_stand_for(store):
    seed(store)
    base = Filters(tab=Tab.MANUAL)
    counts = store.quick_counts(base)
    assert counts.total == store.count(base) == 7
    assert (counts.within_7, counts.within_15, counts.within_30) == (2, 3, 4)
    assert (counts.grace, counts.retention) == (1, 1)
    assert store.quick_counts(base, total=False) == replace(counts, total=None)


def test_paging_and_sorting(store):
    seed(store)
    first = store.list(Filters(tab=Tab.MANUAL), limit=3)
    second = store.list(Filters(tab=Tab.MANUAL), limit=3, offset=3)
    assert [r.resource.id for r in first + second] == ids(store, tab=Tab.MANUAL)[:6]
    by_name = store.list(Filters(tab=Tab.MANUAL), sort="name", descending=True, limit=1)
    assert by_name[0].resource.name == "zeta"


def test_select_all_means_every_matching_row(store):
    seed(store)
    assert store.matching_ids(Filters(tab=Tab.MANUAL)) == ids(store, tab=Tab.MANUAL)


def test_check_all_checks_every_matching_id_whatever_its_characters(store):
    odd = ['q"uote', "back\\slash", "池-1", "tab\there", "emoji-🙂", "comma,and;semi"]
    insert(store, *(resource(rid, "2027-01-01", 100) for rid in odd),
           resource("other", "2027-01-01", 100, tab=Tab.AUTO))
    checked, total = store.check_all(Filters(tab=Tab.MANUAL), frozenset({"other"}), Duration(1))
    assert checked == {*odd, "other"} and total == 700
    checked, total = store.check_all(Filters(tab=Tab.MANUAL), frozenset(), Duration(1))
    assert checked == set(odd) == set(store.matching_ids(Filters(tab=Tab.MANUAL)))
    assert total == 600


def test_selection_total_uses_monthly_or_yearly_prices(store):
    insert(store, resource("a", "2027-01-01", 100, yearly=1_000),
           resource("b", "2027-01-01", 200, yearly=2_000),
           resource("p", "2027-01-01", 999, billing=Billing.PAY_PER_USE, tab=None))
    assert store.selection_total(["a", "b", "p"], Duration(3)) == 900
    assert store.selection_total(["a", "b"], Duration(2, "year")) == 6_000


def test_check_all_adds_every_match_and_totals_the_union(store):
    seed(store)
    length = Duration(1)
    checked, total = store.check_all(Filters(tab=Tab.MANUAL), frozenset(), length)
    assert checked == frozenset(ids(store, tab=Tab.MANUAL))
    assert total == store.selection_total(list(checked), length)
    # A checked row the filters don't match stays checked, and counts in the total.
    checked, total = store.check_all(Filters(tab=Tab.MANUAL, search="beta"),
                                     frozenset({"auto", "ppu"}), Duration(2, "year"))
    assert checked == {"in15", "auto", "ppu"}
    assert total == store.selection_total(["in15", "auto", "ppu"], Duration(2, "year")) > 0


def test_a_tab_counted_in_two_halves_at_once_is_the_whole_count(store, monkeypatch):
    from store import queries

    monkeypatch.setattr(queries, "SPLIT_COUNT_FROM", 1)
    seed(store)
    insert(store, *(resource(f"m{n:03d}", f"2027-{n % 12 + 1:02d}-{n % 28 + 1:02d}",
                             name=f"more-{n}") for n in range(60)))
    today, now = store.today_now()
    for filters in (Filters(tab=Tab.MANUAL), Filters(tab=Tab.MANUAL, search="more-1"),
                    Filters(tab=Tab.MANUAL, expiring_days=30), Filters(tab=Tab.AUTO),
                    Filters(tab=Tab.MANUAL, phase=Phase.GRACE), Filters(tab=Tab.PPU),
                    Filters(tab=Tab.MANUAL, search="nothing"), Filters()):
        whole = queries.count(store.db(), filters, today, now)
        assert store.count(filters) == whole == len(store.list(filters, limit=-1)), filters


def test_a_commit_while_a_tab_is_counted_in_halves_has_it_counted_again_whole(store,
                                                                           monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    from store import queries
    from store.service import Store

    monkeypatch.setattr(queries, "SPLIT_COUNT_FROM", 1)
    seed(store)
    pool = ThreadPoolExecutor(1)

    def beside_another_users_commit(read):
        def then_read():
            with Store(store.path, store.clock) as other:
                insert(other, resource("new", "2026-12-05"))
                with Store(store.path, store.clock) as side:
                    return read(side.db())
        return pool.submit(then_read)

    today, now = store.today_now()
    counted = queries.count(store.db(), Filters(tab=Tab.MANUAL), today, now,
                            beside=beside_another_users_commit)
    pool.shutdown()
    assert counted == 8 == store.count(Filters(tab=Tab.MANUAL))
