"""`python -m tui`: the same as the `renewals` command."""

from tui.cli import run

if __name__ == "__main__":
    run()
