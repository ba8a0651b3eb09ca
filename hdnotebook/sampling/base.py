"""HyperParameterSampling: the base of the samplers (reference section 3) and the sampler API of the tuning loop.

A sampler is configuration plus a pure function: ``suggest(history, count)`` derives configuration
number k from ``(effective_seed, k, history)`` only, so a sweep can be replayed from its recorded
seed and its history, and the sampler never keeps a private copy of the history.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Collection
from typing import Any, ClassVar

from hdnotebook.exceptions import HyperDriveConfigException, invalid_setting, invalid_type
from hdnotebook.sampling.history import SamplingHistory
from hdnotebook.sampling.space import validate_parameter_space

DistributionValidator = Callable[[list[Any]], "tuple[bool, str | None]"]
"""HyperDrive's validator protocol: ``validator(expression) -> (True, None)`` or ``(False, message)``."""


def validate_seed(seed: object) -> int | None:
    """Return ``seed`` if it is None or an int >= 0 (not a bool), else raise HyperDriveConfigException."""
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise invalid_type("int", "seed", seed)
    if seed < 0:
        raise invalid_setting("seed", f"a non-negative int (got {seed!r})")
    return int(seed)


def _random_seed() -> int:
    """A fresh 32-bit seed from the operating system's randomness (``secrets``, imported here: it costs the import)."""
    import secrets

    return secrets.randbits(32)


def validate_count(count: object) -> int:
    """Return ``count`` if it is an int >= 0 (not a bool), else raise ValueError."""
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError(f"suggest expects count to be an int >= 0 (got {count!r})")
    return count


class HyperParameterSampling:
    """A sampling method over a parameter space, with HyperDrive's JSON form and checks.

    The constructor validates ``properties`` (dict or None), ``seed`` (None or int >= 0) and the
    parameter space (see :func:`hdnotebook.sampling.space.validate_parameter_space`; a normalized copy
    is kept), then HyperDrive's checks: each expression must be one of ``supported_distributions``
    (when given) -> "This sampling method expects only the following distributions: [choice]", and
    must pass its ``distributions_validators`` entry -> "Failed to validate a parameter distribution
    due to <message>". Both messages end with the offending key.

    ``seed=None`` picks a random 32-bit seed now, exposed as :attr:`effective_seed` (what direct calls
    of ``suggest`` use), and every sweep submitted with it draws a fresh one (:meth:`for_sweep`), so
    reusing one sampling object for several sweeps samples afresh each time, as HyperDrive did; each
    sweep records the seed it used (property ``sampling_seed``) and can be reproduced from it. Two samplings are equal when their ``__dict__`` match,
    ignoring that runtime-only state (a None ``seed`` compares equal to another None ``seed``).
    """

    _RUNTIME_ATTRIBUTES: ClassVar[frozenset[str]] = frozenset({"_effective_seed"})

    def __init__(
        self,
        sampling_method_name: str,
        parameter_space: dict[str, list[Any]],
        properties: dict[str, Any] | None = None,
        supported_distributions: Collection[str] | None = None,
        distributions_validators: dict[str, DistributionValidator] | None = None,
        *,
        seed: int | None = None,
    ) -> None:
        if properties is not None and not isinstance(properties, dict):
            raise invalid_type("dict", "properties", properties)
        self._sampling_method_name = sampling_method_name
        self._parameter_space = validate_parameter_space(parameter_space)
        self._properties = copy.deepcopy(properties)
        self._supported_distributions = supported_distributions
        self._distributions_validators = distributions_validators
        self._seed = validate_seed(seed)
        self._effective_seed = self._seed if self._seed is not None else _random_seed()
        self._validate_supported_distributions()

    def _validate_supported_distributions(self) -> None:
        for key, expression in self._parameter_space.items():
            name = expression[0]
            if self._supported_distributions and name not in self._supported_distributions:
                supported = ", ".join(sorted(self._supported_distributions))
                raise invalid_setting(
                    "This sampling method",
                    f"only the following distributions: [{supported}] (parameter {key!r} uses {name})",
                )
            validator = (self._distributions_validators or {}).get(name)
            if validator is not None:
                valid, message = validator(expression)
                if not valid:
                    raise HyperDriveConfigException(
                        f"Failed to validate a parameter distribution due to {message} (parameter {key!r})",
                        error_code="DistributionValidationFailure",
                    )

    @property
    def parameter_space(self) -> dict[str, list[Any]]:
        """A copy of the validated parameter space (key -> expression list), in declaration order."""
        return copy.deepcopy(self._parameter_space)

    @property
    def seed(self) -> int | None:
        """The seed given to the constructor (None when none was given)."""
        return self._seed

    def for_sweep(self) -> HyperParameterSampling:
        """The sampling one sweep uses: this object when a seed was given, else a copy with a fresh random seed."""
        if self._seed is not None:
            return self
        fresh = copy.copy(self)
        fresh._effective_seed = _random_seed()
        return fresh

    @property
    def effective_seed(self) -> int:
        """The seed actually used: ``seed``, or the random seed picked at construction when it was None."""
        return self._effective_seed

    @property
    def max_configurations(self) -> int | None:
        """How many configurations ``suggest`` can produce in all, or None when it never runs out."""
        return None

    def to_json(self) -> dict[str, Any]:
        """HyperDrive's JSON form ``{"name", "parameter_space"}`` plus ``"properties"`` when truthy (a fresh copy)."""
        definition: dict[str, Any] = {
            "name": self._sampling_method_name,
            "parameter_space": copy.deepcopy(self._parameter_space),
        }
        if self._properties:
            definition["properties"] = copy.deepcopy(self._properties)
        return definition

    def suggest(self, history: SamplingHistory, count: int) -> list[dict[str, Any]]:
        """Up to ``count`` new configurations (key -> value, keys in declaration order).

        Configuration i of the answer is configuration number ``history.generated + i`` of the sweep,
        a function of ``(effective_seed, that number, history)`` only. Fewer than ``count`` means the
        space is exhausted after them; ``[]`` means nothing is left. Subclasses implement it.
        """
        raise NotImplementedError(f"{type(self).__name__} does not implement suggest()")

    def _comparable(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in self._RUNTIME_ATTRIBUTES}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, HyperParameterSampling):
            return NotImplemented
        return self._comparable() == other._comparable()

    def __repr__(self) -> str:
        seed = "" if self._seed is None else f", seed={self._seed!r}"
        return f"{type(self).__name__}({self._parameter_space!r}{seed})"
