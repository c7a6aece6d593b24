"""`python -m tui`: the same as the `renewals` command."""

from tui.cli import main

if __name__ == "__main__":
    main()
