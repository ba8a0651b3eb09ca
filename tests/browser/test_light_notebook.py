"""A notebook with two RunDetails of 100-run sweeps, saved by JupyterLab with widget state, holds plotly.js
once and the second dashboard adds at most 300 KB; both dashboards draw live and again when the saved
notebook is reopened in a fresh kernel that never ran it (models come from the saved widget state only)."""

from __future__ import annotations

import json
import shutil
import urllib.request

import nbformat
import pytest

from benchmarks.notebook_size import (
    plotly_copies,
    save_in_lab,
    save_widget_state_setting,
    sweep_notebook,
    wait_for_dashboards,
)
from tests.browser.conftest import open_notebook, run_all, start_lab, stop_lab

SECOND_DASHBOARD_LIMIT = 300_000


@pytest.fixture(scope="module")
def saving_lab(tmp_path_factory: pytest.TempPathFactory):
    """JupyterLab with "Save Jupyter widget state in notebooks" on (off by default)."""
    state = tmp_path_factory.mktemp("saving-lab-state")
    save_widget_state_setting(state)
    server = start_lab(tmp_path_factory.mktemp("saving-lab"), state)
    yield server
    stop_lab(server)


def _widget_models(path) -> dict[str, dict]:
    state = json.loads(path.read_text())["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]
    return state["state"]


def test_two_dashboards_store_plotly_once_and_render_from_saved_state(saving_lab, browser) -> None:
    one, two = (sweep_notebook(saving_lab.root, k, runs=100, values=100) for k in (1, 2))
    context = browser.new_context(viewport={"width": 1500, "height": 1400})
    try:
        for path in (one, two):
            page = context.new_page()
            save_in_lab(page, saving_lab, path)  # Run All, both dashboards drawn (curves, parallel coordinates), Ctrl+S
            page.close()
        assert plotly_copies(one) == 1 and plotly_copies(two) == 1
        models = _widget_models(two)
        libraries = [m for m in models.values() if "source" in m["state"]]
        dashboards = [m for m in models.values() if "snapshot" in m["state"]]
        assert len(libraries) == 1 and len(dashboards) == 2
        assert {d["state"]["library"] for d in dashboards} == {f"anywidget:{next(k for k, m in models.items() if m in libraries)}"}
        added = two.stat().st_size - one.stat().st_size
        assert 0 < added <= SECOND_DASHBOARD_LIMIT, f"the second RunDetails adds {added} bytes"

        # reopened: a fresh kernel has no model of these widgets, so what draws comes from the saved state
        shutil.copy(two, saving_lab.root / "reopened.ipynb")
        for session in saving_lab.api("/api/sessions"):
            request = urllib.request.Request(saving_lab.url(f"/api/sessions/{session['id']}"), method="DELETE")
            urllib.request.urlopen(request, timeout=10).close()
        page = context.new_page()
        open_notebook(page, saving_lab, "reopened.ipynb")
        wait_for_dashboards(page, 2)
        widgets = page.locator("[data-testid='hdnotebook-run-details']")
        assert widgets.first.locator("[data-testid='run-row']").count() > 0
        origins = [widgets.nth(k).get_attribute("data-plotly-from") for k in range(2)]
        # no kernel comm answers here: plotly.js came from the saved library model (or the page, once evaluated)
        assert "library-model" in origins and set(origins) <= {"library-model", "page"}, origins
    finally:
        context.close()


def test_a_view_whose_library_model_is_gone_gets_plotly_from_the_kernel(lab, page) -> None:
    """The fallback for hosts whose widget manager cannot find the shared model (here: it was closed)."""
    path = sweep_notebook(lab.root, 1, runs=5, values=5)
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].source = ("from hdnotebook.widget.library import plotly_library\n"
                          f"details = {nb.cells[1].source.removesuffix('.show()')}\n"
                          "details.widget\nplotly_library().close()\n"
                          "details.widget.plotly_version = 'unseen'  # the closed model's plotly.js ran on the page\n"
                          "details.show()")
    nbformat.write(nb, lab.root / "closed_library.ipynb")
    open_notebook(page, lab, "closed_library.ipynb")
    run_all(page)
    wait_for_dashboards(page, 1)
    assert page.locator("[data-testid='hdnotebook-run-details']").get_attribute("data-plotly-from") == "kernel"
