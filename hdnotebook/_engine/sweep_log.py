"""The sweep's log file, in HyperDrive's format: ``<START>[time][COMPONENT][LEVEL]message<END>``."""

from __future__ import annotations

import datetime as _dt
import errno
import io
import logging
from pathlib import Path

from hdnotebook import _library_logger

START, END = "<START>", "<END>"
logger = _library_logger("hdnotebook.scheduler.sweep_log")  # the name the README documents, with the package's NullHandler


class SweepLog:
    """Appends lines to ``azureml-logs/hyperdrive.txt`` in the sweep's folder, each with one write. Each line also
    goes to the ``hdnotebook.scheduler.sweep_log`` logger (INFO, WARNING or ERROR as its level; DEBUG for others),
    with the sweep's folder name (its id) in front.

    Writing never raises: on a full or failing disk the first failed line ends the log (``error`` keeps why), so that
    the tuning loop goes on stopping children and recording statuses; a partly written line is the log's last.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._sweep_id = self.path.parent.parent.name  # <run folder>/azureml-logs/hyperdrive.txt
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file: io.FileIO | None = open(self.path, "ab", buffering=0)
        self.error: OSError | None = None

    def write(self, component: str, message: str, level: str = "INFO") -> None:
        """Append one line (dropped once a write has failed)."""
        if self._file is None:
            return
        stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        logger.log(getattr(logging, level, logging.DEBUG) if level in ("INFO", "WARNING", "ERROR") else logging.DEBUG,
                   "%s [%s] %s", self._sweep_id, component, message)
        data = f"{START}[{stamp}][{component}][{level}]{message}{END}\n".encode()
        try:
            written = self._file.write(data)
            if written != len(data):
                raise OSError(errno.ENOSPC, "short write", str(self.path))
        except OSError as error:
            self.error = error
            self.close()

    def close(self) -> None:
        """Close the file."""
        if self._file is not None:
            self._file.close()
            self._file = None


def strip_markers(line: str) -> str:
    """A log line as it is shown to the user: without the START/END markers."""
    return line.replace(START, "").replace(END, "")
