"""Large multi-writer logs: every value whose log() returned arrives, whatever its size and however many
processes of one child (os.fork, multiprocessing, subprocess children that inherit the channel) log at once.

Writes above PIPE_BUF (4096 bytes) from several processes used to interleave on the child's pipe and the
reader dropped the mangled lines, silently. Each writer logs under its own metric name, so per-writer order
is checked too. The channel's reader must also report what it cannot decode in the child's log.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hdnotebook import (
    DaskComputeTarget,
    Experiment,
    GridParameterSampling,
    HyperDriveConfig,
    Run,
    ScriptRunConfig,
    choice,
)
from hdnotebook._engine.channel import PIPE_BUF, LineDecoder, encode, frames
from tests.dask_cluster import local_target  # noqa: F401  (fixture)

BIG = 20_000
COUNT = 40
MIXED_SIZES = (20, 150, 4_000, 4_096, 20_000, 120_000, 30, 300_000) * 3  # around PIPE_BUF, far above it, small in between

WRITERS = """
import json, os, sys
from hdnotebook import Run


def value(writer, i, size):
    head = f"{writer}:{i}:"
    return head + "x" * (size - len(head))


def write(writer, sizes):
    run = Run.get_context()
    for i, size in enumerate(sizes):
        run.log(writer, value(writer, i, size))


if __name__ == "__main__":  # a subprocess that inherited the channel: writers.py NAME SIZES-AS-JSON
    write(sys.argv[1], json.loads(sys.argv[2]))
"""

TRAIN = """
import argparse, json, multiprocessing, os, subprocess, sys, threading
from hdnotebook import Run
from writers import write

SIZES = {"big": [BIG] * COUNT, "mixed": list(MIXED_SIZES)}


def main(sizes, others):
    pids = []
    for k in range(2):
        pid = os.fork()
        if pid == 0:
            write(f"fork{k}", sizes)
            os._exit(0)
        pids.append(pid)
    procs = [multiprocessing.get_context("fork").Process(target=write, args=(f"mp{k}", sizes)) for k in range(2)]
    for p in procs:
        p.start()
    sub = thread = None
    if others:
        fd = int(os.environ["HDNOTEBOOK_EVENTS_FD"])
        sub = subprocess.Popen([sys.executable, "writers.py", "sub", json.dumps(sizes)], pass_fds=(fd,))
        thread = threading.Thread(target=write, args=("thread", sizes))
        thread.start()
    write("main", sizes)
    for pid in pids:
        assert os.waitpid(pid, 0)[1] == 0
    for p in procs:
        p.join()
        assert p.exitcode == 0
    if others:
        assert sub.wait() == 0
        thread.join()
    Run.get_context().log("done", 1)


