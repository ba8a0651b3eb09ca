"""Start-up cost of hdnotebook in a notebook and in a script child; prints figures (not a timed test).

(a) CPU time (user + system, from the operating system's accounting of the finished process) of
    ``python -c "from hdnotebook import *"`` against ``python -c "import optuna"`` (skipped when optuna is
    not installed).
(b) CPU time of a script child that does what a training script does first:
    ``from hdnotebook import Run; run = Run.get_context(); run.log("x", 1)``, against
    ``python -c "import json"``:
    - micro: ``python child.py`` started here with the environment the executor gives a child (the run's
      id, workspace and experiment, and an inherited events pipe), its events read back to check they arrived;
    - executor: the children of a real sweep on the local executor, in turn one that does the same and one
      that only imports json; each reports its own CPU time (``time.process_time()``) when done.
The processes of (a) and (b) micro are interleaved, one of each per round; figures are medians over the
rounds, so drifts in the machine's load hit every case alike.

Usage: python benchmarks/startup.py [--rounds 21] [--children 20]
Targets: (a) star import / import optuna <= 1.0; (b) child / import json <= 1.5.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # this checkout's hdnotebook, here and (through PYTHONPATH) in every child
os.environ["PYTHONPATH"] = os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)

CHILD_SCRIPT = """
from hdnotebook import Run
run = Run.get_context()
run.log("x", 1)
"""

SWEEP_CHILD_SCRIPT = """
import sys
import time
if "json" in sys.argv:  # the baseline, started the same way
    import json
else:
    from hdnotebook import Run
    run = Run.get_context()
    run.log("x", 1)
print("CPU", time.process_time(), flush=True)
"""


def environment() -> dict[str, str]:
    """This process's environment (this checkout first on the import path), writing bytecode caches as Python
    does by default: the warm-up round writes them, so no round pays for compiling."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def cpu_of(argv: list[str], env: dict[str, str], pass_fds: tuple[int, ...] = (), cwd: str | None = None) -> float:
    """CPU seconds (user + system) the process ``argv`` used from start to exit; raises when it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(argv, env=env, pass_fds=pass_fds, cwd=cwd, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{argv} failed: {done.stderr[-2000:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def child_setup(folder: Path) -> tuple[dict[str, str], int, int]:
    """A workspace holding one running run, and the environment a child of that run gets: (env, read fd, write fd)."""
    from hdnotebook import Experiment, Workspace
    from hdnotebook._engine import channel

    exp = Experiment(Workspace(folder / "ws"), "startup")
    run = exp.start_logging()
    read_fd, write_fd = os.pipe()
    os.set_blocking(read_fd, False)
    env = {**environment(), channel.ENV_RUN_ID: run.id, channel.ENV_EXPERIMENT: exp.name,
           channel.ENV_WORKSPACE: str(exp.workspace._store.folder), channel.ENV_RUN_DIR: str(folder / "run"),
           **channel.channel_environment(write_fd)}
    return env, read_fd, write_fd


def drain(fd: int) -> bytes:
    """Everything waiting in the non-blocking pipe ``fd``."""
    out = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            return out
        if not chunk:
            return out
        out += chunk


def interleaved(rounds: int, folder: Path) -> dict[str, list[float]]:
    """(a) and (b) micro: CPU seconds of each case, one process of every case per round."""
    python = sys.executable
    env = environment()
    script = folder / "child.py"
    script.write_text(textwrap.dedent(CHILD_SCRIPT))
    child_env, read_fd, write_fd = child_setup(folder)
    cases: dict[str, tuple[list[str], dict[str, str], tuple[int, ...]]] = {
        "import json": ([python, "-c", "import json"], env, ()),
        "child": ([python, str(script)], child_env, (write_fd,)),
        "star import": ([python, "-c", "from hdnotebook import *"], env, ()),
    }
    if importlib.util.find_spec("optuna") is not None:
        cases["import optuna"] = ([python, "-c", "import optuna"], env, ())
    for argv, case_env, fds in cases.values():  # warm the file cache and the bytecode caches
        cpu_of(argv, case_env, fds, cwd=str(folder))
    drain(read_fd)
    figures: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, (argv, case_env, fds) in cases.items():
            figures[name].append(cpu_of(argv, case_env, fds, cwd=str(folder)))
            if name == "child" and b'"name":"x"' not in drain(read_fd):
                raise RuntimeError("the child's metric did not reach the events pipe")
    os.close(read_fd)
    os.close(write_fd)
    return figures


def executor_children(children: int, folder: Path) -> tuple[list[float], list[float]]:
    """(b) executor: the CPU seconds script children of a real sweep report (``time.process_time()``) after their
    first ``log()``, and after ``import json`` in children of the same sweep, one of each in turn."""
    from hdnotebook import Experiment, GridParameterSampling, HyperDriveConfig, ScriptRunConfig, Workspace, choice

    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # the children inherit the driver's environment
    src = folder / "src"
    src.mkdir()
    (src / "train.py").write_text(textwrap.dedent(SWEEP_CHILD_SCRIPT))
    space = {"--i": choice(*range(children)), "--kind": choice("hdnotebook", "json")}
    config = HyperDriveConfig(run_config=ScriptRunConfig(str(src), "train.py"),
                              hyperparameter_sampling=GridParameterSampling(space), primary_metric_name="x",
                              primary_metric_goal="minimize", max_total_runs=2 * children, max_concurrent_runs=1)
    run = Experiment(Workspace(folder / "ws"), "startup-sweep").submit(config)
    run.wait_for_completion()
    figures: dict[str, list[float]] = {"hdnotebook": [], "json": []}
    for child in run.get_children():
        kind = child.get_details()["runDefinition"]["arguments"][-1]
        log = Path(child.get_details()["logFiles"]["user_logs/std_log.txt"]).read_text()
        figures[kind] += [float(line.split()[1]) for line in log.splitlines() if line.startswith("CPU ")]
    return figures["hdnotebook"], figures["json"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21, help="interleaved rounds of (a) and (b) micro")
    parser.add_argument("--children", type=int, default=20, help="script children of the sweep of (b) executor")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        figures = interleaved(args.rounds, folder)
        medians = {name: statistics.median(values) for name, values in figures.items()}
        print(f"Python {sys.version.split()[0]}; CPU seconds (user + system), medians of {args.rounds} interleaved rounds")
        for name, value in medians.items():
            print(f"  {name:14s} {value * 1000:7.1f} ms")
        if "import optuna" in medians:
            print(f"(a) from hdnotebook import * / import optuna = {medians['star import'] / medians['import optuna']:.2f}x "
                  "(target <= 1.0)")
        print(f"(b) script child (Run.get_context().log) / import json = {medians['child'] / medians['import json']:.2f}x "
              "(target <= 1.5)")
        own, baseline = executor_children(args.children, folder)
        child, json_cpu = statistics.median(own), statistics.median(baseline)
        print(f"(b) executor: script children of one sweep, CPU to their first log() {child * 1000:.1f} ms, to "
              f"import json {json_cpu * 1000:.1f} ms (time.process_time(), medians of {len(own)} and {len(baseline)}) = "
              f"{child / json_cpu:.2f}x "
              "(target <= 1.5)")


if __name__ == "__main__":
    main()
