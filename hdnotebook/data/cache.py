"""The workspace's data cache (``.hdnotebook/cache/``): URLs fetched once, datasets materialised once.

``cache/urls/<hash of the URL>/<file name>`` holds each downloaded URL (fetched with urllib the first
time it is needed, then reused). ``cache/datasets/<hash>/`` holds a dataset's files at their
``to_path()`` places; the hash covers every file's location and, for local files, size and
modification time, so a changed source gives a new folder. Folders are built under a temporary name
and renamed into place, so a reader never sees half a folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable
from pathlib import Path

from hdnotebook.data.sources import DataFile
from hdnotebook.exceptions import UserErrorException

CACHE_FOLDER = "cache"
URL_TIMEOUT_SECONDS = 60.0


def _digest(text: str, length: int = 24) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def _scratch(target: Path) -> Path:
    return target.with_name(f".{target.name}.tmp-{uuid.uuid4().hex[:8]}")


def _place(scratch: Path, target: Path) -> None:
    """Rename ``scratch`` to ``target``; when another process got there first, keep theirs."""
    try:
        if scratch.is_file():
            os.replace(scratch, target)
        else:
            os.rename(scratch, target)
    except OSError:
        if not target.exists():
            raise
        shutil.rmtree(scratch, ignore_errors=True)


def fetch_url(url: str, cache_root: Path) -> Path:
    """The local copy of ``url`` in the cache, downloaded on first use (errors name the URL)."""
    name = Path(urllib.request.url2pathname(url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1])).name or "index"
    target = cache_root / "urls" / _digest(url) / name
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = _scratch(target)
    try:
        with urllib.request.urlopen(url, timeout=URL_TIMEOUT_SECONDS) as response, open(scratch, "wb") as out:
            shutil.copyfileobj(response, out, 1 << 20)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        scratch.unlink(missing_ok=True)
        raise UserErrorException(f"Could not download {url}: {exc}") from exc
    _place(scratch, target)
    return target


def local_copy(file: DataFile, cache_root: Path) -> Path:
    """A local path holding ``file``'s content: the file itself, or the cached download of its URL."""
    if file.kind == "url":
        return fetch_url(file.location, cache_root)
    path = Path(file.location)
    if not path.is_file():
        raise UserErrorException(f"The dataset file {file.location!r} no longer exists")
    return path


def _fingerprint(files: Iterable[DataFile]) -> str:
    entries = []
    for file in files:
        entry: list[object] = [file.relative, file.kind, file.location]
        if file.kind == "local":
            stat = os.stat(file.location)
            entry += [stat.st_size, stat.st_mtime_ns]
        entries.append(entry)
    return _digest(json.dumps(entries))


def copy_files(files: list[DataFile], target: Path, cache_root: Path, overwrite: bool = True) -> list[str]:
    """Copy every file to ``target/<relative>``; returns the paths written. Without ``overwrite`` an existing
    file raises UserErrorException naming it."""
    written = []
    for file in files:
        destination = target / file.relative
        if destination.exists() and not overwrite:
            raise UserErrorException(f"download: the file {str(destination)!r} already exists; "
                                     "pass overwrite=True to replace it")
        destination.parent.mkdir(parents=True, exist_ok=True)
        source = local_copy(file, cache_root)
        if destination.exists():
            destination.unlink()
        shutil.copy2(source, destination)
        written.append(str(destination))
    return written


def materialize(files: list[DataFile], cache_root: Path) -> Path:
    """The cache folder holding ``files`` at their relative paths, built the first time it is asked for."""
    target = cache_root / "datasets" / _fingerprint(files)
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = _scratch(target)
    scratch.mkdir()
    try:
        copy_files(files, scratch, cache_root)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    _place(scratch, target)
    return target
