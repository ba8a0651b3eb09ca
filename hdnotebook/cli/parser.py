"""The command line's arguments (argparse): the commands, their options, and ``--workspace`` before or after the
command."""

from __future__ import annotations

import argparse

from hdnotebook import __version__
from hdnotebook.cli import commands

WORKSPACE_HELP = ("the workspace folder (default: the current folder or the nearest parent holding "
                  ".hdnotebook/store.sqlite)")


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expects an int >= 1, got {text}")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"expects seconds >= 0, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The ``hdnotebook`` parser; each command's namespace carries its ``handler(args) -> exit status``."""
    parser = argparse.ArgumentParser(prog="hdnotebook", description="Look at and control the sweeps and runs of an "
                                     "hdnotebook workspace.")
    parser.add_argument("--workspace", metavar="PATH", default=None, help=WORKSPACE_HELP)
    parser.add_argument("--version", action="version", version=f"hdnotebook {__version__}")
    # also accepted after the command; SUPPRESS keeps a value given before it
    shared = argparse.ArgumentParser(add_help=False)
    shared.add_argument("--workspace", metavar="PATH", default=argparse.SUPPRESS, help=WORKSPACE_HELP)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    listing = sub.add_parser("list", parents=[shared], help="sweeps and runs with status, best metric and age",
                             description="The workspace's sweeps and runs (oldest first) with their status, the "
                             "children done of the total, the best primary metric and their age.")
    listing.add_argument("--experiment", metavar="NAME", help="only this experiment's runs")
    listing.add_argument("--children", action="store_true", help="also each sweep's child runs")
    listing.set_defaults(handler=commands.list_runs)

    show = sub.add_parser("show", parents=[shared], help="a run's summary and, for a sweep, its best runs",
                          description="A sweep's summary as the RunDetails header shows it (status, runs by status, "
                          "best metric, elapsed, time left) and its best runs; a single run's status and metrics.")
    show.add_argument("run_id", metavar="RUN_ID")
    show.add_argument("--top", type=_positive, default=10, metavar="N", help="how many best runs to list (default 10)")
    show.set_defaults(handler=commands.show_run)

    cancel = sub.add_parser("cancel", parents=[shared], help="cancel a sweep or run, also one driven by another process",
                            description="Cancel a sweep or run as run.cancel() does: the process that drives it stops "
                            "it within a second. Waits for it to end.")
    cancel.add_argument("run_id", metavar="RUN_ID")
    cancel.add_argument("--wait", type=_seconds, default=60.0, metavar="SECONDS",
                        help="how long to wait for the run to end (default 60; 0: do not wait)")
    cancel.set_defaults(handler=commands.cancel_run)
    return parser
