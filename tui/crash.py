"""An error nobody expected is a failure, not a traceback on the operator's terminal: the details
go to a private log file in the data folder, the terminal gets one line naming it, and the
process exits non-zero (the CLI and the TUI alike)."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from store.clock import Clock
from store.db import data_folder, make_private_folder
from store.text import safe_text

SECRET_OPTIONS = ("--card",)
HIDDEN = "(hidden)"


def redacted(argv: Sequence[str]) -> list[str]:
    """The command line with the values of secret options left out (a card number)."""
    shown: list[str] = []
    hide_next = False
    for arg in argv:
        if hide_next:
            shown.append(HIDDEN)
            hide_next = False
        elif arg in SECRET_OPTIONS:
            shown.append(arg)
            hide_next = True
        elif arg.startswith(tuple(f"{option}=" for option in SECRET_OPTIONS)):
            shown.append(arg.split("=", 1)[0] + "=" + HIDDEN)
        else:
            shown.append(arg)
    return shown


def write_log(error: BaseException) -> Path | None:
    """The traceback in `crash-<UTC time>-<pid>.log` (mode 0600) in the data folder; None when
    that cannot be written (the traceback then goes to stderr, so it is never lost)."""
    details = (f"renewals crashed at {Clock.wall_stamp()} (UTC)\n"
               f"command: {' '.join(redacted(sys.argv))}\n"
               f"python: {sys.version.split()[0]}\n\n"
               + "".join(traceback.format_exception(error)))
    folder = data_folder()
    path = folder / f"crash-{Clock().now().format('YYYYMMDDTHHmmss')}-{os.getpid()}.log"
    try:
        make_private_folder(folder)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as log:
            log.write(details)
    except OSError:
        sys.stderr.write(details)
        return None
    return path


def crash_line(error: BaseException, log: Path | None) -> str:
    where = f"the details are in {log}" if log else "the details are above"
    return (f"renewals stopped on an unexpected error ({safe_text(type(error).__name__)}); "
            f"{where}. Please report it.")
