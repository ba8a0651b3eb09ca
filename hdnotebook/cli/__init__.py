"""The command line: ``hdnotebook <command>`` or ``python -m hdnotebook <command>``.

Commands: ``list``, ``show RUN_ID``, ``export RUN_ID --csv FILE``, ``cancel RUN_ID``; each works on the nearest
workspace (the current folder or the nearest parent holding ``.hdnotebook/store.sqlite``, as
``Workspace.from_config()`` finds it) or the one given with ``--workspace PATH``. Errors (an unknown run id, no
workspace, a damaged store: the library's exceptions) print ``hdnotebook: error: ...`` to stderr and exit with
status 2.
"""

from __future__ import annotations

import sys

from hdnotebook.cli.errors import CliError
from hdnotebook.cli.parser import build_parser
from hdnotebook.exceptions import AzureMLException

EXIT_ERROR = 2


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the process exit status (0 on success, 2 on an error, 1 when a cancel did not
    finish in time)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except (CliError, AzureMLException) as error:  # the library's own errors (a damaged store...) name what is wrong
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # e.g. `hdnotebook list | head`
        return 0
