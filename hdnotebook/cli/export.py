"""``hdnotebook export RUN_ID --csv FILE``: a sweep's ``to_dataframe()`` (one row per child run) or a single run's
``metrics_dataframe()`` (one row per logged value) as CSV."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from hdnotebook._engine.layout import HYPERDRIVE_TYPE
from hdnotebook.cli.errors import CliError, open_run, open_workspace
from hdnotebook.exceptions import UserErrorException


def export_run(args: argparse.Namespace) -> int:
    """Write the run's DataFrame as CSV to ``args.csv`` (``-``: stdout). The file appears whole or not at all (it is
    written next to its destination, then renamed over it)."""
    workspace = open_workspace(args.workspace)
    run = open_run(workspace, args.run_id)
    is_sweep = run.type == HYPERDRIVE_TYPE
    if args.all_metrics and not is_sweep:
        raise CliError(f"--all-metrics applies to a sweep; {args.run_id!r} is a {run.type} run "
                       "(its export has every metric already)")
    try:
        frame = run.to_dataframe(metrics="all" if args.all_metrics else "primary") if is_sweep else run.metrics_dataframe()
    except UserErrorException as error:
        raise CliError(str(error)) from error
    if args.csv == "-":
        frame.to_csv(sys.stdout, index=False)
        return 0
    target = Path(args.csv).expanduser()
    if not target.parent.is_dir():
        raise CliError(f"--csv {args.csv!r}: the folder {target.parent} does not exist")
    if target.is_dir():
        raise CliError(f"--csv {args.csv!r} is a folder; give a file name")
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as f:
            frame.to_csv(f, index=False)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    print(f"Wrote {len(frame)} rows to {target}")
    return 0


def add_export_command(sub: argparse._SubParsersAction, shared: argparse.ArgumentParser) -> None:
    """The ``export`` subcommand."""
    export = sub.add_parser("export", parents=[shared], help="a sweep's results (one row per child run) as CSV",
                            description="A sweep's run.to_dataframe() (one row per child: id, status, "
                            "hyperparameters, best and last primary metric, intervals, times, termination reason) "
                            "or a single run's metrics_dataframe() as CSV.")
    export.add_argument("run_id", metavar="RUN_ID")
    export.add_argument("--csv", required=True, metavar="FILE", help="the CSV file to write ('-': standard output)")
    export.add_argument("--all-metrics", action="store_true",
                        help="also min, max and last of every other metric (to_dataframe(metrics='all'))")
    export.set_defaults(handler=export_run)
