"""The pure-Python backend: it agrees with the numpy backend, it is used only where numpy cannot
be imported, and it refuses loudly what it cannot do."""

from __future__ import annotations

import json
import math
import os
import pathlib
import random
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import matderiv as md
from matderiv.catalogue import CATALOGUE
from matderiv.checks.finite import sample_inputs
from matderiv.checks.pure import pure_check_derivative, pure_check_identity, sample
from matderiv.errors import DomainError, NotSupportedError, ShapeError
from matderiv.language.domains import least_sizes
from matderiv.language.shapes import dim_names
from matderiv.language.specs import ELEMENTWISE
from matderiv.numeric import pure_arrays as pa
from matderiv.numeric.evaluation import evaluate
from matderiv.numeric.pure import evaluate_derivative, evaluate_expression, numpy_available
from matderiv.numeric.pure_linalg import LINALG

ROOT = pathlib.Path(__file__).resolve().parents[2]
LS = {"X": ("B", "N"), "W": ("N", "M"), "Y": ("B", "M")}


def _lists(arrays: dict[str, object]) -> dict[str, object]:
    return {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in arrays.items()}


@pytest.mark.parametrize("size", [2, 3], ids=["size2", "size3"])
@pytest.mark.parametrize("entry", CATALOGUE, ids=[e.name for e in CATALOGUE])
def test_catalogue_agrees_with_numpy(entry, size):
    """Every identity's expression, its derivative (matrix and index form) and the reference's
    claimed formula evaluate to the numpy backend's numbers."""
    d = entry.derive()
    f = md.parse(entry.expr, entry.shapes)
    ref = md.parse(entry.reference, entry.shapes)
    names = sorted({p for v in f.variables() for s in v.shape for p in dim_names(s)})
    least = least_sizes([f])  # x[1:3] needs n >= 3
    sizes = {n: max(size, least.get(n, 1)) for n in names}
    arrays = {**sizes, **sample_inputs([f, ref], size, sizes=sizes, constraints=entry.constraints)}
    for e in (f, ref):
        got = evaluate_expression(e, _lists(arrays)).tolist()
        np.testing.assert_allclose(got, evaluate(e, **arrays), rtol=1e-10, atol=1e-12)
    for via in ("auto", "index"):
        got = evaluate_derivative(d, _lists(arrays), via)
        np.testing.assert_allclose(got, d.evaluate(arrays, via=via), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_declarations_run_on_scalar_math(name):
    spec = ELEMENTWISE[name]
    for x in (-1.3, 0.4, 2.5):
        if spec.domain == "positive" and x <= 0:
            continue
        want = float(spec.numpy(np, np.float64(x)))
        assert spec.numpy(pa.SCALAR_MATH, x) == pytest.approx(want, rel=1e-14, abs=1e-15)


def test_scalar_math_gives_numpy_nan_and_inf_instead_of_raising():
    m = pa.SCALAR_MATH
    assert (m.log(0.0), math.isnan(m.log(-1.0)), m.exp(1e4)) == (-math.inf, True, math.inf)
    assert math.isnan(m.sqrt(-1.0))
    assert math.isnan(pa.power(-2.0, 0.5))
    assert pa.power(0.0, -1.0) == math.inf
    assert pa.power(-2.0, 3.0) == -8.0


def test_linear_algebra_matches_numpy(rng):
    a = rng.standard_normal((4, 4)) + 4 * np.eye(4)
    t = pa.as_tensor(a.tolist())
    assert LINALG.det(t).item() == pytest.approx(np.linalg.det(a), rel=1e-12)
    assert LINALG.logdet(t).item() == pytest.approx(np.linalg.slogdet(a)[1], rel=1e-12)
    np.testing.assert_allclose(LINALG.inv(t).tolist(), np.linalg.inv(a), rtol=1e-12)


def test_singular_inverse_raises():
    with pytest.raises(DomainError, match="singular"):
        LINALG.inv(pa.as_tensor([[1.0, 2.0], [2.0, 4.0]]))


def test_check_my_formula_in_pure_python():
    s = {"X": (3, 2), "W": (2, 4), "Y": (3, 4)}
    args = (None, "W", "tensor", "auto", 1e-6, 1e-8, None, s, None, 5.0)
    r = pure_check_derivative("sum((X @ W - Y)**2)", "2 * X.T @ (X @ W - Y)", *args)
    assert (r.method, r.evaluations) == ("full", 32)
    assert "numpy is not importable" in str(r)
    square = {"X": (3, 2), "W": (2, 2), "Y": (3, 2)}
    args = (None, "W", "tensor", "auto", 1e-6, 1e-8, None, square, None, 5.0)
    with pytest.raises(AssertionError, match=r"full, seed 0\): at index \(\d, \d\) the analytic"):
        pure_check_derivative("sum((X @ W - Y)**2)", "2 * (X @ W - Y).T @ X", *args)


def test_pure_check_of_a_derivative_in_a_layout():
    d = md.derive("x @ A @ x", "x", shapes={"A": ("n", "n"), "x": ("n",)}, layout="numerator")
    args = (None, None, "numerator", "full", 1e-6, 1e-8, 3, None, None, 5.0)
    assert pure_check_derivative(d.of, d, *args).seed == 3


def test_pure_identity_check_passes_and_fails():
    s = {"A": (2, 3), "B": (3, 2)}
    left, right = md.parse("tr(A @ B)", s), md.parse("tr(B @ A)", s)
    assert pure_check_identity(left, right, 3, 1e-9, 1e-10, 0, "numeric", None).evaluations == 6
    wrong = md.parse("sum(A @ B)", s)
    with pytest.raises(AssertionError, match="identity check failed"):
        pure_check_identity(left, wrong, 3, 1e-9, 1e-10, 0, "numeric", None)


def test_sampling_honours_domains_and_constraints():
    x = md.parse("logdet(S) + sum(log(p))", {"S": ("n", "n"), "p": ("n",)})
    arrays = sample([x], random.Random(0), {"S": "spd"})
    assert min(arrays["p"].data) > 0
    assert LINALG.det(arrays["S"]).item() > 0
    with pytest.raises(ValueError, match="unknown constraint 'pd'"):
        sample([x], random.Random(0), {"S": "pd"})


@pytest.mark.parametrize(
    ("structure", "constraint"),
    [
        pytest.param("symmetric", None, id="symmetric"),
        pytest.param("symmetric", "invertible", id="symmetric-invertible"),
        pytest.param("diagonal", None, id="diagonal"),
        pytest.param("diagonal", "invertible", id="diagonal-invertible"),
        pytest.param("stochastic", None, id="stochastic"),
    ],
)
def test_sampling_draws_a_declared_structure(structure, constraint):
    expr = md.parse("sum(A)", {"A": md.structured(("n", "n"), structure)})
    arrays = sample([expr], random.Random(1), {"A": constraint} if constraint else None)
    m = np.array(arrays["A"].data).reshape(arrays["A"].shape)
    checks = {
        "symmetric": np.allclose(m, m.T),
        "diagonal": np.allclose(m, np.diag(np.diag(m))),
        "stochastic": np.allclose(m.sum(axis=1), 1) and (m >= 0).all(),
    }
    assert checks[structure]
    if constraint:
        assert np.linalg.det(m) > 0


def test_pure_check_with_a_structured_constant():
    shapes = {"x": ("n",), "A": md.structured(("n", "n"), "symmetric")}
    r = pure_check_derivative(
        "x @ A @ x / 2", "A @ x", None, "x", "tensor", "full", 1e-6, 1e-8, None, shapes, None, 5.0
    )
    assert r.method == "full"


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: pure_check_derivative("sum(x)", "ones(n)", None, "x", "tensor", "exact",
                                       1e-6, 1e-8, None, {"x": ("n",)}, None, 5.0),
         NotSupportedError, "method='exact' needs numpy"),
        (lambda: pure_check_derivative("sum(x)", "ones(n)", None, "x", "tensor", "directional",
                                       1e-6, 1e-8, None, {"x": ("n",)}, None, 5.0),
         NotSupportedError, "method='directional' needs numpy"),
        (lambda: pure_check_derivative("sum(x)", "ones(5)", {"x": [1.0] * 5}, "x", "tensor",
                                       "auto", 1e-6, 1e-8, None, None, None, 5.0),
         NotSupportedError, r"every axis at most 4; here 'x' has shape \(5,\)"),
        (lambda: evaluate_expression(md.parse("sum(x)", {"x": ("n",)}), {"x": [[1.0], [2.0]]}),
         ShapeError, "has shape"),
        (lambda: pa.as_tensor([[1.0, 2.0], [3.0]], "A"), ShapeError, "ragged"),
        (lambda: evaluate_expression(md.parse("sum(log(x))", {"x": (2,)}), {"x": [-1.0, 1.0]}),
         DomainError, r"not finite at this point: entry \(\)"),
    ],
    ids=["exact", "directional", "too-big", "wrong-rank", "ragged", "domain"],
)  # fmt: skip
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_numpy_is_used_where_it_imports():
    assert numpy_available()
    d = md.derive("sum((X @ W - Y)**2)", "W", shapes=LS)
    arrays = sample_inputs(d.of, 0)
    assert isinstance(d.evaluate(arrays), np.ndarray)
    assert "pure Python" not in str(md.check_derivative(d.of, d, wrt="W"))


