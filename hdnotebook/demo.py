"""A real small sweep, headless: ``python -m hdnotebook.demo [--runs N] [--workspace PATH]``.

Tunes scikit-learn's SGDClassifier on the digits data set that ships with scikit-learn: each child
trains epoch by epoch and logs its validation accuracy, the sweep prints a progress line, and the
best run is printed at the end.
"""

from __future__ import annotations

import argparse
import sys


def train_digits(alpha: float, learning_rate: str, eta0: float, epochs: int = 15) -> None:
    """Train an SGDClassifier on digits for ``epochs`` passes, logging ``accuracy`` after each."""
    import numpy as np
    from sklearn.datasets import load_digits
    from sklearn.linear_model import SGDClassifier
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    from hdnotebook import Run

    run = Run.get_context()
    x, y = load_digits(return_X_y=True)
    x_train, x_val, y_train, y_val = train_test_split(x, y, test_size=0.3, random_state=0)
    scaler = StandardScaler().fit(x_train)
    x_train, x_val = scaler.transform(x_train), scaler.transform(x_val)
    model = SGDClassifier(alpha=alpha, learning_rate=learning_rate, eta0=eta0, random_state=0)
    classes = np.unique(y)
    for _ in range(epochs):
        model.partial_fit(x_train, y_train, classes=classes)
        run.log("accuracy", float(model.score(x_val, y_val)))


def main(argv: list[str] | None = None) -> int:
    """Run the demo sweep; returns a process exit code."""
    from hdnotebook import (
        Experiment,
        HyperDriveConfig,
        PrimaryMetricGoal,
        RandomParameterSampling,
        Workspace,
        choice,
        loguniform,
    )

    parser = argparse.ArgumentParser(prog="python -m hdnotebook.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=12, help="max_total_runs (default 12)")
    parser.add_argument("--concurrent", type=int, default=2, help="max_concurrent_runs (default 2)")
    parser.add_argument("--workspace", default=None, help="workspace folder (default: found from the current folder)")
    parser.add_argument("--seed", type=int, default=None, help="sampling seed")
    args = parser.parse_args(argv)

    ws = Workspace.from_config(args.workspace)
    sampling = RandomParameterSampling(
        {"--alpha": loguniform(-11, -2), "--learning_rate": choice("optimal", "invscaling", "adaptive"),
         "--eta0": loguniform(-6, 0)},
        seed=args.seed,
    )
    config = HyperDriveConfig(run_config=train_digits, hyperparameter_sampling=sampling, primary_metric_name="accuracy",
                              primary_metric_goal=PrimaryMetricGoal.MAXIMIZE, max_total_runs=args.runs,
                              max_concurrent_runs=args.concurrent)
    run = Experiment(ws, "demo-digits").submit(config)
    print(f"Sweep {run.id} started in workspace {ws.path}")
    status = run.wait_for_completion(show_output=True, raise_on_error=False)["status"]
    best_run = run.get_best_run_by_primary_metric()
    if best_run is None:
        print("No child run logged accuracy.")
        return 1
    metrics = best_run.get_metrics()
    print(f"Best run: {best_run.id}")
    print(f"  arguments: {' '.join(best_run.get_details()['runDefinition']['arguments'])}")
    print(f"  final accuracy: {metrics['accuracy'][-1]:.4f} (best {max(metrics['accuracy']):.4f})")
    return 0 if status == "Completed" else 1


if __name__ == "__main__":
    sys.exit(main())
