"""fANOVA over a random forest: how much of the objective's variance each parameter explains on its own.

The method of Hutter, Hoos and Leyton-Brown, "An Efficient Approach for Assessing Hyperparameter
Importance" (ICML 2014), as Optuna's default ``FanovaImportanceEvaluator`` applies it: fit a
scikit-learn ``RandomForestRegressor``; every tree is a piecewise-constant function over the search box,
so its functional-ANOVA decomposition is exact. For each tree, parameter ``p``'s main effect is the
variance (over ``p``'s distribution) of the tree's mean over all other parameters, divided by the
tree's total variance over the box; a parameter's importance is that fraction averaged over the trees,
and the importances are then normalised to sum to 1.

Every parameter is a *group* of forest columns with a distribution: a continuous one is one column,
uniform on [0, 1] (the caller maps log-scaled parameters to log space first); a discrete one is
uniform over a few points in its columns (ordinal levels in one column, or the one-hot vectors of a
categorical parameter in k columns, so its importance is that of the parameter, not of one option).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hdnotebook._lazy import lazy_module

if TYPE_CHECKING:
    import numpy as np
else:  # numpy is imported when this module first computes (see hdnotebook._lazy)
    np = lazy_module("numpy", "np", globals())

N_TREES = 64
MAX_DEPTH = 64


@dataclass(frozen=True)
class Group:
    """A parameter's forest columns; ``points`` (levels x len(columns)) for a discrete one, None when it is
    continuous (one column, uniform on [0, 1])."""

    columns: tuple[int, ...]
    points: np.ndarray | None = None


def _leaf_boxes(tree: Any, width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lower, upper, value) of every leaf of a fitted sklearn tree: a sample x is in the leaf when
    lower < x <= upper in every column."""
    left, right, feature, threshold = tree.children_left, tree.children_right, tree.feature, tree.threshold
    lower = np.full((tree.node_count, width), -np.inf)
    upper = np.full((tree.node_count, width), np.inf)
    frontier = np.array([0])
    while frontier.size:  # one step per depth level: children inherit the parent's box, narrowed on one column
        frontier = frontier[left[frontier] != -1]
        if not frontier.size:
            break
        kids_left, kids_right, column, cut = left[frontier], right[frontier], feature[frontier], threshold[frontier]
        for kids in (kids_left, kids_right):
            lower[kids], upper[kids] = lower[frontier], upper[frontier]
        upper[kids_left, column] = np.minimum(upper[kids_left, column], cut)
        lower[kids_right, column] = np.maximum(lower[kids_right, column], cut)
        frontier = np.concatenate([kids_left, kids_right])
    leaves = left == -1
    return lower[leaves], upper[leaves], tree.value[leaves, 0, 0]


def _tree_effects(lower: np.ndarray, upper: np.ndarray, value: np.ndarray, groups: Sequence[Group]) -> np.ndarray | None:
    """Each group's main-effect variance as a fraction of the tree's total variance (None for a constant tree)."""
    fractions, members = [], []
    for group in groups:
        if group.points is None:
            c = group.columns[0]
            a, b = np.clip(lower[:, c], 0.0, 1.0), np.clip(upper[:, c], 0.0, 1.0)
            members.append((a, b))
            fractions.append(b - a)
        else:
            cols = list(group.columns)
            inside = np.all((lower[:, None, cols] < group.points[None]) & (group.points[None] <= upper[:, None, cols]), axis=2)
            members.append(inside)
            fractions.append(inside.mean(axis=1))
    fractions_matrix = np.column_stack(fractions) if fractions else np.ones((len(value), 0))
    weight = fractions_matrix.prod(axis=1)
    mean = float(weight @ value)
    total = float(weight @ (value - mean) ** 2)
    if not total > 1e-14 * max(1.0, mean * mean):
        return None
    effects = np.zeros(len(groups))
    for g, (group, member) in enumerate(zip(groups, members)):
        others = np.delete(fractions_matrix, g, axis=1).prod(axis=1)
        mass = value * others  # each leaf's contribution to the marginal mean where it covers the group's value
        if group.points is None:
            a, b = member
            edges = np.unique(np.concatenate([[0.0, 1.0], a, b]))
            step = np.zeros(len(edges))
            np.add.at(step, np.searchsorted(edges, a), mass)
            np.add.at(step, np.searchsorted(edges, b), -mass)
            marginal, cell = np.cumsum(step)[:-1], np.diff(edges)
        else:
            marginal = member.T.astype(float) @ mass
            cell = np.full(len(marginal), 1.0 / len(marginal))
        effects[g] = float(cell @ (marginal - mean) ** 2) / total
    return effects


def fanova(x: np.ndarray, y: np.ndarray, groups: Sequence[Group], seed: int = 0, n_trees: int = N_TREES,
           max_depth: int = MAX_DEPTH) -> np.ndarray:
    """The importance of each group (same order), summing to 1, from a forest of ``n_trees`` trees fitted
    to ``y`` over ``x`` (rows = runs, columns = the groups' columns) with ``random_state=seed``.
    Raises ValueError when ``y`` does not vary (no variance to explain)."""
    from sklearn.ensemble import RandomForestRegressor

    forest = RandomForestRegressor(n_estimators=n_trees, max_depth=max_depth, min_samples_split=2,
                                   min_samples_leaf=1, random_state=seed)
    forest.fit(x, y)
    per_tree = [effects for estimator in forest.estimators_
                if (effects := _tree_effects(*_leaf_boxes(estimator.tree_, x.shape[1]), groups)) is not None]
    if not per_tree:
        raise ValueError("the primary metric has the same value in every run: there is no variance to attribute")
    mean = np.mean(per_tree, axis=0)
    total = mean.sum()
    if not total > 0:
        raise ValueError("no parameter explains any of the primary metric's variance on its own")
    return mean / total
