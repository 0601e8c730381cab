"""Hypothesis strategies: random well-typed expressions of the language, as text with shapes.

An expression of a requested shape is grown top-down; each variable's name encodes its shape,
so one name never has two shapes. Functions are chosen to stay finite on standard-normal
inputs, and functions with kinks (relu, abs) are left to the table tests, where the points are
chosen away from the kink.
"""

from __future__ import annotations

from hypothesis import strategies as st

Shape = tuple[int, ...]

SMOOTH = ["tanh", "sin", "cos", "sigmoid", "softplus"]


def _name(shape: Shape) -> str:
    return {0: "s", 1: "v", 2: "M"}[len(shape)] + "_".join(map(str, shape)) if shape else "s"


@st.composite
def expressions(draw: st.DrawFn, shape: Shape, depth: int, names: dict[str, Shape]) -> str:
    def leaf() -> str:
        if not shape and draw(st.booleans()):
            return str(draw(st.sampled_from([2, 3, 0.5])))
        n = _name(shape) + draw(st.sampled_from(["", "b"]))
        names[n] = shape
        return n

    if depth <= 0 or draw(st.integers(0, 5)) == 0:
        return leaf()
    sub = lambda s: draw(expressions(s, depth - 1, names))  # noqa: E731
    dim = lambda: draw(st.integers(2, 4))  # noqa: E731
    options = ["add", "sub", "mul", "func", "scale"]
    if len(shape) == 2:
        options += ["matmul", "transpose", "outer", "kron"]
        if shape[0] == shape[1]:
            options += ["diag", "inv", "eye", "power"]
    if len(shape) == 1:
        options += ["matvec", "vecmat", "softmax", "rowsum", "ones"] + (
            ["vec"] if shape[0] in (4, 6) else []
        )
    if not shape:
        options += ["sum", "dot", "trace", "norm2", "mean", "logsumexp", "quad", "einsum", "logdet"]
    op = draw(st.sampled_from(options))
    if op in ("add", "sub", "mul"):
        sym = {"add": "+", "sub": "-", "mul": "*"}[op]
        return f"({sub(shape)} {sym} {sub(shape)})"
    if op == "func":
        return f"{draw(st.sampled_from(SMOOTH))}({sub(shape)})"
    if op == "scale":
        return f"({sub(())} * {sub(shape)})"
    if op == "matmul":
        k = dim()
        return f"({sub((shape[0], k))} @ {sub((k, shape[1]))})"
    if op == "transpose":
        return f"{sub((shape[1], shape[0]))}.T"
    if op == "outer":
        return f"outer({sub((shape[0],))}, {sub((shape[1],))})"
    if op == "diag":
        return f"diag({sub((shape[0],))})"
    if op == "inv":  # of a variable, which the sampler makes well-conditioned
        names[f"Q{shape[0]}"] = shape
        return f"inv(Q{shape[0]})"
    if op == "eye":
        return f"(eye({shape[0]}) + {sub(shape)})"
    if op == "power":
        return f"matrix_power({sub(shape)}, 2)"
    if op == "kron":
        a = 2 if shape[0] % 2 == 0 else 1
        b = 2 if shape[1] % 2 == 0 else 1
        return f"kron({sub((a, b))}, {sub((shape[0] // a, shape[1] // b))})"
    if op == "vec":
        rows = 2
        return f"vec({sub((rows, shape[0] // rows))})"
    if op == "ones":
        return f"(ones({shape[0]}) * {sub(())})"
    if op == "einsum":
        k, m = dim(), dim()
        return f"einsum('ij,ij->', {sub((k, m))}, {sub((k, m))})"
    if op == "logdet":
        k = dim()
        names[f"Q{k}"] = (k, k)
        return f"logdet(Q{k})"
    if op == "matvec":
        k = dim()
        return f"({sub((shape[0], k))} @ {sub((k,))})"
    if op == "vecmat":
        k = dim()
        return f"({sub((k,))} @ {sub((k, shape[0]))})"
    if op == "softmax":
        return f"softmax({sub(shape)})"
    if op == "rowsum":
        k = dim()
        return f"sum({sub((shape[0], k))}, axis=1)"
    if op == "sum":
        return f"sum({sub((dim(), dim()))})"
    if op == "mean":
        return f"mean({sub((dim(),))})"
    if op == "dot":
        k = dim()
        return f"({sub((k,))} @ {sub((k,))})"
    if op == "trace":
        k = dim()
        return f"tr({sub((k, k))})"
    if op == "norm2":
        return f"norm({sub((dim(),))})**2"
    if op == "logsumexp":
        return f"logsumexp({sub((dim(),))})"
    k = dim()
    return f"({sub((k,))} @ {sub((k, k))} @ {sub((k,))})"


@st.composite
def problems(draw: st.DrawFn, max_depth: int = 4) -> tuple[str, dict[str, Shape], str]:
    """Draw (expression text, shapes, variable to differentiate by)."""
    names: dict[str, Shape] = {}
    out_rank = draw(st.sampled_from([0, 0, 1, 2]))
    shape = tuple(draw(st.integers(2, 5)) for _ in range(out_rank))
    text = draw(expressions(shape, max_depth, names))
    if not names:
        names["s"] = ()
        text = f"({text}) * s"
    wrt = draw(st.sampled_from(sorted(names)))
    return text, names, wrt
