"""The package's shape: imports run one way down the pipeline, with no cycles.

Every import counts, including imports inside functions and under ``TYPE_CHECKING``: a cycle
held apart by a lazy import is still a cycle. The layers, lowest first, are ``errors``, then
``language/``, ``engine/``, ``numeric/``, ``checks/``, and finally the modules at the top
(``derivative``, ``steps``, ``forms``, ``catalogue``, ``cli``, ``__init__``). A module may import
its own layer or a lower one, never a higher one.
"""

from __future__ import annotations

import ast
import pathlib

import pytest

import matderiv

PACKAGE = pathlib.Path(matderiv.__file__).parent
LAYERS = {"errors": 0, "language": 1, "engine": 2, "numeric": 3, "checks": 4}
TOP = 5


def _module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, pathlib.Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: pathlib.Path, known: set[str]) -> set[str]:
    """Every module of the package that ``name`` imports, wherever the import statement is."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                stem = ".".join([*base, node.module] if node.module else base)
            else:
                stem = node.module or ""
            targets = [f"{stem}.{a.name}" for a in node.names] + [stem]
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        for t in targets:
            # `from .numeric import layout` names the module numeric.layout; `from .x import f`
            # names a function f of the module x
            while t and t not in known:
                t = t.rpartition(".")[0]
            if t and t != name:
                out.add(t)
    # importing a submodule runs its package's __init__, which only re-exports: not an edge
    return {m for m in out if not name.startswith(m + ".") and m != "matderiv"}


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    known = set(mods)
    return {name: _imports(name, path, known) for name, path in mods.items()}


def _layer(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 1:
        return TOP
    return LAYERS.get(parts[1], TOP)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_import_walker_sees_lazy_and_type_checking_imports() -> None:
    graph = _graph()
    assert "matderiv.language.expression" in graph["matderiv.language.parsing"]
    assert "matderiv.numeric.flattening" in graph["matderiv"]  # a lazy re-export


def test_the_package_has_no_import_cycles() -> None:
    assert _cycles(_graph()) == []


def test_imports_run_down_the_pipeline() -> None:
    upward = sorted(
        f"{a} imports {b}"
        for a, targets in _graph().items()
        for b in targets
        if _layer(b) > _layer(a)
    )
    assert upward == []


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.name)
def test_no_module_is_over_500_lines(path: pathlib.Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 500
