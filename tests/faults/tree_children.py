"""A child that starts a tree of subprocesses the way training scripts do, for the orphan tests.

``spawn_tree`` starts four sleepers (120 s) and writes their pids as JSON to ``<out>/pids_<i>.json``:
``plain`` (an ordinary Popen), ``session`` (start_new_session=True), ``daemon`` (double fork: a Popen'd
intermediate starts it in a new session and exits after ``linger`` seconds, so it loses its parent) and
``daemon_in_session`` (the same, staying in the child's session, intermediate exiting at once); ``child``
is the child's own pid. Then it sleeps ``sleep`` seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]
_QUIET = {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}


def _daemon(new_session: bool, linger: float) -> int:
    code = ("import subprocess, sys, time\n"
            f"p = subprocess.Popen({SLEEPER!r}, start_new_session={new_session}, stdin=subprocess.DEVNULL, "
            "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
            f"print(p.pid, flush=True)\ntime.sleep({linger})\n")
    intermediate = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert intermediate.stdout is not None
    pid = int(intermediate.stdout.readline())
    intermediate.wait()
    return pid


def spawn_tree(out: str, i: int, linger: float = 0.0, sleep: float = 120.0) -> None:
    """Start the tree described in the module docstring, record its pids, sleep."""
    pids = {
        "child": os.getpid(),
        "plain": subprocess.Popen(SLEEPER, **_QUIET).pid,
        "session": subprocess.Popen(SLEEPER, start_new_session=True, **_QUIET).pid,
        "daemon": _daemon(True, linger),
        "daemon_in_session": _daemon(False, 0.0),
    }
    path = os.path.join(out, f"pids_{i}.json")
    with open(path + ".tmp", "w") as f:
        json.dump(pids, f)
    os.replace(path + ".tmp", path)
    time.sleep(sleep)


def main() -> None:
    """The script form: ``--out DIR --i N --linger SECONDS --sleep SECONDS``."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--out")
    parser.add_argument("--i", type=int)
    parser.add_argument("--linger", type=float, default=0.0)
    parser.add_argument("--sleep", type=float, default=120.0)
    args = parser.parse_args()
    spawn_tree(args.out, args.i, args.linger, args.sleep)


if __name__ == "__main__":
    main()
