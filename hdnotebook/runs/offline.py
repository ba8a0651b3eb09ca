"""The run ``Run.get_context()`` returns when the code runs outside any run (a plain script or notebook)."""

from __future__ import annotations

import uuid
from typing import Any

from hdnotebook import status as st
from hdnotebook._engine.layout import INTERACTIVE_TYPE
from hdnotebook.runs.run_handle import Run
from hdnotebook.runs.sinks import OfflineSink


class OfflineRun(Run):
    """The run ``Run.get_context()`` returns outside any run: every call prints what it would do."""

    def __init__(self) -> None:
        self._experiment = None  # type: ignore[assignment]
        self._id = f"OfflineRun_{uuid.uuid4()}"
        self._store = None
        self._sink = OfflineSink()
        self._cached = None
        self._added_properties: set[str] = set()

    def __repr__(self) -> str:
        return f"Run(Experiment: None,\nId: {self._id},\nType: {INTERACTIVE_TYPE},\nStatus: {st.RUNNING})"

    def child_run(self, name: str | None = None, run_id: str | None = None, outputs: Any = None) -> Run:
        run = OfflineRun()
        run._id = run_id or f"{self._id}.{name or uuid.uuid4()}"
        return run

    def start(self) -> None:
        print(f"START {self._id}")

    def complete(self, _set_status: bool = True) -> None:
        print(f"STOP {self._id}")

    def cancel(self) -> None:
        """Nothing to cancel offline."""

    def wait_for_completion(self, show_output: bool = False, wait_post_processing: bool = False,
                            raise_on_error: bool = True) -> dict[str, Any]:
        return self.get_details()

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc is not None:
            self.fail(error_details=exc)
        self.complete()
