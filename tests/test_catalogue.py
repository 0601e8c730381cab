"""Every catalogue identity, checked three ways: index form, matrix form and the reference's
closed form agree with each other and with finite differences, and each first derivative is
proved exactly on a small instance."""

from __future__ import annotations

import numpy as np
import pytest

import matderiv as md
from matderiv.catalogue import CATALOGUE, TOPICS, by_name
from matderiv.checks.finite import sample_inputs
from matderiv.numeric.evaluation import Evaluator, bind_sizes

IDS = [e.name for e in CATALOGUE]


def test_catalogue_covers_every_topic_with_at_least_60_identities():
    assert len(CATALOGUE) >= 60
    assert {e.topic for e in CATALOGUE} == set(TOPICS)
    assert len(set(IDS)) == len(IDS)


def _arrays(entry, seed):
    f = md.parse(entry.expr, entry.shapes)
    ref = md.parse(entry.reference, entry.shapes)
    d = entry.derive()
    arrays = sample_inputs([f, ref, d.wrt], rng=seed, constraints=entry.constraints)
    return f, ref, d, arrays


@pytest.mark.parametrize("entry", CATALOGUE, ids=IDS)
def test_index_matrix_and_reference_forms_agree(entry):
    for seed in range(3):
        f, ref, d, arrays = _arrays(entry, seed)
        index = d.evaluate(arrays, via="index")
        sizes = bind_sizes(f.variables() | ref.variables() | {d.wrt}, arrays)
        expected = np.broadcast_to(Evaluator(arrays, sizes).expr(ref), index.shape)
        np.testing.assert_allclose(index, expected, rtol=1e-9, atol=1e-10)
        if d.form is not None:
            np.testing.assert_allclose(
                d.evaluate(arrays, via="matrix"), index, rtol=1e-9, atol=1e-10
            )


@pytest.mark.parametrize("entry", CATALOGUE, ids=IDS)
def test_identity_matches_finite_differences(entry):
    f, _, d, arrays = _arrays(entry, 0)
    if entry.wrt2 is None:
        report = md.check_derivative(f, d, at=arrays, wrt=entry.wrt)
    else:  # a second derivative: check it against the gradient
        g = entry.first()  # in the row's convention, for a symmetric variable
        report = md.check_derivative(g, d, at=arrays, wrt=entry.wrt2)
    assert report.max_rel_error < 1e-5


FIRST = [e for e in CATALOGUE if e.wrt2 is None]


@pytest.mark.slow
@pytest.mark.parametrize("entry", FIRST, ids=[e.name for e in FIRST])
def test_identity_is_proved_exactly_on_a_small_instance(entry):
    if not entry.exact:  # matrix and spectral functions: finite differences only, said clearly
        with pytest.raises(md.NotSupportedError, match=r"the exact SymPy check cannot evaluate"):
            md.check_derivative(entry.expr, entry.derive(), method="exact")
        return
    report = md.check_derivative(entry.expr, entry.derive(), method="exact")
    assert report.method == "exact"
    assert str(report).startswith("exact check passed on ")
    assert "simplif" in str(report)


@pytest.mark.parametrize("name", ["logdet", "quadratic", "trace-AXB"])
def test_a_few_identities_are_proved_exactly(name):
    """The fast loop's representatives of the exact proofs."""
    entry = by_name(name)
    assert str(md.check_derivative(entry.expr, entry.derive(), method="exact")).startswith(
        "exact check passed on "
    )


def test_by_name_finds_an_entry_and_names_a_missing_one():
    assert by_name("logdet").reference == "inv(X).T"
    with pytest.raises(KeyError, match=r"no catalogue entry 'nope'"):
        by_name("nope")
