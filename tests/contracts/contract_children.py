"""The one child of the executor contract suite: ``child(behaviour=..., **options)``, as a function or as a script.

A function trial calls ``child`` (by reference, so every trial of an executor has the same payload, as a Dask
executor requires); a script trial runs ``python -m tests.contracts.contract_children '<json keyword arguments>'``.
Each behaviour logs through ``Run.get_context()``, as a user's training code does.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time

from hdnotebook import Run

LARGE_LIST_LENGTH = 3000
"""Values in the large metric: its JSON line (about 60 kB) is far above PIPE_BUF, so the channel frames it."""
TICK_SECONDS = 0.05


def large_values() -> list[float]:
    """The large list the ``metrics`` behaviour logs."""
    return [i / 7 for i in range(LARGE_LIST_LENGTH)]


def child(behaviour: str, count: int = 0, seconds: float = 0.0, code: int = 0) -> None:
    """Run one behaviour:

    - ``metrics``: ``step`` = 0..count-1 in order, then ``large`` (large_values()) and ``last`` = 1;
    - ``raise``: log ``about_to_fail`` then raise ValueError("contract failure <count>");
    - ``exit``: ``sys.exit(code)``;
    - ``tick``: log ``pid`` and ``pgid``, then ``tick`` every TICK_SECONDS for up to ``seconds``;
    - ``sleep``: log ``pid``, sleep ``seconds`` without logging, log ``woke``;
    - ``environment``: log ``var`` (CONTRACT_VAR), ``cwd``, write a line to stdout and stderr;
    - ``signal``: log ``pid``, then SIGKILL itself.
    """
    run = Run.get_context()
    if behaviour == "metrics":
        for step in range(count):
            run.log("step", step)
        run.log_list("large", large_values())
        run.log("last", 1)
    elif behaviour == "raise":
        run.log("about_to_fail", 1)
        raise ValueError(f"contract failure {count}")
    elif behaviour == "exit":
        sys.exit(code)
    elif behaviour == "tick":
        run.log("pid", os.getpid())
        run.log("pgid", os.getpgid(0))
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            time.sleep(TICK_SECONDS)
            run.log("tick", 1)
    elif behaviour == "sleep":
        run.log("pid", os.getpid())
        time.sleep(seconds)
        run.log("woke", 1)
    elif behaviour == "environment":
        run.log("var", os.environ.get("CONTRACT_VAR", "<unset>"))
        run.log("cwd", os.getcwd())
        print("contract stdout line", flush=True)
        print("contract stderr line", file=sys.stderr, flush=True)
    elif behaviour == "signal":
        run.log("pid", os.getpid())
        os.kill(os.getpid(), signal.SIGKILL)
    else:
        raise ValueError(f"unknown behaviour {behaviour!r}")


if __name__ == "__main__":
    child(**json.loads(sys.argv[1]))
