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


@functools.lru_cache(maxsize=1)
def plotly_source() -> tuple[str, str]:
    """(plotly.js source text from the plotly package; its version, the key under which a page keeps it)."""
    from plotly.offline import get_plotlyjs, get_plotlyjs_version

    return get_plotlyjs(), get_plotlyjs_version()


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
