"""Datasets and datastores: real files, a real store, a real HTTP server and real child processes."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import sqlite3
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from hdnotebook import (
    Dataset,
    DatasetConsumptionConfig,
    Datastore,
    Experiment,
    FileDataset,
    GridParameterSampling,
    HyperDriveConfig,
    ScriptRunConfig,
    TabularDataset,
    UserErrorException,
    Workspace,
    choice,
)
from hdnotebook._engine.store import Store
from hdnotebook._engine.store.schema import SCHEMA_VERSION


class _Server:
    """A local HTTP server over a folder that counts the requests per path."""

    def __init__(self, root: Path) -> None:
        self.requests: list[str] = []
        server = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs) -> None:
                super().__init__(*args, directory=str(root), **kwargs)

            def do_GET(self) -> None:
                server.requests.append(self.path)
                super().do_GET()

            def log_message(self, *args) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[_Server]:
    root = tmp_path / "web"
    (root / "mnist").mkdir(parents=True)
    (root / "mnist" / "train.gz").write_bytes(b"train-bytes")
    (root / "mnist" / "test.gz").write_bytes(b"test-bytes")
    (root / "table.csv").write_text("a;b\n1;x\n2;y\n")
    web = _Server(root)
    yield web
    web.httpd.shutdown()
    web.httpd.server_close()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    (folder / "sub").mkdir(parents=True)
    (folder / "one.txt").write_text("one")
    (folder / "sub" / "two.txt").write_text("two")
    (folder / "skip.bin").write_bytes(b"\0")
    return folder


# files ----------------------------------------------------------------------------------------


def test_from_files_of_a_folder_a_glob_a_file_and_a_list(workspace: Workspace, data: Path) -> None:
    assert Dataset.File.from_files(path=str(data)).to_path() == ["/one.txt", "/skip.bin", "/sub/two.txt"]
    assert Dataset.File.from_files(path=f"{data}/**/*.txt").to_path() == ["/one.txt", "/sub/two.txt"]
    assert Dataset.File.from_files(path=data / "sub" / "two.txt").to_path() == ["/two.txt"]
    both = Dataset.File.from_files(path=[str(data / "one.txt"), str(data / "sub")])
    assert both.to_path() == ["/one.txt", "/sub/two.txt"]
    assert isinstance(both, FileDataset) and both.name is None and both.version is None and both.id is None


def test_bad_paths_raise_naming_the_argument(workspace: Workspace, data: Path) -> None:
    with pytest.raises(UserErrorException, match=r"path: .*missing.* does not exist"):
        Dataset.File.from_files(path=str(data / "missing"))
    with pytest.raises(UserErrorException, match=r"path: .*\*\.csv.* matches no files"):
        Dataset.File.from_files(path=f"{data}/*.csv")
    with pytest.raises(UserErrorException, match="only local paths and http"):
        Dataset.File.from_files(path="ftp://example.com/x")
    with pytest.raises(UserErrorException, match="path must be a local path"):
        Dataset.File.from_files(path=42)
    with pytest.raises(UserErrorException, match="at least one"):
        Dataset.File.from_files(path=[])
    assert Dataset.File.from_files(path=str(data / "missing"), validate=False) is not None
    with pytest.raises(UserErrorException, match="as_named_input expects name"):
        Dataset.File.from_files(path=str(data)).as_named_input("1 bad")
    for url in ("http://h/a/%2e%2e/%2e%2e/etc/passwd", "http://h/a/../../etc/passwd"):
        with pytest.raises(UserErrorException, match="path: a URL's path must not hold '..' segments"):
            Dataset.File.from_files(path=[url, "http://h/b/y.csv"], validate=False).to_path()


def test_download_copies_files_and_refuses_to_overwrite(workspace: Workspace, data: Path, tmp_path: Path) -> None:
    dataset = Dataset.File.from_files(path=str(data))
    paths = dataset.download(target_path=tmp_path / "out")
    assert paths == [str(tmp_path / "out" / p) for p in ("one.txt", "skip.bin", "sub/two.txt")]
    assert (tmp_path / "out" / "sub" / "two.txt").read_text() == "two"
    with pytest.raises(UserErrorException, match="already exists; pass overwrite=True"):
        dataset.download(target_path=tmp_path / "out")
    (data / "one.txt").write_text("changed")
    dataset.download(target_path=tmp_path / "out", overwrite=True)
    assert (tmp_path / "out" / "one.txt").read_text() == "changed"
    default = dataset.download()
    assert len(default) == 3 and all(Path(p).is_file() for p in default)


def test_mount_gives_the_cached_folder_and_a_changed_file_a_new_one(workspace: Workspace, data: Path, tmp_path: Path) -> None:
    dataset = Dataset.File.from_files(path=str(data))
    with dataset.mount() as context:
        first = Path(context.mount_point)
        assert (first / "sub" / "two.txt").read_text() == "two"
    assert first.parent.parent == workspace.path / ".hdnotebook" / "cache"
    assert Path(dataset.mount().mount_point) == first, "materialised once"
    (data / "sub" / "two.txt").write_text("two, edited")
    second = Path(dataset.mount().mount_point)
    assert second != first and (second / "sub" / "two.txt").read_text() == "two, edited"
    copy = dataset.mount(mount_point=tmp_path / "mnt")
    assert (Path(copy.mount_point) / "one.txt").read_text() == "one"
    with pytest.raises(UserErrorException, match="mount_point to be an empty or new folder"):
        dataset.mount(mount_point=tmp_path / "mnt")
    empty = tmp_path / "empty"
    empty.mkdir()
    context = dataset.mount(str(empty))  # the docs' pattern: mount(tempfile.mkdtemp()), then start()
    context.start()
    assert (Path(context.mount_point) / "sub" / "two.txt").read_text() == "two, edited"


def test_urls_are_fetched_once_into_the_workspace_cache(workspace: Workspace, server: _Server, tmp_path: Path) -> None:
    urls = [f"{server.url}/mnist/train.gz", f"{server.url}/mnist/test.gz"]
    dataset = Dataset.File.from_files(path=urls)
    assert dataset.to_path() == ["/train.gz", "/test.gz"]
    assert server.requests == [], "defining a URL dataset downloads nothing"
    paths = dataset.download(target_path=tmp_path / "a")
    assert [Path(p).read_bytes() for p in paths] == [b"train-bytes", b"test-bytes"]
    dataset.download(target_path=tmp_path / "b")
    folder = Path(dataset.mount().mount_point)
    assert (folder / "train.gz").read_bytes() == b"train-bytes"
    assert sorted(server.requests) == ["/mnist/test.gz", "/mnist/train.gz"], "each URL fetched once"
    assert (workspace.path / ".hdnotebook" / "cache" / "urls").is_dir()
    with pytest.raises(UserErrorException, match=r"Could not download .*/missing.gz"):
        Dataset.File.from_files(path=f"{server.url}/missing.gz").download(target_path=tmp_path / "c")


# registration ------------------------------------------------------------------------------


def test_register_versions_get_by_name_and_id(workspace: Workspace, data: Path) -> None:
    first = Dataset.File.from_files(path=str(data)).register(workspace, "mnist-dataset", description="digits",
                                                              tags={"kind": "images"}, create_new_version=True)
    assert (first.name, first.version, first.description, first.tags) == ("mnist-dataset", 1, "digits", {"kind": "images"})
    again = Dataset.File.from_files(path=str(data)).register(workspace, "mnist-dataset")
    assert again.version == 1 and again.id == first.id, "the same definition returns the registered version"
    other = Dataset.File.from_files(path=str(data / "sub"))
    with pytest.raises(UserErrorException, match='already a dataset registered under name "mnist-dataset".*create_new_version=True'):
        other.register(workspace, "mnist-dataset")
    second = other.register(workspace, "mnist-dataset", create_new_version=True)
    assert second.version == 2 and second.id != first.id
    assert Dataset.get_by_name(workspace, "mnist-dataset").version == 2
    assert Dataset.get_by_name(workspace, "mnist-dataset", version=1).to_path() == ["/one.txt", "/skip.bin", "/sub/two.txt"]
    assert Dataset.get_by_id(workspace, first.id).version == 1
    assert {n: d.version for n, d in workspace.datasets.items()} == {"mnist-dataset": 2}
    with pytest.raises(UserErrorException, match='Cannot find dataset registered with name "nope" in the workspace'):
        Dataset.get_by_name(workspace, "nope")
    with pytest.raises(UserErrorException, match=r'name "mnist-dataset" \(version: 3\)'):
        Dataset.get_by_name(workspace, "mnist-dataset", version=3)
    with pytest.raises(UserErrorException, match='Cannot find dataset with id "x"'):
        Dataset.get_by_id(workspace, "x")
    with pytest.raises(UserErrorException, match="register expects name"):
        other.register(workspace, "")


def test_registrations_live_in_the_store_and_survive_reopening(workspace: Workspace, data: Path) -> None:
    Dataset.File.from_files(path=str(data)).register(workspace, "d")
    with contextlib.closing(sqlite3.connect(workspace.path / ".hdnotebook" / "store.sqlite")) as conn:
        rows = conn.execute("SELECT name, version, kind FROM datasets").fetchall()
    assert rows == [("d", 1, "file")]
    fresh = Store(workspace.path / ".hdnotebook")
    assert fresh.get_dataset("d").version == 1


def test_a_schema_2_store_gains_the_datasets_table(tmp_path: Path) -> None:
    folder = tmp_path / "old" / ".hdnotebook"
    Store(folder).create_run("r1", "e", "azureml.scriptrun")
    conn = sqlite3.connect(folder / "store.sqlite")
    with conn:
        conn.execute("DROP TABLE datasets")
        conn.execute("UPDATE meta SET value='2' WHERE key='schema_version'")
    conn.close()
    store = Store(folder)
    assert store.latest_datasets() == [] and store.get_run("r1") is not None
    with contextlib.closing(sqlite3.connect(folder / "store.sqlite")) as conn:
        (version,) = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    assert int(version) == SCHEMA_VERSION == 5


# tabular -----------------------------------------------------------------------------------


def test_tabular_from_delimited_files_local_and_url(workspace: Workspace, tmp_path: Path, server: _Server) -> None:
    (tmp_path / "t1.csv").write_text("x,y\n1,2\n3,4\n")
    (tmp_path / "t2.csv").write_text("x,y\n5,6\n")
    table = Dataset.Tabular.from_delimited_files(path=str(tmp_path / "t*.csv"), include_path=True)
    frame = table.to_pandas_dataframe()
    assert frame.to_dict("list") == {"Path": ["/t1.csv", "/t1.csv", "/t2.csv"], "x": [1, 3, 5], "y": [2, 4, 6]}
    assert table.take(2).to_pandas_dataframe()["x"].tolist() == [1, 3]
    remote = Dataset.Tabular.from_delimited_files(path=f"{server.url}/table.csv", separator=";", header=False)
    assert remote.to_pandas_dataframe().values.tolist() == [["a", "b"], ["1", "x"], ["2", "y"]]
    registered = remote.register(workspace, "remote-table")
    reopened = Dataset.get_by_name(workspace, "remote-table")
    assert isinstance(reopened, TabularDataset) and reopened.id == registered.id
    assert reopened.to_pandas_dataframe().shape == (3, 2)
    assert server.requests == ["/table.csv"]
    with pytest.raises(UserErrorException, match="separator"):
        Dataset.Tabular.from_delimited_files(path=str(tmp_path / "t1.csv"), separator="")
    with pytest.raises(UserErrorException, match="only supported for FileDataset"):
        table.as_named_input("t").as_mount()


# datastores --------------------------------------------------------------------------------


def test_datastore_upload_path_and_get(workspace: Workspace, data: Path, capsys) -> None:
    store = workspace.get_default_datastore()
    assert store.name == "workspaceblobstore" and Datastore.get(workspace, "workspaceblobstore") == store
    reference = store.upload(src_dir=str(data), target_path="mnist", overwrite=False, show_progress=True)
    assert (store.root / "mnist" / "sub" / "two.txt").read_text() == "two"
    assert store.root == workspace.path / ".hdnotebook" / "datastores" / "workspaceblobstore"
    (data / "one.txt").write_text("new")
    store.upload(src_dir=str(data), target_path="mnist", overwrite=False, show_progress=True)
    assert "Target already exists. Skipping upload for mnist/one.txt" in capsys.readouterr().out
    assert (store.root / "mnist" / "one.txt").read_text() == "one"
    store.upload(src_dir=str(data), target_path="mnist", overwrite=True, show_progress=False)
    assert (store.root / "mnist" / "one.txt").read_text() == "new"
    assert Dataset.File.from_files(path=(store, "mnist/sub")).to_path() == ["/two.txt"]
    assert Dataset.File.from_files(path=[(store, "mnist/*.txt")]).to_path() == ["/one.txt"]
    assert Dataset.File.from_files(path=reference).to_path() == ["/one.txt", "/skip.bin", "/sub/two.txt"]
    registered = Dataset.File.from_files(path=store.path("mnist")).register(workspace, "from-store")
    assert Dataset.get_by_name(workspace, "from-store").to_path() == registered.to_path()
    with pytest.raises(UserErrorException, match="Datastore 'other' was not found"):
        Datastore.get(workspace, "other")
    with pytest.raises(UserErrorException, match="target_path must stay inside"):
        store.upload(src_dir=str(data), target_path="../out")
    with pytest.raises(UserErrorException, match="src_dir to be an existing folder"):
        store.upload(src_dir=str(data / "none"))
    assert set(workspace.datastores) == {"workspaceblobstore"}


# consumption in runs -------------------------------------------------------------------------

READER = """
import argparse, os
from hdnotebook import Run
p = argparse.ArgumentParser()
p.add_argument("--data-folder")
p.add_argument("--lr", type=float)
a = p.parse_args()
run = Run.get_context()
files = sorted(os.path.relpath(os.path.join(d, f), a.data_folder) for d, _, fs in os.walk(a.data_folder) for f in fs)
run.log("files", ",".join(files))
run.log("folder", a.data_folder)
run.log("named", str(run.input_datasets.get("mnist")))
run.log("accuracy", a.lr)
"""


def test_sweep_of_scripts_gets_the_dataset_folder_and_named_input(experiment: Experiment, data: Path, write_script,
                                                                 server: _Server) -> None:
    src = write_script(READER)
    dataset = Dataset.File.from_files(path=[f"{server.url}/mnist/train.gz", f"{server.url}/mnist/test.gz"])
    dataset = dataset.register(experiment.workspace, "mnist-dataset", create_new_version=True)
    consumption = Dataset.get_by_name(experiment.workspace, "mnist-dataset").as_named_input("mnist").as_mount()
    assert isinstance(consumption, DatasetConsumptionConfig) and consumption.mode == "mount"
    config = HyperDriveConfig(
        run_config=ScriptRunConfig(str(src), "train.py", arguments=["--data-folder", consumption]),
        hyperparameter_sampling=GridParameterSampling({"--lr": choice(0.1, 0.2, 0.3)}),
        primary_metric_name="accuracy", primary_metric_goal="maximize", max_total_runs=3, max_concurrent_runs=3)
    run = experiment.submit(config)
    assert run.wait_for_completion()["status"] == "Completed"
    assert run.hyperdrive_config is config and config.run_config.arguments[1] is consumption, "the user's config is untouched"
    children = run.get_children()
    metrics = [c.get_metrics() for c in children]
    assert [m["files"] for m in metrics] == ["test.gz,train.gz"] * 3
    folders = {m["folder"] for m in metrics}
    assert len(folders) == 1, "every child gets the same folder"
    folder = Path(folders.pop())
    assert folder.parent == experiment.workspace.path / ".hdnotebook" / "cache" / "datasets"
    assert sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) == \
        sorted(p.lstrip("/") for p in dataset.to_path())
    assert [m["named"] for m in metrics] == [str(folder)] * 3
    assert children[0].input_datasets == {"mnist": str(folder)}
    assert children[0].get_details()["runDefinition"]["arguments"][:2] == ["--data-folder", str(folder)]
    assert sorted(server.requests) == ["/mnist/test.gz", "/mnist/train.gz"], "fetched once for the whole sweep"


def test_single_script_run_with_as_download(experiment: Experiment, data: Path, write_script) -> None:
    src = write_script(READER)
    dataset = Dataset.File.from_files(path=f"{data}/**/*.txt")
    run = experiment.submit(ScriptRunConfig(str(src), "train.py", arguments=["--data-folder", dataset.as_download(), "--lr", 1]))
    assert run.wait_for_completion()["status"] == "Completed"
    metrics = run.get_metrics()
    assert metrics["files"] == "one.txt,sub/two.txt"
    (name, folder), = run.input_datasets.items()
    assert name.startswith("input_") and folder == metrics["folder"]
    assert metrics["named"] == "None"


def test_function_children_get_the_folder_and_input_datasets(experiment: Experiment, data: Path) -> None:
    namespace: dict = {"__name__": "__main__"}
    exec(textwrap.dedent("""
        import os
        from hdnotebook import Run
        def train(data_folder, k):
            run = Run.get_context()
            run.log("text", open(os.path.join(data_folder, "sub", "two.txt")).read())
            run.log("named", run.input_datasets["mnist"])
            run.log("folder", data_folder)
            run.log("score", k)
    """), namespace)
    dataset = Dataset.File.from_files(path=str(data))
    fn = functools.partial(namespace["train"], data_folder=dataset.as_named_input("mnist").as_mount())
    config = HyperDriveConfig(run_config=fn, hyperparameter_sampling=GridParameterSampling({"k": choice(1, 2)}),
                              primary_metric_name="score", primary_metric_goal="maximize", max_total_runs=2,
                              max_concurrent_runs=2)
    run = experiment.submit(config)
    assert run.wait_for_completion()["status"] == "Completed"
    metrics = list(run.get_metrics().values())
    assert [m["text"] for m in metrics] == ["two", "two"]
    assert metrics[0]["named"] == metrics[0]["folder"] == metrics[1]["folder"]
    assert Path(metrics[0]["folder"]).parent == experiment.workspace.path / ".hdnotebook" / "cache" / "datasets"


def test_tabular_named_input_reaches_a_script_as_the_dataset(experiment: Experiment, tmp_path: Path, write_script) -> None:
    (tmp_path / "t.csv").write_text("x,y\n1,2\n3,4\n")
    table = Dataset.Tabular.from_delimited_files(path=str(tmp_path / "t.csv")).register(experiment.workspace, "tab")
    src = write_script("""
        import sys
        from hdnotebook import Dataset, Run
        run = Run.get_context()
        frame = run.input_datasets["tab"].to_pandas_dataframe()
        run.log("sum", int(frame["x"].sum()))
        run.log("same", Dataset.get_by_id(run.experiment.workspace, sys.argv[2]).name)
    """)
    run = experiment.submit(ScriptRunConfig(str(src), "train.py", arguments=["--input", table.as_named_input("tab")]))
    assert run.wait_for_completion()["status"] == "Completed"
    assert run.get_metrics() == {"sum": 4, "same": "tab"}
    # an unregistered TabularDataset is accepted (tests/runs/test_sdk_run_calls.py)


def test_a_dask_target_with_a_dataset_input_fails_at_submit(experiment: Experiment, data: Path, write_script) -> None:
    pytest.importorskip("distributed")
    src = write_script(READER)
    dataset = Dataset.File.from_files(path=str(data))
    config = HyperDriveConfig(
        run_config=ScriptRunConfig(str(src), "train.py", arguments=["--data-folder", dataset.as_mount()]),
        hyperparameter_sampling=GridParameterSampling({"--lr": choice(0.1)}), primary_metric_name="accuracy",
        primary_metric_goal="maximize", max_total_runs=1, compute_target="tcp://127.0.0.1:1")
    with pytest.raises(UserErrorException, match="cannot run on a Dask compute target"):
        experiment.submit(config)
    assert experiment.get_runs() == []
    assert not (experiment.workspace.path / ".hdnotebook" / "cache").exists(), "nothing materialised"


def test_imports_mirror_azure(workspace: Workspace) -> None:
    import hdnotebook.data
    import hdnotebook.dataset
    import hdnotebook.datastore

    assert hdnotebook.dataset.Dataset is Dataset and hdnotebook.datastore.Datastore is Datastore
    assert hdnotebook.data.FileDataset is FileDataset and hdnotebook.data.TabularDataset is TabularDataset
    assert os.fspath(workspace.get_default_datastore().root).endswith("workspaceblobstore")


def test_the_tensorflow_sample_flow_runs_as_written(experiment: Experiment, write_script, server: _Server) -> None:
    """The cells of Azure's TensorFlow warm-start sample, with only the imports changed."""
    ws = experiment.workspace
    web_paths = [f"{server.url}/mnist/train.gz", f"{server.url}/mnist/test.gz"]
    dataset = Dataset.File.from_files(path=web_paths)
    dataset_registered = False
    try:
        Dataset.get_by_name(workspace=ws, name="mnist-dataset")
        dataset_registered = True
    except UserErrorException:
        pass
    if not dataset_registered:
        dataset = dataset.register(workspace=ws, name="mnist-dataset", description="training and test dataset",
                                   create_new_version=True)
    src = write_script("""
        import argparse, glob, os
        from hdnotebook import Run
        p = argparse.ArgumentParser()
        p.add_argument("--data-folder", type=str, dest="data_folder")
        p.add_argument("--batch-size", type=int, dest="batch_size", default=50)
        a = p.parse_args()
        train = glob.glob(os.path.join(a.data_folder, "**/train.gz"), recursive=True)[0]
        run = Run.get_context()
        run.log("validation_acc", a.batch_size / 100)
        run.log("bytes", open(train, "rb").read().decode())
    """)
    args = ["--data-folder", dataset.as_mount(), "--batch-size", 64]
    with pytest.warns(UserWarning, match=r"\['--batch-size'\] is the list of duplicate parameters"):
        config = HyperDriveConfig(run_config=ScriptRunConfig(source_directory=str(src), script="train.py", arguments=args),
                                  hyperparameter_sampling=GridParameterSampling({"--batch-size": choice(32, 128)}),
                                  primary_metric_name="validation_acc", primary_metric_goal="maximize",
                                  max_total_runs=2, max_concurrent_runs=2)
    run = experiment.submit(config)
    assert run.wait_for_completion()["status"] == "Completed"
    assert [c.get_metrics() for c in run.get_children()] == [{"validation_acc": 0.32, "bytes": "train-bytes"},
                                                             {"validation_acc": 1.28, "bytes": "train-bytes"}]
    assert run.get_best_run_by_primary_metric().get_metrics()["validation_acc"] == 1.28


REGISTER_AT = """
import sys, time
from hdnotebook import Dataset, Workspace
ws = Workspace(sys.argv[1])
dataset = Dataset.File.from_files(path=sys.argv[2])
time.sleep(max(0.0, float(sys.argv[3]) - time.time()))
print(dataset.register(ws, "shared", create_new_version=True).version)
"""


def test_processes_registering_the_same_definition_at_once_share_one_version(workspace: Workspace, data: Path, tmp_path: Path) -> None:
    import subprocess
    import sys
    import time

    from tests.conftest import python_env

    start = str(time.time() + 2.0)
    procs = [subprocess.Popen([sys.executable, "-c", REGISTER_AT, str(workspace.path), str(data), start], stdout=subprocess.PIPE,
                              text=True, env=python_env()) for _ in range(4)]
    versions = [p.communicate(timeout=60)[0].strip() for p in procs]
    assert versions == ["1"] * 4 and Dataset.get_by_name(workspace, "shared").version == 1
