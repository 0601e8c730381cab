"""The parser: a whitelist over Python's ast, with errors that quote the text and its column."""

from __future__ import annotations

import ast
import pathlib
import re

import numpy as np
import pytest

import matderiv as md
from matderiv.language import parsing as parsing_module
from matderiv.language.parsing import FUNCTIONS, MAX_DEPTH, MAX_LENGTH, parse
from matderiv.language.printing import to_code
from matderiv.language.specs import ELEMENTWISE
from matderiv.numeric.evaluation import evaluate
from matderiv.numeric.sampling import sample_inputs

S = {"X": (2, 3), "Y": (3, 2), "A": ("n", "n"), "x": ("n",), "v": (3,), "t": ()}

# text, error class, pinned message (a regular expression matched against the start)
BAD = [
    ("", md.ParseError, r"the expression is empty: expected text such as 'sum\(x\*\*2\)'"),
    ("   ", md.ParseError, r"the expression is empty"),
    ("sum(X @", md.ParseError, r"invalid syntax at column 4: 'sum\(X @' \(was a closing bracket forgotten\?\)"),
    ("sum(X))", md.ParseError, r"invalid syntax at column 7: 'sum\(X\)\)' \(there is a '\)' without a matching '\('\)"),
    ("X ^ 2", md.ParseError, r"operator '\^' is not supported at column 1: X \^ 2 — use \*\* for powers"),
    ("X // 2", md.ParseError, r"operator '//' is not supported at column 1"),
    ("X % 2", md.ParseError, r"operator '%' is not supported"),
    ("X < Y", md.ParseError, r"comparison 'X < Y' is not part of the expression language at column 1"),
    ("X and Y", md.ParseError, r"boolean operator 'X and Y' is not part of the expression language"),
    ("lambda: 1", md.ParseError, r"lambda 'lambda: 1' is not part of the expression language"),
    ("X[v]", md.NotSupportedError, r"index 'v' is not a literal int or slice at column 3: X\[v\] — matderiv takes numpy's basic indexing"),
    ("[X]", md.ParseError, r"list '\[X\]' is not part of the expression language"),
    ("x if t else v", md.ParseError, r"conditional expression 'x if t else v' is not part"),
    ("'abc'", md.ParseError, r"unexpected constant 'abc' at column 1: 'abc' — only numbers may appear here"),
    ("foo(X)", md.ParseError, r"unknown function 'foo' at column 1: foo\(X\) — see the expression language"),
    ("sum(trace2(X))", md.ParseError, r"unknown function 'trace2' at column 5: sum\(trace2\(X\)\) — did you mean 'trace'\?"),
    ("sum(Z)", md.ParseError, r"unknown name 'Z' at column 5: sum\(Z\) — give its shape in shapes=\{'Z': \(\.\.\.\)\}"),
    ("sum(expm(X))", md.ShapeError, r"expm needs a square matrix, got X \(2×3\) \(in 'expm\(X\)' at column 5\)"),
    ("sqrtm(x)", md.ShapeError, r"sqrtm needs a square matrix, got x \(n\)"),
    ("eigvalsh(X)", md.ShapeError, r"eigvalsh needs a square matrix, got X \(2×3\)"),
    ("svdvals(x)", md.ShapeError, r"svdvals needs a matrix, got x \(n\)"),
    ("expm", md.ParseError, r"function 'expm' is used without arguments at column 1: expm — write expm\(\.\.\.\)"),
    ("tanhm", md.NotSupportedError, r"'tanhm' \(the matrix hyperbolic tangent\) is a matrix function .* at column 1: tanhm — for the elementwise hyperbolic tangent use tanh"),
    ("expm_frechet(A)", md.ParseError, r"expm_frechet\(\) takes 2 arguments, got 1 at column 1"),
    ("eigh_vectors(A)", md.ParseError, r"unknown function 'eigh_vectors'"),
    ("tanhm(A)", md.NotSupportedError, r"'tanhm' \(the matrix hyperbolic tangent\) is a matrix function .* use tanh\(\.\.\.\)$"),
    ("funm(A, 'exp')", md.NotSupportedError, r"'funm' \(f\(X\) for a scalar function f\) is a matrix function that matderiv does not support yet"),
    ("fractional_matrix_power(A, 0.5)", md.NotSupportedError, r"'fractional_matrix_power' \(a fractional matrix power\) is a matrix function .* — for an integer power use matrix_power\(X, k\)$"),
    ("Xx + 1", md.ParseError, r"unknown name 'Xx' at column 1: Xx \+ 1 — did you mean 'x'\?"),
    ("X.shape", md.ParseError, r"unknown attribute '\.shape' at column 1: X\.shape — only '\.T' \(transpose\) is supported"),
    ("X.__class__", md.ParseError, r"unknown attribute '\.__class__'"),
    ("__import__('os')", md.ParseError, r"unknown function '__import__' at column 1"),
    ("(lambda: 0)()", md.ParseError, r"cannot call 'lambda: 0' at column 1"),
    ("x(1)", md.ParseError, r"'x' is a variable, not a function at column 1: x\(1\) — write '\*' or '@' for products"),
    ("sigmoid", md.ParseError, r"function 'sigmoid' is used without arguments at column 1: sigmoid — write sigmoid\(\.\.\.\)"),
    ("sum(X, keepdims=True, out=1)", md.ParseError, r"sum\(\) got an unexpected keyword 'out' at column 27: .* — it accepts axis, keepdims"),
    ("softmax(x, axis=(0,1))", md.ParseError, r"softmax: axis must be an int or None, got '\(0,1\)'"),
    ("sum(X, axis=5)", md.ShapeError, r"sum: axis 5 is out of range for X \(2×3\), which has 2 axes \(in 'sum\(X, axis=5\)' at column 1\)"),
    ("sum(X, axis=(0, 0))", md.ShapeError, r"sum: axis \(0, 0\) repeats an axis of X \(2×3\)"),
    ("sum(*X)", md.ParseError, r"sum\(\): '\*' unpacking is not supported"),
    ("tr(X, X)", md.ParseError, r"tr\(\) takes 1 argument, got 2"),
    ("sum()", md.ParseError, r"sum\(\) takes 1 argument, got 0"),
    ("norm(X, 1)", md.NotSupportedError, r"norm\(X, 1\) of a matrix \(an induced norm\) is not supported at column 9: norm\(X, 1\) — for the vector norm of the entries use norm\(vec\(X\), 1\)"),
    ("norm(X, inf)", md.NotSupportedError, r"norm\(X, inf\) of a matrix \(an induced norm\) is not supported"),
    ("norm(x, 3)", md.NotSupportedError, r"norm order 3 is not supported at column 9: norm\(x, 3\) — use norm\(x\), norm\(x, 1\), norm\(x, inf\), norm\(X, 'fro'\), norm\(X, 2\) or norm\(X, 'nuc'\)"),
    ("norm(x, 'nuc')", md.ShapeError, r"norm\(x, 'nuc'\) needs a matrix"),
    ("norm(x, 'fro')", md.ShapeError, r"norm\(x, 'fro'\) needs a matrix"),
    ("matrix_power(A, 0.5)", md.NotSupportedError, r"matrix_power needs an integer literal exponent at column 17"),
    ("matrix_power(A, 100)", md.NotSupportedError, r"matrix_power exponent 100 is too large \(limit 64\)"),
    ("einsum('ij,jk', X)", md.ShapeError, r"einsum 'ij,jk' names 2 operands but 1 were given"),
    ("einsum('ij->k', X)", md.ShapeError, r"einsum 'ij->k': output subscript 'k' is not in any input"),
    ("einsum('ij->ii', X)", md.ShapeError, r"einsum 'ij->ii': output subscript 'i' is repeated"),
    ("einsum('i...', X)", md.NotSupportedError, r"einsum 'i\.\.\.': '\.\.\.' \(ellipsis\) is not supported"),
    ("einsum('i1', X)", md.ShapeError, r"einsum 'i1': '1' is not a subscript letter"),
    ("einsum('ijk', X)", md.ShapeError, r"einsum 'ijk': subscripts 'ijk' have 3 letters but X \(2×3\) has 2 axes"),
    ("einsum('ij,ij', X, Y)", md.ShapeError, r"einsum 'ij,ij': subscript 'i' has size 2 in one operand and 3 in Y \(3×2\)"),
    ("einsum(X, Y)", md.ParseError, r"einsum's first argument must be a subscripts string such as 'ij,jk->ik'"),
    ("X @ X", md.ShapeError, r"cannot multiply X \(2×3\) by X \(2×3\) with '@': inner sizes 3 \(axis 1 of X\) and 2 \(axis 0 of X\) differ \(in 'X @ X' at column 1\)"),
    ("X + Y", md.ShapeError, r"cannot combine X \(2×3\) and Y \(3×2\) with '\+' or '-': sizes 2 \(axis 0 of X\) and 3 \(axis 0 of Y\) differ"),
    ("t @ x", md.ShapeError, r"cannot multiply t \(scalar\) by x \(n\) with '@': '@' needs arrays with at least one axis"),
    ("tr(X)", md.ShapeError, r"tr needs a square matrix, got X \(2×3\)"),
    ("det(x)", md.ShapeError, r"det needs a square matrix, got x \(n\)"),
    ("inv(X)", md.ShapeError, r"inv needs a square matrix, got X \(2×3\)"),
    ("diag(X)", md.NotSupportedError, r"diag of the non-square matrix X \(2×3\) is not supported"),
    ("outer(X, x)", md.ShapeError, r"outer needs two vectors, got X \(2×3\)"),
    ("kron(X, x)", md.ShapeError, r"kron needs two matrices or two vectors, got X \(2×3\) and x \(n\)"),
    ("vec(x)", md.ShapeError, r"vec needs a matrix, got x \(n\)"),
    ("softmax(t)", md.ShapeError, r"softmax needs an array with at least one axis, got t \(scalar\)"),
    ("logsumexp(t)", md.ShapeError, r"logsumexp needs an array with at least one axis"),
    ("eye(0)", md.ShapeError, r"size 0 must be a positive int at column 5: eye\(0\)"),
    ("ones(-1)", md.ParseError, r"expected a size \(an int or a dimension name\), got '-1' at column 6"),
    ("1/0", md.ParseError, r"division by zero at column 1: 1/0"),
    ("0 ** -1", md.ParseError, r"division by zero"),
    ("1e400 * X", md.ParseError, r"the number inf is not finite at column 1"),
    ("x\x00", md.ParseError, r"the expression contains a NUL character"),
    ("exp(" * 70 + "x" + ")" * 70, md.ParseError, rf"the expression is nested \d+ levels deep; the limit is {MAX_DEPTH}"),
    ("x" + " + x" * 3000, md.ParseError, rf"the expression is 12001 characters long; the limit is {MAX_LENGTH}"),
    ("x + ones(3)", md.ShapeError, r"cannot combine x \(n\) and ones\(3\) \(3\) with '\+' or '-': sizes n \(axis 0 of x\) and 3 \(axis 0 of ones\(3\)\) differ"),
    ("v + ones((2,))", md.ShapeError, r"cannot combine v \(3\) and ones\(2\) \(2\) with .+.: sizes 3 \(axis 0 of v\) and 2 \(axis 0 of ones\(2\)\) differ, and numpy broadcasting .*keepdims=True"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "error", "message"), BAD, ids=[repr(b[0][:30]) for b in BAD])
