"""The command line, run for real as ``python -m hdnotebook`` (and through its console-script entry point) against a
workspace holding a real finished sweep; ``cancel`` stops a sweep that another process drives."""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

import pytest

from hdnotebook import Workspace
from tests.conftest import PYTHON, REPO, python_env
from tests.runs.test_persistence import DRIVER


def cli(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "-m", "hdnotebook", *args], capture_output=True, text=True, cwd=cwd,
                          env=python_env(), timeout=timeout)


def _driver(tmp_path: Path, kind: str) -> subprocess.Popen:
    script = tmp_path / "driver.py"
    script.write_text(DRIVER)
    return subprocess.Popen([PYTHON, str(script), str(tmp_path / "ws"), kind], stdout=subprocess.PIPE, text=True,
                            env=python_env(), cwd=REPO)


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A workspace with a finished sweep (children x = 0, 1, 3 logging score = -(x-1)^2) and its id."""
    tmp_path = tmp_path_factory.mktemp("cli")
    proc = _driver(tmp_path, "finish")
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0
    return tmp_path / "ws", out.split()[0]


@pytest.mark.timeout(120)
def test_list_finds_the_nearest_workspace_from_a_subfolder(finished) -> None:
    ws, sweep = finished
    deeper = ws / "src" / "deeper"
    deeper.mkdir(parents=True, exist_ok=True)
    done = cli("list", cwd=deeper)
    assert done.returncode == 0, done.stderr
    header, row = done.stdout.splitlines()
    assert header.split() == ["RUN", "ID", "EXPERIMENT", "TYPE", "STATUS", "DONE", "BEST", "AGE"]
    assert re.fullmatch(rf"{sweep}\s+persist\s+sweep\s+Completed\s+3/3\s+score 0\s+\d+[smhd]", row), row
    done = cli("list", "--children", cwd=deeper)
    lines = done.stdout.splitlines()[1:]
    assert [line.split()[0] for line in lines] == [sweep, f"{sweep}_0", f"{sweep}_1", f"{sweep}_2"]
    assert [line.split()[5:7] for line in lines[1:]] == [["score", "-1"], ["score", "0"], ["score", "-4"]]


@pytest.mark.timeout(120)
def test_the_workspace_option_goes_before_or_after_the_command(finished, tmp_path: Path) -> None:
    ws, sweep = finished
    for args in (["--workspace", str(ws), "list"], ["list", "--workspace", str(ws / ".hdnotebook")]):
        done = cli(*args, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert sweep in done.stdout
    assert "no experiment named 'other'" in cli("list", "--experiment", "other", cwd=ws).stderr


@pytest.mark.timeout(120)
def test_show_gives_the_header_summary_and_the_best_runs(finished) -> None:
    ws, sweep = finished
    done = cli("show", sweep, cwd=ws)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"Sweep {sweep}: Completed (experiment persist)"
    assert lines[1] == "GRID sampling · policy Default · 3/3 runs · up to 3 at once"
    assert re.fullmatch(rf"Elapsed 0:00:\d\d · Best score 0 \(run 1, {sweep}_1\) · Time left none", lines[2]), lines[2]
    assert lines[3] == "Runs: Completed 3"
    assert lines[5] == "Best 3 of 3 runs by score (maximize):"
    assert lines[6].split() == ["RUN", "RUN", "ID", "STATUS", "BEST", "score", "DURATION", "x"]
    assert [line.split()[:4] for line in lines[7:]] == [["1", f"{sweep}_1", "Completed", "0"],
                                                        ["0", f"{sweep}_0", "Completed", "-1"],
                                                        ["2", f"{sweep}_2", "Completed", "-4"]]
    assert [line.split()[-1] for line in lines[7:]] == ["1", "0", "3"]
    assert len(cli("show", sweep, "--top", "1", cwd=ws).stdout.splitlines()) == 8
    child = cli("show", f"{sweep}_2", cwd=ws).stdout.splitlines()
    assert child[0] == f"Run {sweep}_2: Completed (experiment persist, type hdnotebook.function, child of {sweep})"
    assert child[2] == "Arguments: x=3"
    assert re.search(r"^score\s+-4\.0\s+3$", "\n".join(child), re.M)


@pytest.mark.timeout(120)
def test_unknown_ids_and_missing_workspaces_are_clear_errors(finished, tmp_path: Path) -> None:
    ws, _ = finished
    for command in ("show", "cancel"):
        done = cli(command, "HD_nope", cwd=ws)
        assert done.returncode == 2
        assert done.stderr == f"hdnotebook: error: no run with id 'HD_nope' in workspace {ws}\n"
    empty = tmp_path / "empty"
    empty.mkdir()
    done = cli("list", cwd=empty)
    assert done.returncode == 2
    assert done.stderr.startswith(f"hdnotebook: error: no hdnotebook workspace in {empty} or a folder above it")
    done = cli("show", "HD_x", "--workspace", str(empty), cwd=ws)
    assert done.returncode == 2
    assert done.stderr.startswith(f"hdnotebook: error: --workspace '{empty}': no hdnotebook workspace there")
    assert list(empty.iterdir()) == [], "no workspace was created"
    done = cli("show", cwd=ws)
    assert done.returncode == 2 and "the following arguments are required: RUN_ID" in done.stderr
    done = cli("show", "x", "--top", "0", cwd=ws)
    assert done.returncode == 2 and "--top: expects an int >= 1, got 0" in done.stderr
    damaged = tmp_path / "damaged"
    (damaged / ".hdnotebook").mkdir(parents=True)
    (damaged / ".hdnotebook" / "store.sqlite").write_bytes(os.urandom(64 * 1024))
    done = cli("list", cwd=damaged)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith("hdnotebook: error: ") and str(damaged / ".hdnotebook" / "store.sqlite") in done.stderr


@pytest.mark.timeout(120)
def test_cancel_stops_a_sweep_driven_by_another_process(tmp_path: Path) -> None:
    proc = _driver(tmp_path, "kill")  # a sweep of one 60 s child, driven by that process
    try:
        sweep = proc.stdout.readline().strip()
        assert proc.stdout.readline().strip() == "started"
        started = time.monotonic()
        done = cli("cancel", sweep, cwd=tmp_path / "ws")
        assert done.returncode == 0, done.stderr
        assert done.stdout == f"{sweep}: Canceled\n"
        assert time.monotonic() - started < 30
        run = Workspace(tmp_path / "ws").get_run(sweep)
        assert run.get_status() == "Canceled"
        assert [c.get_status() for c in run.get_children()] == ["Canceled"]
        assert proc.poll() is None, "the driving process stopped the sweep itself; it was not killed"
        again = cli("cancel", sweep, cwd=tmp_path / "ws")
        assert (again.returncode, again.stdout) == (0, f"{sweep} already ended: Canceled; nothing to cancel\n")
    finally:
        proc.kill()
        proc.communicate(timeout=10)  # communicate: also closes its pipes


@pytest.mark.timeout(120)
def test_the_console_script_runs_the_same_command_line(finished) -> None:
    ws, sweep = finished
    section = re.search(r"^\[project\.scripts\]\n(.*?)(?:^\[|\Z)", (REPO / "pyproject.toml").read_text(), re.M | re.S)
    assert section, "pyproject.toml has a [project.scripts] table"  # tomllib would need Python 3.11
    scripts = dict(re.findall(r'^(\S+) = "(.+)"$', section.group(1), re.M))
    assert scripts == {"hdnotebook": "hdnotebook.cli:main"}
    # what the script pip generates from that entry does: load the entry point, call it, exit with its result
    launcher = ("import sys; from importlib.metadata import EntryPoint; sys.argv[0] = 'hdnotebook'; "
                "sys.exit(EntryPoint('hdnotebook', sys.argv.pop(1), 'console_scripts').load()())")
    done = subprocess.run([PYTHON, "-c", launcher, scripts["hdnotebook"], "list"], capture_output=True, text=True,
                          cwd=ws, env=python_env(), timeout=60)
    assert done.returncode == 0, done.stderr
    without_age = lambda out: [line.split()[:-1] for line in out.splitlines()]  # noqa: E731 (the age may tick)
    assert without_age(done.stdout) == without_age(cli("list", cwd=ws).stdout) and sweep in done.stdout
    done = subprocess.run([PYTHON, "-c", launcher, scripts["hdnotebook"], "show", "HD_nope"], capture_output=True,
                          text=True, cwd=ws, env=python_env(), timeout=60)
    assert done.returncode == 2 and done.stderr.startswith("hdnotebook: error: no run with id 'HD_nope'")
