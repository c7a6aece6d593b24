"""One measured step against its baseline from the same run, and the table they make."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    step: str
    now: float
    baseline: float
    baseline_is: str
    goal: float | None = None
    """The ratio to reach (at most), where the issue sets one."""
    unit: str = "s"

    @property
    def ratio(self) -> float:
        return self.now / self.baseline

    @property
    def met(self) -> str:
        if self.goal is None:
            return ""
        return "yes" if self.ratio <= self.goal else "no"


def amount(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value * 1000:,.0f} ms" if value < 10 else f"{value:,.1f} s"
    return f"{value:,.0f} {unit}"


def table(figures: Iterable[Figure]) -> str:
    """A Markdown table: step, now, baseline (and what it is), ratio, goal, met."""
    lines = ["| step | now | baseline in the same run | ratio | goal | met |",
             "|---|---:|---|---:|---:|---|"]
    for figure in figures:
        goal = "" if figure.goal is None else f"≤ {figure.goal:g}"
        lines.append(
            f"| {figure.step} | {amount(figure.now, figure.unit)} | "
            f"{figure.baseline_is}: {amount(figure.baseline, figure.unit)} | "
            f"{figure.ratio:.2f} | {goal} | {figure.met} |")
    return "\n".join(lines)
