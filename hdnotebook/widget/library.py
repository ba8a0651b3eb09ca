"""plotly.js for every RunDetails of a kernel, carried by one shared widget model.

Each RunDetailsWidget refers to this model through a synced ``anywidget.WidgetTrait``
(``"anywidget:<model_id>"``); its front end reads the model's ``source`` once per page and keeps the
evaluated library on ``globalThis``, keyed by plotly.js version. Saved widget state therefore holds
plotly.js (4.8 MB) once however many RunDetails a notebook shows, and a notebook reopened without a
kernel finds the library in that same saved state.
"""

from __future__ import annotations

import functools
import threading

import anywidget
import traitlets

_lock = threading.Lock()
_library: PlotlyLibrary | None = None


# plotly.js draws the lines of a parallel coordinates chart in blocks of this many per animation frame (its
# ``parcoords`` constant ``blockLineCount``, 5000 as shipped). Without a GPU (software WebGL) every block stalls
# the page's main thread while it is rasterised: 1000 lines in one block took 200-300 ms, in blocks of 50 the
# longest task is a few tens of ms, and the chart fills in over a few frames.
PARCOORDS_BLOCK_LINES = 50
_SHIPPED_BLOCK = "blockLineCount:5e3"
# Each of parcoords' line layers is a WebGL context of its own whose first drawing waits for its shaders to be
# compiled (0.3-0.5 s each with software WebGL). The third, "pick", serves only plotly_hover on lines, which
# RunDetails does not use: without it the first chart is drawn about a third sooner.
_SHIPPED_LAYERS = 'layers:["contextLineLayer","focusLineLayer","pickLineLayer"]'
_DRAWN_LAYERS = 'layers:["contextLineLayer","focusLineLayer"]'


def _replace_once(source: str, shipped: str, patched: str) -> str:
    if source.count(shipped) != 1:
        raise ValueError(f"plotly.js source: expected its parcoords constant {shipped!r} exactly once")
    return source.replace(shipped, patched)


def with_parcoords_blocks(source: str, lines: int = PARCOORDS_BLOCK_LINES) -> str:
    """plotly.js ``source`` whose parallel coordinates draw ``lines`` lines per animation frame.

    Raises ValueError when the source does not hold plotly's shipped constant exactly once (another plotly.js
    build), so that a new plotly release cannot silently bring back the long main-thread stalls."""
    return _replace_once(source, _SHIPPED_BLOCK, f"blockLineCount:{lines}")


def without_parcoords_pick_layer(source: str) -> str:
    """plotly.js ``source`` whose parallel coordinates have no hover-picking line layer (no ``plotly_hover`` on
    lines; brushing, the context lines and axis drags are unchanged). Raises ValueError like
    :func:`with_parcoords_blocks`."""
    return _replace_once(source, _SHIPPED_LAYERS, _DRAWN_LAYERS)


@functools.lru_cache(maxsize=1)
def plotly_source() -> tuple[str, str]:
    """(plotly.js source text from the plotly package with RunDetails' parcoords patches; its version key).

    The version key names plotly.js's version and the patches: a page keeps one evaluated library per key."""
    from plotly.offline import get_plotlyjs, get_plotlyjs_version

    source = without_parcoords_pick_layer(with_parcoords_blocks(get_plotlyjs()))
    return source, f"{get_plotlyjs_version()}+blocks{PARCOORDS_BLOCK_LINES}+nopick"


class PlotlyLibrary(anywidget.AnyWidget):
    """A widget never displayed whose ``source`` trait is plotly.js (a UMD bundle) and ``version`` its version.

    Its front-end module is RunDetails' own, whose ``initialize`` starts evaluating plotly.js as soon as the model
    exists in the page, while the kernel still builds the first RunDetails' snapshot."""

    _esm = traitlets.Unicode().tag(sync=True)
    source = traitlets.Unicode().tag(sync=True)
    version = traitlets.Unicode().tag(sync=True)


def _open(widget: PlotlyLibrary | None) -> bool:
    comm = None if widget is None else widget.comm
    # marimo closes a widget's comm (not the widget) when the cell that created it runs again
    return comm is not None and not getattr(comm, "_closed", False)


def plotly_library() -> PlotlyLibrary:
    """The kernel's shared PlotlyLibrary, created on first use and again if its comm was closed."""
    global _library
    with _lock:
        if not _open(_library):
            source, version = plotly_source()
            from hdnotebook.widget.widget import esm_source  # widget.py imports this module

            _library = PlotlyLibrary(_esm=esm_source(), source=source, version=version)
        assert _library is not None
        return _library
