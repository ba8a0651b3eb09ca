"""plotly.js is carried once per kernel by the shared PlotlyLibrary model; RunDetails start updating when a
view says hello (hosts such as marimo display the widget without our repr)."""

from __future__ import annotations

import time
from pathlib import Path

from benchmarks.widget import log_values, synthetic_sweep
from hdnotebook import Workspace
from hdnotebook.widget.library import PlotlyLibrary, plotly_library
from hdnotebook.widget.widget import RunDetailsWidget, esm_source, live_widgets
from tests.widget.test_widget import Recorder


def test_widgets_share_one_library_and_their_module_has_no_plotly(tmp_path: Path) -> None:
    run = synthetic_sweep(Workspace(tmp_path), runs=3, values=1)
    first, second = RunDetailsWidget(run), RunDetailsWidget(run)
    assert "plotly.js v" not in esm_source() and "render:" in esm_source()
    # every RunDetails carries its module in saved widget state (plotly.js is carried once, by the library)
    assert len(esm_source()) < 120_000
    library = plotly_library()
    assert isinstance(library, PlotlyLibrary) and library.source.count("* plotly.js v") == 1
    assert f"* plotly.js v{library.version}" in library.source
    for widget in (first, second):
        state = widget.get_state()
        assert state["library"] == f"anywidget:{library.model_id}"
        assert state["plotly_version"] == library.version
        assert "plotly.js v" not in state["_esm"]
    closed = library.model_id
    library.close()
    third = RunDetailsWidget(run)
    assert third.get_state()["library"] != f"anywidget:{closed}", "a closed library is replaced"
    assert third.library.comm is not None


def test_a_view_saying_hello_starts_updates_without_the_repr(tmp_path: Path) -> None:
    run = synthetic_sweep(Workspace(tmp_path), runs=3, values=1)
    widget = Recorder(run)
    before = live_widgets()
    widget._on_message(None, {"type": "hello", "view": "a", "seq": widget.snapshot["seq"]}, [])
    assert live_widgets() == before + 1
    log_values(run, 2)
    deadline = time.time() + 5
    while not widget.sent and time.time() < deadline:
        time.sleep(0.05)
    assert widget.sent and widget.sent[0]["type"] == "delta"
    widget._on_message(None, {"type": "bye", "view": "a"}, [])


def test_a_view_without_the_library_model_gets_plotly_from_the_kernel(tmp_path: Path) -> None:
    run = synthetic_sweep(Workspace(tmp_path), runs=3, values=1)
    widget = Recorder(run)
    widget._on_message(None, {"type": "library", "view": "a"}, [])
    reply = widget.sent[-1]
    assert reply["type"] == "library" and reply["view"] == "a" and reply["version"] == widget.plotly_version
    assert reply["source"].count("* plotly.js v") == 1
