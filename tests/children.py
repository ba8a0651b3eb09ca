"""Function children used by the tests (importable by reference from worker processes)."""

from __future__ import annotations

import os
import time

from hdnotebook import Run


def quadratic(x: float, y: float = 0.0, epochs: int = 3, sleep: float = 0.0) -> None:
    """Logs ``score = -(x-1)^2 - y^2`` ``epochs`` times, plus the pid and working folder."""
    run = Run.get_context()
    run.log("pid", os.getpid())
    run.log("cwd", os.getcwd())
    for _ in range(epochs):
        time.sleep(sleep)
        run.log("score", -((x - 1) ** 2) - y**2)


def failing(x: int) -> None:
    """Raises when x is odd, after logging x."""
    Run.get_context().log("x", x)
    if x % 2:
        raise ValueError(f"odd value {x}")


def sleeper(seconds: float) -> None:
    """Logs ``started`` and sleeps."""
    Run.get_context().log("started", 1)
    time.sleep(seconds)
    Run.get_context().log("finished", 1)


def curve(values: str, delay: float = 0.05) -> None:
    """Logs the comma-separated ``values`` as ``loss``, one every ``delay`` seconds."""
    run = Run.get_context()
    for value in values.split(","):
        time.sleep(delay)
        run.log("loss", float(value))


def checkpointed(epochs: int, fail_at: int = -1, resume_from: str | None = None) -> None:
    """Trains ``epochs`` epochs, checkpointing the epoch count to outputs/ckpt.txt; raises after epoch
    ``fail_at``; continues from the checkpoint in ``resume_from`` when resumed."""
    import tempfile

    run = Run.get_context()
    start = int(open(os.path.join(resume_from, "ckpt.txt")).read()) if resume_from else 0
    run.log("started_at", start)
    for epoch in range(start + 1, epochs + 1):
        run.log("loss", 1.0 / epoch)
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write(str(epoch))
        run.upload_file("outputs/ckpt.txt", f.name)
        if epoch == fail_at:
            raise RuntimeError(f"interrupted after epoch {epoch}")


def reports_resume(epochs: int, fail_at: int = -1, resume_from: str | None = None) -> None:
    """checkpointed, logging what ``Run.get_context().resume_from`` says first (``context_resume``: a path or "None")."""
    Run.get_context().log("context_resume", str(Run.get_context().resume_from))
    checkpointed(epochs, fail_at, resume_from)


RESUMABLE_SCRIPT = """
import argparse, os
from hdnotebook import Run
p = argparse.ArgumentParser()
p.add_argument("--epochs", type=int)
p.add_argument("--checkpoint-mb", type=int, default=0)
p.add_argument("--resume-from")
a = p.parse_args()
run = Run.get_context()
start = int(open(os.path.join(a.resume_from, "ckpt.txt")).read()) if a.resume_from else 0
assert run.resume_from == a.resume_from
if a.resume_from:
    run.log("resume_folder", a.resume_from)
os.makedirs("outputs", exist_ok=True)
open("outputs/big.bin", "wb").write(os.urandom(a.checkpoint_mb * 1024 * 1024))
for epoch in range(start + 1, a.epochs + 1):
    run.log("loss", 1.0 / epoch)
    open("outputs/ckpt.txt", "w").write(str(epoch))
    if epoch == 2 and not a.resume_from:
        raise SystemExit(3)
"""


def saves_model(size: int) -> None:
    """Uploads outputs/model.pkl (``size`` bytes of the value ``size``) and a folder outputs/bundle/ of two files,
    logs ``score`` = size, and registers outputs/model.pkl itself as model ``from-child`` (tag ``size``)."""
    import tempfile

    run = Run.get_context()
    with tempfile.TemporaryDirectory() as folder:
        os.makedirs(os.path.join(folder, "bundle", "sub"))
        with open(os.path.join(folder, "model.pkl"), "wb") as f:
            f.write(bytes([size % 256]) * size)
        with open(os.path.join(folder, "bundle", "weights.bin"), "wb") as f:
            f.write(b"w" * size)
        with open(os.path.join(folder, "bundle", "sub", "config.json"), "w") as f:
            f.write(f'{{"size": {size}}}')
        run.upload_file("outputs/model.pkl", os.path.join(folder, "model.pkl"))
        run.upload_folder("outputs/bundle", os.path.join(folder, "bundle"))
    run.log("score", size)
    run.register_model("from-child", "outputs/model.pkl", tags={"size": size})


def ties(order: int) -> None:
    """Logs score 1.0; child ``order`` 0 finishes last (it sleeps 0.8 s first)."""
    if order == 0:
        time.sleep(0.8)
    Run.get_context().log("score", 1.0)


def results_child(lr: float, depth: int, act: str, ratio: float, units: int) -> None:
    """For the results tests: ``acc`` three times (a, a + 1, a + 0.5 with a = depth * ratio; with act "tanh"
    NaN, a, inf instead), ``loss`` as one list [depth, depth / 2], and a ``note`` string."""
    run = Run.get_context()
    a = depth * ratio
    for value in ([float("nan"), a, float("inf")] if act == "tanh" else [a, a + 1, a + 0.5]):
        run.log("acc", value)
    run.log_list("loss", [depth, depth / 2])
    run.log("note", f"{act}-{units}")


def linear(x1: float, x2: float, x3: float) -> None:
    """Logs ``score = 10 * x1 + x2`` (x3 does not matter)."""
    Run.get_context().log("score", 10 * x1 + x2)
