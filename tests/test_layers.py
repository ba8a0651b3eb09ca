"""The package's layers, read from its source: every import (module-level, function-local and under
``TYPE_CHECKING``; relative ones resolved) of every module of ``hdnotebook``.

- leaves (exceptions, status, goal, names, _lazy) import only leaves;
- the pure packages (parameter expressions, sampling, policy) import only themselves and the leaves;
- the engine (``hdnotebook._engine``) imports only itself, the pure packages and the leaves (never the
  Azure layer or the widget, not even lazily);
- the executors never import the store (they get plain TrialSpecs and report events);
- the executors never import the tuning loop (``LOOP``), not even lazily: the loop hands them what they need
  (``run_on_loop``, the cancel registered in ``executors/exit_hooks.py``);
- no cycle of module-level imports inside the engine;
- no module of the package over 500 lines.

A failure names the module, the line and the import.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "hdnotebook"
ROOT = "hdnotebook"
ENGINE = "hdnotebook._engine"
LEAVES = ("hdnotebook.exceptions", "hdnotebook.status", "hdnotebook.goal", "hdnotebook.names", "hdnotebook._lazy")
PURE = ("hdnotebook.parameter_expressions", "hdnotebook.sampling", "hdnotebook.policy")
MAX_LINES = 500
EXECUTORS = f"{ENGINE}.executors"
# the tuning loop and what it drives the executors with: above the executors
LOOP = tuple(f"{ENGINE}.{name}" for name in (
    "background", "control", "submit", "resume", "continuation", "sweep", "sweep_history", "sweep_log", "trial",
    "specs", "driver", "progress", "metric_check", "store_retry"))
# what both use: the child channel, shared names, the plain plan, the store (the executors' own rule keeps them off it)
BELOW_LOOP = (EXECUTORS,) + tuple(f"{ENGINE}.{name}" for name in ("blocking", "channel", "layout", "plan", "store"))


@dataclass(frozen=True)
class Import:
    """One import statement's target in ``module``: ``target`` is the module of ours it loads."""

    module: str
    path: Path
    line: int
    text: str
    target: str
    module_level: bool  # runs when the module is imported (not in a function, not under TYPE_CHECKING)

    def __str__(self) -> str:
        return f"{self.module} ({self.path.relative_to(PACKAGE.parent)}:{self.line}) imports {self.target}: {self.text}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def within(name: str, prefixes: tuple[str, ...] | str) -> bool:
    """True when ``name`` is one of ``prefixes`` or inside one of them."""
    prefixes = (prefixes,) if isinstance(prefixes, str) else prefixes
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def known_module(dotted: str) -> str | None:
    """The longest prefix of ``dotted`` that is a module of ours (``a.b.Name`` -> ``a.b``), or None."""
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in MODULES:
            return candidate
    return None


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _statements(tree: ast.Module) -> list[tuple[ast.stmt, bool]]:
    """Every import statement with whether it runs at import time of the module."""
    found: list[tuple[ast.stmt, bool]] = []

    def visit(node: ast.AST, runs: bool) -> None:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append((node, runs))
            return
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            runs = False
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                visit(child, False)
            for child in node.orelse:
                visit(child, runs)
            return
        for child in ast.iter_child_nodes(node):
            visit(child, runs)

    visit(tree, True)
    return found


def imports_of(module: str) -> list[Import]:
    """The imports of ``module`` that load modules of ours."""
    return read_imports(module, MODULES[module], MODULES[module].read_text())


