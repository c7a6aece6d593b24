"""Untrusted text: shown visibly and never acted on; spreadsheet cells that never run; JSON that
stays exact; numbers only in ASCII digits."""

from __future__ import annotations

import csv
import datetime as dt
import io as text_io
import json
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from store.models import Filters, Kind, Resource
from store.text import (
    from_spreadsheet_cell,
    json_safe,
    safe_lines,
    safe_text,
    spreadsheet_cell,
    spreadsheet_row,
    whole_number,
)

# What a terminal could act on or that hides what is shown: control, format, surrogate, line and
# paragraph separator characters.
UNSAFE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def has_unsafe(text: str) -> bool:
    return any(unicodedata.category(char) in UNSAFE for char in text)


@pytest.mark.parametrize(("raw", "shown"), [
    ("pool-a", "pool-a"),
    ("训练池 №1\u00a0x", "训练池 №1\u00a0x"),               # printable and a no-break space stay
    ("\x1b]0;PWNED\x07x", "\\x1b]0;PWNED\\x07x"),      # OSC retitle
    ("\x1b[2J", "\\x1b[2J"),                          # wipe the screen
    ("a\u009b31mb", "a\\x9b31mb"),                     # C1 CSI
    ("a\nb\tc\rd\x00\x7f", "a\\nb\\tc\\rd\\x00\\x7f"),
    ("evil\u202eexe.txt\u200b\u2028", "evil\\u202eexe.txt\\u200b\\u2028"),
    ("[bold]x[/]", "[bold]x[/]"),                      # markup is a widget's job: Text, not markup
    (None, ""),
    (12, "12"),
])
def test_safe_text_writes_every_control_character_visibly(raw, shown):
    assert safe_text(raw) == shown


@given(st.text())
def test_safe_text_leaves_nothing_a_terminal_acts_on(text):
    assert not has_unsafe(safe_text(text))
    if text.isprintable():
        assert safe_text(text) == text


def test_safe_lines_keeps_the_breaks_only():
    assert safe_lines("one \x1b[2J\ntwo\x07") == "one \\x1b[2J\ntwo\\x07"


@given(st.recursive(st.none() | st.text() | st.integers(),
                    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner)))
def test_json_safe_is_the_same_json_value_with_nothing_unsafe(value):
    encoded = json_safe(json.dumps(value, ensure_ascii=False, indent=2))
    assert json.loads(encoded) == value
    assert not has_unsafe(encoded.replace("\n", ""))


@pytest.mark.parametrize(("cell", "written"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+1+1", "'+1+1"),
    ("-2+cmd|' /C calc'!A0", "'-2+cmd|' /C calc'!A0"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("'quoted", "''quoted"),
    ("\tx", "\\tx"),            # made visible first: a backslash runs nothing
    ("-5", "-5"),               # a plain number stays a number
    ("-12.5", "-12.5"),
    ("pool-a", "pool-a"),
    (42, 42),
    (None, None),
])
def test_spreadsheet_cells_never_start_a_formula(cell, written):
    assert spreadsheet_cell(cell) == written


@given(st.text())
def test_a_spreadsheet_cell_reads_back_as_the_safe_text(text):
    assert from_spreadsheet_cell(spreadsheet_cell(text)) == safe_text(text)


def test_csv_export_quotes_formulas_and_json_export_stays_exact(store):
    name = "=cmd|' /C calc'!A0\x1b]0;x\x07\u202e"
    store.import_resources([Resource(id="r1", name=name, kind=Kind.STANDARD,
                                     expiry=store.clock.today() - dt.timedelta(days=5),
                                     monthly_price_cents=100, yearly_price_cents=1000)])
    stream = text_io.StringIO()
    store.export(Filters(), "csv", stream)
    row = next(csv.DictReader(text_io.StringIO(stream.getvalue())))
    assert row["name"] == "'=cmd|' /C calc'!A0\\x1b]0;x\\x07\\u202e" and row["days_left"] == "-5"
    assert not has_unsafe(stream.getvalue().replace("\n", ""))
    stream = text_io.StringIO()
    store.export(Filters(), "json", stream)
    assert json.loads(stream.getvalue())[0]["name"] == name
    assert "\x1b" not in stream.getvalue() and "\u202e" not in stream.getvalue()


@pytest.mark.parametrize("digits", ["١٠٠", "１００", "²", "1e3", "-1", " ", ""])
def test_only_ascii_digits_are_a_number(digits):
    with pytest.raises(ValueError, match="digits 0-9"):
        whole_number(digits, 0, 1000, "a count")


def test_whole_numbers_have_bounds():
    assert whole_number(" 100 ", 0, 1000, "a count") == 100
    with pytest.raises(ValueError, match="a count is 0-1000, not 1,001"):
        whole_number("1001", 0, 1000, "a count")


@given(st.lists(st.one_of(st.text(), st.integers(), st.none(),
                          st.sampled_from(["=1+1", "-5", "-x", "+", "@a", "'q", "a\x1bb"]))))
def test_a_spreadsheet_row_is_each_cell_made_safe(values):
    assert spreadsheet_row(values) == [spreadsheet_cell(value) for value in values]
