"""The corpus of textbook forms (matderiv.corpus): every textbook form is right.

Each textbook form is checked against finite differences of the loss (a wrong entry fails), and
so is matderiv's printed form of the same derivative. The full sweep takes about ten seconds, so
it is marked slow; one entry of each family runs in the fast loop.
"""

from __future__ import annotations

import dataclasses
import pathlib
import re

import pytest

from matderiv import corpus
from matderiv.corpus import ENTRIES, FAMILIES, NOTES, by_id, compare, printed_length

BIB = pathlib.Path(__file__).resolve().parents[2] / "book" / "references.bib"
SAMPLE = [next(e for e in ENTRIES if e.family == f) for f in FAMILIES]

ALL = [pytest.param(e, id=e.id) for e in ENTRIES]
FAST = [pytest.param(e, id=e.id) for e in SAMPLE]


def test_size_ids_and_families() -> None:
    assert len(ENTRIES) >= 60
    ids = [e.id for e in ENTRIES]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-zA-Z0-9]+)*", i) for i in ids), ids
    assert {e.family for e in ENTRIES} == set(FAMILIES)


def test_every_source_names_a_bibliography_key() -> None:
    keys = set(re.findall(r"@\w+\{(\w+),", BIB.read_text(encoding="utf-8")))
    for e in ENTRIES:
        named = {w for w in re.findall(r"[a-z]+\d*", e.source) if w in keys}
        assert named, f"{e.id}: no bibliography key in {e.source!r}"


@pytest.mark.parametrize("entry", FAST)
def test_textbook_form_sample(entry: corpus.Entry) -> None:
    entry.check_textbook()
    c = compare(entry)
    assert c.agree
    assert c.matrix


@pytest.mark.slow
@pytest.mark.parametrize("entry", ALL)
def test_textbook_form(entry: corpus.Entry) -> None:
    entry.check_textbook()


@pytest.mark.slow
@pytest.mark.parametrize("entry", ALL)
def test_matderiv_agrees(entry: corpus.Entry) -> None:
    c = compare(entry)
    assert c.agree, (c.matderiv, c.textbook)


@pytest.mark.parametrize(
    ("entry_id", "wrong"),
    [
        pytest.param("logistic", "X.T @ (y - sigmoid(X @ w))", id="logistic-sign"),
        pytest.param("least-squares", "X.T @ (X @ w - y)", id="least-squares-factor-2"),
        pytest.param("softmax-regression", "X.T @ (softmax(X @ W, axis=0) - Y)", id="softmax-axis"),
        pytest.param("gaussian-covariance", "0.5 * inv(S)", id="covariance-missing-term"),
    ],
)
def test_a_wrong_textbook_form_fails(entry_id: str, wrong: str) -> None:
    bad = dataclasses.replace(by_id(entry_id), textbook=wrong)
    with pytest.raises(AssertionError, match="derivative check failed"):
        bad.check_textbook()
    assert not compare(bad).agree


def test_without_the_check_nothing_is_called_equivalent() -> None:
    c = compare(by_id("least-squares"), check=False)
    assert not c.agree
    assert not c.readable
    assert c.matrix
    assert c.textbook == "2 X^T (X w - y)"


@pytest.mark.parametrize(
    ("text", "n"),
    [
        pytest.param("X^T (sigmoid(X w) - y)", 12, id="logistic"),
        pytest.param("2 X^T (X w - y)", 10, id="least-squares"),
        pytest.param("sigmoid'(x) ** 2", 6, id="prime-and-power"),
        pytest.param("0.5 S^{-1}", 7, id="number-and-inverse"),
        pytest.param("", 0, id="empty"),
    ],
)
def test_printed_length(text: str, n: int) -> None:
    assert printed_length(text) == n


def test_scalar_and_unknown_id() -> None:
    assert by_id("least-squares").scalar
    assert not by_id("softmax-jacobian").scalar
    with pytest.raises(KeyError, match="no corpus entry 'nope'"):
        by_id("nope")


def test_notes_name_entries() -> None:
    ids = {e.id for e in ENTRIES}
    assert set(NOTES) <= ids
    assert all(len(n) > 40 for n in NOTES.values())


@pytest.mark.slow
def test_every_entry_longer_than_the_textbook_is_explained() -> None:
    longer = {c.entry.id for c in map(compare, ENTRIES) if not c.readable}
    assert longer <= set(NOTES), sorted(longer - set(NOTES))


def test_declared_stochastic_labels_give_the_textbook_softmax_gradient() -> None:
    c = compare(by_id("softmax-regression"))
    assert c.agree
    assert c.matderiv == c.textbook == "X^T (softmax(X W) - Y)"
