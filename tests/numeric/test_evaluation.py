"""Evaluating expressions with numpy and index forms with einsum."""

from __future__ import annotations

import numpy as np
import pytest

import matderiv as md
from matderiv.numeric.evaluation import contract, evaluate, result_array

S = {"X": (2, 3), "Y": (3, 2), "A": (3, 3), "x": (3,), "v": (3,), "t": ()}

NUMPY = [
    ("tr(A @ A.T)", lambda a: np.trace(a["A"] @ a["A"].T)),
    ("logdet(A @ A.T + eye(3))", lambda a: np.linalg.slogdet(a["A"] @ a["A"].T + np.eye(3))[1]),
    ("softmax(X, axis=0)", lambda a: np.exp(a["X"]) / np.exp(a["X"]).sum(axis=0)),
    ("logsumexp(X, axis=1)", lambda a: np.log(np.exp(a["X"]).sum(axis=1))),
    ("vec(X)", lambda a: a["X"].T.ravel()),
    ("kron(X, Y)", lambda a: np.kron(a["X"], a["Y"])),
    ("einsum('ij,jk->ik', X, Y)", lambda a: a["X"] @ a["Y"]),
    ("mean(X, axis=0)", lambda a: a["X"].mean(axis=0)),
    ("relu(x) + softplus(v) + sigmoid(t)", lambda a: np.maximum(a["x"], 0) + np.log1p(np.exp(a["v"])) + 1 / (1 + np.exp(-a["t"]))),
    ("norm(X)", lambda a: np.sqrt((a["X"] ** 2).sum())),
]  # fmt: skip


@pytest.mark.parametrize(("text", "reference"), NUMPY, ids=[n[0] for n in NUMPY])
def test_evaluation_matches_numpy(text, reference, rng):
    arrays = {k: rng.standard_normal(v) for k, v in S.items()}
    np.testing.assert_allclose(evaluate(md.parse(text, S), **arrays), reference(arrays), rtol=1e-12)


def test_matrix_form_is_refused_when_there_is_none():
    d = md.derive("inv(X)", "X", shapes={"X": (2, 2)})
    with pytest.raises(
        md.NotSupportedError, match=r"has no matrix form; evaluate it with via='index'"
    ):
        d.evaluate(via="matrix", X=np.eye(2))


def test_a_missing_size_says_how_to_give_it():
    d = md.derive("sum(t * ones(n))", "t", shapes={"t": ()})
    with pytest.raises(
        md.ShapeError,
        match=r"^the size of dimension 'n' is not known: no array given has an axis declared "
        r"'n'; pass the size by name as an int, e\.g\. n=4$",
    ):
        d.evaluate(t=2.0)
    for via in ("auto", "index"):
        assert float(d.evaluate(t=2.0, n=4, via=via)) == 4.0
    assert float(d.evaluate({"t": 2.0, "n": 4})) == 4.0


def test_einsum_operands_may_be_numbers():
    np.testing.assert_allclose(contract("i,->i", np.ones(2), 3.0), [3.0, 3.0])
    np.testing.assert_allclose(contract(",i->i", np.pi, np.ones(2)), [np.pi, np.pi])
    assert contract("->", True) == 1.0


RESULTS = [
    (np.zeros(()), (5,), np.zeros(5)),
    (np.ones((3, 1)), (3,), np.ones(3)),
    (np.arange(3.0)[None, :], (1, 3), np.arange(3.0)[None, :]),
    (np.arange(3.0)[:, None], (1, 3, 1), np.arange(3.0).reshape(1, 3, 1)),
]


@pytest.mark.parametrize(("value", "shape", "want"), RESULTS, ids=[str(r[1]) for r in RESULTS])
def test_result_array_reshapes_size_one_axes_and_fills_constants(value, shape, want):
    np.testing.assert_array_equal(result_array(value, shape), want)


def test_result_array_refuses_to_scramble_entries():
    with pytest.raises(
        md.ShapeError, match=r"^internal error: a matrix form evaluated to shape \(3, 2\)"
    ):
        result_array(np.zeros((3, 2)), (2, 3))
