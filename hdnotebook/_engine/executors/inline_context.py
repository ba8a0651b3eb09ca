"""The child a thread of this process is running for the in-process test executor (``inline.py``), if any.

A real child finds its run through environment variables and an inherited pipe (see ``runs/channel.py``); a
function the InlineExecutor calls in a thread of the driver cannot, since the environment is shared by every
thread. It finds its run here instead: a context variable the executor sets in the context the function runs in.
This module is imported by every child's ``Run.get_context()``: it must stay free of heavy imports.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field
from typing import Any, Protocol


class EventSender(Protocol):
    """Where a run's events go: ``send(event)`` returns once the event is handed on (see channel.PipeWriter)."""

    def send(self, event: dict[str, Any]) -> None: ...


@dataclass
class InlineChild:
    """One function child running in this process: its run id, the variables a process child would get, its sink.

    ``run`` caches the Run built for it by ``Run.get_context()``.
    """

    run_id: str
    env: dict[str, str]
    sink: EventSender
    run: Any = field(default=None, compare=False)


current: contextvars.ContextVar[InlineChild | None] = contextvars.ContextVar("hdnotebook_inline_child", default=None)