def read_imports(module: str, path: Path, source: str) -> list[Import]:
    """The imports in ``source`` (the text of ``module`` at ``path``) that load modules of ours."""
    tree = ast.parse(source, filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node, runs in _statements(tree):
        text = ast.unparse(node)
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            assert isinstance(node, ast.ImportFrom)
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            # ``from a import b``: module a.b when there is one, else a name of module a
            targets = [f"{source}.{a.name}" if f"{source}.{a.name}" in MODULES else source for a in node.names]
        for dotted in dict.fromkeys(targets):  # ``from a import b, c`` of module a: one import of a
            target = known_module(dotted)
            if target is not None:
                found.append(Import(module, path, node.lineno, text, target, runs))
    return found


ALL_IMPORTS = [i for m in MODULES for i in imports_of(m)]


def allowed(target: str, layers: tuple[str, ...]) -> bool:
    # the bare root package is allowed: its __init__ imports nothing of ours when it runs (checked below)
    return target == ROOT or within(target, layers)


def violations(importers: tuple[str, ...] | str, layers: tuple[str, ...]) -> list[str]:
    return [str(i) for i in ALL_IMPORTS if within(i.module, importers) and not allowed(i.target, layers)]


def test_the_root_package_imports_nothing_of_ours_when_imported() -> None:
    eager = [str(i) for i in ALL_IMPORTS if i.module == ROOT and i.module_level]
    assert not eager, "hdnotebook/__init__.py must resolve its names lazily:\n" + "\n".join(eager)


def test_leaves_import_only_leaves() -> None:
    found = violations(LEAVES, LEAVES)
    assert not found, "a leaf imports more than the leaves:\n" + "\n".join(found)


def test_pure_packages_import_neither_the_engine_nor_the_azure_layer_nor_the_widget() -> None:
    found = violations(PURE, PURE + LEAVES)
    assert not found, "a pure module (sampling, policy, parameter expressions) imports a layer:\n" + "\n".join(found)


def test_engine_never_imports_upward() -> None:
    found = violations(ENGINE, (ENGINE,) + PURE + LEAVES)
    assert not found, "the engine imports the Azure layer or the widget:\n" + "\n".join(found)


def test_executors_never_import_the_store() -> None:
    found = [str(i) for i in ALL_IMPORTS if within(i.module, EXECUTORS) and within(i.target, f"{ENGINE}.store")]
    assert not found, "an executor imports the store:\n" + "\n".join(found)


def test_executors_never_import_the_loop() -> None:
    found = [str(i) for i in ALL_IMPORTS if within(i.module, EXECUTORS) and within(i.target, LOOP)]
    assert not found, "an executor imports the tuning loop (pass it what it needs instead):\n" + "\n".join(found)


def test_every_engine_module_is_in_the_loop_or_below_it() -> None:
    """A new engine module is placed on one side, so the executors' rule covers it."""
    placed = [m for m in MODULES if within(m, ENGINE) and m != ENGINE]
    assert [m for m in placed if not within(m, LOOP + BELOW_LOOP)] == []
    assert all(p in MODULES for p in LOOP), "LOOP names a module that does not exist"


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components of ``graph`` that hold a cycle (two modules or more, or a self-loop)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return components


def test_strongly_connected_finds_a_cycle_and_ignores_a_chain() -> None:
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_no_import_cycle_inside_the_engine() -> None:
    edges = [i for i in ALL_IMPORTS if i.module_level and within(i.module, ENGINE) and within(i.target, ENGINE)
             and i.target != i.module and not i.module.startswith(i.target + ".")]  # a module's own package: not a cycle
    graph: dict[str, set[str]] = {}
    for edge in edges:
        graph.setdefault(edge.module, set()).add(edge.target)
    cycles = strongly_connected(graph)
    report = []
    for component in cycles:
        members = set(component)
        report.append("cycle: " + " <-> ".join(component))
        report += [f"  {e}" for e in edges if e.module in members and e.target in members]
    assert not cycles, "module-level imports inside the engine form a cycle:\n" + "\n".join(report)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_is_at_most_500_lines(module: str) -> None:
    lines = len(MODULES[module].read_text().splitlines())
    assert lines <= MAX_LINES, f"{module} ({MODULES[module].relative_to(PACKAGE.parent)}) has {lines} lines (at most {MAX_LINES})"


def test_the_reader_sees_lazy_type_checking_and_relative_imports() -> None:
    """The reader is checked on code with every kind of import, so a rule cannot pass because it saw nothing."""
    code = ("from typing import TYPE_CHECKING\nfrom . import specs\nimport hdnotebook.status\n"
            "if TYPE_CHECKING:\n    from hdnotebook.experiment import Experiment\n"
            "def f():\n    from ..workspace import Workspace\n    from .store import Store\n")
    found = read_imports(f"{ENGINE}.example", PACKAGE / "_engine" / "example.py", code)
    assert [(i.line, i.target, i.module_level) for i in found] == [
        (2, "hdnotebook._engine.specs", True), (3, "hdnotebook.status", True),
        (5, "hdnotebook.experiment", False), (7, "hdnotebook.workspace", False), (8, "hdnotebook._engine.store", False)]
    upward = [i for i in found if not allowed(i.target, (ENGINE,) + PURE + LEAVES)]
    assert [i.target for i in upward] == ["hdnotebook.experiment", "hdnotebook.workspace"]
    assert "example.py:7) imports hdnotebook.workspace: from ..workspace import Workspace" in str(upward[1])
