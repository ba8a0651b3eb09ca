"""The Executor contract (executors/base.py), run over every executor: local scripts, local functions, the
in-process double (executors/inline.py) and Dask (functions on a local cluster of 2 workers).

A case that cannot honour a test (the double runs no process) is left out of that test's parameters.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hdnotebook._engine import background
from hdnotebook._engine.executors.base import Executor, OutcomeStatus
from tests.contracts import contract_children
from tests.contracts.executor_cases import CONTRACT_VAR, Case, Trial, cases, make_executor, make_spec
from tests.dask_cluster import local_target, pid_alive, wait_for  # noqa: F401  (fixture)


@pytest.fixture
def executor(case: Case, request: pytest.FixtureRequest) -> Iterator[Executor]:
    """A started executor for ``case``, closed after the test."""
    executor = make_executor(case, request)
    background.call(executor.start(), timeout=60)
    try:
        yield executor
    finally:
        background.call(executor.aclose(), timeout=60)


def group_alive(pgid: int) -> bool:
    """True while some process of process group ``pgid`` exists (zombies included)."""
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


@pytest.mark.timeout(120)
@pytest.mark.parametrize("case", cases())
def test_events_arrive_in_order_with_large_values_and_the_outcome_is_completed(case: Case, executor: Executor,
                                                                              tmp_path: Path) -> None:
    trial = Trial(executor, make_spec(case, tmp_path, behaviour="metrics", count=200))
    outcome = trial.outcome(60)
    assert outcome.status is OutcomeStatus.COMPLETED and outcome.error is None
    assert trial.metrics("step") == list(range(200))
    assert trial.metrics("large") == [contract_children.large_values()], "a record above PIPE_BUF arrives whole"
    assert trial.metrics("last") == [1]
    names = [e["name"] for e in trial.events if e.get("op") == "metric"]
    assert names.index("large") == 200 and names[-1] == "last", "metrics keep the order they were logged in"
    assert {e["run"] for e in trial.events} == {trial.spec.run_id}, "Run.get_context() is the trial's run"


@pytest.mark.timeout(120)
@pytest.mark.parametrize("case", cases())
def test_a_failing_child_ends_failed_with_its_error_text(case: Case, executor: Executor, tmp_path: Path) -> None:
    trial = Trial(executor, make_spec(case, tmp_path, behaviour="raise", count=42))
    outcome = trial.outcome(60)
    assert outcome.status is OutcomeStatus.FAILED
    assert "ValueError: contract failure 42" in outcome.error
    assert "Traceback (most recent call last)" in outcome.error
    assert trial.metrics("about_to_fail") == [1], "what the child logged before failing is kept"
    assert "ValueError: contract failure 42" in trial.log_text(), "the traceback is in the child's log"


@pytest.mark.timeout(120)
@pytest.mark.parametrize("case", cases())
def test_a_nonzero_exit_fails_and_a_zero_exit_completes(case: Case, executor: Executor, tmp_path: Path) -> None:
    failed = Trial(executor, make_spec(case, tmp_path, behaviour="exit", code=3))
    completed = Trial(executor, make_spec(case, tmp_path, behaviour="exit", code=0))
    outcome = failed.outcome(60)
    assert outcome.status is OutcomeStatus.FAILED and "3" in outcome.error
    assert completed.outcome(60).status is OutcomeStatus.COMPLETED


@pytest.mark.timeout(120)
@pytest.mark.parametrize("case", cases())
def test_stop_is_idempotent_and_ends_stopped(case: Case, executor: Executor, tmp_path: Path) -> None:
    trial = Trial(executor, make_spec(case, tmp_path, behaviour="tick", seconds=60))
    trial.wait_for_metric("tick", 60)
    pid, pgid = trial.metrics("pid")[0], trial.metrics("pgid")[0]
    background.call(_stop_twice_at_once(trial), timeout=60)
    trial.stop(grace=1.0, timeout=30)  # a third time, after the end
    assert trial.outcome(5).status is OutcomeStatus.STOPPED
    ticks = len(trial.metrics("tick"))
    if case.processes:
        assert not pid_alive(pid), "the child process is gone when stop() returns"
        wait_for(lambda: not group_alive(pgid), 5)  # the guard reaps its session's last zombies as it exits
    else:
        time.sleep(3 * contract_children.TICK_SECONDS)
    assert len(trial.metrics("tick")) == ticks, "no event is delivered after the outcome"


async def _stop_twice_at_once(trial: Trial) -> None:
    await asyncio.gather(trial.handle.stop(1.0), trial.handle.stop(1.0))


@pytest.mark.timeout(120)
@pytest.mark.parametrize("case", cases())
def test_stop_of_a_child_that_never_logs_again_is_bounded_by_the_grace(case: Case, executor: Executor,
                                                                       tmp_path: Path) -> None:
    """A real child is killed in its sleep; the double abandons its thread after ``grace``: either way the trial
    ends Stopped within the grace plus the executor's answer time."""
    trial = Trial(executor, make_spec(case, tmp_path, behaviour="sleep", seconds=60))
    trial.wait_for_metric("pid", 60)
    trial.stop(grace=0.5, timeout=15)
    assert trial.outcome(1).status is OutcomeStatus.STOPPED
    assert trial.metrics("woke") == []


