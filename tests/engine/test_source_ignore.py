"""Which source files a run gets: .amlignore / .gitignore rules are applied as git applies them, checked against
real ``git check-ignore`` and ``git ls-files`` on real folders."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from hdnotebook._engine.executors.source import copy_source

GIT = shutil.which("git") or "git"  # the reference these tests compare with (CI clones with git, so it is there)

RULES = """\
# a comment, then the rules the old fnmatch matching got wrong
*.log
!keep.log
/build
dist/
**/cache/**
docs/**/*.tmp
secret?.txt
[ab].bin
sub/*.csv
\\#literal
"""
FILES = [
    "train.py", "keep.log", "other.log", "sub/debug.log", "sub/keep.log",
    "build/a.py", "sub/build/keep.py",
    "dist/x.py", "sub/dist/y.py", "other/dist",
    "cache/d.py", "a/cache/c.py", "a/cache/deeper/e.py", "a/cachefile.py",
    "docs/x.tmp", "docs/a/b/x.tmp", "x.tmp",
    "secret1.txt", "secret12.txt",
    "a.bin", "c.bin",
    "sub/t.csv", "sub/deeper/u.csv", "t.csv",
    "#literal", "with space.py",
]


def _tree(root: Path, ignore_name: str, rules: str) -> Path:
    for name in FILES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(name)
    (root / ignore_name).write_text(rules)
    return root


def _git(root: Path, *args: str, stdin: str | None = None) -> list[str]:
    result = subprocess.run([GIT, "-C", str(root), *args], input=stdin, capture_output=True, text=True, timeout=60)
    assert result.returncode in (0, 1), result.stderr  # check-ignore: 1 when nothing is ignored
    return [line for line in result.stdout.split("\0") if line]


def _git_kept(root: Path) -> set[str]:
    """The files git does not ignore, from a repository made in a copy of ``root`` whose .gitignore holds the rules."""
    repo = root.parent / f"{root.name}-git"
    shutil.copytree(root, repo)
    if (repo / ".amlignore").exists():
        (repo / ".amlignore").replace(repo / ".gitignore")
    _git(repo, "init", "-q")
    every = sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts)
    ignored = set(_git(repo, "check-ignore", "--no-index", "-z", "--stdin", stdin="\0".join(every) + "\0"))
    kept = set(every) - ignored
    assert kept == set(_git(repo, "ls-files", "--others", "--exclude-standard", "-z"))  # two views of git agree
    if (root / ".amlignore").exists():
        kept = {".amlignore" if name == ".gitignore" else name for name in kept}
    return kept


def _copied(root: Path, target: Path) -> set[str]:
    copy_source(root, target)
    return {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}


@pytest.mark.parametrize("ignore_name", [".gitignore", ".amlignore"])
def test_the_copy_keeps_exactly_the_files_git_keeps(tmp_path: Path, ignore_name: str) -> None:
    root = _tree(tmp_path / "src", ignore_name, RULES)
    copied = _copied(root, tmp_path / "copy")
    assert copied == _git_kept(root)
    assert {"keep.log", "sub/keep.log", "sub/build/keep.py", "other/dist", "a/cachefile.py", "secret12.txt",
            "sub/deeper/u.csv", "with space.py"} <= copied
    assert not {"other.log", "build/a.py", "dist/x.py", "sub/dist/y.py", "a/cache/c.py", "docs/a/b/x.tmp",
                "secret1.txt", "a.bin", "sub/t.csv", "#literal"} & copied


def test_amlignore_wins_over_gitignore(tmp_path: Path) -> None:
    root = _tree(tmp_path / "src", ".amlignore", "*.log\n!keep.log\n")
    (root / ".gitignore").write_text("*.py\n")
    copied = _copied(root, tmp_path / "copy")
    assert "train.py" in copied and "keep.log" in copied and "other.log" not in copied


def test_an_excluded_folder_is_not_reopened_by_a_negation_as_in_git(tmp_path: Path) -> None:
    root = _tree(tmp_path / "src", ".gitignore", "sub/\n!sub/keep.log\nnotes/*\n!notes/kept.md\n")
    (root / "notes").mkdir()
    (root / "notes" / "kept.md").write_text("k")
    (root / "notes" / "dropped.md").write_text("d")
    copied = _copied(root, tmp_path / "copy")
    assert copied == _git_kept(root)
    assert "sub/keep.log" not in copied and "notes/kept.md" in copied and "notes/dropped.md" not in copied


def test_version_control_caches_and_outputs_are_never_copied(tmp_path: Path) -> None:
    root = _tree(tmp_path / "src", ".gitignore", "!outputs\n!__pycache__/\n")
    for name in ("outputs/model.pkl", "sub/outputs/m.pkl", "__pycache__/x.pyc", "sub/.venv/bin/python",
                 ".hdnotebook/store.sqlite", "logs/l.txt"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(name)
    copied = _copied(root, tmp_path / "copy")
    assert not [name for name in copied if name.split("/")[0] in ("outputs", "__pycache__", ".hdnotebook", "logs")
                or "/outputs/" in name or "/.venv/" in name]
    assert "train.py" in copied and "sub/build/keep.py" in copied
