"""The sweep's log file, in HyperDrive's format: ``<START>[time][COMPONENT][LEVEL]message<END>``."""

from __future__ import annotations

import datetime as _dt
import logging
from pathlib import Path

START, END = "<START>", "<END>"
logger = logging.getLogger(__name__)


class SweepLog:
    """Appends lines to ``azureml-logs/hyperdrive.txt`` in the sweep's folder; each line is flushed. Each line also
    goes to the ``hdnotebook.scheduler.sweep_log`` logger (INFO, WARNING or ERROR as its level; DEBUG for others),
    with the sweep's folder name (its id) in front."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._sweep_id = self.path.parent.parent.name  # <run folder>/azureml-logs/hyperdrive.txt
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(self.path, "a", encoding="utf-8")

    def write(self, component: str, message: str, level: str = "INFO") -> None:
        """Append one line."""
        stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        self._file.write(f"{START}[{stamp}][{component}][{level}]{message}{END}\n")
        self._file.flush()
        logger.log(getattr(logging, level, logging.DEBUG) if level in ("INFO", "WARNING", "ERROR") else logging.DEBUG,
                   "%s [%s] %s", self._sweep_id, component, message)

    def close(self) -> None:
        """Close the file."""
        self._file.close()


def strip_markers(line: str) -> str:
    """A log line as it is shown to the user: without the START/END markers."""
    return line.replace(START, "").replace(END, "")