@pytest.mark.timeout(120)
@pytest.mark.parametrize("case", cases())
def test_stop_after_the_end_keeps_the_outcome(case: Case, executor: Executor, tmp_path: Path) -> None:
    trial = Trial(executor, make_spec(case, tmp_path, behaviour="metrics", count=1))
    assert trial.outcome(60).status is OutcomeStatus.COMPLETED
    trial.stop(grace=1.0, timeout=15)
    assert trial.outcome(1).status is OutcomeStatus.COMPLETED


@pytest.mark.timeout(120)
@pytest.mark.parametrize("case", cases())
def test_started_returns_once_the_child_runs_and_at_once_after_its_end(case: Case, executor: Executor,
                                                                      tmp_path: Path) -> None:
    trial = Trial(executor, make_spec(case, tmp_path, behaviour="tick", seconds=2))
    trial.started(60)
    trial.wait_for_metric("tick", 30)
    assert trial.outcome(60).status is OutcomeStatus.COMPLETED
    trial.started(1)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("case", cases(processes=True))
def test_the_child_gets_its_environment_and_its_output_goes_to_the_log(case: Case, executor: Executor,
                                                                       tmp_path: Path) -> None:
    trial = Trial(executor, make_spec(case, tmp_path, behaviour="environment"))
    assert trial.outcome(60).status is OutcomeStatus.COMPLETED
    assert trial.metrics("var") == [CONTRACT_VAR]
    log = trial.log_text()
    assert "contract stdout line" in log and "contract stderr line" in log


@pytest.mark.timeout(120)
@pytest.mark.parametrize("case", cases(own_cwd=True))
def test_the_child_runs_in_its_working_folder(case: Case, executor: Executor, tmp_path: Path) -> None:
    spec = make_spec(case, tmp_path, behaviour="environment")
    trial = Trial(executor, spec)
    assert trial.outcome(60).status is OutcomeStatus.COMPLETED
    assert [os.path.realpath(p) for p in trial.metrics("cwd")] == [os.path.realpath(spec.cwd)]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("case", cases(processes=True))
def test_a_child_killed_by_a_signal_ends_failed(case: Case, executor: Executor, tmp_path: Path) -> None:
    trial = Trial(executor, make_spec(case, tmp_path, behaviour="signal"))
    outcome = trial.outcome(60)
    pid = trial.metrics("pid")[0]
    assert outcome.status is OutcomeStatus.FAILED
    assert "killed by signal SIGKILL" in outcome.error, "the outcome names the signal"
    assert not pid_alive(pid)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("case", cases())
def test_aclose_stops_every_running_trial(case: Case, executor: Executor, tmp_path: Path) -> None:
    trials = [Trial(executor, make_spec(case, tmp_path, behaviour="tick", seconds=60)) for _ in range(2)]
    pids = [trial.wait_for_metric("pid", 60) for trial in trials]
    background.call(executor.aclose(), timeout=60)
    assert [trial.outcome(5).status for trial in trials] == [OutcomeStatus.STOPPED] * 2
    if case.processes:
        assert not any(pid_alive(pid) for pid in pids)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("case", cases())
def test_stop_right_after_submit_ends_stopped(case: Case, executor: Executor, tmp_path: Path) -> None:
    trial = Trial(executor, make_spec(case, tmp_path, behaviour="tick", seconds=60))
    trial.stop(grace=1.0, timeout=30)
    assert trial.outcome(5).status is OutcomeStatus.STOPPED, "stopped at once, not after the child's minute"


@pytest.mark.timeout(120)
@pytest.mark.parametrize("case", cases())
def test_each_trial_gets_only_its_own_events(case: Case, executor: Executor, tmp_path: Path) -> None:
    """Two trials at once, then a third (a function worker is reused): no event reaches another trial's callback."""
    first, second = (Trial(executor, make_spec(case, tmp_path, behaviour="metrics", count=n)) for n in (30, 40))
    assert [first.outcome(60).status, second.outcome(60).status] == [OutcomeStatus.COMPLETED] * 2
    third = Trial(executor, make_spec(case, tmp_path, behaviour="metrics", count=50))
    assert third.outcome(60).status is OutcomeStatus.COMPLETED
    for trial, count in ((first, 30), (second, 40), (third, 50)):
        assert {e["run"] for e in trial.events} == {trial.spec.run_id}
        assert trial.metrics("step") == list(range(count))
