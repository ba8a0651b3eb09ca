"""Event sinks of a Run: straight into the store, or printed for an offline run."""

from __future__ import annotations

from hdnotebook import status as st
from hdnotebook.exceptions import UserErrorException

TYPE_CHECKING = False  # imported by every child: no typing, no store at import
if TYPE_CHECKING:
    from typing import Any

    from hdnotebook._engine.store import Store


class StoreSink:
    """Writes each event to the store at once (used in the driver process)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def refuse_if_ended(self, run_id: str) -> None:
        """UserErrorException when the run has ended (Completed, Failed, Canceled): it takes no more metrics."""
        status = self.store.status_of(run_id)
        if status is not None and st.is_terminal(status):
            raise UserErrorException(
                f"Run {run_id} has ended ({status}): log calls are accepted only while a run is active; "
                "start a new run (experiment.start_logging()) to log more")

    def send(self, event: dict[str, Any]) -> None:
        """Commit one event; a metric of a run that has ended is refused (see refuse_if_ended)."""
        if event["op"] == "metric":
            self.refuse_if_ended(event["run"])
        self.store.apply_events([event])


class OfflineSink:
    """Prints what would be logged, as HyperDrive's offline run does."""

    def send(self, event: dict[str, Any]) -> None:
        """Print one event."""
        op = event["op"]
        if op == "metric":
            print(f"Attempted to log {event['kind']} metric {event['name']}:\n{event['value']}")
        elif op == "tags":
            print(f"Attempted to set tags {event['tags']}")
        elif op == "remove_tags":
            print(f"Attempted to remove tags {event['keys']}")
        elif op == "properties":
            print(f"Attempted to add properties {event['properties']}")
        elif op == "files":
            print(f"Attempted to upload files {[f for f, _ in event['files']]}")
        elif op == "final":
            print(f"Attempted to mark the run {event['status']}" + (f": {event['error']}" if event.get("error") else ""))
