"""A script child: ``python <script> <args>`` below a guard (see process.spawn), events on an inherited pipe.

Records the pipe's reader could not decode are reported in the child's log.
"""

from __future__ import annotations

import asyncio
import subprocess

from hdnotebook._engine.channel import channel_environment
from hdnotebook._engine.executors.base import EventCallback, Outcome, OutcomeStatus, TrialSpec
from hdnotebook._engine.executors.process import (
    EventPipe,
    append_to_log,
    child_environment,
    spawn,
    stop_tree,
    sweep_session,
    tail_error,
)

EOF_WAIT_SECONDS = 1.0


class ScriptTrial:
    """One script child process; create with ``await ScriptTrial.start(spec, on_events)``."""

    def __init__(self, spec: TrialSpec, process: asyncio.subprocess.Process, pipe: EventPipe) -> None:
        self.run_id = spec.run_id
        self._spec = spec
        self._process = process
        self._pipe = pipe
        self._stop_requested = False
        self._outcome: asyncio.Task[Outcome] = asyncio.get_running_loop().create_task(self._watch())

    @classmethod
    async def start(cls, spec: TrialSpec, on_events: EventCallback) -> ScriptTrial:
        """Start the child and begin reading its events."""
        assert spec.argv, "a script trial needs argv"
        pipe = EventPipe()
        env = child_environment({**spec.env, **channel_environment(pipe.write_fd)})
        try:
            with open(spec.log_path, "ab") as log:
                process = await spawn(spec.argv, env, spec.cwd, (pipe.write_fd,),
                                      stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        except BaseException:
            pipe.close()
            raise
        pipe.close_write_end()
        await pipe.listen(on_events, lambda message: append_to_log(spec.log_path, message))
        return cls(spec, process, pipe)

    async def _watch(self) -> Outcome:
        code = await self._process.wait()  # the guard's exit: the script ended and its leftovers are killed
        await sweep_session(self._process)
        await self._pipe.drain(EOF_WAIT_SECONDS)
        if self._stop_requested:
            return Outcome(OutcomeStatus.STOPPED, code)
        if code == 0:
            return Outcome(OutcomeStatus.COMPLETED, 0)
        return Outcome(OutcomeStatus.FAILED, code, tail_error(self._spec.log_path, code), "ScriptExecution.NonZeroExit")

    async def started(self) -> None:
        """A local child runs as soon as it is submitted."""

    async def stop(self, grace: float = 5.0) -> None:
        """SIGTERM the child's whole tree, SIGKILL after ``grace`` seconds; then wait for it."""
        self._stop_requested = True
        await stop_tree(self._process, grace)
        await asyncio.shield(self._outcome)

    async def outcome(self) -> Outcome:
        """Wait for the child to end."""
        return await asyncio.shield(self._outcome)
