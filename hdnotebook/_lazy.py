"""A module imported on the first use of one of its attributes, for modules that need it only inside functions.

``from hdnotebook import *`` binds every public class, and several of their modules use numpy only when a
sampler or a policy runs; numpy's import is about half of the star import's CPU time. Such a module writes::

    if TYPE_CHECKING:
        import numpy as np
    else:
        np = lazy_module("numpy", "np", globals())

The first ``np.<attribute>`` read imports numpy and rebinds ``np`` in that module's globals to numpy itself,
so every later read is an ordinary global lookup (no cost on the hot paths).
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class LazyModule:
    """Stands in for the module ``name`` under ``alias`` in ``namespace`` until one of its attributes is read."""

    def __init__(self, name: str, alias: str, namespace: dict[str, Any]) -> None:
        self._name = name
        self._alias = alias
        self._namespace = namespace

    def __getattr__(self, attribute: str) -> Any:
        __import__(self._name)
        module = sys.modules[self._name]
        if self._namespace.get(self._alias) is self:
            self._namespace[self._alias] = module
        return getattr(module, attribute)

    def __repr__(self) -> str:
        return f"<module {self._name!r}, imported on first use>"


def lazy_module(name: str, alias: str, namespace: dict[str, Any]) -> Any:
    """A stand-in for module ``name`` bound as ``alias`` in ``namespace`` (a module's ``globals()``); see LazyModule."""
    return LazyModule(name, alias, namespace)
