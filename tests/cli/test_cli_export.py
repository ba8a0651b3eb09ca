"""``hdnotebook export RUN_ID --csv FILE`` run for real against a workspace holding a real finished sweep: the CSV is
the sweep's ``to_dataframe()`` (a child's ``metrics_dataframe()``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from hdnotebook import Workspace
from tests.cli.test_cli import cli, finished  # noqa: F401  (finished is a fixture)


@pytest.mark.timeout(120)
def test_export_writes_the_sweeps_dataframe_as_csv(finished, tmp_path: Path) -> None:  # noqa: F811
    ws, sweep = finished
    target = tmp_path / "out" / "sweep.csv"
    target.parent.mkdir()
    done = cli("export", sweep, "--csv", str(target), cwd=ws)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"Wrote 3 rows to {target}\n"
    exported = pd.read_csv(target)
    expected = Workspace(ws).get_run(sweep).to_dataframe()
    assert list(exported.columns) == list(expected.columns)
    assert list(exported["run_id"]) == [f"{sweep}_0", f"{sweep}_1", f"{sweep}_2"]
    assert list(exported["x"]) == [0, 1, 3] and list(exported["score"]) == [-1, 0, -4]
    assert list(exported["status"]) == ["Completed"] * 3
    assert [p.name for p in target.parent.iterdir()] == ["sweep.csv"], "no temporary file left"

    stdout = cli("export", sweep, "--csv", "-", "--all-metrics", cwd=ws).stdout
    assert stdout.splitlines()[0].startswith("run_id,")
    assert "pid_max" in stdout.splitlines()[0], "--all-metrics adds the other metrics"
    assert len(stdout.splitlines()) == 4


@pytest.mark.timeout(120)
def test_export_of_a_child_run_gives_its_metrics(finished, tmp_path: Path) -> None:  # noqa: F811
    ws, sweep = finished
    done = cli("export", f"{sweep}_2", "--csv", str(tmp_path / "child.csv"), cwd=ws)
    assert done.returncode == 0, done.stderr
    rows = pd.read_csv(tmp_path / "child.csv")
    assert list(rows.loc[rows["name"] == "score", "value"]) == [-4, -4, -4]


@pytest.mark.timeout(120)
def test_export_errors_name_the_id_or_the_path(finished, tmp_path: Path) -> None:  # noqa: F811
    ws, sweep = finished
    done = cli("export", "HD_nope", "--csv", str(tmp_path / "x.csv"), cwd=ws)
    assert (done.returncode, done.stderr) == (2, f"hdnotebook: error: no run with id 'HD_nope' in workspace {ws}\n")
    missing = tmp_path / "no" / "x.csv"
    done = cli("export", sweep, "--csv", str(missing), cwd=ws)
    assert done.returncode == 2 and f"the folder {missing.parent} does not exist" in done.stderr
    done = cli("export", f"{sweep}_0", "--csv", str(tmp_path / "x.csv"), "--all-metrics", cwd=ws)
    assert done.returncode == 2 and "--all-metrics applies to a sweep" in done.stderr
    assert not (tmp_path / "x.csv").exists()
