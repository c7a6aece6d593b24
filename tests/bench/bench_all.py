"""Every figure of "fast at 100,000 resources", each against its baseline from the same run,
as one Markdown table (a script: it builds its own databases and prints; ~15 minutes here).

    .venv/bin/python tests/bench/bench_all.py [--large 100000] [--repeat 3]

The parts run on their own too, with more detail in their docstrings: bench_preview.py (the
renewal dialog), bench_tui.py (search, filters, tabs, check all), bench_batches.py (paying
orders), bench_tick.py (due events), bench_data.py (list, export, import) and
bench_startup.py (start-up of the TUI and the CLI).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

import bench_preview
import bench_tick
import bench_tui
from figures import Figure, table


def in_a_fresh_process(module: str, *args: int) -> list[Figure]:
    """`module.figures(*args)` run by a small Python of its own: the benches that time whole
    processes fork them, and a child forked from this process (Textual and large databases
    loaded) would count this process's pages in its peak memory and its start-up time; and
    the write transactions timed by bench_batches would take in full garbage-collection passes
    over the 200,000 objects the TUI benches leave here (9 of them in its 6 s)."""
    code = (f"import dataclasses, json, {module}; print(json.dumps([dataclasses.asdict(f) "
            f"for f in {module}.figures(*{list(args)!r})]))")
    done = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parent,
                          check=True, capture_output=True, text=True)
    return [Figure(**fields) for fields in json.loads(done.stdout.splitlines()[-1])]


async def every_figure(large: int, repeat: int) -> list[Figure]:
    data = in_a_fresh_process("bench_data", large, repeat)
    startup = in_a_fresh_process("bench_startup", repeat * 3)  # short runs: more of them
    batches = in_a_fresh_process("bench_batches", 25_000, repeat)
    return [
        *await bench_preview.figures(large, repeat),
        *await bench_tui.figures(large, repeat),
        *batches,
        *bench_tick.figures(large, repeat),
        *data,
        *startup,
    ]


def main(large: int, repeat: int) -> None:
    started = time.perf_counter()
    figures = asyncio.run(every_figure(large, repeat))
    print(table(figures))
    met = sum(figure.met == "yes" for figure in figures)
    goals = sum(figure.goal is not None for figure in figures)
    machine = platform.processor() or platform.machine()
    print(f"\n{met} of {goals} goals met; medians of {repeat} runs; {machine}, Python "
          f"{platform.python_version()}; {time.perf_counter() - started:.0f} s in all")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    main(arguments.large, arguments.repeat)
