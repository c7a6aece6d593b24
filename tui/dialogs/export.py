"""Export the current Renewals view (tab, filters, search: every matching row) to CSV or JSON.

`ExportDialog` asks for the path and the format and dismisses with an `ExportRequest`;
`export_view` (run in a worker) reads the rows and writes the file.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static

from store.errors import StoreError
from store.files import write_atomically
from store.models import Filters
from store.progress import RowsDone
from store.service import Store
from tui.dialogs.base import Dialog
from tui.safe import safe
from tui.widgets.stepper import Stepper

FORMATS = ("csv", "json")


@dataclass(frozen=True)
class ExportRequest:
    path: Path
    fmt: str


@dataclass(frozen=True)
class ExportDone:
    path: Path
    count: int
    fmt: str


@dataclass(frozen=True)
class ExportFailed:
    path: Path
    reason: str


def default_path(today: dt.date) -> str:
    return f"renewals-export-{today.isoformat()}.csv"


def format_of(path: str) -> str | None:
    """The format a file name asks for by its extension, if it names one."""
    suffix = Path(path).suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else None


def path_problem(path: Path) -> str | None:
    """Why `path` cannot be written, as far as can be told before trying; None if it looks fine."""
    if str(path).strip() in ("", "."):
        return "type a file name"
    if path.is_symlink():
        return f"{path} is a symbolic link: not following it; choose another name"
    if path.is_dir():
        return f"{path} is a folder: add a file name"
    folder = path.parent
    if not folder.is_dir():
        return f"the folder {folder} does not exist"
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return f"no permission to write {path}"
    return None


def export_view(store: Store, filters: Filters, sort: str, descending: bool,
                request: ExportRequest, progress: RowsDone | None = None
                ) -> ExportDone | ExportFailed:
    """Write every row of the view; the file appears whole or not at all, never through a
    symbolic link (the dialog has asked before replacing a file)."""
    written: list[int] = []
    try:
        write_atomically(request.path, lambda stream: written.append(store.export(
            filters, request.fmt, stream, sort, descending, progress)), replace=True)
    except StoreError as exc:
        return ExportFailed(request.path, str(exc))
    return ExportDone(request.path.resolve(), written[0], request.fmt)


class ExportDialog(Dialog[ExportRequest | None]):
    DEFAULT_CSS = """
    ExportDialog {
        align: center middle;
        & > #export-box {
            width: 76; max-width: 100%; height: auto; max-height: 100%;
            border: round $primary; background: $surface; padding: 0 1;
        }
        #export-about { height: auto; margin-bottom: 1; }
        .field { height: 1; margin-bottom: 1; }
        .label { width: 8; }
        #export-path { width: 1fr; border: none; height: 1; padding: 0 1; }
        .hint, #export-keys { color: $text-muted; margin-left: 1; }
        #export-problem { color: $text-error; height: auto; }
    }
    """
    BINDINGS = [
        Binding("enter", "export", "Export", priority=True, id="export.export"),
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
    ]
    AUTO_FOCUS = "#export-path"

    def __init__(self, path: str, row_count: int | None, view: str) -> None:
        super().__init__()
        self.initial_path = path
        self.row_count = row_count
        self.view = view
        self.replace_ok: Path | None = None

    def compose(self) -> ComposeResult:
        rows = "every" if self.row_count is None else f"{self.row_count:,}"
        fmt = format_of(self.initial_path) or FORMATS[0]
        with Vertical(id="export-box") as box:
            box.border_title = safe(f"Export {self.view}")
            yield Static(Text(
                f"{rows} rows: the current tab, filters and search (all matching rows, not only "
                "those on screen), with renewal prices for 1 month and 1 year."),
                id="export-about")
            with Horizontal(classes="field"):
                yield Static("Path", classes="label")
                yield Input(self.initial_path, id="export-path")
            with Horizontal(classes="field"):
                yield Static("Format", classes="label")
                yield Stepper([name.upper() for name in FORMATS], FORMATS.index(fmt),
                              id="export-format")
                yield Static("left/right; a .json path writes JSON", classes="hint")
            yield Static(id="export-problem")
            yield Static("enter: export   esc: cancel   tab: next field", id="export-keys")

    @property
    def fmt(self) -> str:
        return FORMATS[self.query_one("#export-format", Stepper).index]

    @property
    def path(self) -> Path:
        return Path(self.query_one("#export-path", Input).value.strip()).expanduser()

    @on(Input.Changed, "#export-path")
    def _path_changed(self, event: Input.Changed) -> None:
        fmt = format_of(event.value)
        if fmt is not None:
            self.query_one("#export-format", Stepper).move_to(FORMATS.index(fmt), announce=False)
        self.replace_ok = None
        self._say("")

    @on(Stepper.Changed, "#export-format")
    def _format_changed(self) -> None:
        path_input = self.query_one("#export-path", Input)
        if format_of(path_input.value) not in (None, self.fmt):
            path_input.value = str(Path(path_input.value).with_suffix(f".{self.fmt}"))

    def _say(self, problem: str) -> None:
        self.query_one("#export-problem", Static).update(safe(problem))

    def action_export(self) -> None:
        path = self.path
        problem = path_problem(path)
        if problem:
            self._say(problem)
            return
        if path.exists() and self.replace_ok != path:
            self.replace_ok = path
            self._say(f"{path} exists: press enter again to replace it")
            return
        self.dismiss(ExportRequest(path, self.fmt))

    def action_cancel(self) -> None:
        self.dismiss(None)
