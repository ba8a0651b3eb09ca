"""A script's source folder as a child gets it: copied without version control, caches, outputs, virtual
environments and what ``.amlignore`` (or else ``.gitignore``) excludes. Used for local children and Dask alike."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pathspec

ALWAYS_IGNORED = (".git", "__pycache__", ".ipynb_checkpoints", ".hdnotebook", ".venv", "outputs", "logs", "user_logs")


def _ignore_spec(source: Path) -> pathspec.PathSpec[Any] | None:
    """The rules of ``source/.amlignore``, or else ``source/.gitignore`` (full gitignore syntax: negation,
    anchoring, directory-only patterns, ``**``); None when there is neither."""
    for name in (".amlignore", ".gitignore"):
        ignore_file = source / name
        if ignore_file.is_file():
            return pathspec.GitIgnoreSpec.from_lines(ignore_file.read_text(errors="replace").splitlines())
    return None


_ALWAYS = pathspec.GitIgnoreSpec.from_lines(ALWAYS_IGNORED)


def copy_source(source: Path, target: Path) -> list[str]:
    """Copy ``source`` into ``target`` (which may exist), skipping version control, caches, outputs,
    virtual environments (at any depth; no rule brings them back) and what ``.amlignore`` (or else
    ``.gitignore``) in ``source`` excludes, as git would. As in git, nothing below an excluded folder is copied.
    Returns the copied files, '/'-separated and relative to ``target``."""
    copied: list[str] = []

    def copy(src: str, dst: str) -> Any:
        copied.append(Path(dst).relative_to(target).as_posix())
        return shutil.copy2(src, dst)

    spec = _ignore_spec(source)

    def ignore(folder: str, names: list[str]) -> set[str]:
        rel = Path(folder).relative_to(source)
        skipped = set()
        for name in names:
            path = (rel / name).as_posix()
            if os.path.isdir(os.path.join(folder, name)) and not os.path.islink(os.path.join(folder, name)):
                path += "/"  # so that directory-only patterns ("build/") match
            if _ALWAYS.match_file(path) or (spec is not None and spec.match_file(path)):
                skipped.add(name)
        return skipped

    shutil.copytree(source, target, ignore=ignore, dirs_exist_ok=True, symlinks=True, copy_function=copy)
    return copied
