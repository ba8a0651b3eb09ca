"""The rules for user-given names that become file or folder names, so nothing is written outside its folder.

``check_name`` is for one folder name (an experiment, a run id, a model): letters, digits and a few
punctuation marks, starting with a letter or digit, so it can never be ``..``, absolute or hold a separator.
``check_relative_path`` is for a file name inside a run's folder, which may have subfolders
(``outputs/model.pkl``) but never ``..``, ``.``, an empty part, an absolute path, a drive or a backslash.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from hdnotebook.exceptions import UserErrorException

NAME_MAX = 255
RUN_ID_PUNCTUATION = "-_."
# a sweep's children are named "<sweep id>_<index>", so a custom sweep id leaves room for the suffix
CUSTOM_RUN_ID_MAX = NAME_MAX - 15
_PUNCTUATION_WORDS = {"-": "'-'", "_": "'_'", ".": "'.'"}


def is_name(value: Any, *, punctuation: str = "-_", max_length: int = NAME_MAX) -> bool:
    """Whether ``value`` is 1-``max_length`` letters, digits or ``punctuation`` characters starting with a letter
    or digit."""
    pattern = rf"[A-Za-z0-9][A-Za-z0-9{re.escape(punctuation)}]{{0,{max_length - 1}}}"
    return isinstance(value, str) and re.fullmatch(pattern, value) is not None


def check_name(value: Any, argument: str, *, punctuation: str = "-_", max_length: int = NAME_MAX,
               error: type[Exception] = UserErrorException) -> str:
    """``value`` if ``is_name(value, punctuation=..., max_length=...)``; else ``error`` naming ``argument`` and the
    rule."""
    if not is_name(value, punctuation=punctuation, max_length=max_length):
        words = ["letters", "digits"] + [_PUNCTUATION_WORDS[c] for c in punctuation]
        allowed = ", ".join(words[:-1]) + " or " + words[-1]
        raise error(f"{argument} must be 1-{max_length} {allowed}, starting with a letter or digit; got {value!r}")
    return value


def is_relative_path(value: Any) -> bool:
    """Whether ``value`` is a '/'-separated relative file name whose parts are neither empty, '.' nor '..', with no
    backslash, NUL or drive (``C:``)."""
    if not isinstance(value, str):
        return False
    return not (any(p in ("", ".", "..") for p in value.split("/")) or "\\" in value or "\0" in value
                or re.match(r"[A-Za-z]:", value))


def check_relative_path(value: Any, argument: str) -> str:
    """``value`` if ``is_relative_path(value)``, else UserErrorException naming ``argument`` and the rule."""
    if not is_relative_path(value):
        raise UserErrorException(
            f"{argument} must be a relative file name like 'outputs/model.pkl': '/'-separated parts that are not "
            f"empty, '.' or '..', no leading '/', no backslash or drive; got {value!r}")
    return value


def path_inside(folder: Path, name: Any, argument: str) -> Path:
    """``folder / name`` after ``check_relative_path``; also refused when a symbolic link below ``folder`` leads
    the path out of it."""
    target = folder / check_relative_path(name, argument)
    if not target.resolve().is_relative_to(folder.resolve()):
        raise UserErrorException(f"{argument} {name!r} leads outside the run's folder {folder} through a symbolic link")
    return target