parser = argparse.ArgumentParser()
parser.add_argument("--sizes", default="big")
args = parser.parse_args()
main(SIZES[args.sizes], others=args.sizes == "mixed")
"""


def expected(writer: str, sizes) -> list[str]:
    """The values ``writer`` logged, in order."""
    return [f"{writer}:{i}:" + "x" * (size - len(f"{writer}:{i}:")) for i, size in enumerate(sizes)]


def script_source(write_script) -> Path:
    write_script(WRITERS, "writers.py")
    return write_script(f"BIG = {BIG}\nCOUNT = {COUNT}\nMIXED_SIZES = {MIXED_SIZES!r}\n" + TRAIN)


def single(run_config, sizes: str, target=None) -> HyperDriveConfig:
    """One child that logs values of ``sizes`` ("big" or "mixed") from several processes."""
    return HyperDriveConfig(run_config=run_config, hyperparameter_sampling=GridParameterSampling({"--sizes": choice(sizes)}),
                            primary_metric_name="done", primary_metric_goal="maximize", max_total_runs=1, compute_target=target)


def child_log(child: Run) -> str:
    return Path(child.get_details()["logFiles"]["user_logs/std_log.txt"]).read_text()


def assert_all_arrived(run, writers, sizes) -> None:
    """The sweep completed, and its one child holds every value of every writer, in order, with nothing dropped."""
    assert run.wait_for_completion()["status"] == "Completed"
    (child,) = run.get_children()
    metrics = child.get_metrics()
    assert metrics["done"] == 1
    for writer in writers:
        got = metrics.get(writer, [])
        got = got if isinstance(got, list) else [got]
        assert len(got) == len(sizes), f"{writer}: {len(got)} of {len(sizes)} values arrived"
        assert got == expected(writer, sizes), f"{writer}: values differ or arrived out of order"
    assert "dropped" not in child_log(child)


@pytest.mark.timeout(120)
def test_four_forked_processes_of_a_script_child_each_log_forty_20kb_values(experiment: Experiment, write_script) -> None:
    run = experiment.submit(single(ScriptRunConfig(str(script_source(write_script)), "train.py"), "big"))
    assert_all_arrived(run, ["fork0", "fork1", "mp0", "mp1", "main"], [BIG] * COUNT)


@pytest.mark.timeout(120)
def test_small_and_large_values_from_forks_a_thread_and_a_subprocess_arrive_in_order(experiment: Experiment,
                                                                                     write_script) -> None:
    run = experiment.submit(single(ScriptRunConfig(str(script_source(write_script)), "train.py"), "mixed"))
    assert_all_arrived(run, ["fork0", "fork1", "mp0", "mp1", "main", "thread", "sub"], MIXED_SIZES)


def forking_function(sizes: str) -> None:
    """A function child: two os.fork and two multiprocessing processes log beside the function itself."""
    import multiprocessing

    values = [BIG] * COUNT if sizes == "big" else list(MIXED_SIZES)

    def write(writer: str) -> None:
        run = Run.get_context()
        for value in expected(writer, values):
            run.log(writer, value)

    pids = []
    for k in range(2):
        pid = os.fork()
        if pid == 0:
            try:
                write(f"fork{k}")
            finally:
                os._exit(0)
        pids.append(pid)
    procs = [multiprocessing.get_context("fork").Process(target=write, args=(f"mp{k}",)) for k in range(2)]
    for p in procs:
        p.start()
    write("main")
    for pid in pids:
        os.waitpid(pid, 0)
    for p in procs:
        p.join()
    Run.get_context().log("done", 1)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("sizes", ["big", "mixed"])
def test_processes_forked_by_a_function_child_lose_nothing(experiment: Experiment, sizes: str) -> None:
    run = experiment.submit(single(forking_function, sizes))
    assert_all_arrived(run, ["fork0", "fork1", "mp0", "mp1", "main"], [BIG] * COUNT if sizes == "big" else MIXED_SIZES)


@pytest.mark.timeout(180)
def test_a_script_child_on_a_dask_worker_loses_nothing(experiment: Experiment, write_script,
                                                       local_target: DaskComputeTarget) -> None:  # noqa: F811
    run = experiment.submit(single(ScriptRunConfig(str(script_source(write_script)), "train.py"), "mixed", local_target))
    assert_all_arrived(run, ["fork0", "fork1", "mp0", "mp1", "main", "thread", "sub"], MIXED_SIZES)


DAMAGED = r"""
import os
from hdnotebook import Run
from hdnotebook._engine.channel import encode, frames

run = Run.get_context()
fd = int(os.environ["HDNOTEBOOK_EVENTS_FD"])
run.log("before", 1)
os.write(fd, b"not json\n")
pid = os.fork()
if pid == 0:  # a process that dies after the first part of a large record
    os.write(fd, frames(encode({"op": "metric", "run": "x", "name": "lost", "value": "y" * 10000}), os.getpid())[0])
    os._exit(0)
