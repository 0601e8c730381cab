"""Binding arrays to variables: shapes checked against the declaration, sizes read off arrays
or given by name."""

from __future__ import annotations

import numpy as np
import pytest

import matderiv as md
from matderiv.numeric.binding import bind_sizes


def test_bind_sizes_errors_name_the_array():
    X = md.var("X", ("B", 3))
    with pytest.raises(
        md.ShapeError, match=r"array for 'X' has shape \(2,\), but X was declared B×3 \(2 axes\)"
    ):
        bind_sizes([X], {"X": np.zeros(2)})
    with pytest.raises(
        md.ShapeError,
        match=r"^the array for 'X' has shape \(2, 4\), but X was declared B×3: axis 1 must have "
        r"size 3$",
    ):
        bind_sizes([X], {"X": np.zeros((2, 4))})
    with pytest.raises(
        md.ShapeError,
        match=r"^no array given for variable 'X' \(shape B×3\); pass it as X=\.\.\.$",
    ):
        bind_sizes([X], {})


def test_a_size_can_be_given_by_name():
    assert bind_sizes([md.var("t", ())], {"t": 1.0, "n": 4}) == {"n": 4}
    assert bind_sizes([md.var("x", ("n",))], {"x": np.ones(3), "n": np.int64(3)}) == {"n": 3}
    with pytest.raises(
        md.ShapeError,
        match=r"^the size of dimension 'n' was given as n=4, but it is 3 in the array for 'x' "
        r"\(shape \(3,\)\)$",
    ):
        bind_sizes([md.var("x", ("n",))], {"x": np.ones(3), "n": 4})
    with pytest.raises(
        md.ShapeError, match=r"^the size of dimension 'n' must be a positive int, got -1$"
    ):
        bind_sizes([md.var("t", ())], {"t": 1.0, "n": -1})
