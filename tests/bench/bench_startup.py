"""Start-up cost, as processes (a script, not a test: it prints figures).

    .venv/bin/python tests/bench/bench_startup.py [--repeat 7] [--resources 100]
                                                  [--no-bytecode-cache]

Two comparisons, each against the least a process of its kind can cost on the same machine, in
the same run, with medians of `--repeat` runs (the runs are interleaved, one of each case per
round after a warm-up round, so a slow spell of the machine falls on both sides):

1. The command line: the wall time of a few cheap commands (`account --json`, `list --json`
   with `--search` matching one resource, `preview ID --months 1 --json`) as processes, from
   spawn to exit, output discarded, against `python -c pass` (the interpreter, its site and the
   editable install's finder: what no command can avoid). Goal: ratio <= 4. For context, one
   more line: a process that only imports click and sqlite_utils, the two libraries every
   command stands on (the floor of this design, before any of renewals' own code).

2. The console: process start to the first resource row drawn, in a pseudo-terminal of 80x24
   (the `pty` module: the app draws as it would in a real terminal, escape sequences and all),
   against a bare Textual app (an App with one Static) from process start to its first frame,
   in the same kind of pseudo-terminal. "Drawn" is the moment the bytes read from the terminal
   first contain a resource name (`bench-pool-NNN`: every row shows one, the header and the
   loading placeholders do not) / the bare app's text; escape sequences are removed before
   looking, so a colour change inside the text cannot hide it. The clock starts just before the
   spawn and stops when the reader sees the text, so both sides pay the same reader latency
   (the reader polls the terminal every millisecond). Then ctrl+q ends the process; its exit is
   not timed. Goal: ratio <= 1.5.

The databases (`--resources` pools on the Manual Renewals tab, a fixed date, a balance) are
built by the CLI itself in a temporary folder, which also holds the data folder and the config
(XDG_*), so nothing of the user's is read or written. Every process runs in that folder too:
`-m tui` and `-c` put the working folder first on sys.path, and a source tree there (the repo's
root) would be what is measured instead of the installed package.

Bytecode: an installed renewals runs from cached bytecode (pip compiles it; an editable install
writes `__pycache__` on first use), so by default every process here, the baselines included,
uses a bytecode cache in the temporary folder (PYTHONPYCACHEPREFIX; PYTHONDONTWRITEBYTECODE is
dropped), filled by the warm-up round. `--no-bytecode-cache` keeps the environment as it is
(with PYTHONDONTWRITEBYTECODE set, every run compiles the project's sources again: slower).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Callable
from pathlib import Path

from figures import Figure, table

PYTHON = sys.executable
RENEWALS = [PYTHON, "-m", "tui"]
NOW = "2026-11-26"
COLUMNS, LINES = 80, 24
TIMEOUT = 30.0
ESCAPE = re.compile(rb"\x1b(\[[0-9;?<=>!]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[P^_][^\x1b]*"
                    rb"\x1b\\|[()][0-9A-Za-z]|[@-Z\\-_])")
ROW_TEXT = re.compile(rb"bench-pool-[0-9]{3}")
BARE_TEXT = b"bare-app-first-frame"
BARE_APP = f"""
from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        yield Static("{BARE_TEXT.decode()}")

