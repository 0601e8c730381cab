"""The playground's build step (book/playground.md): a Sphinx extension that ships Pyodide and
matderiv's own wheel in the site, so the page derives in the reader's browser with no server.

At the end of an HTML build it writes into ``_static/``:

- ``pyodide/``: the Pyodide core files, copied from ``book/node_modules/pyodide`` (installed by
  ``npm ci --prefix book``, pinned in book/package-lock.json); nothing else of the package;
- ``playground/``: the page's JS, CSS and Python driver (from book/_static/playground), the
  pure-Python wheel of matderiv built from this checkout, and ``config.json``, which tells the
  page whether the playground is available and which wheel to load.

Without ``node_modules/pyodide`` the build still passes: config.json says the playground is
unavailable and why, and the page shows that sentence. The wheel is written with ``zipfile``
(the package is pure Python and has no build step), so the build needs no network and no build
backend.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import importlib.util
import json
import shutil
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

if TYPE_CHECKING:
    from docutils import nodes
    from sphinx.application import Sphinx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYODIDE = HERE / "node_modules" / "pyodide"
SOURCES = HERE / "_static" / "playground"

#: The only files of the npm package the site ships (no console pages, types or source maps).
PYODIDE_CORE = (
    "pyodide.mjs",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)

#: What the playground is allowed to ship from book/_static/playground.
ASSETS = (".js", ".mjs", ".css", ".py")

#: Fixed timestamp for wheel entries, so that two builds of one checkout give the same bytes.
_EPOCH = (2026, 1, 1, 0, 0, 0)


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def build_wheel(package: Path, version: str, dest: Path) -> Path:
    """Write the pure-Python wheel ``matderiv-<version>-py3-none-any.whl`` into ``dest``.

    Every ``.py`` file of ``package`` and its ``py.typed`` marker, plus the dist-info
    (METADATA, WHEEL, RECORD with sha256 hashes), in a fixed order with fixed timestamps.
    """
    if not (package / "__init__.py").is_file():
        raise FileNotFoundError(f"no Python package at {package} (expected __init__.py)")
    name = package.name
    files = sorted(
        p
        for p in package.rglob("*")
        if p.is_file()
        and (p.suffix == ".py" or p.name == "py.typed")
        and "__pycache__" not in p.parts
    )
    info = f"{name}-{version}.dist-info"
    entries: list[tuple[str, bytes]] = [
        (p.relative_to(package.parent).as_posix(), p.read_bytes()) for p in files
    ]
    entries.append(
        (f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode())
    )
    entries.append(
        (
            f"{info}/WHEEL",
            b"Wheel-Version: 1.0\nGenerator: matderiv-book\nRoot-Is-Purelib: true\n"
            b"Tag: py3-none-any\n",
        )
    )
    record = "".join(f"{path},{_record_hash(data)},{len(data)}\n" for path, data in entries)
    record += f"{info}/RECORD,,\n"
    entries.append((f"{info}/RECORD", record.encode()))

    dest.mkdir(parents=True, exist_ok=True)
    wheel = dest / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path, data in entries:
            zinfo = zipfile.ZipInfo(path, date_time=_EPOCH)
            zinfo.compress_type = zipfile.ZIP_DEFLATED
            zinfo.external_attr = 0o644 << 16
            zf.writestr(zinfo, data)
    return wheel


def install(static: Path, pyodide: Path, package: Path, version: str) -> dict[str, Any]:
    """Ship the playground into a built site's ``_static`` directory; return its config.

    The config (also written as ``_static/playground/config.json``) has ``available`` and,
    when the playground is unavailable, ``reason``, a sentence the page shows the reader.
    """
    out = static / "playground"
    out.mkdir(parents=True, exist_ok=True)
    for src in sorted(SOURCES.iterdir()):
        if src.suffix in ASSETS:
            shutil.copyfile(src, out / src.name)

    missing = [f for f in PYODIDE_CORE if not (pyodide / f).is_file()]
    config: dict[str, Any]
    if missing:
        config = {
            "available": False,
            "reason": "This build of the book has no Pyodide (it was built without "
            "`npm ci --prefix book`), so the playground is unavailable. "
            "Every other page works as usual.",
        }
    else:
        target = static / "pyodide"
        target.mkdir(parents=True, exist_ok=True)
        for f in PYODIDE_CORE:
            shutil.copyfile(pyodide / f, target / f)
        npm = (
            json.loads((pyodide / "package.json").read_text())
            if (pyodide / "package.json").is_file()
            else {}
        )
        lock = json.loads((pyodide / "pyodide-lock.json").read_text())
        wheel = build_wheel(package, version, out)
        config = {
            "available": True,
            "wheel": wheel.name,
            "version": version,
            "pyodide": npm.get("version", "unknown"),
            "python": lock.get("info", {}).get("python", "unknown"),
        }
    (out / "config.json").write_text(json.dumps(config, indent=1) + "\n")
    return config


# -- "Open in the playground" under the chapters' code cells ----------------------------------


def _driver() -> Any:
    spec = importlib.util.spec_from_file_location("playground_driver", SOURCES / "driver.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def shapes_text(shapes: dict[str, tuple[str | int, ...]]) -> str:
    """``{"X": ("B", "N"), "s": ()}`` -> ``"X=B,N; s="``, the playground's shapes field."""
    return "; ".join(f"{name}=" + ",".join(str(d) for d in dims) for name, dims in shapes.items())


