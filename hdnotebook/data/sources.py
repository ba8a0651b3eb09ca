"""Where a dataset's files come from: local paths and globs, http(s) URLs and places in a datastore.

``parse_paths`` turns the ``path`` argument of ``from_files``/``from_delimited_files`` into source
definitions (plain JSON, kept in the store when the dataset is registered); ``list_files`` expands them
into the dataset's files, each with the relative path ``to_path()`` shows.
"""

from __future__ import annotations

import glob
import os
import posixpath
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

from hdnotebook.data.datastore_folder import DataReference, Datastore, relative_datastore_path
from hdnotebook.exceptions import UserErrorException

if TYPE_CHECKING:
    from hdnotebook.workspace import Workspace

_GLOB_CHARS = set("*?[")


@dataclass(frozen=True)
class DataFile:
    """One file of a dataset: ``relative`` is its '/'-separated path below the dataset's root
    (what ``to_path()`` shows without the leading '/'); ``kind`` is ``local`` or ``url``; ``location``
    is the absolute local path or the URL."""

    relative: str
    kind: str
    location: str


def _is_url(text: str) -> bool:
    return urlparse(text).scheme in ("http", "https")


def parse_paths(path: Any, argument: str = "path") -> tuple[list[dict[str, Any]], Workspace | None]:
    """Source definitions for ``path`` (one value or a list) and the workspace of any datastore it names.

    Accepted: a local file, folder or glob (``**`` matches folders recursively), an http(s) URL, a
    ``(Datastore, "relative/path")`` tuple or a DataReference (``datastore.path(...)``).
    """
    items = list(path) if isinstance(path, list) else [path]
    if not items:
        raise UserErrorException(f"{argument} must name at least one file, folder, URL or datastore path, got []")
    sources: list[dict[str, Any]] = []
    workspace = None
    for item in items:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], Datastore):
            item = item[0].path(item[1])
        if isinstance(item, DataReference):
            workspace = item.datastore.workspace
            sources.append({"type": "datastore", "datastore": item.datastore.name, "path": item.path_on_datastore})
        elif isinstance(item, (str, os.PathLike)) and str(item).strip():
            text = os.fspath(item)
            if _is_url(text):
                sources.append({"type": "url", "url": text})
            elif "://" in text:
                raise UserErrorException(f"{argument}: only local paths and http(s) URLs are supported, got {text!r}")
            else:
                sources.append({"type": "local", "path": str(Path(text).expanduser().absolute())})
        else:
            raise UserErrorException(
                f"{argument} must be a local path, an http(s) URL, a (Datastore, path) tuple, a DataReference "
                f"or a list of those, got {item!r}")
    return sources, workspace


def _glob_base(pattern: str) -> str:
    """The folder part of ``pattern`` before its first wildcard."""
    parts = PurePosixPath(pattern).parts
    for index, part in enumerate(parts):
        if _GLOB_CHARS & set(part):
            return str(PurePosixPath(*parts[:index])) if index else "/"
    return posixpath.dirname(pattern)


def _local_files(pattern: str, argument: str) -> tuple[str, list[str]]:
    """(base folder, files) for a local file, folder or glob; a missing path raises naming it."""
    path = Path(pattern)
    if _GLOB_CHARS & set(pattern):
        base = _glob_base(Path(pattern).as_posix())
        matches = [Path(p) for p in sorted(glob.glob(pattern, recursive=True))]
    elif path.is_dir():
        base, matches = path.as_posix(), [path]
    elif path.is_file():
        base, matches = path.parent.as_posix(), [path]
    else:
        raise UserErrorException(f"{argument}: {pattern!r} does not exist")
    files = []
    for match in matches:
        if match.is_dir():
            files += [p.as_posix() for p in sorted(match.rglob("*")) if p.is_file()]
        elif match.is_file():
            files.append(match.as_posix())
    if not files:
        raise UserErrorException(f"{argument}: {pattern!r} matches no files")
    return base, files


def list_files(sources: list[dict[str, Any]], workspace: Workspace | None, argument: str = "path") -> list[DataFile]:
    """The files of the sources, in order, each relative to the deepest folder that holds every source."""
    found: list[tuple[str, str, str]] = []  # (logical path, kind, location)
    bases: list[str] = []
    for source in sources:
        if source["type"] == "url":
            parsed = urlparse(source["url"])
            if ".." in PurePosixPath(unquote(parsed.path)).parts:
                raise UserErrorException(f"{argument}: a URL's path must not hold '..' segments, got {source['url']!r}")
            logical = "/" + parsed.netloc + (unquote(parsed.path) or "/")
            bases.append(posixpath.dirname(logical))
            found.append((logical, "url", source["url"]))
            continue
        if source["type"] == "datastore":
            if workspace is None:
                raise UserErrorException(f"{argument}: the datastore {source['datastore']!r} needs a workspace")
            root = Datastore(workspace, source["datastore"]).root
            pattern = str(root / relative_datastore_path(source["path"])) if source["path"] else str(root)
        else:
            pattern = source["path"]
        base, files = _local_files(pattern, argument)
        bases.append(base)
        found += [(f, "local", f) for f in files]
    root = posixpath.commonpath(bases) if len(bases) > 1 else bases[0]
    files, seen = [], set()
    for logical, kind, location in found:
        relative = posixpath.relpath(logical, root) if root != "/" else logical.lstrip("/")
        if relative.startswith("../") or posixpath.isabs(relative):  # a file must land inside the dataset's folder
            raise UserErrorException(f"{argument}: {location!r} would be placed outside the dataset's folder")
        if relative not in seen:
            seen.add(relative)
            files.append(DataFile(relative, kind, location))
    return files