def test_bad_input_raises_a_pinned_error(text, error, message):
    with pytest.raises(error, match="^" + message):
        parse(text, S)


def test_every_error_is_a_matderiv_error_and_a_builtin_error():
    assert issubclass(md.ParseError, ValueError)
    assert issubclass(md.ShapeError, ValueError)
    assert issubclass(md.LayoutError, ValueError)
    assert issubclass(md.NotSupportedError, NotImplementedError)
    for cls in (md.ParseError, md.ShapeError, md.LayoutError, md.NotSupportedError):
        assert issubclass(cls, md.MatderivError)


def test_non_string_input_is_a_parse_error():
    with pytest.raises(md.ParseError, match=r"expected the expression as a string, got int: 3"):
        parse(3, S)  # type: ignore[arg-type]


GOOD = [
    # a matrix function's Fréchet derivative applied to a matrix (issue 14: VJP closed forms)
    (
        "expm_frechet(A.T, A) + logm_frechet(A, A) + sqrtm_frechet(A, A) + sinm_frechet(A, A)"
        " + cosm_frechet(A, A)",
        ("n", "n"),
    ),
    # rearranging arrays (issue 14)
    ("X[0] + reshape(Y, (2, 3))[1] + concatenate([v[:2], v[2:]])", (3,)),
    ("stack([X, 2 * X], axis=1)[0] + maximum(X, 1) - minimum(X, Y.T)", (2, 3)),
    ("var(X, axis=1, keepdims=True) + std(X, axis=1, keepdims=True) + ones((2, 1))", (2, 1)),
    ("sum(X, axis=0, keepdims=True) * X - logsumexp(X, keepdims=True)", (2, 3)),
    ("sum((X @ Y - 1)**2)", ()),
    ("x @ A @ x", ()),
    ("x.T @ A @ x", ()),
    ("A.T @ x + x", ("n",)),
    ("-x / 2 + +x", ("n",)),
    ("tr(A) + trace(A) + det(A) + logdet(A)", ()),
    ("inv(A) @ A", ("n", "n")),
    ("sum(X, axis=0)", (3,)),
    ("mean(X, axis=(0, 1))", ()),
    ("softmax(X, axis=0)", (2, 3)),
    ("logsumexp(X, axis=1)", (2,)),
    ("logsumexp(X)", ()),
    ("diag(x)", ("n", "n")),
    ("diag(A)", ("n",)),
    ("norm(x) + norm(X) + norm(X, 'fro') + norm(v, 2)", ()),
    ("tr(expm(A) + logm(A) + sqrtm(A) + sinm(A) + cosm(A))", ()),
    ("eigvalsh(A) + svdvals(A)", ("n",)),
    ("svdvals(X) + svdvals(Y)", (2,)),
    ("norm(X, 2) + norm(X, 'nuc') + norm(x, 1) + norm(x, inf) + norm(x, np.inf)", ()),
    ("outer(x, v)", ("n", 3)),
    ("kron(X, Y)", (6, 6)),
    ("kron(x, v)", ("3*n",)),
    ("vec(X)", (6,)),
    ("matrix_power(A, 3) + matrix_power(A, -2) + matrix_power(A, 0)", ("n", "n")),
    ("eye(n) + ones((n, n))", ("n", "n")),
    ("einsum('ij,jk->ik', X, Y)", (2, 2)),
    ("einsum('ij,jk', X, Y)", (2, 2)),
    ("einsum('ii', A)", ()),
    ("exp(t) * log(t) * sin(t) * cos(t) * tanh(t) * sigmoid(t) * relu(t) * softplus(t) * sqrt(t) * abs(t) * pi", ()),
    ("t ** t + 2 ** t + t ** 0.5", ()),
    ("step(x) + sign(x)", ("n",)),
]  # fmt: skip


