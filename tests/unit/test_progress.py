"""Progress of long work: counts every so many rows, drawn on stderr only for a person."""

from __future__ import annotations

import io
import sys

from store.clock import Clock
from store.models import Filters
from store.progress import reporting
from store.service import Store
from tui.cli.progress import StderrProgress
from tui.screens.renewal_actions import progress_bar


def test_reporting_counts_every_so_often_and_at_the_end():
    heard: list[int] = []
    assert list(reporting(range(12), heard.append, every=5)) == list(range(12))
    assert heard == [5, 10, 12]
    assert list(reporting([], heard.append)) == [] and heard[-1] == 0
    assert list(reporting("ab", None)) == ["a", "b"]


def test_an_export_and_an_import_say_how_far_they_are(tmp_path):
    store = Store(tmp_path / "a.db", Clock.from_text("2026-11-26"))
    store.seed_demo(12_000)
    heard: list[int] = []
    with (tmp_path / "out.json").open("w") as stream:
        assert store.export(Filters(), "json", stream, progress=heard.append) == 12_000
    assert heard == [5_000, 10_000, 12_000]
    other = Store(tmp_path / "b.db", Clock.from_text("2026-11-26"))
    read: list[int] = []
    assert other.import_file(tmp_path / "out.json", progress=read.append) == 12_000
    assert read == [5_000, 10_000, 12_000]
    store.close()
    other.close()


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_stderr_progress_is_drawn_in_place_and_wiped(monkeypatch):
    err = Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    with StderrProgress("exported", 200, beside_stdout=True) as progress:
        assert progress.wanted
        progress(50)
        progress(200)
    assert err.getvalue() == ("\rexported 50 of 200 rows (25%)\x1b[K"
                              "\rexported 200 of 200 rows (100%)\x1b[K\r\x1b[K")


def test_no_progress_for_a_script_or_over_the_output(monkeypatch):
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert not StderrProgress("read").wanted
    monkeypatch.setattr(sys, "stderr", Terminal())
    monkeypatch.setattr(sys, "stdout", Terminal())
    assert not StderrProgress("exported", beside_stdout=True).wanted  # stdout on screen
    assert StderrProgress("exported", beside_stdout=False).wanted
    quiet = StderrProgress("read")
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    quiet.wanted = False
    quiet(10)
    assert sys.stderr.getvalue() == ""


def test_the_console_bar_is_ascii_and_short():
    assert progress_bar(45, 100) == "[####------] 45%"
    assert progress_bar(100, 100) == "[##########] 100%"
    assert progress_bar(7, None) == "7 rows"
    assert progress_bar(0, 3) == "[----------] 0%"
