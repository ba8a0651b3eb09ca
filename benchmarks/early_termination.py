"""Early termination measured: replay every policy on real learning curves; prints a table (not a timed test).

``--generate`` (once) trains 160 MLPClassifier configurations on scikit-learn's digits with
``partial_fit``, 30 epochs each, sampling the learning rate, L2 alpha, hidden size, batch size and
solver, and writes their validation accuracy per epoch to ``benchmarks/data/digits_mlp_curves.csv``
(one row per configuration: its hyperparameters, then ``e1..e30``). It trains on 40% of the data and
validates on 60% (1079 images), so the top configurations are told apart rather than tied.

By default, every policy is replayed with ``hdnotebook.replay`` at concurrency 4 over 10 shuffled
arrival orders (seed 0), and the table shows per policy: the share of epochs saved versus no policy,
the mean best final accuracy and its worst shortfall versus no policy over the orders, and in how
many orders the configuration with the best final accuracy ran to the end. Where optuna is
installed (``pip install hdnotebook[bench]``), its MedianPruner, PercentilePruner and
SuccessiveHalvingPruner are replayed through the same arrival simulation: each new value is
``trial.report``-ed and ``trial.should_prune()`` decides.

Usage: python benchmarks/early_termination.py [--generate] [--orders 10] [--concurrency 4]
Targets: every HyperDrive policy within 0.005 of no policy's best final accuracy; MedianStopping(1, 5)
saves >= 30% of epochs; ASHA saves at least as much as optuna's SuccessiveHalvingPruner with the same
settings and the same best final accuracy (mean over the orders, to one validation image: 1/1079).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from hdnotebook import (
    ASHAPolicy,
    BanditPolicy,
    MedianStoppingPolicy,
    NoTerminationPolicy,
    TruncationSelectionPolicy,
    replay,
)
from hdnotebook.policy import EarlyTerminationPolicy, RunCurve, Termination
from hdnotebook.policy.replay import ReplayResult

DATA = Path(__file__).resolve().parent / "data" / "digits_mlp_curves.csv"
EPOCHS = 30
CONFIGS = 160
ONE_IMAGE = 1 / 1079


def sample_configs(count: int, seed: int = 0) -> pd.DataFrame:
    """``count`` random MLP configurations (the search space of the benchmark sweep)."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "config": [f"c{i:03d}" for i in range(count)],
        "solver": rng.choice(["adam", "sgd"], count, p=[0.6, 0.4]),
        "learning_rate": np.exp(rng.uniform(np.log(1e-4), np.log(0.3), count)).round(6),
        "alpha": np.exp(rng.uniform(np.log(1e-6), np.log(1.0), count)).round(8),
        "hidden": rng.choice([8, 16, 32, 64, 128], count),
        "batch_size": rng.choice([16, 32, 64, 128, 256], count),
    })


def train_curve(params: dict, epochs: int = EPOCHS, seed: int = 0) -> list[float]:
    """Validation accuracy after each epoch of an MLPClassifier trained with ``partial_fit`` on digits."""
    import warnings

    from sklearn.datasets import load_digits
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import StandardScaler

    x, y = load_digits(return_X_y=True)
    x_train, x_val, y_train, y_val = train_test_split(x, y, test_size=0.6, random_state=0, stratify=y)
    scaler = StandardScaler().fit(x_train)
    x_train, x_val = scaler.transform(x_train), scaler.transform(x_val)
    model = MLPClassifier(hidden_layer_sizes=(int(params["hidden"]),), solver=params["solver"],
                          learning_rate_init=float(params["learning_rate"]), alpha=float(params["alpha"]),
                          batch_size=int(params["batch_size"]), momentum=0.9, random_state=seed)
    classes = np.unique(y)
    curve = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for _ in range(epochs):
            model.partial_fit(x_train, y_train, classes=classes)
            curve.append(round(float(model.score(x_val, y_val)), 4))
    return curve


