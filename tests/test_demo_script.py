"""scripts/demo.sh opens the quick start in JupyterLab, also as root (JupyterLab refuses root without
--allow-root): the script's JupyterLab command runs for real, as this user, until the server answers."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.browser.conftest import Lab, _free_port, server_env, stop_lab, wait_until_up
from tests.conftest import REPO


def test_demo_script_starts_jupyterlab_with_the_quickstart(tmp_path) -> None:
    port, token = _free_port(), "hdnotebook-demo-test"
    # HDNOTEBOOK_VENV: use this test's environment instead of installing into .venv
    env = dict(server_env(tmp_path), HDNOTEBOOK_VENV=sys.prefix)
    args = ["bash", str(REPO / "scripts" / "demo.sh"), "--no-browser", "--ip=127.0.0.1", f"--port={port}",
            "--port-retries=0", f"--IdentityProvider.token={token}", "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    log = tmp_path / "demo.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    server = wait_until_up(Lab(REPO, port, token, process), log, timeout=90)
    try:
        # JupyterLab serves the notebook's folder
        assert f"Serving notebooks from local directory: {REPO / 'notebooks'}" in log.read_text()
        assert server.api("/api/contents/01-quickstart.ipynb?content=0")["type"] == "notebook"
        if os.geteuid() == 0:
            assert "--allow-root" in " ".join(_command_line(process.pid))
    finally:
        stop_lab(server)


def _command_line(pid: int) -> list[str]:
    """The arguments of a running process (the script execs JupyterLab in its own process)."""
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return f.read().decode().split("\0")
