"""What each team role may do through the store: a viewer reads, a renewer renews and pays up
to the renewer's limit, an approver also changes the settings; refused whole, nothing written."""

from __future__ import annotations

import pytest
from builders import TODAY

from store.audit import Identity
from store.clock import Clock
from store.errors import Refused
from store.models import Duration, Method, Tab
from store.service import Store


def as_role(path, role: str, limit: int | None = None) -> Store:
    return Store(path, Clock.from_text(TODAY),
                 identity=Identity("renewals", None, "ann", "SHA256:k", role, limit))


@pytest.fixture
def path(tmp_path):
    made = Store(tmp_path / "team.db", Clock.from_text(TODAY))
    made.seed_demo(30)
    made.close()
    return tmp_path / "team.db"


def renewable(store: Store) -> list[str]:
    preview = store.preview(store.matching_ids(), Duration(1))
    return [line.id for line in preview.renewable][:2]


def test_a_viewer_reads_and_previews_but_changes_nothing(path):
    viewer = as_role(path, "viewer")
    ids = renewable(viewer)
    assert viewer.preview(ids, Duration(1)).total_cents > 0 and viewer.orders() == []
    for change in (lambda: viewer.place_order(ids, Duration(1)),
                   lambda: viewer.set_policy(ids, Tab.CANCELED), lambda: viewer.top_up(100),
                   lambda: viewer.set_renewal_day(1), viewer.tick):
        with pytest.raises(Refused, match="ann is a viewer: reads only"):
            change()
    assert viewer.orders() == [] and viewer.audit()[0].action == "demo.seed"


def test_a_renewer_renews_within_the_limit_and_no_further(path):
    renewer = as_role(path, "renewer", limit=10**12)
    ids = renewable(renewer)
    paid = renewer.checkout(ids[:1], Duration(1), None, Method.BALANCE, "key-1")
    assert paid.order.lines and renewer.audit()[0].operator == "ann"
    small = as_role(path, "renewer", limit=1)
    with pytest.raises(Refused, match="above the renewer's limit of CNY 0.01"):
        small.place_order(ids[1:], Duration(1))
    order = as_role(path, "approver").place_order(ids[1:], Duration(1))
    with pytest.raises(Refused, match="above the renewer's limit"):
        small.pay(order.id, Method.BALANCE)
    with pytest.raises(Refused, match="ann is a renewer: set renewal day needs an approver"):
        renewer.set_renewal_day(1)
    with pytest.raises(Refused, match="top up needs an approver"):
        renewer.top_up(100)


def test_an_approver_changes_the_settings(path):
    approver = as_role(path, "approver")
    assert approver.set_renewal_day(5).renewal_day == 5
    assert approver.audit()[0].operator == "ann"


def test_only_an_approver_replaces_what_the_ledger_holds(path):
    renewer, approver = as_role(path, "renewer"), as_role(path, "approver")
    resources = [row.resource for row in renewer.list(limit=2)]
    for change in (lambda: renewer.import_resources(resources),
                   lambda: renewer.seed_demo(5, replace=True)):
        with pytest.raises(Refused, match="ann is a renewer: (an import|demo data) needs an "
                                          "approver"):
            change()
    assert approver.import_resources(resources) == 2
    assert approver.audit()[0].action == "import"
