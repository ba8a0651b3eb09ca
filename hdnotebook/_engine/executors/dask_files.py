"""Files that travel between the notebook and a Dask worker, as zip archives in memory.

To the worker: the script's source folder, once per sweep (the same files a local run copies), and a
resumed child's checkpoint folder (``resume_from``), in parts of at most 4 MB before the child starts.
Back from the worker: a child's ``outputs/``, ``logs/``, ``user_logs/`` and the files it uploaded
(``run.upload_file``/``log_image``); the main log comes back separately, as a stream.
"""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

from hdnotebook._engine.executors.source import copy_source
from hdnotebook.names import is_relative_path

RETURNED_FOLDERS = ("outputs", "logs", "user_logs")


def pack(root: Path, names: Iterable[str]) -> bytes:
    """The files ``names`` (relative to ``root``) as a zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name in sorted(set(names)):
            archive.write(root / name, name)
    return buffer.getvalue()


def _files_below(root: Path, folder: str) -> list[str]:
    found = []
    for dirpath, _, files in os.walk(root / folder):
        for file in files:
            path = Path(dirpath) / file
            if path.is_file():
                found.append(path.relative_to(root).as_posix())
    return found


def pack_folder(root: str | os.PathLike[str]) -> bytes:
    """Every file below ``root`` as a zip (a resumed child's checkpoint folder)."""
    base = Path(root)
    return pack(base, [p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file()])


def pack_source(source_directory: str | os.PathLike[str]) -> bytes:
    """The source folder as a zip, minus what a local run skips (version control, caches, outputs, ignore files)."""
    with tempfile.TemporaryDirectory(prefix="hdnotebook-source-") as folder:
        copy = Path(folder) / "src"
        copy_source(Path(source_directory).resolve(), copy)
        names = [p.relative_to(copy).as_posix() for p in copy.rglob("*") if p.is_file()]
        return pack(copy, names)


def result_files(folder: Path, uploaded: Iterable[str], skip: Iterable[str]) -> list[str]:
    """The names of a child's files to return: the returned folders' files plus ``uploaded`` names, minus ``skip``."""
    names = {n for top in RETURNED_FOLDERS for n in _files_below(folder, top)}
    names.update(n for n in uploaded if is_relative_path(n) and (folder / n).is_file())
    names.difference_update(skip)
    return sorted(names)


def unpack(data: bytes, target: Path) -> list[str]:
    """Extract an archive made by pack or pack_source into ``target``; returns the names written.

    Permission bits are kept; members with absolute paths or ``..`` are skipped.
    """
    if not data:
        return []
    written = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.infolist():
            if member.is_dir() or not is_relative_path(member.filename):
                continue
            path = archive.extract(member, target)
            mode = member.external_attr >> 16 & 0o777
            if mode:
                os.chmod(path, mode)
            written.append(member.filename)
    return written
