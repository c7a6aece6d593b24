"""Progress of long commands on stderr, `exported 45,000 of 100,000 rows (45%)` rewritten in
place, only when stderr is a terminal: a script's stderr gets the one-line result alone."""

from __future__ import annotations

import sys
from types import TracebackType


class StderrProgress:
    def __init__(self, verb: str, total: int | None = None, *, beside_stdout: bool = False,
                 ) -> None:
        """`beside_stdout`: the command writes its result to stdout, which, on the same
        terminal, would be drawn over: progress is shown only when stdout goes elsewhere."""
        self.verb = verb
        self.total = total
        self.wanted = sys.stderr.isatty() and not (beside_stdout and sys.stdout.isatty())
        self.drawn = False

    def __call__(self, done: int) -> None:
        if not self.wanted:
            return
        line = f"{self.verb} {done:,}"
        if self.total:
            line += f" of {self.total:,} rows ({min(100, done * 100 // self.total)}%)"
        else:
            line += " rows"
        sys.stderr.write(f"\r{line}\x1b[K")
        sys.stderr.flush()
        self.drawn = True

    def __enter__(self) -> StderrProgress:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.drawn:  # the result line (or the error) takes its place
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