def generate(path: Path = DATA, count: int = CONFIGS) -> pd.DataFrame:
    """Train every configuration and write the curves CSV; returns the table."""
    configs = sample_configs(count)
    started = time.perf_counter()
    curves = [train_curve(row) for row in configs.to_dict("records")]
    table = pd.concat([configs, pd.DataFrame(curves, columns=[f"e{i + 1}" for i in range(EPOCHS)])], axis=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False)
    print(f"{count} configurations x {EPOCHS} epochs trained in {time.perf_counter() - started:.0f} s -> {path}"
          f" ({path.stat().st_size / 1024:.0f} KB)")
    return table


def load_curves(path: Path = DATA) -> pd.DataFrame:
    """The stored curves as a DataFrame: one column per configuration, one row per epoch."""
    table = pd.read_csv(path)
    return table.set_index("config")[[f"e{i + 1}" for i in range(EPOCHS)]].T.reset_index(drop=True)


class OptunaPruning(EarlyTerminationPolicy):
    """An optuna pruner driven by the replay's arrival simulation (benchmark only: it keeps a study).

    Each new value of a running run is ``trial.report``-ed (step = interval) and ``trial.should_prune()``
    asked; a run that logged its last value is told COMPLETE with it. One instance replays one order.
    """

    def __init__(self, name: str, pruner: object, direction: str = "maximize") -> None:
        import optuna

        super().__init__(name)
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        self._pruned = optuna.trial.TrialState.PRUNED
        self.study = optuna.create_study(direction=direction, pruner=pruner)
        self.trials: dict[str, object] = {}
        self.reported: dict[str, int] = {}
        self.done: set[str] = set()

    def evaluate(self, curves: list[RunCurve], goal: object) -> list[Termination]:
        decisions = []
        for curve in curves:
            if curve.run_id in self.done:
                continue
            if curve.run_id not in self.trials:
                self.trials[curve.run_id] = self.study.ask()
            trial = self.trials[curve.run_id]
            start = self.reported.get(curve.run_id, 0)
            for step in range(start + 1, len(curve.values) + 1):
                trial.report(curve.values[step - 1], step)
            self.reported[curve.run_id] = len(curve.values)
            if not curve.running:
                self.study.tell(trial, curve.values[-1])
                self.done.add(curve.run_id)
            elif len(curve.values) > start and trial.should_prune():
                self.study.tell(trial, state=self._pruned)
                self.done.add(curve.run_id)
                decisions.append(Termination(curve.run_id, self.name, len(curve.values), curve.values[-1], None, "pruned"))
        return decisions


def hyperdrive_policies() -> dict[str, EarlyTerminationPolicy]:
    """The policies of the table, labelled."""
    return {
        "NoTermination": NoTerminationPolicy(),
        "Bandit(1, slack_factor=0.1, delay 5)": BanditPolicy(1, slack_factor=0.1, delay_evaluation=5),
        "Bandit(1, slack_amount=0.05, delay 5)": BanditPolicy(1, slack_amount=0.05, delay_evaluation=5),
        "MedianStopping(1, 5)": MedianStoppingPolicy(1, 5),
        "TruncationSelection(20, 1, 5)": TruncationSelectionPolicy(20, 1, 5),
        "ASHA(1, 3) [default]": ASHAPolicy(1, 3),
        "ASHA(1, 4)": ASHAPolicy(1, 4),
    }


def optuna_pruners() -> dict[str, object]:
    """Factories of the optuna pruners of the table, labelled (empty when optuna is not installed)."""
    try:
        import optuna
    except ImportError:
        return {}
    p = optuna.pruners
    return {
        "optuna MedianPruner(5 startup, 5 warmup)": lambda: p.MedianPruner(n_startup_trials=5, n_warmup_steps=5),
        "optuna PercentilePruner(80 kept, 5, 5)": lambda: p.PercentilePruner(80.0, n_startup_trials=5, n_warmup_steps=5),
        "optuna SuccessiveHalvingPruner(1, 3)": lambda: p.SuccessiveHalvingPruner(min_resource=1, reduction_factor=3),
        "optuna SuccessiveHalvingPruner(1, 4)": lambda: p.SuccessiveHalvingPruner(min_resource=1, reduction_factor=4),
        "optuna SuccessiveHalvingPruner() [auto, 4]": lambda: p.SuccessiveHalvingPruner(),
    }