@pytest.mark.parametrize(("text", "shape"), GOOD, ids=[g[0][:40] for g in GOOD])
def test_valid_input_parses_with_the_right_shape(text, shape):
    e = parse(text, S)
    assert e.shape == shape
    again = parse(to_code(e), S)
    assert to_code(again) == to_code(e)  # printing is a fixed point of the round trip
    arrays = sample_inputs(e, rng=0)
    np.testing.assert_allclose(evaluate(again, **arrays), evaluate(e, **arrays), rtol=1e-12)


def test_a_round_trip_may_normalise_the_tree():
    """``-x / 2 + +x`` reads back as ``-0.5 * x + x``: a different tree with the same code."""
    e = parse("-x / 2 + +x", S)
    assert to_code(e) == "-0.5 * x + x"
    assert parse(to_code(e), S) != e


def test_every_language_function_parses():
    names = {n for g in GOOD for n in re.findall(r"([a-z_]+)\(", g[0])}
    missing = FUNCTIONS - names - set(ELEMENTWISE)  # those: tests/language/test_specs.py
    assert not missing, f"no parse test for {sorted(missing)}"


def test_parser_never_runs_user_text():
    source = pathlib.Path(parsing_module.__file__).read_text()
    calls = {
        node.func.id
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert not calls & {"eval", "exec", "compile", "__import__"}


def test_builder_variables_can_be_passed_as_shapes():
    W = md.var("W", ("N", "M"))
    assert parse("W.T @ W", {"W": W}).shape == ("M", "M")


def test_a_100_kB_input_is_refused_quickly():
    text = "x + " * 25_000 + "x"
    assert len(text) > 100_000
    with pytest.raises(
        md.ParseError,
        match=rf"^the expression is {len(text)} characters long; the limit is {MAX_LENGTH}",
    ):
        parse(text, S)


def test_an_unknown_name_carries_its_name_for_front_ends():
    with pytest.raises(md.ParseError) as info:
        parse("sum(w * x)", S)
    assert info.value.missing_shape == "w"
    assert info.value.hint == "give its shape in shapes={'w': (...)}"
    assert str(info.value).endswith(info.value.hint)
    with pytest.raises(md.ParseError, match=r"did you mean 'x'\?$") as close:
        parse("sum(xx)", S)
    assert close.value.missing_shape is None  # a typo, not a missing shape


def test_a_variable_may_be_named_like_a_matrix_function():
    assert parse("tanhm * 2", {"tanhm": (3,)}).shape == (3,)
    with pytest.raises(md.ParseError, match=r"^'tanhm' is a variable, not a function"):
        parse("tanhm(x)", {"tanhm": (3,), "x": (3,)})
