"""JupyterLab with headless Chromium (Debian's), driven by Playwright: fixtures for real-browser tests."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
ARTIFACTS = REPO / "test-artifacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A running Jupyter server (JupyterLab, or Notebook 7 when ``app == "notebook"``) serving a folder."""

    def __init__(self, root: Path, port: int, token: str, process: subprocess.Popen, app: str = "lab") -> None:
        self.root, self.port, self.token, self.process, self.app = root, port, token, process, app

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}{'&' if '?' in path else '?'}token={self.token}"

    def api(self, path: str):
        with urllib.request.urlopen(self.url(path), timeout=5) as response:
            return json.loads(response.read())


SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"autoStartDefaultKernel": True},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false"},
}


def server_env(state: Path) -> dict[str, str]:
    """The environment of a test's Jupyter server: settings, workspaces and runtime files under ``state``
    (kernels start without asking, no news toast), this checkout first on PYTHONPATH."""
    settings = state / "settings"
    for name, content in SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(content))
    return dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(settings), JUPYTERLAB_WORKSPACES_DIR=str(state / "workspaces"),
                JUPYTER_RUNTIME_DIR=str(state / "runtime"),
                PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))


def wait_until_up(server: Lab, log: Path, timeout: float = 60) -> Lab:
    """Poll the server's /api/status until it answers; raise with the end of its log if it exits first."""
    deadline = time.time() + timeout
    while True:
        if server.process.poll() is not None:
            raise RuntimeError(f"The Jupyter server exited: {log.read_text()[-2000:]}")
        try:
            server.api("/api/status")
            return server
        except OSError:
            if time.time() > deadline:
                stop_lab(server)
                raise
            time.sleep(0.1)


def start_lab(root: Path, state: Path, app: str = "lab") -> Lab:
    """Start JupyterLab (``app="lab"``) or Notebook 7 (``app="notebook"``) serving ``root``, with its
    settings and runtime files under ``state``."""
    port, token = _free_port(), "hdnotebook-test"
    args = [sys.executable, "-m", "jupyter", app, "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--port-retries=0",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}"]
    if app == "lab":
        args += ["--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if os.geteuid() == 0:
        args.append("--allow-root")
    log = state / f"{app}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=server_env(state), cwd=root,
                                   start_new_session=True)
    return wait_until_up(Lab(root, port, token, process, app), log)


def stop_lab(server: Lab) -> None:
    """SIGTERM the server's process group (it shuts its kernels down), SIGKILL after 15 s."""
    os.killpg(server.process.pid, signal.SIGTERM)
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait()


def launch_chromium(playwright):
    """Debian's Chromium, headless, with the flags this machine needs."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory):
    server = start_lab(tmp_path_factory.mktemp("lab"), tmp_path_factory.mktemp("lab-state"))
    yield server
    stop_lab(server)


@pytest.fixture(scope="session")
def notebook7(tmp_path_factory: pytest.TempPathFactory):
    """A Notebook 7 server (``jupyter notebook``) for the session."""
    server = start_lab(tmp_path_factory.mktemp("nb7"), tmp_path_factory.mktemp("nb7-state"), app="notebook")
    yield server
    stop_lab(server)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = launch_chromium(p)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)
    context = browser.new_context(viewport={"width": 1500, "height": 1400})
    page = context.new_page()
    yield page
    context.close()


def open_notebook(page, lab: Lab, name: str) -> None:
    """Open a notebook of the served folder and wait until its kernel is idle: in JupyterLab in a fresh
    workspace (no tabs restored from an earlier test), in Notebook 7 at its own page /notebooks/NAME.
    Both share JupyterLab's notebook panel, execution indicator and Run menu."""
    if lab.app == "notebook":
        page.goto(lab.url(f"/notebooks/{name}"))
    else:
        page.goto(lab.url(f"/lab/workspaces/{Path(name).stem}/tree/{name}?reset"))
    page.wait_for_selector(".jp-NotebookPanel .jp-CodeCell", timeout=60_000)
    deadline = time.time() + 60
    while time.time() < deadline:
        sessions = [s for s in lab.api("/api/sessions") if s["path"].endswith(name)]
        if sessions and sessions[0]["kernel"]["execution_state"] == "idle":
            break
        time.sleep(0.2)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)


def run_all(page) -> None:
    """Run > Run All Cells (the same menu command in JupyterLab and Notebook 7)."""
    page.click(".lm-MenuBar-item:has-text('Run')")
    page.click(".lm-Menu-item[data-command='runmenu:run-all']")


def add_and_run_cell(page, code: str) -> None:
    """Append a code cell at the end of the notebook and run it (without waiting for it to finish)."""
    page.locator(".jp-NotebookPanel .jp-Cell .jp-InputArea-editor").last.click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    page.keyboard.press("Enter")
    page.keyboard.insert_text(code)
    page.keyboard.press("Shift+Enter")


def brush_first_axis(page, widget, start: float, step: float) -> tuple[float, dict]:
    """Drag a brush down the parallel coordinates' first axis, from ``start`` of its height in 9 steps of ``step``;
    returns the axis's x and its brush area's box."""
    brush = widget.locator("[data-testid='params-chart'] [data-testid='parcoords-brush'] .overlay").first
    brush.scroll_into_view_if_needed()
    box = brush.bounding_box()
    x = box["x"] + box["width"] / 2
    page.mouse.move(x, box["y"] + box["height"] * start)
    page.mouse.down()
    for k in range(1, 10):
        page.mouse.move(x, box["y"] + box["height"] * (start + step * k))
    page.mouse.up()
    return x, box