def _literal(node: ast.expr | None) -> Any:
    if node is None:
        return None
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def _dict_value(node: ast.expr | None, env: dict[str, Any]) -> Any:
    """A dict literal, a name assigned one earlier on the page, or ``{**known, "k": (...)}``."""
    if isinstance(node, ast.Name):
        return env.get(node.id)
    if isinstance(node, ast.Dict) and None in node.keys:
        out: dict[Any, Any] = {}
        for key, value in zip(node.keys, node.values, strict=True):
            part = _dict_value(value, env) if key is None else {_literal(key): _literal(value)}
            if not isinstance(part, dict) or None in part or None in part.values():
                return None
            out.update(part)
        return out
    return _literal(node)


def _request(call: ast.Call, env: dict[str, Any]) -> dict[str, str] | None:
    """The playground request of a ``md.derive``/``md.hessian`` call whose arguments are
    literals (or a shapes dict assigned earlier on the page); None for any other call."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name not in ("derive", "hessian"):
        return None
    keywords = {k.arg: k.value for k in call.keywords if k.arg is not None}
    names = ["expr", "wrt", "wrt2", "shapes"] if name == "hessian" else ["expr", "wrt", "shapes"]
    args = dict(zip(names, call.args, strict=False))
    args.update({k: v for k, v in keywords.items() if k in (*names, "layout")})
    shapes = _dict_value(args.get("shapes"), env)
    expr, wrt, wrt2 = (_literal(args.get(k)) for k in ("expr", "wrt", "wrt2"))
    layout = _literal(args.get("layout")) or "tensor"
    if not (isinstance(expr, str) and isinstance(wrt, str) and isinstance(shapes, dict)):
        return None
    if wrt2 is not None and not isinstance(wrt2, str):
        return None
    try:
        text = shapes_text(shapes)
    except TypeError:
        return None
    request = {"expr": expr, "shapes": text, "wrt": wrt, "wrt2": wrt2 or "", "layout": layout}
    return request


def requests_in(source: str, env: dict[str, Any]) -> Iterator[dict[str, str]]:
    """The playground requests of one code cell, in order; ``env`` carries the dict literals
    assigned so far on the page (``shapes = {...}``) from cell to cell."""
    # IPython's magics and shell escapes are not Python: blank them, keeping the line numbers
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return
    for stmt in tree.body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call) and (request := _request(node, env)) is not None:
                yield request
        if isinstance(stmt, ast.Assign):
            value = _dict_value(stmt.value, env)
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    if isinstance(value, dict):
                        env[target.id] = value
                    else:
                        env.pop(target.id, None)


def _add_links(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """After each code cell that derives something the playground can derive (checked here,
    at build time, with the driver the page runs), a line of links that prefill it."""
    from docutils import nodes  # the book's extra: the tests import this module without it

    if app.builder.format != "html" or docname == "playground" or not _pyodide_present():
        return
    driver = _driver()
    env: dict[str, Any] = {}
    base = app.builder.get_relative_uri(docname, "playground")
    for cell in list(doctree.findall(nodes.container)):
        if cell.get("nb_element") != "cell_code":
            continue
        source = "".join(
            block.astext()
            for block in cell.findall(nodes.literal_block)
            if isinstance(block.parent, nodes.container)
            and block.parent.get("nb_element") == "cell_code_source"
        )
        seen: list[dict[str, str]] = []
        for request in requests_in(source, env):
            if request in seen:
                continue
            try:
                driver.derive(request)
            except Exception:  # what the playground cannot derive gets no link
                continue
            seen.append(request)
        if not seen:
            continue
        para = nodes.paragraph(classes=["mdp-open"])
        label = "在 playground 中打开：" if docname.endswith("-zh") else "Open in the playground: "
        para += nodes.Text(label)
        for i, request in enumerate(seen):
            if i:
                para += nodes.Text(" · ")
            query = urlencode({k: v for k, v in request.items() if v and v != "tensor"})
            by = request["wrt"] + (f", {request['wrt2']}" if request["wrt2"] else "")
            ref = nodes.reference("", "", refuri=f"{base}?{query}", internal=True)
            ref += nodes.literal(request["expr"], request["expr"])
            ref += nodes.Text(f" by {by}")
            para += ref
        cell.parent.insert(cell.parent.index(cell) + 1, para)


def _pyodide_present() -> bool:
    return all((PYODIDE / f).is_file() for f in PYODIDE_CORE)


def _on_build_finished(app: Sphinx, exception: BaseException | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    config = install(Path(app.outdir) / "_static", PYODIDE, ROOT / "matderiv", app.config.release)
    if config["available"]:
        print(f"matderiv book: playground ships Pyodide {config['pyodide']} and {config['wheel']}")
    else:
        print(
            "matderiv book: the playground is unavailable (no book/node_modules/pyodide; "
            "run `npm ci --prefix book` first); the rest of the book is unaffected",
            file=sys.stderr,
        )


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("doctree-resolved", _add_links)
    app.connect("build-finished", _on_build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
