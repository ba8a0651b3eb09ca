"""``azureml.train.sklearn.SKLearn``: an :class:`~hdnotebook.train.estimator.Estimator` whose environment asks for scikit-learn."""

from __future__ import annotations

from hdnotebook.train.estimator import Estimator

__all__ = ["SKLearn"]


class SKLearn(Estimator):
    """An Estimator for a scikit-learn script; its made environment adds the ``scikit-learn`` package
    (``framework_version`` is recorded, not checked)."""

    _framework_package = "scikit-learn"
