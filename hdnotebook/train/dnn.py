"""``azureml.train.dnn``: :class:`TensorFlow` and :class:`PyTorch` estimators (one local process per child)."""

from __future__ import annotations

import os
from typing import Any

from hdnotebook.train.estimator import Estimator

__all__ = ["PyTorch", "TensorFlow"]


class TensorFlow(Estimator):
    """An Estimator for a TensorFlow (or Keras) script; its made environment adds the ``tensorflow`` package.
    ``framework_version``, ``worker_count`` and ``parameter_server_count`` are recorded in ``settings``."""

    _framework_package = "tensorflow"

    def __init__(self, source_directory: str | os.PathLike[str], *, worker_count: int = 1,
                 parameter_server_count: int = 1, **kwargs: Any) -> None:
        super().__init__(source_directory, **kwargs)
        self.settings.update(worker_count=worker_count, parameter_server_count=parameter_server_count)


class PyTorch(Estimator):
    """An Estimator for a PyTorch script; its made environment adds the ``torch`` package
    (``framework_version`` is recorded, not checked)."""

    _framework_package = "torch"
