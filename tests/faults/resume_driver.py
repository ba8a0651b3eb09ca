"""Drives one sweep until the test SIGKILLs it (tests/faults/test_resume.py); run as a script, so that a function
child is pickled by value from ``__main__`` as one defined in a notebook is.

argv: workspace folder, kind (script|function), sampling (random|grid|bayesian), max_total_runs, max_concurrent_runs,
max_duration_minutes, seconds per child step.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from hdnotebook import (
    BayesianParameterSampling,
    Experiment,
    GridParameterSampling,
    HyperDriveConfig,
    RandomParameterSampling,
    ScriptRunConfig,
    Workspace,
    choice,
    uniform,
)

SWEEP_ID = "HD_resume_test"
STEPS = 6

SCRIPT = """
import argparse, json, os, time
from hdnotebook import Run
parser = argparse.ArgumentParser()
parser.add_argument("--x", type=float)
parser.add_argument("--resume-from")
args, _ = parser.parse_known_args()
run = Run.get_context()
if args.resume_from:
    run.log("ckpt_x", json.load(open(os.path.join(args.resume_from, "ckpt.json")))["x"])
os.makedirs("outputs", exist_ok=True)
json.dump({"x": args.x}, open("outputs/ckpt.json", "w"))
for i in range(%d):
    run.log("acc", args.x + i / 10)
    time.sleep(%r)
"""


def make_train(step_seconds: float):
    def train(x: float, resume_from: str | None = None) -> None:
        import json
        import os
        import tempfile
        import time

        from hdnotebook import Run

        run = Run.get_context()
        if resume_from:
            run.log("ckpt_x", json.load(open(os.path.join(resume_from, "ckpt.json")))["x"])
        path = os.path.join(tempfile.mkdtemp(), "ckpt.json")
        with open(path, "w") as f:
            json.dump({"x": x}, f)
        run.upload_file("outputs/ckpt.json", path)
        for i in range(STEPS):
            run.log("acc", x + i / 10)
            time.sleep(step_seconds)

    return train


def main() -> None:
    folder, kind, sampling, total, concurrent, minutes, step = sys.argv[1:8]
    step_seconds = float(step)
    if kind == "script":
        src = Path(folder) / "src"
        src.mkdir(exist_ok=True)
        (src / "train.py").write_text(SCRIPT % (STEPS, step_seconds))
        run_config = ScriptRunConfig(str(src), "train.py")
    else:
        run_config = make_train(step_seconds)
    if sampling == "bayesian":
        sampler = BayesianParameterSampling({"x": uniform(1, 8)})
    elif sampling == "random":
        sampler = RandomParameterSampling({"x": choice(*range(1, 9))}, seed=7)
    else:
        sampler = GridParameterSampling({"x": choice(*range(1, 7))})
    config = HyperDriveConfig(run_config=run_config, hyperparameter_sampling=sampler, primary_metric_name="acc",
                              primary_metric_goal="maximize", max_total_runs=int(total),
                              max_concurrent_runs=int(concurrent), max_duration_minutes=float(minutes),
                              custom_run_id=SWEEP_ID)
    run = Experiment(Workspace(folder), "resume").submit(config)
    print(json.dumps({"id": run.id}), flush=True)
    time.sleep(600)


if __name__ == "__main__":
    main()
