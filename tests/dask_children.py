"""Children and worker probes for the Dask tests (importable by reference on the workers)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from hdnotebook import Run

SCRIPT = '''
import argparse, os, time
from hdnotebook import Run

parser = argparse.ArgumentParser()
parser.add_argument("--values", default="0.5")
parser.add_argument("--delay", type=float, default=0.05)
parser.add_argument("--fail", type=int, default=0)
args = parser.parse_args()
run = Run.get_context()
run.log("pid", os.getpid())
import psutil
parent = psutil.Process().parent()  # the guard that runs every local child, whose parent is the Dask worker
run.log("worker_pid", parent.ppid() if "guard.main" in " ".join(parent.cmdline()) else parent.pid)
print("started on the worker", flush=True)
with open("outputs/result.txt", "w") as f:
    f.write(args.values)
with open("notes.txt", "w") as f:
    f.write("uploaded from the worker")
run.upload_file("extra/notes.txt", "notes.txt")
for item in args.values.split(","):
    head, _, count = item.partition("*")
    for _ in range(int(count) if count else 1):
        time.sleep(args.delay)
        run.log("accuracy", float(head))
print("done", flush=True)
if args.fail:
    raise ValueError("failing on purpose")
'''


def write_script(folder: Path) -> Path:
    """``folder/src/train.py`` (SCRIPT) plus a file that .amlignore excludes; returns the source folder."""
    src = folder / "src"
    src.mkdir(exist_ok=True)
    (src / "train.py").write_text(SCRIPT)
    (src / "big.bin").write_bytes(b"0" * 1000)
    (src / ".amlignore").write_text("big.bin\n")
    return src


def probe_then_sleep(seconds: float) -> None:
    """Logs the time, prints a line, sleeps, then logs ``finished``."""
    run = Run.get_context()
    run.log("pid", os.getpid())
    run.log("probe", time.time())
    print("a line of the log tail", flush=True)
    time.sleep(seconds)
    run.log("finished", 1)


def running_trials() -> list[str]:
    """The task keys supervise is running in this worker process."""
    from hdnotebook._engine.executors import supervise

    return list(supervise._running)


def scratch_folders(dask_worker) -> list[str]:
    """The children's temporary folders left in this worker's local directory."""
    return sorted(p.name for p in Path(dask_worker.local_directory).glob("hdnotebook-run-*"))


def open_slots() -> list[str]:
    """The slot tasks serving trials in this worker process."""
    from hdnotebook._engine.executors import supervise

    return list(supervise._slots)


def executing_tasks(dask_worker) -> list[str]:
    """The Dask tasks this worker is executing (slot tasks hold a thread while they serve)."""
    return [str(task.key) for task in dask_worker.state.executing]


def write_output(megabytes: int, seed: int = 0) -> None:
    """Writes ``megabytes`` MB of random bytes to outputs/blob.bin and logs their sha256."""
    import hashlib
    import random

    data = random.Random(seed).randbytes(megabytes * 1024 * 1024)
    os.makedirs("outputs", exist_ok=True)
    with open("outputs/blob.bin", "wb") as f:
        f.write(data)
    print("x" * 200_000, flush=True)
    Run.get_context().log("sha256", hashlib.sha256(data).hexdigest())


def checkpointed_here(epochs: int, fail_at: int = -1, resume_from: str | None = None) -> None:
    """tests.children.checkpointed, logging the folder it resumes from (``resume_folder``) and Run.resume_from."""
    from tests.children import checkpointed

    if resume_from is not None:
        run = Run.get_context()
        run.log("resume_folder", resume_from)
        run.log("context_resume_folder", run.resume_from)
    checkpointed(epochs, fail_at, resume_from)
