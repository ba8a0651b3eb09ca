"""Event sinks of a Run: straight into the store, or printed for an offline run."""

from __future__ import annotations

from typing import Any

from hdnotebook.store import Store


class StoreSink:
    """Writes each event to the store at once (used in the driver process)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def send(self, event: dict[str, Any]) -> None:
        """Commit one event."""
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
