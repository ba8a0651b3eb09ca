"""The wheel as pip users get it: one version everywhere, the licence, type information and the built front end."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from email.parser import Parser
from importlib.metadata import version
from pathlib import Path

import pytest

import hdnotebook

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(ROOT)],
                   check=True, timeout=300)
    (built,) = out.glob("hdnotebook-*.whl")
    return zipfile.ZipFile(built)


def _metadata(wheel: zipfile.ZipFile):
    (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    return Parser().parsestr(wheel.read(name).decode())


def test_one_version_in_the_package_its_metadata_and_the_front_end(wheel: zipfile.ZipFile) -> None:
    assert hdnotebook.VERSION == hdnotebook.__version__
    assert _metadata(wheel)["Version"] == hdnotebook.__version__
    assert json.loads((ROOT / "js" / "package.json").read_text())["version"] == hdnotebook.__version__
    assert version("hdnotebook") == hdnotebook.__version__, "reinstall (pip install -e .) after a version change"


def test_the_wheel_carries_the_licence_types_and_the_built_front_end(wheel: zipfile.ZipFile) -> None:
    names = wheel.namelist()
    licence = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
    assert licence and wheel.read(licence[0]) == (ROOT / "LICENSE").read_bytes()
    assert "hdnotebook/py.typed" in names
    assert {"hdnotebook/widget/static/run_details.js", "hdnotebook/widget/static/run_details.css"} <= set(names)
    assert not [n for n in names if n.startswith(("tests/", "js/", "benchmarks/"))]


def test_the_index_page_has_classifiers_keywords_and_extras(wheel: zipfile.ZipFile) -> None:
    meta = _metadata(wheel)
    assert meta["License-Expression"] == "MIT"
    classifiers = meta.get_all("Classifier")
    python = sorted(c.rsplit(" ", 1)[-1] for c in classifiers if c.startswith("Programming Language :: Python :: 3."))
    assert python == ["3.10", "3.11", "3.12", "3.13"] and meta["Requires-Python"] == ">=3.10"
    assert "Framework :: Jupyter" in classifiers and "Typing :: Typed" in classifiers
    assert "hyperparameter-tuning" in meta["Keywords"].split(",")
    requires = meta.get_all("Requires-Dist")
    assert "pyyaml>=6.0.1" in requires, "PyYAML 5.4 no longer builds"
    assert any(r.startswith("bokeh>=") and "extra == 'dask'" in r for r in requires), "the Dask dashboard needs bokeh"
    assert meta["Description-Content-Type"] == "text/markdown"
