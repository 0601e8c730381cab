"""Hypothesis strategies: random well-typed expressions of the language, as text with shapes.

An expression of a requested shape is grown top-down; each variable's name encodes its shape,
so one name never has two shapes. Functions are chosen to stay finite on standard-normal
inputs, and functions with kinks (relu, abs) are left to the table tests, where the points are
chosen away from the kink.

With ``broadcast=True`` the generators also draw what the first generators missed (issue 10):
scalars and vectors broadcast against vectors and matrices, sums and means over the broadcast
axis and over the other one (``axis=0``, ``axis=1``, ``axis=None``), softmax and logsumexp along
either axis, size-1 dimensions, and second derivatives (:func:`second_problems`) by broadcast
operands. The default draws are unchanged, so tests/integration/test_properties.py sees the
same examples.

With ``spectral=True`` (issue 14) they also draw matrix functions (``expm``, ``sinm``, ``cosm``
of any square sub-expression; ``logm``, ``sqrtm`` of a variable, which the sampler keeps in
their domain) and spectral functions and norms (``eigvalsh``, ``svdvals``, ``norm(X, 2)``,
``norm(X, 'nuc')``, ``norm(x, 1)``, ``norm(x, inf)``). Off by default, so the default draws stay
the same.
With ``rearrange=True`` (issue 14) they also draw indexing with ints and slices (negative ones
and steps too), ``reshape``, ``concatenate``, ``stack``, ``maximum`` and ``minimum``; random
arguments of maximum tie with probability 0, so the sampled points are differentiable.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from matderiv.language.parsing import FUNCTIONS

Shape = tuple[int, ...]

SMOOTH = ["tanh", "sin", "cos", "sigmoid", "softplus"]

#: Draw ``keepdims=True`` reductions and (m, 1) operands broadcast against (m, n) as numpy does.
#: Off until the language has them (issue 10, part 3): today the first is a ParseError and the
#: second a NotSupportedError.
KEEPDIMS = False


def _name(shape: Shape) -> str:
    return {0: "s", 1: "v", 2: "M"}[len(shape)] + "_".join(map(str, shape)) if shape else "s"


@st.composite
def expressions(
    draw: st.DrawFn,
    shape: Shape,
    depth: int,
    names: dict[str, Shape],
    broadcast: bool = False,
    spectral: bool = False,
    rearrange: bool = False,
) -> str:
    def leaf() -> str:
        if not shape and draw(st.booleans()):
            return str(draw(st.sampled_from([2, 3, 0.5])))
        n = _name(shape) + draw(st.sampled_from(["", "b"]))
        names[n] = shape
        return n

    if depth <= 0 or draw(st.integers(0, 5)) == 0:
        return leaf()

    def sub(s: Shape) -> str:
        return draw(expressions(s, depth - 1, names, broadcast, spectral, rearrange))

    def dim() -> int:
        return draw(st.integers(2, 4))

    if spectral and draw(st.integers(0, 3)) == 0:
        found = draw(_spectral_node(shape, sub, names))
        if found is not None:
            return found
    if rearrange and draw(st.integers(0, 2)) == 0:
        return draw(_rearrange_node(shape, depth, names, broadcast))

    if broadcast:

        def dim() -> int:
            return draw(st.sampled_from([1, 2, 2, 3, 3, 4]))

        if draw(st.integers(0, 2)) == 0:
            return draw(_broadcast_node(shape, depth, names))
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


MATFUN = ["expm", "sinm", "cosm"]


@st.composite
def _spectral_node(draw: st.DrawFn, shape: Shape, sub: Any, names: dict[str, Shape]) -> str | None:
    """A matrix or spectral function of the given shape (None when none has that shape)."""
    k = draw(st.integers(2, 3))

    def positive_definite(n: int) -> str:  # a variable: the sampler keeps it in the domain
        names[f"Q{n}"] = (n, n)
        return f"Q{n}"

    def generic(s: Shape) -> str:
        """A sub-expression plus a variable no other node uses: a generic point, away from the
        degenerate ones (a rank-1 outer product has repeated zero singular values, where the
        derivative rightly raises DomainError)."""
        name = "G" + "_".join(map(str, s))
        names[name] = s
        return f"({name} + {sub(s)})"

    if len(shape) == 2 and shape[0] == shape[1]:
        n = shape[0]
        fn = draw(st.sampled_from([*MATFUN, "logm", "sqrtm"]))
        if fn in MATFUN:  # of a small argument: exp of a large matrix overflows
            return f"{fn}(0.5 * {sub(shape)})"
        return f"{fn}({positive_definite(n)})"
    if len(shape) == 1:
        op = draw(st.sampled_from(["eigvalsh", "svdvals"]))
        if op == "eigvalsh":
            return f"eigvalsh({generic((shape[0], shape[0]))})"
        return f"svdvals({generic((shape[0], shape[0] + draw(st.integers(0, 1))))})"
    if shape:
        return None
    op = draw(st.sampled_from(["trace", "weighted", "norm2", "nuc", "norm1", "inf", "sum"]))
    if op == "trace":
        fn = draw(st.sampled_from([*MATFUN, "logm", "sqrtm"]))
        arg = f"0.5 * {sub((k, k))}" if fn in MATFUN else positive_definite(k)
        return f"tr({fn}({arg}))"
    if op == "weighted":
        return f"sum({sub((k, k))} * {draw(_spectral_node((k, k), sub, names))})"
    if op == "norm2":
        return f"norm({generic((k, draw(st.integers(2, 3))))}, 2)"
    if op == "nuc":
        return f"norm({generic((k, draw(st.integers(2, 3))))}, 'nuc')"
    if op in ("norm1", "inf"):
        return f"norm({generic((k + 1,))}, {1 if op == 'norm1' else 'inf'})"
    return f"sum({sub((k,))} * {draw(_spectral_node((k,), sub, names))})"


@st.composite
def _rearrange_node(
    draw: st.DrawFn, shape: Shape, depth: int, names: dict[str, Shape], broadcast: bool
) -> str:
    """A node of the given shape that indexes, reshapes, joins or takes an elementwise extremum."""

    def sub(s: Shape) -> str:
        return draw(expressions(s, depth - 1, names, broadcast, rearrange=True))

    def span(n: int, length: int) -> str:
        """A slice of an axis of size n that selects ``length`` entries, written as a user
        might: negative positions, an omitted end, a step of 2 or -1."""
        step = draw(st.sampled_from([1, 1, 1, 2, -1]))
        if (length - 1) * abs(step) > n - 1:
            step = 1
        room = n - (length - 1) * abs(step)  # positions the first selected entry can take
        first = draw(st.integers(0, room - 1)) + (0 if step > 0 else (length - 1) * abs(step))
        stop = first + step * length
        edge = 0 if step > 0 else n - 1  # where an omitted start begins
        a = draw(st.sampled_from([str(first), str(first - n)] + [""] * (first == edge)))
        if step > 0 and stop >= n:
            b = draw(st.sampled_from(["", str(n)]))
        elif stop < 0:
            b = ""  # a negative step that runs past the first entry
        else:
            b = draw(st.sampled_from([str(stop), str(stop - n)]))
        return f"{a}:{b}" + ("" if step == 1 else f":{step}")

    options = ["index", "index", "extremum"]
    if shape:
        options += ["reshape", "concatenate", "stack"]
    op = draw(st.sampled_from(options))
    if op == "extremum":
        fn = draw(st.sampled_from(["maximum", "minimum"]))
        other: Shape = draw(st.sampled_from([shape, shape[1:], ()])) if shape else ()
        a = sub(shape)
        variable: bool = bool(other) or draw(st.booleans())
        b = sub(other) if variable else "0.5"
        if a == b:  # maximum(x, x) ties everywhere: its derivative is refused at every point
            b = f"(0.5 * {b})"
        return f"{fn}({a}, {b})" if draw(st.booleans()) else f"{fn}({b}, {a})"
    if op == "reshape":
        n = _entries(shape)
        source: Shape = draw(st.sampled_from([(n,), *((d, n // d) for d in (2, 3) if n % d == 0)]))
        if source == shape:
            source = (n,)
        sizes = [str(d) for d in shape]
        if draw(st.booleans()):
            sizes[draw(st.integers(0, len(sizes) - 1))] = "-1"
        return f"reshape({sub(source)}, ({', '.join(sizes)}{',' if len(sizes) == 1 else ''}))"
    if op == "stack":
        axis = draw(st.integers(0, len(shape) - 1))
        inner = (*shape[:axis], *shape[axis + 1 :])
        if shape[axis] > 3 or not inner:
            return f"{sub(shape)}"
        parts = ", ".join(sub(inner) for _ in range(shape[axis]))
        shown = draw(st.sampled_from([axis, axis - len(shape)]))
        return f"stack([{parts}], axis={shown})"
    if op == "concatenate":
        axis = draw(st.integers(0, len(shape) - 1))
        n = shape[axis]
        if n < 2:
            return sub(shape)
        cut = draw(st.integers(1, n - 1))
        left, right = (
            (*shape[:axis], cut, *shape[axis + 1 :]),
            (*shape[:axis], n - cut, *shape[axis + 1 :]),
        )
        return f"concatenate([{sub(left)}, {sub(right)}], axis={axis})"
    # index: a bigger array, with an int or a slice on each axis
    rank = draw(st.integers(len(shape), min(len(shape) + 1, 2)))
    if rank == 0:
        rank = 1
    ints = rank - len(shape)
    where = set(draw(st.permutations(range(rank)))[:ints])
    kept = iter(shape)
    big: list[int] = []
    key: list[str] = []
    for axis in range(rank):
        if axis in where:
            n = draw(st.integers(2, 4))
            k = draw(st.integers(0, n - 1))
            big.append(n)
            key.append(str(draw(st.sampled_from([k, k - n]))))
        else:
            length = next(kept)
            n = length + draw(st.integers(0, 2))
            big.append(n)
            key.append(":" if n == length and draw(st.booleans()) else span(n, length))
    return f"{sub(tuple(big))}[{', '.join(key)}]"


@st.composite
def _broadcast_node(draw: st.DrawFn, shape: Shape, depth: int, names: dict[str, Shape]) -> str:
    """A node of the given shape that broadcasts, reduces over an axis, or normalises along one.

    Operands that get broadcast are often bare variables, so that the variable differentiated by
    is the broadcast one and the reduction runs along the axis where it is constant.
    """

    def sub(s: Shape) -> str:
        return draw(expressions(s, depth - 1, names, True))

    def operand(s: Shape) -> str:  # the broadcast operand: a variable half the time
        if draw(st.booleans()):
            return draw(expressions(s, 0, names, True))
        return sub(s)

    def dim() -> int:
        return draw(st.sampled_from([1, 2, 3, 4]))

    sym = draw(st.sampled_from(["+", "-", "*", "+"]))

    def against(s: Shape) -> str:
        """An expression of shape s with a scalar or a row vector broadcast into it."""
        small: Shape = () if len(s) < 2 or draw(st.booleans()) else s[1:]
        a, b = operand(s), operand(small)
        if draw(st.integers(0, 4)) == 0:
            return f"({a} / exp({b}))"
        return f"({a} {sym} {b})" if draw(st.booleans()) else f"({b} {sym} {a})"

    options = ["reduce", "reduce_bcast"] if len(shape) < 2 else []
    if shape:
        options += ["against", "against"]
    if len(shape) == 2:
        options += ["softmax", "softmax_bcast"]
        if KEEPDIMS:
            options += ["keepdims_bcast"]
    if len(shape) == 1:
        options += ["lse", "lse_bcast", "softmax_bcast"]
    if KEEPDIMS and len(shape) == 2 and shape[1] == 1:
        options += ["keepdims"]
    op = draw(st.sampled_from(options))
    if op == "against":
        return against(shape)
    fn = draw(st.sampled_from(["sum", "mean"]))
    if op in ("reduce", "reduce_bcast"):
        if not shape:  # over everything: axis=None, or an axis of a vector
            arg_shape: Shape = draw(st.sampled_from([(dim(),), (dim(), dim())]))
            inner = against(arg_shape) if op == "reduce_bcast" else sub(arg_shape)
            axis_text = draw(
                st.sampled_from(["", ", axis=None"] + ([", axis=0"] * (len(arg_shape) == 1)))
            )
            return f"{fn}({inner}{axis_text})"
        axis = draw(st.integers(0, len(shape)))  # where the reduced axis goes
        k = dim()
        arg_shape = (*shape[:axis], k, *shape[axis:])
        inner = against(arg_shape) if op == "reduce_bcast" else sub(arg_shape)
        shown = draw(st.sampled_from([axis, axis - len(arg_shape)]))
        return f"{fn}({inner}, axis={shown})"
    if op == "softmax":
        return f"softmax({sub(shape)}, axis={draw(st.sampled_from([0, 1, -1]))})"
    if op == "softmax_bcast":
        return f"softmax({against(shape)}, axis={draw(st.sampled_from([0, len(shape) - 1]))})"
    if op in ("lse", "lse_bcast"):
        axis = draw(st.integers(0, 1))
        k = dim()
        arg_shape = (k, shape[0]) if axis == 0 else (shape[0], k)
        inner = against(arg_shape) if op == "lse_bcast" else sub(arg_shape)
        return f"logsumexp({inner}, axis={axis})"
    if op == "keepdims":  # (m, 1)
        return f"{fn}({sub((shape[0], dim()))}, axis=1, keepdims=True)"
    # keepdims_bcast: layer-norm style, (m, n) minus a (m, 1) statistic
    x = sub(shape)
    return f"({x} - {fn}({x}, axis=1, keepdims=True))"


@st.composite
def problems(
    draw: st.DrawFn,
    max_depth: int = 4,
    broadcast: bool = False,
    spectral: bool = False,
    rearrange: bool = False,
) -> tuple[str, dict[str, Shape], str]:
    """Draw (expression text, shapes, variable to differentiate by)."""
    names: dict[str, Shape] = {}
    out_rank = draw(st.sampled_from([0, 0, 1, 2]))
    sizes = st.integers(2, 5) if not broadcast else st.sampled_from([1, 2, 3, 4, 5])
    shape = tuple(draw(sizes) for _ in range(out_rank))
    text = draw(expressions(shape, max_depth, names, broadcast, spectral, rearrange))
    if not names:
        names["s"] = ()
        text = f"({text}) * s"
    return text, names, draw(_pick_wrt(names, broadcast))


def _pick_wrt(names: dict[str, Shape], broadcast: bool, among: list[str] | None = None) -> Any:
    """Any variable; with broadcasting, half the time one of the lowest rank present, which is
    most often the operand that gets broadcast."""
    pool = sorted(names) if among is None else among
    if broadcast:
        low = min(len(names[n]) for n in pool)
        return st.one_of(
            st.sampled_from(pool), st.sampled_from([n for n in pool if len(names[n]) == low])
        )
    return st.sampled_from(pool)


def _entries(shape: Shape) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


@st.composite
def second_problems(
    draw: st.DrawFn, max_depth: int = 3, max_entries: int = 12, rearrange: bool = False
) -> tuple[str, dict[str, Shape], str, str]:
    """Draw (expression text, shapes, wrt, wrt2) for a second derivative ∂²f/∂wrt∂wrt2 (a Hessian
    when wrt2 == wrt, else mixed), mostly of a scalar, with broadcasting; ``wrt`` is a broadcast
    operand whenever the expression has one. Variables differentiated by have at most
    ``max_entries`` entries, which keeps nested finite differences cheap."""
    names: dict[str, Shape] = {}
    out_rank = draw(st.sampled_from([0, 0, 0, 1]))
    shape = tuple(draw(st.sampled_from([1, 2, 3])) for _ in range(out_rank))
    text = draw(expressions(shape, max_depth, names, True, rearrange=rearrange))
    if not names:
        names["s"] = ()
        text = f"({text}) * s"
    small = sorted(n for n, s in names.items() if _entries(s) <= max_entries)
    if not small:
        names["s"] = ()
        text = f"({text}) * s"
        small = ["s"]
    wrt = draw(_pick_wrt(names, True, small))
    wrt2 = wrt if draw(st.booleans()) else draw(_pick_wrt(names, True, small))
    return text, names, wrt, wrt2


#: Shapes of the names in the text and token soups.
SOUP_SHAPES = {"X": (2, 3), "Y": (3, 2), "A": ("n", "n"), "x": ("n",), "t": ()}
TOKENS = [
    *sorted(FUNCTIONS),
    "X",
    "Y",
    "A",
    "x",
    "t",
    "(",
    ")",
    "(",
    ")",
    ",",
    "@",
    "*",
    "+",
    "-",
    "/",
    "**",
    ".T",
    "1",
    "2.5",
    "axis=0",
    "'fro'",
    "'nuc'",
    "inf",
    "'ij,jk->ik'",
    " ",
    "[",
    "]",
    "lambda",
    "^",
    "%",
    "==",
    "__import__",
    "os",
    "eye(n)",
    "ones((2, 3))",
]

#: Random text, and random sequences of the language's tokens (and hostile ones), for fuzzing
#: the parser: anything but a matderiv error is a crash.
text_soup = st.text(max_size=60)
token_soup = st.lists(st.sampled_from(TOKENS), max_size=25).map("".join)
