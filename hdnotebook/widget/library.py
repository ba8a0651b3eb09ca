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
_library: "PlotlyLibrary | None" = None


# plotly.js draws the lines of a parallel coordinates chart in blocks of this many per animation frame (its
# ``parcoords`` constant ``blockLineCount``, 5000 as shipped). Without a GPU (software WebGL) every block stalls
# the page's main thread while it is rasterised: 1000 lines in one block took 200-300 ms, in blocks of 50 the
# longest task is a few tens of ms, and the chart fills in over a few frames.
PARCOORDS_BLOCK_LINES = 50
_SHIPPED_BLOCK = "blockLineCount:5e3"


def with_parcoords_blocks(source: str, lines: int = PARCOORDS_BLOCK_LINES) -> str:
    """plotly.js ``source`` whose parallel coordinates draw ``lines`` lines per animation frame.

    Raises ValueError when the source does not hold plotly's shipped constant exactly once (another plotly.js
    build), so that a new plotly release cannot silently bring back the long main-thread stalls."""
    if source.count(_SHIPPED_BLOCK) != 1:
        raise ValueError(f"plotly.js source: expected its parcoords constant {_SHIPPED_BLOCK!r} exactly once")
    return source.replace(_SHIPPED_BLOCK, f"blockLineCount:{lines}")


@functools.lru_cache(maxsize=1)
def plotly_source() -> tuple[str, str]:
    """(plotly.js source text from the plotly package, drawing parcoords in blocks; its version key).

    The version key names plotly.js's version and the block size: a page keeps one evaluated library per key."""
    from plotly.offline import get_plotlyjs, get_plotlyjs_version

    return with_parcoords_blocks(get_plotlyjs()), f"{get_plotlyjs_version()}+blocks{PARCOORDS_BLOCK_LINES}"


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