os.waitpid(pid, 0)
run.log("after", "z" * 10000)
run.log("done", 1)
"""


@pytest.mark.timeout(120)
def test_a_malformed_line_and_an_unfinished_record_are_counted_and_reported_in_the_child_log(experiment: Experiment,
                                                                                             write_script) -> None:
    run = experiment.submit(single(ScriptRunConfig(str(write_script(DAMAGED)), "train.py"), "big"))
    assert run.wait_for_completion()["status"] == "Completed"
    (child,) = run.get_children()
    assert child.get_metrics() == {"before": 1, "after": "z" * 10000, "done": 1}
    log = child_log(child)
    assert "hdnotebook: dropped a record that is not a JSON object (8 bytes, starting b'not json') from the child's " \
           "events pipe (1 dropped so far)" in log
    assert "without its first part" not in log
    assert "hdnotebook: dropped an unfinished record of process" in log
    assert "(1 of 3 parts arrived: the process stopped while writing it, before its log() returned)" in log
    assert "(2 dropped so far)" in log


def test_decoder_joins_interleaved_frames_and_reports_a_record_cut_short() -> None:
    batches: list[list[dict]] = []
    reports: list[str] = []
    decoder = LineDecoder(batches.append, reports.append)
    a = frames(encode({"op": "metric", "v": "a" * 3 * PIPE_BUF}), 11)
    b = frames(encode({"op": "metric", "v": "b" * 2 * PIPE_BUF}), 22)
    assert len(a) == 4 and len(b) == 3 and all(len(f) <= PIPE_BUF for f in a + b)
    small = encode({"op": "metric", "v": 1})
    # pid 11 starts a second record before the first one ended (the first was cut short), pid 22 skips a part
    stream = [a[0], b[0], small, a[1], b[1], b[2], a[2]] + [a[0], a[1], a[2], a[3]] + [b[0], b[2]]
    decoder.feed(b"".join(stream)[:-5])
    decoder.feed(b"".join(stream)[-5:] + b"#33 1 2 x\n")
    decoder.close()
    events = [e for batch in batches for e in batch]
    assert [e["v"][:1] if isinstance(e["v"], str) else e["v"] for e in events] == [1, "b", "a"]
    assert events[1]["v"] == "b" * 2 * PIPE_BUF and events[2]["v"] == "a" * 3 * PIPE_BUF
    assert decoder.dropped == 4
    assert "an unfinished record of process 11 (3 of 4 parts arrived" in reports[0]
    assert "an unfinished record of process 22 (1 of 3 parts arrived" in reports[1]
    assert "part 3 of 3 of a record of process 22 without its first part" in reports[2]
    assert "part 2 of 2 of a record of process 33 without its first part" in reports[3]
    assert reports[3].endswith("(4 dropped so far)")


SPAWNED = r"""
import multiprocessing
from hdnotebook import Run


def spawned(queue):
    try:
        Run.get_context().log("spawned", 1)
        queue.put("logged")
    except Exception as exc:
        queue.put(f"{type(exc).__name__} {getattr(exc, 'error_code', '')}: {exc}")


if __name__ == "__main__":
    for method in ("spawn", "forkserver"):
        context = multiprocessing.get_context(method)
        queue = context.Queue()
        process = context.Process(target=spawned, args=(queue,))
        process.start()
        print(method, queue.get(timeout=60), flush=True)
        process.join()
    Run.get_context().log("done", 1)
"""


@pytest.mark.timeout(120)
def test_a_process_that_did_not_inherit_the_channel_gets_a_clear_error_from_log(experiment: Experiment, write_script) -> None:
    run = experiment.submit(single(ScriptRunConfig(str(write_script(SPAWNED)), "train.py"), "big"))
    assert run.wait_for_completion()["status"] == "Completed"
    (child,) = run.get_children()
    assert child.get_metrics() == {"done": 1}
    log = child_log(child)
    for method in ("spawn", "forkserver"):
        assert f"{method} UserErrorException ChannelNotInherited: This process (pid " in log
    assert "is not the run's events pipe here. Processes started with multiprocessing's 'spawn' or 'forkserver' method" in log
