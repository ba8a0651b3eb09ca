"""plotly.js is carried once per kernel by the shared PlotlyLibrary model; RunDetails start updating when a
view says hello (hosts such as marimo display the widget without our repr)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from benchmarks.widget import log_values, synthetic_sweep
from hdnotebook import Workspace
from hdnotebook.widget.library import (
    PARCOORDS_BLOCK_LINES,
    PlotlyLibrary,
    plotly_library,
    with_parcoords_blocks,
    without_parcoords_pick_layer,
)
from hdnotebook.widget.widget import RunDetailsWidget, esm_source, live_widgets
from tests.widget.test_widget import Recorder


def test_widgets_share_one_library_and_their_module_has_no_plotly(tmp_path: Path) -> None:
    run = synthetic_sweep(Workspace(tmp_path), runs=3, values=1)
    first, second = RunDetailsWidget(run), RunDetailsWidget(run)
    assert "plotly.js v" not in esm_source() and "function render(" in esm_source()
    assert len(esm_source()) < 100_000
    library = plotly_library()
    assert isinstance(library, PlotlyLibrary) and library.source.count("* plotly.js v") == 1
    plotly_version, blocks, pick = library.version.split("+")
    assert library.source.index(f"plotly.js v{plotly_version}") >= 0
    assert blocks == f"blocks{PARCOORDS_BLOCK_LINES}" and f"blockLineCount:{PARCOORDS_BLOCK_LINES}," in library.source
    assert pick == "nopick" and "pickLineLayer" not in library.source
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



def test_parcoords_block_size_is_set_only_in_plotlys_own_constant() -> None:
    from plotly.offline import get_plotlyjs

    shipped = get_plotlyjs()
    patched = with_parcoords_blocks(shipped, 40)
    assert len(patched) == len(shipped) - 1 and patched.count("blockLineCount:40,") == 1
    with pytest.raises(ValueError, match="blockLineCount:5e3"):
        with_parcoords_blocks(patched)


def test_parcoords_pick_layer_is_dropped_only_from_plotlys_layer_list() -> None:
    from plotly.offline import get_plotlyjs

    shipped = get_plotlyjs()
    patched = without_parcoords_pick_layer(shipped)
    assert len(shipped) - len(patched) == len(',"pickLineLayer"') and '"contextLineLayer","focusLineLayer"]' in patched
    with pytest.raises(ValueError, match="pickLineLayer"):
        without_parcoords_pick_layer(patched)
