"""The command-line twin (click): `root` opens the session and registers the command groups
`resources`, `orders`, `plans`, `admin`, `cloud`, `config`, `doctor` and `team`; `common` is
what they share, `output` and `output_policy` what they print.

`run` is the installed program: over SSH in team mode, the client's command
(SSH_ORIGINAL_COMMAND) comes after the arguments the key's forced command gave.
"""

import os
import sys

from tui.cli.common import BadInput
from tui.cli.root import main
from tui.cli.team import ssh_arguments


def run() -> None:
    try:
        arguments = ssh_arguments(sys.argv[1:], os.environ.get("SSH_ORIGINAL_COMMAND"))
    except BadInput as exc:
        exc.show()
        sys.exit(exc.exit_code)
    main(args=arguments, prog_name="renewals")


__all__ = ["main", "run"]
