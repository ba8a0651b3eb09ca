"""The methods of Run that make child runs by hand (``child_run``, ``create_children``), in a notebook or
inside a running script: the children are written straight into the store and log there."""

from __future__ import annotations

from hdnotebook import status as st
from hdnotebook.exceptions import UserErrorException

TYPE_CHECKING = False  # a child imports this module (a base of Run): no typing, no store at import
if TYPE_CHECKING:
    from typing import Any

    from hdnotebook._engine.store import RunRecord, Store
    from hdnotebook.experiment import Experiment
    from hdnotebook.runs.run_handle import Run


class RunChildren:
    """Mixin of Run: needs ``self._id``, ``self._experiment``, ``self._cached`` and ``self._need_store()``."""

    _id: str
    _experiment: Experiment
    _cached: RunRecord | None

    def _need_store(self) -> Store:
        raise NotImplementedError

    def child_run(self, name: str | None = None, run_id: str | None = None, outputs: Any = None) -> Run:
        """Create a child run (status Running) that logs straight into the store. ``run_id`` must be one folder
        name (letters, digits, '-', '_', '.'); by default it is ``<parent id>.<name>``, or a random suffix when
        ``name`` (the display name) is not a plain word."""
        import uuid

        from hdnotebook._engine.layout import INTERACTIVE_TYPE
        from hdnotebook.names import RUN_ID_PUNCTUATION, check_name, is_name
        from hdnotebook.runs.run_handle import Run

        store = self._need_store()
        if run_id is not None:
            check_name(run_id, "child_run run_id", punctuation=RUN_ID_PUNCTUATION)
        else:  # the name is a display name; it is part of the id (a folder name) only when it is a plain word
            plain = is_name(name, punctuation=RUN_ID_PUNCTUATION, max_length=100)
            run_id = f"{self._id}.{name if plain else uuid.uuid4()}"
        record = store.create_run(
            run_id, self._experiment.name, INTERACTIVE_TYPE, parent_id=self._id, status=st.RUNNING,
            display_name=name, driver=(self._cached.driver if self._cached else None),
        )
        return Run(self._experiment, run_id, _record=record)

    def create_children(self, count: int | None = None, tag_key: str | None = None,
                        tag_values: list[Any] | None = None) -> list[Run]:
        """Create several child runs at once (status Running), as Azure's manage-runs sample does: ``count``
        children, or one per value of ``tag_values``, each tagged ``{tag_key: value}``. Their ids are
        ``<parent id>_child_<n>`` (n from 0 in creation order, after any children made before)."""
        if tag_key is not None or tag_values is not None:
            if not isinstance(tag_key, str) or not isinstance(tag_values, (list, tuple)):
                raise UserErrorException("create_children expects tag_key (a str) and tag_values (a list) together")
            if count is not None and count != len(tag_values):
                raise UserErrorException(f"create_children expects count to equal len(tag_values) ({len(tag_values)}), got {count!r}")
            count = len(tag_values)
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise UserErrorException(f"create_children expects count to be a positive int, got {count!r}")
        store = self._need_store()
        first = len(store.list_runs(parent_id=self._id))
        children = [self.child_run(run_id=f"{self._id}_child_{first + i}") for i in range(count)]
        if tag_values is not None:
            for child, value in zip(children, tag_values):
                child.tag(tag_key, value)  # type: ignore[arg-type]
        return children


def run_matches(run: Run, tags: Any, properties: Any, type: str | None, status: str | None) -> bool:
    """True when ``run`` passes get_children's filters: its type and status (when given), and its tags and properties
    (a key it must have, or a ``{key: value}`` dict it must hold, values compared as text; None matches a key that
    is missing or has no value)."""
    if type is not None and run.type != type:
        return False
    if status is not None and run.get_status() != status:
        return False
    for wanted, actual in ((tags, run.get_tags), (properties, run.get_properties)):
        if wanted is None:
            continue
        values = actual()
        if isinstance(wanted, str):
            if wanted not in values:
                return False
        elif isinstance(wanted, dict):
            if any(values.get(k) != (None if v is None else str(v)) for k, v in wanted.items()):
                return False
    return True
