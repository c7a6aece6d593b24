"""The command-line twin of plans: `plan`, `plan show`, `plans`, `approve`, `apply`."""

from __future__ import annotations

from cli_support import PREVIEW_LINE_FIELDS, ok_json, one_line_error

PLAN_FIELDS = ["id", "status", "author", "total_cents", "currency", "created_at", "duration",
               "align", "resources", "renewals", "needs_approval", "approved_by",
               "approved_at", "applied_by", "applied_at", "order_ids"]


def test_plan_json_shape_then_plans_lists_it(run, seeded):
    made = ok_json(run("plan", "r-manual", "r-grace", "r-deleted", "--months", "1", "--json"))
    assert list(made) == ["plan_id", *PLAN_FIELDS, "lines"]
    assert made["plan_id"] == made["id"] and made["status"] == "ready"
    assert made["total_cents"] == 10_000 + 30_000 and made["resources"] == 3
    assert made["renewals"] == 2 and made["author"] == seeded.identity.os_user
    assert [line["id"] for line in made["lines"]] == ["r-manual", "r-grace", "r-deleted"]
    assert list(made["lines"][0]) == PREVIEW_LINE_FIELDS
    assert made["lines"][2]["renewable"] is False
    listed = ok_json(run("plans", "--json"))
    assert [(p["id"], p["status"]) for p in listed] == [(made["id"], "ready")]
    shown = ok_json(run("plan", "show", made["id"], "--json"))
    assert shown == made


def test_plan_takes_filters_and_ids_from_a_file(run, seeded, tmp_path):
    listing = tmp_path / "ids.txt"
    listing.write_text("r-manual\nr-grace\n")
    from_file = ok_json(run("plan", "--ids-from", str(listing), "--months", "2", "--json"))
    assert [line["id"] for line in from_file["lines"]] == ["r-manual", "r-grace"]
    by_filter = ok_json(run("plan", "make", "--tab", "manual", "--months", "1", "--align", "1",
                            "--json"))
    assert by_filter["align"] == 1 and by_filter["resources"] >= 2


def test_apply_asks_or_takes_yes_and_pays_exactly_the_plan(run, seeded):
    seeded.top_up(1_000_000)
    plan_id = ok_json(run("plan", "r-manual", "--months", "1", "--json"))["plan_id"]
    one_line_error(run("apply", plan_id), 1, "without a confirmation", "nothing was ordered")
    paid = ok_json(run("apply", plan_id, "--yes", "--json"))
    assert paid["renewed"] == 1 and paid["charged_cents"] == 10_000
    assert ok_json(run("plans", "--json"))[0]["status"] == "applied"
    one_line_error(run("apply", plan_id, "--yes"), 1, "was applied by")
    text = run("plan", "show", plan_id)
    assert "applied by" in text.stdout and "r-manual" in text.stdout


def test_apply_after_the_plan_moved_orders_nothing(run, seeded):
    seeded.top_up(1_000_000)
    plan_id = ok_json(run("plan", "r-manual", "r-grace", "--months", "1", "--json"))["plan_id"]
    ok_json(run("renew", "r-grace", "--months", "1", "--pay", "balance", "--yes", "--json"))
    result = run("apply", plan_id, "--yes")
    one_line_error(result, 1, "no longer holds", "pool-late-e: expiry", "nothing was ordered")
    assert len(ok_json(run("orders", "--json"))) == 1


def test_refusals_of_plans_are_one_line(run, seeded):
    one_line_error(run("plan", "show", "PLAN-NOPE"), 1, "no plan 'PLAN-NOPE'")
    one_line_error(run("plan", "r-deleted", "--months", "1"), 1, "no plan made")
    plan_id = ok_json(run("plan", "r-manual", "--months", "1", "--json"))["plan_id"]
    one_line_error(run("approve", plan_id), 1, "another person approves it")
    assert run("plan", "--months", "1").exit_code == 2
    assert "plan show PLAN" in run("plan", "--help").stdout
