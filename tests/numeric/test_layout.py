"""Layout conventions: every cell of the shape table against numbers, symbolic conversions, and
clear errors for what a convention does not define."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import matderiv as md
from matderiv.checks.finite import sample_inputs
from matderiv.numeric import evaluation
from matderiv.numeric.layout import CONVENTIONS, KINDS, arrange, arranged_shape, table, to_tensor

from ..finite import central_jacobian

SIZES = {"m": 2, "n": 3, "p": 4, "q": 5}
OUT = {"scalar": (), "vector": (2,), "matrix": (2, 3)}
WRT = {"scalar": (), "vector": (4,), "matrix": (4, 5)}
EXPECTED = {  # the MIT notes, the Wikipedia conventions and MatrixCalculus.org, cell by cell
    ("numerator", "scalar", "vector"): (1, 4), ("numerator", "vector", "scalar"): (2, 1),
    ("numerator", "vector", "vector"): (2, 4), ("numerator", "scalar", "matrix"): (5, 4),
    ("numerator", "matrix", "scalar"): (2, 3),
    ("denominator", "scalar", "vector"): (4, 1), ("denominator", "vector", "scalar"): (1, 2),
    ("denominator", "vector", "vector"): (4, 2), ("denominator", "scalar", "matrix"): (4, 5),
    ("denominator", "matrix", "scalar"): (3, 2),
    ("mixed", "scalar", "vector"): (4, 1), ("mixed", "vector", "scalar"): (2, 1),
    ("mixed", "vector", "vector"): (2, 4), ("mixed", "scalar", "matrix"): (4, 5),
    ("mixed", "matrix", "scalar"): (2, 3),
    ("mit", "scalar", "vector"): (4, 1), ("mit", "vector", "scalar"): (1, 2),
    ("mit", "vector", "vector"): (4, 2), ("mit", "scalar", "matrix"): (4, 5),
    ("mit", "matrix", "scalar"): (3, 2),
}  # fmt: skip
CELLS = list(itertools.product(CONVENTIONS, KINDS, KINDS))


@pytest.mark.parametrize(("convention", "out", "wrt"), CELLS, ids=["-".join(c) for c in CELLS])
def test_every_table_cell_matches_the_numbers(convention, out, wrt):
    cell = table().cell(convention, out, wrt)
    D = np.random.default_rng(0).standard_normal(OUT[out] + WRT[wrt])
    if convention == "tensor":
        want = OUT[out] + WRT[wrt]
    elif out == "scalar" and wrt == "scalar":
        want = ()
    else:
        want = EXPECTED.get((convention, out, wrt))
    if want is None:
        assert cell.shape is None
        assert cell.text == "undefined"
        with pytest.raises(
            md.LayoutError,
            match=rf"^the {convention} layout does not define the derivative of a {out} by a {wrt}; use layout='tensor'",
        ):
            arrange(D, OUT[out], WRT[wrt], convention)
        return
    arranged = arrange(D, OUT[out], WRT[wrt], convention)
    assert arranged.shape == want
    assert tuple(SIZES.get(d, d) if isinstance(d, str) else d for d in cell.shape) == want
    np.testing.assert_array_equal(to_tensor(arranged, OUT[out], WRT[wrt], convention), D)
    # the entry ∂y[i]/∂x[p] sits where the convention says: same numbers, arranged
    assert sorted(arranged.ravel()) == sorted(D.ravel())


PAIRS = [(o, w) for o in KINDS for w in KINDS if (o, w) != ("scalar", "scalar")]


@pytest.mark.parametrize(("out", "wrt"), PAIRS, ids=[f"{o}-by-{w}" for o, w in PAIRS])
def test_numerator_is_the_transpose_of_denominator_where_both_are_defined(out, wrt):
    D = np.random.default_rng(1).standard_normal(OUT[out] + WRT[wrt])
    try:
        num = arrange(D, OUT[out], WRT[wrt], "numerator")
    except md.LayoutError:
        with pytest.raises(md.LayoutError, match="does not define"):
            arrange(D, OUT[out], WRT[wrt], "denominator")
        return
    np.testing.assert_array_equal(num, arrange(D, OUT[out], WRT[wrt], "denominator").T)


SYMBOLIC = [
    ("A @ x", "x", {"A": ("m", "n"), "x": ("n",)}, {"tensor": "A", "numerator": "A", "denominator": "A^T", "mixed": "A", "mit": "A^T"}),
    ("x @ A @ x", "x", {"A": ("n", "n"), "x": ("n",)}, {"numerator": "x^T (A^T + A)", "denominator": "(A + A^T) x", "mit": "(A + A^T) x"}),
    ("tr(A @ X)", "X", {"A": ("n", "m"), "X": ("m", "n")}, {"numerator": "A", "denominator": "A^T", "mit": "A^T"}),
    ("t * M", "t", {"t": (), "M": ("m", "n")}, {"numerator": "M", "denominator": "M^T", "mit": "M^T", "mixed": "M"}),
    ("t * v", "t", {"t": (), "v": ("m",)}, {"numerator": "v", "denominator": "v^T", "mit": "v^T", "mixed": "v"}),
]  # fmt: skip


@pytest.mark.parametrize(("expr", "wrt", "shapes", "forms"), SYMBOLIC, ids=[s[0] for s in SYMBOLIC])
def test_to_layout_changes_the_matrix_form_and_the_numbers_agree(expr, wrt, shapes, forms):
    d = md.derive(expr, wrt, shapes=shapes)
    arrays = sample_inputs([md.parse(expr, shapes), d.wrt], rng=2)
    for name, text in forms.items():
        e = d.to_layout(name)
        assert e.matrix == text
        assert e.layout == name
        value = e.evaluate(arrays)
        assert value.ndim == len(e.shape)
        e.check()  # converts back to the tensor layout and compares with finite differences
        assert e.steps[-1].name == ("arrange" if name != "tensor" else "reassemble")


def test_derive_accepts_a_layout_and_reports_the_arranged_shape():
    d = md.derive(
        "sum((X @ W - Y)**2)",
        "W",
        shapes={"X": ("B", "N"), "W": ("N", "M"), "Y": ("B", "M")},
        layout="numerator",
    )
    assert d.matrix == "2 (X W - Y)^T X"
    assert d.shape == ("M", "N")
    assert d.index == "D[q,p] = 2 Σ_a (X W - Y)[a,q] X[a,p]"


def test_mit_definitions_one_by_one():
    """The MIT notes: ∂s/∂v is m×1, ∂w/∂s is 1×n, ∂w/∂v is m×n with rows for inputs,
    ∂M/∂s has the shape of Mᵀ and ∂s/∂M the shape of M."""
    v, w = ("m",), ("n",)
    assert arranged_shape((), v, "mit") == ("m", 1)
    assert arranged_shape(w, (), "mit") == (1, "n")
    assert arranged_shape(w, v, "mit") == ("m", "n")
    assert arranged_shape(("a", "b"), (), "mit") == ("b", "a")
    assert arranged_shape((), ("a", "b"), "mit") == ("a", "b")
    d = md.derive("W.T @ v", "v", shapes={"W": ("m", "n"), "v": ("m",)}, layout="mit")
    assert d.matrix == "W"  # ∂Z/∂A = W, as the notes write it
    d.check()


LAYOUT_ERRORS = [
    (lambda: md.derive("sigmoid(W @ x)", "W", shapes={"W": (2, 3), "x": (3,)}, layout="mit"), r"the mit layout does not define the derivative of a vector by a matrix; use layout='tensor' \(a 3-axis array: the output's axes, then the variable's\), or flatten it: md\.flattening\.to_vec_jacobian"),
    (lambda: md.derive("X @ W", "W", shapes={"X": (2, 3), "W": (3, 4)}).to_layout("numerator"), r"the numerator layout does not define the derivative of a matrix by a matrix"),
    (lambda: md.derive("outer(x, x)", "x", shapes={"x": (3,)}).to_layout("denominator"), r"the denominator layout does not define the derivative of a matrix by a vector"),
    (lambda: md.derive("sum(x)", "x", shapes={"x": (3,)}).to_layout("rows"), r"unknown layout 'rows'; expected one of 'tensor', 'numerator', 'denominator', 'mixed', 'mit'"),
    (lambda: arrange(np.zeros((2, 3)), (2,), (4,), "numerator"), r"the derivative has shape \(2, 3\), but output \(2,\) by variable \(4,\) needs \(2, 4\) in the tensor layout"),
    (lambda: to_tensor(np.zeros((2, 3)), (2,), (3,), "denominator"), r"a derivative in the denominator layout of output \(2,\) by variable \(3,\) has shape \(3, 2\), got \(2, 3\)"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "message"), LAYOUT_ERRORS, ids=[m[:40] for _, m in LAYOUT_ERRORS])
def test_undefined_arrangements_name_the_combination(call, message):
    with pytest.raises((md.LayoutError, md.ShapeError), match="^" + message):
        call()


def test_the_table_prints_as_markdown():
    text = table().to_markdown()
    assert text.splitlines()[0] == "| y by x | tensor | numerator | denominator | mixed | mit |"
    assert "| scalar by matrix | p×q | q×p | p×q | p×q | p×q |" in text
    assert str(table()) == text


@pytest.mark.parametrize("layout", ["tensor", "numerator", "denominator", "mixed", "mit"])
def test_a_vec_result_can_be_arranged_as_a_row(layout):
    shapes = {"t": (), "X": (2, 3)}
    e = md.derive("vec(t * X)", "t", shapes=shapes).to_layout(layout)
    assert e.matrix == ("vec(X)^T" if layout in ("denominator", "mit") else "vec(X)")
    a = sample_inputs(md.parse("vec(t * X)", shapes), rng=0)
    np.testing.assert_allclose(e.compile()(**a), e.evaluate(a))
    e.check()


# size-1 axes in every layout, against finite differences ------------------------------------

OUT_SHAPES = [(), (1,), (3,), (1, 1), (3, 1), (1, 3)]
WRT_SHAPES = [(), (1,), (2,), (1, 1), (2, 1)]
SIZE_ONE = [
    (o, w, lay) for o in OUT_SHAPES for w in WRT_SHAPES for lay in CONVENTIONS
]  # fmt: skip

_LANGUAGE = {
    "np": np,
    "tanh": np.tanh,
    "sin": np.sin,
    "cos": np.cos,
    "sum": lambda x, axis=None: np.sum(x, axis=axis),
    "ones": np.ones,
    "eye": np.eye,
}


def _fun(C, K, w):
    return np.tanh(C * np.sum(K * np.sin(w)) + 0.3 * np.sum(w))


@pytest.mark.parametrize(
    ("out", "wrt", "layout"), SIZE_ONE, ids=[f"{o}-by-{w}-{lay}" for o, w, lay in SIZE_ONE]
)
def test_size_one_axes_in_every_layout_against_finite_differences(out, wrt, layout):
    shapes = {"C": out, "K": wrt, "w": wrt}
    expr = "tanh(C * sum(K * sin(w)) + 0.3 * sum(w))"
    rng = np.random.default_rng(len(out) * 10 + len(wrt))
    arrays = {k: rng.standard_normal(v) for k, v in shapes.items()}
    fd = central_jacobian(_fun, arrays, "w")  # the tensor layout: out + wrt axes
    try:
        d = md.derive(expr, "w", shapes=shapes, layout=layout)
    except md.LayoutError:
        with pytest.raises(md.LayoutError, match="does not define"):
            arrange(fd, out, wrt, layout)
        return
    want_shape = arranged_shape(out, wrt, layout)
    expected = arrange(fd, out, wrt, layout)  # the definition in layout.py
    assert expected.shape == want_shape == tuple(d.shape)
    for how, value in {
        "evaluate": d.evaluate(arrays),
        "evaluate via index": d.evaluate(arrays, via="index"),
        "compile": d.compile()(**arrays),
    }.items():
        assert value.shape == want_shape, how
        np.testing.assert_allclose(value, expected, rtol=1e-6, atol=1e-8, err_msg=how)
        np.testing.assert_allclose(to_tensor(value, out, wrt, layout), fd, rtol=1e-6, atol=1e-8)
    einsum = eval(d.einsum, {**_LANGUAGE, **arrays})
    np.testing.assert_allclose(einsum, fd, rtol=1e-6, atol=1e-8)
    if d.code is not None:
        value = evaluation.evaluate(md.parse(d.code, shapes), **arrays)
        np.testing.assert_allclose(np.reshape(value, fd.shape), fd, rtol=1e-6, atol=1e-8)
