"""Indexing, reshape, concatenate, stack, maximum and minimum (issue 14, item 4), end to end.

Every case is written a second time by hand in plain numpy; the expected derivative is central
differences of that function (matderiv.testing.oracle), never another output of matderiv. Each
case compares ``d.evaluate`` (matrix and index routes), ``d.compile()``, every layout convention,
``d.einsum`` run as Python text and ``d.code`` parsed back; named sizes are bound from SIZES.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import matderiv as md
from matderiv.testing.oracle import compare, expected_derivative, failures
from tests.finite import central_jacobian

SIZES = {"B": 3, "N": 4, "n": 5, "M": 2}


@dataclass(frozen=True)
class Case:
    expr: str
    wrts: tuple[str, ...]
    shapes: dict[str, tuple[Any, ...]]
    f: Callable[[dict[str, np.ndarray]], Any]  # the same function, by hand in numpy
    matrix: str | None = None  # the matrix text, where it is pinned


def case(
    id_: str,
    expr: str,
    wrts: str | tuple[str, ...],
    shapes: dict[str, tuple[Any, ...]],
    f: Callable[[dict[str, np.ndarray]], Any],
    matrix: str | None = None,
) -> Any:
    wrts = (wrts,) if isinstance(wrts, str) else wrts
    return pytest.param(Case(expr, wrts, shapes, f, matrix), id=id_)


XB = {"X": ("B", "N"), "y": ("B",)}
XV = {"x": ("n",), "A": ("B", "n")}

CASES = [
    # basic indexing: a selection, the derivative a 0/1 factor
    case("column-times-vector", "sum(X[:, 0] * y)", "X", XB,
         lambda a: np.sum(a["X"][:, 0] * a["y"]), matrix="y e_0^T"),
    case("last-column-named-size", "sum(X[:, -1] * y)", "X", XB,
         lambda a: np.sum(a["X"][:, -1] * a["y"]), matrix="y e_{N-1}^T"),
    case("row-of-matrix", "X[0]", "X", {"X": ("B", "N")}, lambda a: a["X"][0]),
    case("slice-squared", "sum(x[1:3] ** 2)", "x", {"x": ("n",)},
         lambda a: np.sum(a["x"][1:3] ** 2), matrix="2 I[1:3]^T x[1:3]"),
    case("slice-from-end", "x[-2:] * 3", "x", {"x": ("n",)}, lambda a: a["x"][-2:] * 3),
    case("reversed", "x[::-1]", "x", {"x": ("n",)}, lambda a: a["x"][::-1], matrix="I[::-1]"),
    case("step-and-rows", "X[1:3, ::2]", "X", {"X": (4, 5)}, lambda a: a["X"][1:3, ::2]),
    case("ellipsis", "X[..., 1]", "X", {"X": (3, 4)}, lambda a: a["X"][..., 1]),
    case("entry-scalar", "X[1, 2] * X[0, 0]", "X", {"X": (3, 4)},
         lambda a: a["X"][1, 2] * a["X"][0, 0]),
    case("slice-of-product", "sum(sigmoid((A @ x)[1:]))", "x", {"x": (4,), "A": (3, 4)},
         lambda a: np.sum(1 / (1 + np.exp(-(a["A"] @ a["x"])[1:])))),
    case("slice-in-quadratic", "x[:2] @ A[:2, :2] @ x[:2]", "A", {"x": ("n",), "A": ("n", "n")},
         lambda a: a["x"][:2] @ a["A"][:2, :2] @ a["x"][:2]),
    case("slice-hessian", "sum(exp(x[1:4]))", ("x", "x"), {"x": ("n",)},
         lambda a: np.sum(np.exp(a["x"][1:4]))),
    # reshape (row-major)
    case("reshape-matrix", "reshape(X, (3, 2))", "X", {"X": (2, 3)},
         lambda a: np.reshape(a["X"], (3, 2))),
    case("reshape-flatten-named", "reshape(X, -1) @ reshape(X, (B * N,))", "X", {"X": ("B", "N")},
         lambda a: a["X"].ravel() @ a["X"].ravel()),
    case("reshape-product", "sum(reshape(X, (3, 2)) @ W)", "X", {"X": (2, 3), "W": (2, 4)},
         lambda a: np.sum(np.reshape(a["X"], (3, 2)) @ a["W"])),
    case("reshape-vector-to-matrix", "tr(reshape(x, (2, 2)) @ A)", "x", {"x": (4,), "A": (2, 2)},
         lambda a: np.trace(np.reshape(a["x"], (2, 2)) @ a["A"])),
    case("reshape-3d", "sum(reshape(X, (2, 3, 2)) ** 2, axis=1)", "X", {"X": (3, 4)},
         lambda a: np.sum(np.reshape(a["X"], (2, 3, 2)) ** 2, axis=1)),
    # concatenate and stack
    case("concatenate-columns", "concatenate([X, Y], axis=1)", "X", {"X": (2, 3), "Y": (2, 1)},
         lambda a: np.concatenate([a["X"], a["Y"]], axis=1)),
    case("concatenate-rows-equal-named", "sum(concatenate([X, X @ A]) ** 2)", "X",
         {"X": ("N", "M"), "A": ("M", "M")},
         lambda a: np.sum(np.concatenate([a["X"], a["X"] @ a["A"]]) ** 2)),
    case("concatenate-vectors", "concatenate([x, 2 * y, x])", "y", {"x": (2,), "y": (3,)},
         lambda a: np.concatenate([a["x"], 2 * a["y"], a["x"]])),
    case("stack-new-axis", "stack([x, 2 * x], axis=1)", "x", {"x": ("n",)},
         lambda a: np.stack([a["x"], 2 * a["x"]], axis=1)),
    case("stack-matrices-last", "sum(stack([X, exp(X)], axis=-1) ** 2)", "X", {"X": (2, 3)},
         lambda a: np.sum(np.stack([a["X"], np.exp(a["X"])], axis=-1) ** 2)),
    # maximum and minimum
    case("maximum-squared", "sum(maximum(x, y) ** 2)", "x", {"x": (4,), "y": (4,)},
         lambda a: np.sum(np.maximum(a["x"], a["y"]) ** 2),
         matrix="2 (maximum(x, y) * strict_step(x - y))"),
    case("minimum-broadcast", "minimum(X, b)", "b", {"X": (3, 4), "b": (4,)},
         lambda a: np.minimum(a["X"], a["b"])),
    case("maximum-both-sides", "sum(maximum(W @ x, 2 * x))", "x", {"W": (3, 3), "x": (3,)},
         lambda a: np.sum(np.maximum(a["W"] @ a["x"], 2 * a["x"]))),
    case("minimum-scalar-hessian", "sum(minimum(x, 0.5) ** 3)", ("x", "x"), {"x": (4,)},
         lambda a: np.sum(np.minimum(a["x"], 0.5) ** 3)),
    # together
    case("slice-of-concatenate", "concatenate([x, y])[1:4]", "y", {"x": (2,), "y": (3,)},
         lambda a: np.concatenate([a["x"], a["y"]])[1:4]),
    case("maximum-of-columns", "maximum(X[:, 0], X[:, 1])", "X", {"X": (3, 2)},
         lambda a: np.maximum(a["X"][:, 0], a["X"][:, 1])),
]  # fmt: skip


def _arrays(c: Case) -> tuple[dict[str, np.ndarray], dict[str, int]]:
    rng = np.random.default_rng(20261122)
    arrays = {
        name: rng.standard_normal(tuple(SIZES[d] if isinstance(d, str) else d for d in shape))
        for name, shape in sorted(c.shapes.items())
    }
    return arrays, {d: SIZES[d] for s in c.shapes.values() for d in s if isinstance(d, str)}


def _derive(c: Case) -> md.Derivative:
    d = md.derive(c.expr, c.wrts[0], shapes=c.shapes)
    for w in c.wrts[1:]:
        d = md.derive(d, w, shapes=c.shapes)
    return d


@pytest.mark.parametrize("c", CASES)
def test_every_output_matches_finite_differences(c: Case) -> None:
    d = _derive(c)
    if c.matrix is not None:
        assert d.matrix == c.matrix
    arrays, sizes = _arrays(c)
    expected = expected_derivative(c.f, arrays, c.wrts)
    found = compare(d, arrays, sizes, expected)
    bad = failures(found)
    assert not bad, "\n".join(f"{o.kind}: {o.status}: {o.detail}" for o in bad)
    assert {o.kind for o in found if o.status == "ok"} >= {"evaluate", "compile", "einsum"}


def test_the_builder_indexes_as_numpy_does(rng: np.random.Generator) -> None:
    X, v = md.var("X", (3, 4)), md.var("v", (3,))
    d = md.derive(X[:, 1:3].T @ v, X)
    at = {"X": rng.standard_normal((3, 4)), "v": rng.standard_normal(3)}
    fd = central_jacobian(lambda X, v: X[:, 1:3].T @ v, at, "X")
    np.testing.assert_allclose(d.evaluate(**at), fd, atol=1e-8)
    assert str(X[-1, ::2]) == "X[2, ::2]"  # sizes known: the key is stored canonically


def test_a_named_size_too_small_for_a_slice_raises(rng: np.random.Generator) -> None:
    d = md.derive("sum(x[1:3] ** 2)", "x", shapes={"x": ("n",)})
    short = {"x": rng.standard_normal(2)}
    with pytest.raises(md.ShapeError, match=r"the index \[1:3\] along n needs n >= 3, but n is 2"):
        d.evaluate(**short)
    with pytest.raises(md.ShapeError, match=r"the slice needs a longer axis"):
        d.compile()(**short)
    with pytest.raises(md.ShapeError, match=r"index is out of range"):
        md.derive("X[:, 4] @ y", "y", shapes={"X": ("B", "N"), "y": ("B",)}).compile()(
            X=np.ones((2, 3)), y=np.ones(2)
        )


# ties: the derivative of maximum/minimum does not exist where the arguments are equal
TIES = [
    pytest.param("sum(maximum(x, y))", "x", {"x": [1.0, 2.0, 3.0], "y": [1.0, 0.0, 5.0]},
                 id="maximum-tie-in-one-entry"),
    pytest.param("sum(minimum(x, y) ** 2)", "y", {"x": [1.0, 2.0], "y": [0.5, 2.0]},
                 id="minimum-tie-wrt-second"),
    pytest.param("maximum(X, b)", "X", {"X": [[1.0, 0.0], [3.0, 2.0]], "b": [0.0, 2.0]},
                 id="maximum-broadcast-tie"),
    pytest.param("sum(maximum(x, 0.5))", "x", {"x": [0.5, 1.0]}, id="maximum-tie-with-constant"),
    pytest.param("maximum(x, x)", "x", {"x": [0.3, 1.0]}, id="maximum-of-equal-arguments"),
    pytest.param("sum(maximum(x[:2], x[1:]))", "x", {"x": [1.0, 2.0, 2.0]},
                 id="maximum-of-overlapping-slices"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "wrt", "at"), TIES)
def test_a_tie_raises_domain_error_in_every_evaluation(
    text: str, wrt: str, at: dict[str, list[Any]]
) -> None:
    arrays = {k: np.asarray(v) for k, v in at.items()}
    shapes = {k: v.shape for k, v in arrays.items()}
    d = md.derive(text, wrt, shapes=shapes)
    for how in (
        lambda: d.evaluate(**arrays),
        lambda: d.evaluate(arrays, via="index"),
        lambda: d.compile()(**arrays),
    ):
        with pytest.raises(md.DomainError, match=r"not differentiable where .*tie"):
            how()


def test_near_a_tie_the_derivative_is_the_one_side(rng: np.random.Generator) -> None:
    d = md.derive("sum(maximum(x, y))", "x", shapes={"x": (2,), "y": (2,)})
    y = np.array([0.2, -0.7])
    np.testing.assert_array_equal(d.evaluate(x=y + np.array([1e-9, -1e-9]), y=y), [1.0, 0.0])


# errors: what is refused, and why
ERRORS = [
    ("x[y]", {"x": (3,), "y": (3,)}, md.NotSupportedError, r"index 'y' is not a literal int"),
    ("x[None]", {"x": (3,)}, md.NotSupportedError, r"index 'None' is not a literal int"),
    ("x[1:n]", {"x": ("n",)}, md.NotSupportedError, r"index 'n' is not a literal int"),
    ("x[0, 1]", {"x": (3,)}, md.ShapeError, r"too many indices for x \(3\): 2 given, 1 axes"),
    ("x[5]", {"x": (3,)}, md.ShapeError, r"index 5 is out of range for an axis of size 3"),
    ("x[3:3]", {"x": (5,)}, md.ShapeError, r"the slice 3:3 of an axis of size 5 is empty"),
    ("x[::0]", {"x": (5,)}, md.ShapeError, r"slice step cannot be zero"),
    ("x[1:]", {"x": ("n",)}, md.NotSupportedError, r"the slice 1: of the named dimension n has a length that depends on its size"),
    ("x[::2]", {"x": ("n",)}, md.NotSupportedError, r"the slice ::2 of the named dimension n"),
    ("t[0]", {"t": ()}, md.ShapeError, r"a scalar cannot be indexed"),
    ("x[..., ...]", {"x": (3,)}, md.ShapeError, r"a single ellipsis"),
    ("reshape(x, (2, 2))", {"x": (3,)}, md.ShapeError, r"cannot reshape 3 entries into shape \(2, 2\) \(4 entries\); reshape is row-major"),
    ("reshape(X, (-1, -1))", {"X": (2, 2)}, md.ShapeError, r"only one size can be -1"),
    ("reshape(x, (-1, 4))", {"x": (6,)}, md.ShapeError, r"the size -1 cannot be inferred"),
    ("reshape(x, ())", {"x": (1,)}, md.NotSupportedError, r"reshaping a scalar or to a scalar"),
    ("concatenate([X, Y])", {"X": ("N", 2), "Y": ("M", 2)}, md.NotSupportedError, r"sum of named dimensions"),
    ("concatenate([X, Y], axis=1)", {"X": (2, 2), "Y": (3, 2)}, md.ShapeError, r"equal sizes except on axis 1"),
    ("concatenate(x)", {"x": (3,)}, md.ParseError, r"concatenate takes a list of arrays"),
    ("concatenate([x], axis=2)", {"x": (3,)}, md.ShapeError, r"axis 2 is out of range"),
    ("stack([x, y])", {"x": (3,), "y": (2,)}, md.ShapeError, r"stack needs arrays of the same shape"),
    ("stack([t, t])", {"t": ()}, md.ShapeError, r"stack needs arrays with at least one axis"),
    ("maximum(x, y)", {"x": (3,), "y": (2,)}, md.ShapeError, r"cannot combine x \(3\) and y \(2\) with 'maximum'"),
    ("maximum(x)", {"x": (3,)}, md.ParseError, r"maximum\(\) takes 2 arguments, got 1"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "shapes", "cls", "match"), ERRORS, ids=[e[0] for e in ERRORS])
def test_refusals_say_why(
    text: str, shapes: dict[str, tuple[Any, ...]], cls: type[Exception], match: str
) -> None:
    with pytest.raises(cls, match=match):
        md.parse(text, shapes)


def test_the_builder_refuses_fancy_indexing() -> None:
    x = md.var("x", (3,))
    with pytest.raises(md.NotSupportedError, match=r"index \[0, 1\] of x \(3\): only literal"):
        x[[0, 1]]
    with pytest.raises(TypeError, match=r"an expression is not iterable"):
        list(x)


def test_the_pure_backend_rearranges_as_numpy_does(rng: np.random.Generator) -> None:
    from matderiv.numeric.pure import evaluate_derivative, evaluate_expression

    shapes = {"X": (3, 4), "y": (4,)}
    text = "concatenate([X[1:, ::-1], stack([y, y])]) + maximum(reshape(X, (4, 3)).T[0], y)"
    e = md.parse(text, shapes)
    at = {"X": rng.standard_normal((3, 4)), "y": rng.standard_normal(4)}
    lists = {k: v.tolist() for k, v in at.items()}
    np.testing.assert_allclose(evaluate_expression(e, lists).tolist(), _numpy(text, at), rtol=1e-12)
    d = md.derive(e, "X")
    for via in ("auto", "index"):
        np.testing.assert_allclose(
            evaluate_derivative(d, lists, via), d.evaluate(at, via=via), atol=1e-12
        )
    tie = {"X": np.zeros((3, 4)).tolist(), "y": np.zeros(4).tolist()}
    with pytest.raises(md.DomainError, match=r"not differentiable where .*tie"):
        evaluate_derivative(d, tie, "auto")


def _numpy(text: str, at: dict[str, np.ndarray]) -> np.ndarray:
    X, y = at["X"], at["y"]
    return np.concatenate([X[1:, ::-1], np.stack([y, y])]) + np.maximum(
        np.reshape(X, (4, 3)).T[0], y
    )


def test_reshapes_to_different_shapes_are_different_nodes(rng: np.random.Generator) -> None:
    """Found by the fuzzer: the node's identity left out the new shape, so reshape(M, (3, 4))
    and reshape(M, (4, 3)) were one node, shared by the evaluator's memo and by term collection."""
    shapes = {"M": (2, 6)}
    a, b = md.parse("reshape(M, (3, 4))", shapes), md.parse("reshape(M, (4, 3))", shapes)
    assert a != b
    assert hash(a) != hash(b)
    text = "sum(reshape(M, (3, 4)) @ reshape(M, (4, 3)))"
    at = {"M": rng.standard_normal((2, 6))}
    d = md.derive(text, "M", shapes=shapes)
    fd = central_jacobian(lambda M: np.sum(M.reshape(3, 4) @ M.reshape(4, 3)), at, "M")
    np.testing.assert_allclose(d.evaluate(**at), fd, atol=1e-7)
    np.testing.assert_allclose(d.compile()(**at), fd, atol=1e-7)