BLOCKED = """
import importlib.abc, json, sys

class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "numpy" or name.startswith("numpy."):
            raise ImportError("numpy is blocked in this test")

sys.meta_path.insert(0, Block())
import matderiv as md
out = {}
"""


def _blocked(body: str) -> dict[str, object]:
    """Run ``body`` in a fresh interpreter whose numpy import fails; it fills ``out``."""
    code = BLOCKED + textwrap.dedent(body) + "\nout['numpy'] = 'numpy' in sys.modules\n"
    code += "print(json.dumps(out))\n"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    assert result.pop("numpy") is False
    return result


def test_blocked_numpy_check_my_formula():
    out = _blocked("""
        s = {"X": (3, 2), "W": (2, 2), "Y": (3, 2)}
        f = "sum((X @ W - Y)**2)"
        out["right"] = str(md.check_derivative(f, "2 * X.T @ (X @ W - Y)", wrt="W", shapes=s))
        try:
            md.check_derivative(f, "2 * (X @ W - Y).T @ X", wrt="W", shapes=s)
        except AssertionError as wrong:
            out["wrong"] = str(wrong)
    """)
    assert str(out["right"]).startswith("full check passed")
    assert "pure Python: numpy is not importable" in str(out["right"])
    assert "derivative check failed (full, seed 0): at index" in str(out["wrong"])


def test_blocked_numpy_derivative_evaluate_check_and_identity():
    out = _blocked("""
        d = md.derive("sum((X @ W - Y)**2)", "W",
                      shapes={"X": ("B", "N"), "W": ("N", "M"), "Y": ("B", "M")})
        out["value"] = d.evaluate(X=[[1, 2], [3, 4]], W=[[1, 0], [0, 1]], Y=[[0, 0], [0, 0]])
        out["check"] = d.check().method
        out["identity"] = md.check_identity("tr(A @ B)", "tr(B @ A)",
                                            {"A": (2, 3), "B": (3, 2)}).method
        import matderiv.checks.exact, matderiv.numeric.flattening  # noqa: F401
        try:
            d.evaluate(X=[[1.0] * 5] * 2, W=[[1.0] * 2] * 5, Y=[[0.0] * 2] * 2)
        except md.NotSupportedError as big:
            out["big"] = str(big)
    """)
    assert out["value"] == [[20.0, 28.0], [28.0, 40.0]]
    assert (out["check"], out["identity"]) == ("full", "identity")
    assert "every axis at most 4; here dimension 'N' is 5" in str(out["big"])
