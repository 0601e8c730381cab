"""Dimensions and shapes."""

from __future__ import annotations

import pytest

import matderiv as md
from matderiv.language.shapes import dim_product, normalize_shape, resolve_dim

PRODUCTS = [
    ((2, 3), 6),
    (("N", 2, "M"), "2*M*N"),
    (("M*N", "K"), "K*M*N"),
    (("N", 1), "N"),
    ((), 1),
]


@pytest.mark.parametrize(("dims", "expected"), PRODUCTS, ids=[str(p[0]) for p in PRODUCTS])
def test_dim_product_is_canonical(dims, expected):
    assert dim_product(dims) == expected


def test_named_product_resolves_to_an_int():
    assert resolve_dim("2*M*N", {"M": 3, "N": 4}) == 24


def test_unknown_named_size_is_a_shape_error():
    with pytest.raises(
        md.ShapeError, match=r"the size of dimension 'K' is not known from the arrays given"
    ):
        resolve_dim("K", {})


GOOD = [
    ((2, "N"), (2, "N")),
    (3, (3,)),
    ("N", ("N",)),
    ([2, " B "], (2, "B")),
    (("4",), (4,)),
    ((), ()),
]


@pytest.mark.parametrize(("given", "expected"), GOOD, ids=[repr(g[0]) for g in GOOD])
def test_shapes_are_normalised(given, expected):
    assert normalize_shape(given, "X") == expected


BAD = [
    (2.5, r"shape of 'X' is 2\.5: expected a tuple of ints or dimension names, such as \(3, 'N'\)"),
    (
        (2, -1),
        r"shape of 'X' is \(2, -1\): dimension -1 must be a positive int or a name such as 'N'",
    ),
    ((0,), r"shape of 'X' is \(0,\): dimension 0 must be a positive int"),
    ((True,), r"shape of 'X' is \(True,\): dimension True must be a positive int"),
    (("a b",), r"shape of 'X' is \('a b',\): dimension 'a b' must be a positive int"),
    ((None,), r"shape of 'X' is \(None,\): dimension None must be a positive int"),
]


@pytest.mark.parametrize(("given", "message"), BAD, ids=[repr(b[0]) for b in BAD])
def test_bad_shape_is_a_shape_error(given, message):
    with pytest.raises(md.ShapeError, match="^" + message):
        normalize_shape(given, "X")


def test_bad_shape_in_derive_names_the_variable():
    with pytest.raises(md.ShapeError, match=r"shape of 'W' is \(3, -2\)"):
        md.derive("sum(W)", "W", shapes={"W": (3, -2)})
