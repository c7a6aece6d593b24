"""The command-line twin (click): `root` opens the session and registers the command groups
`resources`, `orders` and `admin`; `common` is what they share, `output` and `output_policy`
what they print."""

from tui.cli.root import main

__all__ = ["main"]
