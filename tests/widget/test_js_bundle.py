"""The committed front-end bundle (shipped in the wheel, so pip users need no node) matches js/src."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.conftest import REPO

JS = REPO / "js"
STATIC = REPO / "hdnotebook" / "widget" / "static"


def _esbuild() -> Path:
    binary = JS / "node_modules" / ".bin" / "esbuild"
    assert binary.exists(), "the front end's build tool is missing: run `npm ci` in js/ (scripts/test.sh does)"
    return binary


def test_bundle_is_rebuilt_from_the_sources(tmp_path: Path) -> None:
    esbuild = _esbuild()
    subprocess.run([str(esbuild), "src/index.js", "--bundle", "--format=esm", "--target=es2020", "--minify",
                    f"--outfile={tmp_path / 'run_details.js'}", "--log-level=warning"], cwd=JS, check=True)
    subprocess.run([str(esbuild), "src/style.css", "--bundle", f"--outfile={tmp_path / 'run_details.css'}",
                    "--log-level=warning"], cwd=JS, check=True)
    for name in ("run_details.js", "run_details.css"):
        fresh = (tmp_path / name).read_text()
        assert (STATIC / name).read_text() == fresh, f"{name} is stale: run `npm run build` in js/ and commit it"


def test_build_script_matches_this_check() -> None:
    package = (JS / "package.json").read_text()
    assert "esbuild src/index.js --bundle --format=esm --target=es2020 --minify --outfile=../hdnotebook/widget/static/run_details.js" in package
