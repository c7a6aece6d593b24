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
import platform
import time

import bench_batches
import bench_data
import bench_preview
import bench_startup
import bench_tick
import bench_tui
from figures import Figure, table


async def every_figure(large: int, repeat: int) -> list[Figure]:
    # The benches that time whole processes first: a child forked from a parent that holds
    # large databases' worth of objects would count the parent's pages in its peak memory.
    data = bench_data.figures(large, repeat)
    startup = bench_startup.figures(repeat * 3)  # short runs: more of them
    return [
        *await bench_preview.figures(large, repeat),
        *await bench_tui.figures(large, repeat),
        *bench_batches.figures(25_000, repeat),
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
