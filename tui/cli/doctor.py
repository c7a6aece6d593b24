"""`renewals doctor`: the terminal, the database, the config file and (for a bound database)
the cloud endpoints as this process sees them, with a hint for each problem. It only reads."""

from __future__ import annotations

import os
import shutil
import sys

import click

from store.doctor import Finding, config_findings, database_findings
from tui.cli.common import Session, emit, json_option, pass_session, say

MIN_WIDTH, MIN_HEIGHT = 80, 24


def terminal_findings() -> list[Finding]:
    from rich.console import Console

    width, height = shutil.get_terminal_size((0, 0))
    term, colorterm = os.environ.get("TERM", ""), os.environ.get("COLORTERM", "")
    findings = [Finding("terminal size", f"{width}x{height}" if width else "not a terminal",
                        None if width >= MIN_WIDTH and height >= MIN_HEIGHT else
                        f"the console needs at least {MIN_WIDTH}x{MIN_HEIGHT}; the commands "
                        "work at any size")]
    findings.append(Finding("TERM", term or "(unset)", {
        "": "set TERM (xterm-256color in most terminals) for the console",
        "dumb": "this terminal cannot show the console; the commands work",
    }.get(term)))
    findings.append(Finding("COLORTERM", colorterm or "(unset)"))
    colours = ("none (NO_COLOR is set: every state also has a word)" if "NO_COLOR" in os.environ
               else str(Console(force_terminal=True).color_system or "none"))
    findings.append(Finding("colours the console will use", colours,
                            "16 colours: states keep their words and [x]; for more, "
                            "TERM=xterm-256color" if colours == "standard" else None))
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        findings.append(Finding("input/output", "not both a terminal",
                                "the console needs one (ssh -t); the commands do not"))
    return findings


@click.command()
@json_option
@pass_session
def doctor(session: Session, as_json: bool) -> None:
    """Check the terminal, the database, the config file and the cloud endpoints.

    Reads only: a missing database is not created. Example: renewals doctor
    """
    from tui.cli.config import checked_config

    _config, problems = checked_config(session)
    findings = [*terminal_findings(), *database_findings(session.path),
                *config_findings(session.config, problems)]
    if as_json:
        emit([{"topic": f.topic, "value": f.value, "hint": f.hint} for f in findings])
        return
    width = max(len(f.topic) for f in findings)
    lines = []
    for finding in findings:
        lines.append(f"{'!' if finding.hint else ' '} {finding.topic:<{width}}  {finding.value}")
        if finding.hint:
            lines.append(f"  {'':<{width}}  hint: {finding.hint}")
    troubles = sum(1 for f in findings if f.hint)
    lines.append(f"\n{troubles} thing{'s' if troubles != 1 else ''} to look at" if troubles
                 else "\nall is well")
    say("\n".join(lines))


COMMANDS = (doctor,)
