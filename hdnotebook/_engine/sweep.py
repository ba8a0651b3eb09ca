"""The tuning loop of one sweep: sample, launch within the budgets, apply the policy, finish.

Everything it decides on is read from the store (children, their status, their primary-metric
values); it keeps only handles on the children it is running. It runs on the background loop.

Any error of the loop or of a task it started fails the sweep (``_fail``): every child is stopped and the
sweep ends Failed. A store that cannot be written (full disk, read-only file) takes the same path; the children
end Failed too, and the final statuses are committed with the reserve's space, or kept in memory and committed
as soon as the store takes them (``store_retry``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from typing import Any

from hdnotebook import status as st
from hdnotebook._engine import specs
from hdnotebook._engine.continuation import Continuation
from hdnotebook._engine.executors.base import Executor
from hdnotebook._engine.layout import FUNCTION_TYPE, RESUME_ARGUMENT, SCRIPT_TYPE, error_dict
from hdnotebook._engine.metric_check import PRIMARY_METRIC_WARNING, primary_metric_warning
from hdnotebook._engine.plan import ScriptTrial, SweepPlan
from hdnotebook._engine.store import RunRecord, Store
from hdnotebook._engine.store.faults import write_failure
from hdnotebook._engine.store_retry import flush_now_or_later
from hdnotebook._engine.sweep_history import SweepHistory
from hdnotebook._engine.sweep_log import SweepLog
from hdnotebook._engine.trial import TrialRunner, store_error
from hdnotebook.goal import PrimaryMetricGoal
from hdnotebook.sampling.history import SamplingHistory, TrialRecord
from hdnotebook.sampling.space import fits_space

POLL_SECONDS = 0.5
CANCEL_GRACE_SECONDS = 1.0
POLICY_GRACE_SECONDS = 5.0
SPAN_BEAT_SECONDS = 2.0  # how often a running sweep records that it still runs (what max_duration_minutes counts)


class SweepController:
    """Runs one sweep to its end; ``await controller.run()`` on the background loop."""

    def __init__(self, store: Store, parent: RunRecord, config: SweepPlan, executor: Executor, log: SweepLog,
                 continuation: Continuation | None = None) -> None:
        """``continuation`` is what a sweep continued after the death of its driver inherits (None for a new
        sweep)."""
        self.run_id = parent.run_id
        self.store = store
        self.config = config
        self._parent = parent
        self._executor = executor
        self._log = log
        self._goal: PrimaryMetricGoal = config.primary_metric_goal
        self._metric: str = config.primary_metric_name
        self._runners: dict[str, TrialRunner] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._known = SweepHistory(store, parent.run_id, self._goal, self._metric)  # children: curves, trials
        self._best: tuple[float, str] | None = None
        self._generated = self._known.generated
        self._resumes: list[RunRecord] = [r for r in (store.get_run(i) for i in config.resume_child_ids) if r]
        self._continuation = continuation
        self._uncounted = 0  # children that do not count in max_total_runs (interrupted by a driver's death)
        if continuation is not None:
            self._resumes = list(continuation.reruns)
            self._uncounted = continuation.uncounted
        self._span: int | None = None
        self._span_beat = 0.0
        self._prior: tuple[TrialRecord, ...] = ()
        self._stop_reason: str | None = None
        self._policy_due = False
        self._metric_warned = False
        self._wake: asyncio.Event | None = None
        self._failure: BaseException | None = None
        self.finished: asyncio.Future[str] | None = None

    # requests from other threads or tasks ---------------------------------------------------

    def _nudge(self) -> None:
        if self._wake is not None:
            self._wake.set()

    def _report_failure(self, error: BaseException) -> None:
        """An error in a task or a child's store write: the loop raises it on its next turn (the first one wins)."""
        if self._failure is None:
            self._failure = error
        self._nudge()

    async def cancel(self, run_id: str | None = None) -> None:
        """Cancel the whole sweep (run_id None or the sweep's id) or one child; returns once it has stopped."""
        if run_id in (None, self.run_id):
            if self._stop_reason is None:
                self._stop_reason = "canceled"
            self._nudge()
            if self.finished is not None:
                await asyncio.shield(self.finished)
            return
        runner = self._runners.get(run_id)
        if runner is not None:
            self._log.write("CONTROLLER", f"Cancel requested for child run {run_id}")
            await runner.stop("canceled", grace=CANCEL_GRACE_SECONDS)

    # reading the store ------------------------------------------------------------------------

    def _history(self) -> SamplingHistory:
        """The sampler's snapshot of the sweep (reads only what changed since the last one)."""
        return self._known.sampling(self._prior)

    def _load_inherited(self) -> None:
        """Read the warm-start parents' children: their curves join the policy's comparisons (as finished
        runs), their configurations and results are the sampler's prior."""
        parents = (self._parent.config or {}).get("resume_from") or []
        prior = []
        for parent_id in parents:
            children = self.store.list_runs(parent_id=parent_id)
            rows = self.store.metric_rows_for([c.run_id for c in children], self._metric)
            for child in children:
                self._known.add_rows(rows[child.run_id])
                prior.append(TrialRecord(params=child.hyperparameters or {}, status=child.status,
                                         metric=self._known.best(child.run_id)))
        self._prior = tuple(prior)
        if parents:
            space = self.config.hyperparameter_sampling._parameter_space
            outside = sum(not fits_space(space, t.params) for t in prior)
            note = f"; {outside} of {len(prior)} parent runs fall outside the new space (not used by the sampler)" if outside else ""
            self._log.write("CONTROLLER", f"Warm start from {len(parents)} parent sweep(s): {len(prior)} earlier runs "
                                          f"inform the policy and the sampler{note}.")

    def _best_of_earlier_children(self) -> None:
        """A continued sweep: the best child so far among those its first life ran (ties to the earlier child)."""
        self._known.refresh_curves()
        for child in self.store.list_runs(parent_id=self.run_id):
            value = self._known.best(child.run_id)
            if value is not None and (self._best is None or self._goal.is_better(value, self._best[0])):
                self._best = (value, child.run_id)

    def _beat(self, final: bool = False) -> None:
        """Move the end of this life's running span to now (at most every SPAN_BEAT_SECONDS unless ``final``), so
        that a later continuation knows how long the sweep ran even if this process dies."""
        now = time.time()
        if self._span is not None and (final or now - self._span_beat >= SPAN_BEAT_SECONDS):
            self._span_beat = now
            self.store.extend_span(self._span, now)

    # the loop ---------------------------------------------------------------------------------

    async def run(self) -> str:
        """Drive the sweep to its end; returns the parent's final status."""
        loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self.finished = loop.create_future()
        final = st.FAILED
        try:
            final = await self._loop()
        except Exception as exc:  # the sweep fails, but nothing already logged is lost
            await self._fail(exc)
        finally:
            try:
                await self._executor.aclose()
            except Exception as exc:
                self._log.write("CONTROLLER", f"Closing the executor failed: {exc!r}", level="ERROR")
            try:
                self._beat(final=True)
            except Exception as exc:  # a store that cannot be written: the span keeps its last beat
                self._log.write("CONTROLLER", f"Recording the running time failed: {exc!r}", level="ERROR")
            self._log.close()
            self.finished.set_result(final)
        return final

    async def _fail(self, exc: Exception) -> None:
        """Stop every child and end the sweep Failed with ``exc``; a store that cannot be written fails the
        children too, and their statuses are committed with the sweep's (now or once the store takes them)."""
        failure = write_failure(exc, self.store.path)
        if failure is not None:
            error = store_error(failure)
            self._log.write("CONTROLLER", f"Stopping every child run: {failure}", level="ERROR")
            for runner in list(self._runners.values()):
                runner.fail_store(failure, stop=False)  # no more writes of their events; stopped just below
            await self._stop_all("store", error=error, status=st.FAILED)
        else:
            error = error_dict("TuningLoopError", repr(exc))
            self._log.write("CONTROLLER", f"The tuning loop failed: {exc!r}", level="ERROR")
            await self._stop_all("failed")
        self._log.write("CONTROLLER", "Experiment was 'ExperimentStatus.RUNNING', is 'ExperimentStatus.FAILED'.")
        try:
            self.store.record_end(self.run_id, st.FAILED, error=error)
        except Exception as again:  # e.g. locked for longer than the busy timeout: the retry below commits it
            self._log.write("CONTROLLER", f"Recording the failure failed: {again!r}", level="ERROR")
        flush_now_or_later(self.store)

    async def _loop(self) -> str:
        config = self.config
        continued = self._continuation
        start = self._parent.created_time if continued is None else time.time()
        deadline = start + config.max_duration_minutes * 60 - (continued.ran_seconds if continued else 0.0)
        sampler = config.hyperparameter_sampling
        if continued is None:
            self.store.set_status(self.run_id, st.RUNNING, only_if_active=True)
            self._log.write("CONTROLLER", "Experiment was 'ExperimentStatus.CREATED', is 'ExperimentStatus.RUNNING'.")
        self._span = self.store.open_span(self.run_id, start)
        self._load_inherited()
        if continued is not None:
            self._best_of_earlier_children()
        await self._executor.start()
        exhausted = False
        max_total = config.max_total_runs + self._uncounted  # as child indices: the interrupted ones do not count
        max_concurrent = config.max_concurrent_runs
        while True:
            assert self._wake is not None
            self._wake.clear()
            if self._failure is not None:
                raise self._failure
            if self._executor.failure is not None:
                raise self._executor.failure
            self._poll_cancel_requests()
            self._beat()
            if self._stop_reason is None and time.time() >= deadline:
                self._stop_reason = "max_duration"
                self._log.write("CONTROLLER", f"max_duration_minutes ({config.max_duration_minutes:g}) reached; canceling running child runs.")
            if self._stop_reason is not None:
                return await self._finish()
            if self._policy_due:
                self._policy_due = False
                self._apply_policy()
            while self._resumes and self._generated < max_total and len(self._runners) < max_concurrent:
                old = self._resumes.pop(0)
                await self._launch(old.hyperparameters or {}, resumes=old)
            while not exhausted and self._generated < max_total and len(self._runners) < max_concurrent:
                count = min(max_concurrent - len(self._runners), max_total - self._generated)
                self._log.write("GENERATOR", f"Trying to sample '{count}' jobs from the hyperparameter space")
                history = self._history()
                configs = await asyncio.get_running_loop().run_in_executor(None, sampler.suggest, history, count)
                if len(configs) < count:
                    exhausted = True
                for params in configs:
                    await self._launch(params)
                if configs:
                    self._log.write("GENERATOR", f"Successfully sampled '{len(configs)}' jobs, they will soon be submitted to the execution target.")
                if exhausted:
                    self._log.write("GENERATOR", "All jobs generated: the parameter space is exhausted.")
                elif self._generated >= max_total:
                    self._log.write("GENERATOR", f"Max number of jobs '{config.max_total_runs}' reached for experiment.")
            if not self._runners and (exhausted or self._generated >= max_total):
                return await self._finish()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=max(0.0, min(POLL_SECONDS, deadline - time.time())))
            except asyncio.TimeoutError:
                pass

    def _poll_cancel_requests(self) -> None:
        if self.store.status_of(self.run_id) == st.CANCEL_REQUESTED and self._stop_reason is None:
            self._stop_reason = "canceled"
        for run_id in self._known.cancel_requested():
            runner = self._runners.get(run_id)
            if runner is not None and not runner.stopping:
                self._spawn(runner.stop("canceled", grace=CANCEL_GRACE_SECONDS))

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self._report_failure(task.exception())  # type: ignore[arg-type]

    async def _launch(self, params: dict[str, Any], resumes: RunRecord | None = None) -> None:
        index = self._generated
        self._generated += 1
        child_id = f"{self.run_id}_{index}"
        run_config: Any = self.config.trial  # a ScriptTrial or a FunctionTrial (is_script tells)
        is_script = isinstance(run_config, ScriptTrial)
        target = self._executor.target_name
        definition = (specs.script_definition(run_config, params, target) if is_script
                      else specs.function_definition(run_config, params, target))
        record = self.store.create_run(
            child_id, self._parent.experiment, SCRIPT_TYPE if is_script else FUNCTION_TYPE,
            parent_id=self.run_id, child_index=index, status=st.QUEUED, definition=definition,
            hyperparameters=params, driver=self._parent.driver,
            properties={"resumed_from": resumes.run_id} if resumes else None,
        )
        self._known.launched(record, resumes.run_id if resumes is not None else None)
        self.store.set_tags(self.run_id, {child_id: json.dumps(params)})
        loop = asyncio.get_running_loop()
        resume_folder = None
        if resumes is not None:
            resume_folder = await loop.run_in_executor(None, specs.prepare_resume, self.store, record, resumes.run_id)
            if is_script:
                arguments = [*definition["arguments"], RESUME_ARGUMENT, resume_folder]
                self.store.update_run(child_id, definition={**definition, "arguments": arguments})
            self._log.write("SCHEDULER", f"Scheduling job, id='{child_id}' resuming {resumes.run_id} from its checkpoints")
        else:
            self._log.write("SCHEDULER", f"Scheduling job, id='{child_id}' with parameters {json.dumps(params)}")
        if is_script:
            spec = await loop.run_in_executor(None, specs.script_spec, self.store, record, run_config, params, resume_folder)
            timeout = run_config.max_run_duration_seconds
        else:
            spec = specs.function_spec(self.store, record, run_config.payload, params, resume_folder,
                                       pass_resume=run_config.accepts_resume)
            timeout = None
        runner = TrialRunner(self.store, spec, self._executor, primary_metric=self._metric,
                             on_primary_metric=self._primary_arrived, timeout=timeout, on_store_failure=self._report_failure)
        self._runners[child_id] = runner
        self._spawn(self._drive(runner))

    def _primary_arrived(self) -> None:
        self._policy_due = True
        self._nudge()

    async def _drive(self, runner: TrialRunner) -> None:
        try:
            status = await runner.run()
        finally:
            self._runners.pop(runner.run_id, None)
        if self._failure is not None:  # the sweep is failing: nothing more to record
            return
        self._known.refresh_curves()
        value = self._known.best(runner.run_id)
        best_value, best_index = (self._best[0], _child_index(self._best[1])) if self._best else (None, 0)
        if value is not None and self._goal.better_child(value, _child_index(runner.run_id), best_value, best_index):
            self._best = (value, runner.run_id)
            self.store.apply_events([{
                "op": "metric", "run": self.run_id, "name": "best_child_by_primary_metric", "kind": "row",
                "value": {"run_id": runner.run_id, "metric_value": value, "final": False}, "step": None, "t": time.time(),
            }])
        shown = f"{self._metric}={value:.6g}" if value is not None else f"no {self._metric} logged"
        best = f"; best so far {self._best[0]:.6g} ({self._best[1]})" if self._best else ""
        self._log.write("CONTROLLER", f"Job {runner.run_id} {status}: {shown}{best}")
        if value is None and status == st.COMPLETED:
            self._check_primary_metric()
        self._nudge()

    def _check_primary_metric(self) -> None:
        """A child completed without the primary metric: if no child of this sweep has logged it while
        they logged others, warn once in the sweep log and as the sweep's ``primary_metric_warning`` property."""
        if self._metric_warned or self._known.own_values_logged:
            return
        logged = [n for n in self.store.metric_names_of_children(self.run_id) if n != self._metric]
        if not logged:
            return
        self._metric_warned = True
        message = primary_metric_warning(self._metric, logged)
        self._log.write("CONTROLLER", message, level="WARNING")
        self.store.add_properties(self.run_id, {PRIMARY_METRIC_WARNING: message})

    def _apply_policy(self) -> None:
        policy = self.config.policy
        self._known.refresh_curves()
        curves = self._known.curves
        for run_id in curves.running_ids():  # running: driven here and not being stopped, as the policy sees it
            runner = self._runners.get(run_id)
            if runner is None or runner.stopping:
                curves.set_running(run_id, False)
        for run_id, runner in self._runners.items():
            if run_id in curves and not runner.stopping:
                curves.set_running(run_id, True)
        for decision in policy.evaluate_history(curves):
            runner = self._runners.get(decision.run_id)
            if runner is None or runner.stopping:
                continue
            self._log.write("CONTROLLER", f"Early termination of {decision.run_id} by {decision.policy} at interval {decision.interval}: {decision.reason}")
            self._spawn(runner.stop("policy", grace=POLICY_GRACE_SECONDS, termination=dataclasses.asdict(decision)))

    async def _stop_all(self, reason: str, error: dict[str, Any] | None = None, status: str = st.CANCELED) -> None:
        await asyncio.gather(*(r.stop(reason, grace=CANCEL_GRACE_SECONDS, error=error, status=status)
                               for r in list(self._runners.values())), return_exceptions=True)
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _finish(self) -> str:
        reason = self._stop_reason
        if reason is not None:
            await self._stop_all(reason)
        elif self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        if self._failure is not None:  # reported while the children ended
            raise self._failure
        children = self.store.list_runs(parent_id=self.run_id)
        error = None
        if reason is not None:
            final = st.CANCELED
        elif children and all(c.status == st.FAILED for c in children):
            final = st.FAILED
            first = (children[0].error or {}).get("error", {}).get("message", "")
            error = error_dict("AllChildRunsFailed", f"All {len(children)} child runs failed. The first error:\n{first}")
        else:
            final = st.COMPLETED
        if self._best is not None:
            value, best_id = self._best
            self.store.apply_events([{
                "op": "metric", "run": self.run_id, "name": "best_child_by_primary_metric", "kind": "row",
                "value": {"run_id": best_id, "metric_value": value, "final": True}, "step": None, "t": time.time(),
            }])
            self.store.add_properties(self.run_id, {"score": value, "best_child_run_id": best_id, "best_metric_status": "Succeeded"})
        self._log.write("CONTROLLER", f"Experiment was 'ExperimentStatus.RUNNING', is 'ExperimentStatus.{'FINISHED' if final == st.COMPLETED else final.upper()}'.")
        self.store.set_status(self.run_id, final, error=error)
        return final


def _child_index(run_id: str) -> int:
    """The index n of a child run ``<sweep id>_<n>``: ties for the best value go to the earlier child,
    as in HyperDriveRun.get_best_run_by_primary_metric."""
    return int(run_id.rsplit("_", 1)[1])
