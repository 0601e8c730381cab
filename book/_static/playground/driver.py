"""The playground's Python side: it runs inside Pyodide, in a Web Worker (worker.mjs).

``run(request_json)`` answers one request and returns JSON for the page: ``"derive"`` (the
default), ``"check"`` (the derived result against finite differences on a small random
instance) or ``"claim"`` (the reader's own formula, checked the same way). It needs no numpy:
``import matderiv`` and the symbolic pipeline are pure Python, and without numpy the checks run
on matderiv's pure-Python backend (every axis at most 4). The book's tests also run it in
CPython.
"""

import json
import re
import time

import matderiv as md
from matderiv.engine.notation import index_latex

LAYOUTS = ("tensor", "numerator", "denominator", "mixed", "mit")
_NAME = re.compile(r"[A-Za-z_]\w*\Z")


class RequestError(ValueError):
    """A malformed request field (the shapes text), reported like the library's errors."""


def parse_shapes(text):
    """``"X=B,N; W=N,M; b=M; s="`` -> ``{"X": ("B", "N"), ..., "s": ()}`` (ints stay ints)."""
    shapes = {}
    for part in text.replace("\n", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        name, eq, dims = part.partition("=")
        name = name.strip()
        if not eq or not _NAME.match(name):
            raise RequestError(
                f"cannot read the shape {part!r}: write NAME=DIM,DIM (such as X=B,N), "
                "or NAME= for a scalar"
            )
        if name in shapes:
            raise RequestError(f"the shape of {name!r} is given twice")
        out = []
        for dim in dims.strip().strip("()").split(","):
            dim = dim.strip()
            if not dim:
                continue
            if dim.isdigit():
                out.append(int(dim))
            elif _NAME.match(dim):
                out.append(dim)
            else:
                raise RequestError(
                    f"cannot read the dimension {dim!r} of {name!r}: use a name (N) or a size (3)"
                )
        shapes[name] = tuple(out)
    return shapes


STRUCTURES = ("symmetric", "diagonal")
CONVENTIONS = ("frobenius", "free")


def parse_structure(text, shapes):
    """``"S=symmetric; D=diagonal"`` applied to ``shapes`` (a new dict): those variables are
    declared with ``md.structured``. Empty text changes nothing."""
    shapes = dict(shapes)
    for part in text.replace("\n", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        name, eq, kind = (s.strip() for s in part.partition("="))
        if not eq or kind not in STRUCTURES:
            raise RequestError(
                f"cannot read the structure {part!r}: write NAME=symmetric or NAME=diagonal"
            )
        if name not in shapes:
            raise RequestError(f"the structure of {name!r} is given, but not its shape")
        shapes[name] = md.structured(shapes[name], kind)
    return shapes


def _gathered(latex):
    """MathJax 3 breaks ``\\\\`` only inside an environment."""
    return r"\begin{gathered}" + latex + r"\end{gathered}" if r"\\" in latex else latex


def _index_latex(d):
    free = list(d.index_expr.free)
    if d.layout != "tensor" and d.arrangement == "T":
        free.reverse()
    lhs = "D_{" + "".join(i.name for i in free) + "}" if free else "D"
    return f"{lhs} = {index_latex(d.index_expr)}"


def _fields(request):
    expr = request.get("expr", "").strip()
    wrt = request.get("wrt", "").strip()
    wrt2 = request.get("wrt2", "").strip()
    layout = request.get("layout", "tensor") or "tensor"
    if not expr:
        raise RequestError("type an expression, such as sum((X @ W - Y)**2)")
    if not wrt:
        raise RequestError("say which variable to differentiate by, such as W")
    if layout not in LAYOUTS:
        raise RequestError(f"unknown layout {layout!r}: use one of {', '.join(LAYOUTS)}")
    shapes = parse_structure(request.get("structure", ""), parse_shapes(request.get("shapes", "")))
    return expr, shapes, wrt, wrt2, layout


def _convention(request):
    """The convention of a derivative by a symmetric variable (``symmetric``), or None."""
    symmetric = request.get("symmetric", "") or None
    if symmetric is not None and symmetric not in CONVENTIONS:
        raise RequestError(f"unknown convention {symmetric!r}: use one of {', '.join(CONVENTIONS)}")
    return symmetric


def _derivative(expr, shapes, wrt, wrt2, layout):
    d = md.hessian(expr, wrt, wrt2, shapes=shapes) if wrt2 else md.derive(expr, wrt, shapes=shapes)
    return d.to_layout(layout) if layout != d.layout else d


def derive(request):
    """One derivation: ``request`` has expr, shapes (text), wrt, wrt2 (may be empty), layout."""
    fields = _fields(request)
    start = time.perf_counter()
    d = _derivative(*fields)
    steps = [{"title": s.title, "latex": _gathered(s.latex)} for s in d.steps]
    result = {
        "ok": True,
        "matrix": d.matrix,
        "latex": d.latex(),
        "index": d.index,
        "index_latex": _index_latex(d),
        "steps": steps,
        "shape": list(d.shape),
        "layout": d.layout,
        "einsum": d.einsum,
        "code": d.code,
        "source": d.to_source(),
    }
    result["ms"] = round((time.perf_counter() - start) * 1000, 2)
    return result


def check(request):
    """The derived result against central finite differences on a small random instance (or
    the reader's formula, ``request["claim"]``, when the action is ``"claim"``)."""
    expr, shapes, wrt, wrt2, layout = _fields(request)
    start = time.perf_counter()
    if request.get("action") == "claim":
        claim = request.get("claim", "").strip()
        if not claim:
            raise RequestError(
                "type your formula for the derivative, such as 2 * X.T @ (X @ W - Y)"
            )
        symmetric = _convention(request)
        f = md.derive(expr, wrt, shapes=shapes, symmetric=symmetric) if wrt2 else expr
        by = wrt2 or wrt
        try:
            report = md.check_derivative(
                f, claim, wrt=by, shapes=shapes, layout=layout, symmetric=symmetric
            )
        except AssertionError as err:
            return {"ok": True, "passed": False, "message": str(err)}
    else:
        report = _derivative(expr, shapes, wrt, wrt2, layout).check()
    ms = round((time.perf_counter() - start) * 1000, 2)
    return {"ok": True, "passed": True, "message": str(report), "ms": ms}


ACTIONS = {"derive": derive, "check": check, "claim": check}


def run(request_json):
    """JSON in, JSON out; an error becomes ``{"ok": false, "error": TYPE, "message": ...}``."""
    try:
        request = json.loads(request_json)
        action = request.get("action", "derive")
        if action not in ACTIONS:
            raise RequestError(f"unknown action {action!r}: use one of {', '.join(ACTIONS)}")
        return json.dumps(ACTIONS[action](request))
    except (md.MatderivError, RequestError) as err:
        return json.dumps({"ok": False, "error": type(err).__name__, "message": str(err)})
    except Exception as err:  # a bug: say so, loudly, with the type
        return json.dumps(
            {
                "ok": False,
                "error": type(err).__name__,
                "message": f"internal error (please report it): {err}",
            }
        )
