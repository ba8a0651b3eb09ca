"""The trials an executor started and that have not ended yet, for stopping them all when the executor closes."""

from __future__ import annotations

import asyncio

from hdnotebook._engine.executors.base import TrialHandle


class RunningTrials:
    """A set of trials; each leaves it once its outcome is known. Call ``add`` on the executor's loop."""

    def __init__(self) -> None:
        self._trials: set[TrialHandle] = set()

    def add(self, trial: TrialHandle) -> None:
        self._trials.add(trial)
        asyncio.get_running_loop().create_task(self._forget_when_done(trial))

    async def _forget_when_done(self, trial: TrialHandle) -> None:
        try:
            await trial.outcome()
        finally:
            self._trials.discard(trial)

    async def stop_all(self, grace: float) -> None:
        """Stop every trial still running (each gets ``grace`` seconds before it is killed or abandoned)."""
        await asyncio.gather(*(t.stop(grace) for t in list(self._trials)), return_exceptions=True)