def run_all(curves: pd.DataFrame, concurrency: int, orders: int, seed: int = 0) -> pd.DataFrame:
    """Replay every policy and pruner over the same ``orders`` shuffled orders; one summary row each."""
    rows = []
    for label, policy in hyperdrive_policies().items():
        started = time.perf_counter()
        result = replay(policy, curves, concurrency, goal="maximize", seed=seed, orders=orders)
        rows.append(_row(label, result, time.perf_counter() - started))
    rng = np.random.default_rng(seed)
    permutations = [[curves.columns[i] for i in rng.permutation(curves.shape[1])] for _ in range(orders)]
    for label, make in optuna_pruners().items():
        started = time.perf_counter()
        per_order = [replay(OptunaPruning(label, make()), curves[order], concurrency, goal="maximize")
                     for order in permutations]
        first = per_order[0]
        result = ReplayResult(label, first.goal, concurrency, first.epochs_without, first.best_final_without,
                              first.best_runs, tuple(r.orders[0] for r in per_order))
        rows.append(_row(label, result, time.perf_counter() - started))
    return pd.DataFrame(rows)


def _row(label: str, result: ReplayResult, seconds: float) -> dict:
    finals = np.array([o.best_final for o in result.orders], dtype=float)
    return {"policy": label, "epochs": result.epochs, "saved": result.saved, "best_final": finals.mean(),
            "worst_gap": result.best_final_without - finals.min(),
            "best_survived": int(round(result.best_survived * len(result.orders))),
            "orders": len(result.orders), "best_final_without": result.best_final_without, "seconds": seconds}


def report(table: pd.DataFrame) -> str:
    """The table as text, then the targets of the issue checked."""
    lines = [f"{'policy':<44} {'epochs':>7} {'saved':>6} {'best final':>10} {'worst gap':>9} {'best kept':>9}"]
    for r in table.itertuples():
        lines.append(f"{r.policy:<44} {r.epochs:>7.0f} {r.saved:>6.1%} {r.best_final:>10.4f} {r.worst_gap:>9.4f} "
                     f"{r.best_survived:>5}/{r.orders:<3}")
    by = table.set_index("policy")
    hyperdrive = by.loc[list(hyperdrive_policies())]
    lines.append(f"no policy: {by.iloc[0].epochs:.0f} epochs, best final {by.iloc[0].best_final_without:.4f}")
    lines.append(f"target: every HyperDrive policy within 0.005 of no policy (worst gap over the orders): "
                 f"{'met' if (hyperdrive.worst_gap <= 0.005).all() else 'NOT met'} (max {hyperdrive.worst_gap.max():.4f})")
    median = by.loc["MedianStopping(1, 5)"].saved
    lines.append(f"target: MedianStopping(1, 5) saves >= 30% of epochs: {'met' if median >= 0.30 else 'NOT met'} ({median:.1%})")
    for asha, sha in (("ASHA(1, 3) [default]", "optuna SuccessiveHalvingPruner(1, 3)"),
                      ("ASHA(1, 4)", "optuna SuccessiveHalvingPruner(1, 4)")):
        if sha in by.index:
            a, o = by.loc[asha], by.loc[sha]
            ok = a.saved >= o.saved - 1e-12 and a.best_final >= o.best_final - ONE_IMAGE
            lines.append(f"target: {asha} saves at least as much as {sha} with the same best final accuracy "
                         f"(to one validation image, {ONE_IMAGE:.4f}): "
                         f"{'met' if ok else 'NOT met'} ({a.saved:.1%} vs {o.saved:.1%}; {a.best_final:.4f} vs {o.best_final:.4f})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--generate", action="store_true", help="train the configurations and rewrite the data file")
    parser.add_argument("--orders", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args(argv)
    if args.generate:
        generate()
    curves = load_curves()
    print(f"{curves.shape[1]} configurations x {curves.shape[0]} epochs (MLPClassifier on digits), concurrency "
          f"{args.concurrency}, {args.orders} shuffled orders (seed 0)")
    print(report(run_all(curves, args.concurrency, args.orders)))


if __name__ == "__main__":
    main()