Bare().run()
"""


def environment(folder: Path, bytecode_cache: bool = True) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("RENEWALS_", "TEXTUAL"))}
    if bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
    env.update(XDG_DATA_HOME=str(folder / "data"), XDG_CONFIG_HOME=str(folder / "config"),
               XDG_STATE_HOME=str(folder / "state"), XDG_CACHE_HOME=str(folder / "cache"),
               TERM="xterm-256color", COLUMNS=str(COLUMNS), LINES=str(LINES))
    (folder / "cache").mkdir(exist_ok=True)  # the working folder of every process
    env.pop("NO_COLOR", None)
    return env


def make_database(folder: Path, count: int, env: dict[str, str]) -> Path:
    """`count` subscription pools, all on the Manual Renewals tab, and a balance to pay with."""
    path, source = folder / f"startup-{count}.db", folder / f"startup-{count}.json"
    source.write_text(json.dumps([
        {"id": f"bench-{number:05d}", "name": f"bench-pool-{number:03d}", "kind": "standard",
         "expiry": f"2026-12-{number % 28 + 1:02d}", "monthly_price_cents": 100_000 + number,
         "region": "cn-north-4", "tab": "manual"}
        for number in range(count)
    ]), encoding="utf-8")
    for args in (["import", str(source)], ["account", "--top-up", "1000000"]):
        subprocess.run([*RENEWALS, "--db", str(path), "--now", NOW, *args], check=True,
                       capture_output=True, env=env, cwd=env["XDG_CACHE_HOME"])
    return path


# 1. the command line ---------------------------------------------------------------------------
def process_seconds(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          stdin=subprocess.DEVNULL, env=env, cwd=env["XDG_CACHE_HOME"])
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(command)}\n"
                         f"{done.stderr.decode(errors='replace')}")
    return seconds


# 2. the console --------------------------------------------------------------------------------
def seconds_to_text(command: list[str], env: dict[str, str], wanted: re.Pattern[bytes]) -> float:
    """Spawn `command` in an 80x24 pseudo-terminal; seconds until its output shows `wanted`."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    started = time.perf_counter()
    process = subprocess.Popen(command, stdin=follower, stdout=follower, stderr=follower,
                               env=env, cwd=env["XDG_CACHE_HOME"], start_new_session=True,
                               close_fds=True)
    os.close(follower)
    seen, shown_at = b"", None
    try:
        deadline = started + TIMEOUT
        while shown_at is None:
            if time.perf_counter() > deadline or process.poll() is not None:
                raise SystemExit(f"no {wanted.pattern!r} from {' '.join(command)}:\n"
                                 f"{ESCAPE.sub(b'', seen)[-2000:].decode(errors='replace')}")
            ready, _, _ = select.select([leader], [], [], 0.001)
            if ready:
                try:
                    seen += os.read(leader, 65536)
                except OSError:  # the process closed the terminal
                    continue
                if wanted.search(ESCAPE.sub(b"", seen)):
                    shown_at = time.perf_counter()
        return shown_at - started
    finally:
        end(process, leader)


def end(process: subprocess.Popen[bytes], leader: int) -> None:
    """ctrl+q, reading on so the app is never blocked writing; a kill if it will not go."""
    with_key = time.perf_counter()
    os.write(leader, b"\x11")
    while process.poll() is None and time.perf_counter() - with_key < 10:
        ready, _, _ = select.select([leader], [], [], 0.01)
        if ready:
            try:
                os.read(leader, 65536)
            except OSError:
                break
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    os.close(leader)


def interleaved(repeat: int, cases: dict[str, Callable[[], float]]) -> dict[str, float]:
    """Each case once per round, `repeat` rounds (after one warm-up round); median seconds."""
    for run in cases.values():
        run()
    runs: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(repeat):
        for name, run in cases.items():
            runs[name].append(run())
    return {name: statistics.median(seconds) for name, seconds in runs.items()}


def figures(repeat: int, count: int = 100, bytecode_cache: bool = True) -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = environment(folder, bytecode_cache)
        db = make_database(folder, count, env)

        def renewals(*args: str) -> list[str]:
            return [*RENEWALS, "--db", str(db), "--now", NOW, *args]

        floor = [PYTHON, "-c", "pass"]
        libraries = [PYTHON, "-c", "import click, sqlite_utils"]
        commands = {
            "`account --json`": renewals("account", "--json"),
            "`list --search ID --json` (1 row)": renewals("list", "--search", "bench-00007",
                                                           "--json"),
            "`preview ID --months 1 --json`": renewals("preview", "bench-00007", "--months",
                                                       "1", "--json"),
        }
        cli = interleaved(repeat, {
            "floor": lambda: process_seconds(floor, env),
            "libraries": lambda: process_seconds(libraries, env),
            **{name: (lambda command=command: process_seconds(command, env))
               for name, command in commands.items()},
        })
        console = interleaved(repeat, {
            "bare": lambda: seconds_to_text([PYTHON, "-c", BARE_APP], env,
                                            re.compile(re.escape(BARE_TEXT))),
            "renewals": lambda: seconds_to_text(renewals(), env, ROW_TEXT),
        })
    floor_is = "`python -c pass`"
    return [
        *(Figure(f"CLI {name}", cli[name], cli["floor"], floor_is, 4.0) for name in commands),
        Figure("(context: a process importing only click and sqlite_utils)", cli["libraries"],
               cli["floor"], floor_is),
        Figure(f"TUI start to first row ({count:,} resources, {COLUMNS}x{LINES} pty)",
               console["renewals"], console["bare"], "bare Textual app's first frame", 1.5),
    ]


def main(repeat: int, count: int, bytecode_cache: bool) -> None:
    print(table(figures(repeat, count, bytecode_cache)))
    cache = "on" if bytecode_cache else "as the environment says"
    print(f"\nmedians of {repeat} runs; bytecode cache: {cache}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--resources", type=int, default=100)
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="run as the environment says (no cache if PYTHONDONTWRITEBYTECODE)")
    arguments = parser.parse_args()
    main(arguments.repeat, arguments.resources, not arguments.no_bytecode_cache)
