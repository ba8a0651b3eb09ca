"""The ``log*`` family of Run methods. Each call becomes one event sent through the run's sink."""

from __future__ import annotations

import os
import time

from hdnotebook.exceptions import UserErrorException
from hdnotebook.runs.metrics import check_not_list, to_scalar

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".svg", ".webp", ".tif", ".tiff"}

TYPE_CHECKING = False  # imported by every child to log: no typing, pathlib or shutil at import
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, Protocol

    class EventSink(Protocol):
        """Where a run's events go: the store (in the driver), a pipe (in a child) or the console (offline)."""

        def send(self, event: dict[str, Any]) -> None: ...


class MetricLogging:
    """Mixin: needs ``self.id``, ``self._sink`` and ``self._files_dir()`` (None when files cannot be kept)."""

    id: str
    _sink: EventSink

    def _files_dir(self) -> Path | None:
        raise NotImplementedError

    def _metric(self, name: str, kind: str, value: Any, description: str | None, step: int | None = None) -> None:
        if not isinstance(name, str) or not name:
            raise UserErrorException("Metric name expects a non-empty string", error_code="InvalidConfigSetting")
        self._sink.send(
            {"op": "metric", "run": self.id, "name": name, "kind": kind, "value": value, "step": step,
             "t": time.time(), "desc": description or None}
        )

    def log(self, name: str, value: Any, description: str = "", step: int | None = None) -> None:
        """Log one scalar (int, float, str, bool, None or a numpy scalar) under ``name``."""
        check_not_list(name, value)
        if step is not None and (isinstance(step, bool) or not isinstance(step, int)):
            raise UserErrorException("step expects an int", error_code="InvalidType")
        self._metric(name, "scalar", to_scalar(value, f"Metric {name!r}"), description, step)

    def log_list(self, name: str, value: Any, description: str = "") -> None:
        """Log a list of scalars under ``name``."""
        try:
            items = [to_scalar(v, f"Metric {name!r}") for v in value]
        except TypeError:
            raise UserErrorException(f"log_list expects value to be a list, got {type(value).__name__}") from None
        self._metric(name, "list", items, description)

    def log_row(self, name: str, description: str | None = None, **kwargs: Any) -> None:
        """Log one row of a table: each keyword is a column holding a scalar."""
        for key, v in kwargs.items():
            if isinstance(v, (list, tuple, dict, set)):
                raise UserErrorException(f"log_row expects scalar values, but column {key!r} is a {type(v).__name__}")
        self._metric(name, "row", {k: to_scalar(v, f"Column {k!r}") for k, v in kwargs.items()}, description)

    def log_table(self, name: str, value: dict[str, Any], description: str = "") -> None:
        """Log a table given as ``{column: [values]}``; every column must have the same length."""
        if not isinstance(value, dict):
            raise UserErrorException("log_table expects value to be a dict of columns")
        columns = {k: [to_scalar(v, f"Column {k!r}") for v in col] for k, col in value.items()}
        lengths = {len(c) for c in columns.values()}
        if len(lengths) > 1:
            raise UserErrorException(f"log_table expects columns of equal length, got lengths {sorted(lengths)}")
        self._metric(name, "table", columns, description)

    def log_image(self, name: str, path: str | os.PathLike[str] | None = None, plot: Any = None, description: str = "") -> None:
        """Log an image file (``path``) or a matplotlib figure/pyplot (``plot``); the file is kept with the run."""
        if (path is None) == (plot is None):
            raise UserErrorException("log_image expects exactly one of path or plot to be set")
        import shutil
        from pathlib import Path

        from hdnotebook.names import check_relative_path, path_inside

        check_relative_path(name, "log_image name")
        refuse_if_ended = getattr(self._sink, "refuse_if_ended", None)  # before any file is kept with the run
        if refuse_if_ended is not None:
            refuse_if_ended(self.id)
        folder = self._files_dir()
        if path is not None:
            source = Path(path)
            if not source.is_file():
                raise UserErrorException(f"log_image expects path to be an existing file, got {os.fspath(path)!r}")
            if source.suffix.lower() not in IMAGE_SUFFIXES:
                raise UserErrorException(f"log_image expects an image file ({', '.join(sorted(IMAGE_SUFFIXES))}), got {source.name!r}")
            file_name = source.name
            if folder is not None:
                folder.mkdir(parents=True, exist_ok=True)
                if source.resolve() != (folder / file_name).resolve():
                    shutil.copyfile(source, folder / file_name)
        else:
            file_name = f"{name}_{int(time.time())}.png"
            if folder is not None:
                path_inside(folder, file_name, "log_image name").parent.mkdir(parents=True, exist_ok=True)
                savefig = getattr(plot, "savefig", None)
                if savefig is None:
                    raise UserErrorException("log_image expects plot to be a matplotlib figure or pyplot")
                savefig(folder / file_name, format="png")
        if folder is not None:
            self._sink.send({"op": "files", "run": self.id, "files": [[file_name, (folder / file_name).stat().st_size]]})
        self._metric(name, "image", file_name, description)

    def _log_json(self, name: str, value: Any, description: str) -> None:
        import json

        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise UserErrorException(f"{name} expects a dict or a JSON string") from None
        if not isinstance(value, dict):
            raise UserErrorException(f"{name} expects a dict or a JSON string")
        self._metric(name, "json", value, description)

    def log_confusion_matrix(self, name: str, value: Any, description: str = "") -> None:
        """Log a confusion matrix given as a dict (or its JSON text)."""
        self._log_json(name, value, description)

    def log_accuracy_table(self, name: str, value: Any, description: str = "") -> None:
        """Log an accuracy table given as a dict (or its JSON text)."""
        self._log_json(name, value, description)

    def log_residuals(self, name: str, value: Any, description: str = "") -> None:
        """Log residuals given as a dict (or its JSON text)."""
        self._log_json(name, value, description)

    def log_predictions(self, name: str, value: Any, description: str = "") -> None:
        """Log predictions given as a dict (or its JSON text)."""
        self._log_json(name, value, description)
