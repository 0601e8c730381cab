"""The command line, driven through subprocess as a user would."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pytest

import matderiv as md
from matderiv import cli
from matderiv.cli import cli_message, main

LS = ["--shape", "X=B,N", "--shape", "W=N,M", "--shape", "Y=B,M"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "matderiv", *args], capture_output=True, text=True, timeout=120
    )


def test_derive_prints_unicode_matrix_form_index_form_and_shape():
    r = run("derive", "sum((X @ W - Y)**2)", "--wrt", "W", *LS)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "∂f/∂W = 2 Xᵀ (X W - Y)",
        "index form: D[p,q] = 2 Σ_a (X W - Y)[a,q] X[a,p]",
        "shape: N×M (tensor layout)",
    ]


def test_derive_with_steps_latex_and_check():
    r = run(
        "derive",
        "x @ A @ x",
        "--wrt",
        "x",
        "--shape",
        "x=n",
        "--shape",
        "A=n,n",
        "--steps",
        "--latex",
        "--check",
    )
    assert r.returncode == 0, r.stderr
    assert "1. Write one element of the output in index notation" in r.stdout
    assert r"\delta_{" in r.stdout
    assert r"\frac{\partial f}{\partial x}" in r.stdout
    assert "check: full check passed" in r.stdout


def test_derive_json_in_a_layout():
    r = run(
        "derive",
        "A @ x",
        "--wrt",
        "x",
        "--shape",
        "A=m,n",
        "--shape",
        "x=n",
        "--layout",
        "denominator",
        "--json",
        "--steps",
        "--check",
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["matrix"] == "A^T"
    assert out["shape"] == ["n", "m"]
    assert out["check"]["passed"] is True
    assert [s["name"] for s in out["steps"]][-1] == "arrange"


def test_scalar_shape_and_mit_layout():
    r = run("derive", "t * v", "--wrt", "t", "--shape", "t=", "--shape", "v=m", "--layout", "mit")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == "∂f/∂t = vᵀ"


def test_check_passes_and_fails_with_exit_codes():
    ok = run(
        "check", "x @ A @ x", "(A + A.T) @ x", "--wrt", "x", "--shape", "x=3", "--shape", "A=3,3"
    )
    assert ok.returncode == 0
    assert ok.stdout.startswith("check passed: full check passed")
    bad = run(
        "check",
        "x @ A @ x",
        "2 * A @ x",
        "--wrt",
        "x",
        "--shape",
        "x=3",
        "--shape",
        "A=3,3",
        "--json",
    )
    assert bad.returncode == 1
    assert json.loads(bad.stdout)["passed"] is False
    exact = run(
        "check",
        "logdet(X)",
        "inv(X).T",
        "--wrt",
        "X",
        "--shape",
        "X=2,2",
        "--method",
        "exact",
        "--json",
    )
    assert exact.returncode == 0
    assert json.loads(exact.stdout)["method"] == "exact"


ERRORS = [
    (["derive", "sum(trace2(X))", "--wrt", "X", "--shape", "X=2,2"], "error: ParseError: unknown function 'trace2' at column 5: sum(trace2(X)) — did you mean 'trace'?"),
    (["derive", "X @ W", "--wrt", "W", "--shape", "X=B,N", "--shape", "W=M,K"], "error: ShapeError: cannot multiply X (B×N) by W (M×K) with '@': inner sizes N (axis 1 of X) and M (axis 0 of W) differ"),
    (["derive", "sigmoid(W @ x)", "--wrt", "W", "--shape", "W=2,3", "--shape", "x=3", "--layout", "mit"], "error: LayoutError: the mit layout does not define the derivative of a vector by a matrix"),
    (["derive", "sum(x)", "--wrt", "y", "--shape", "x=3"], "error: ParseError: cannot differentiate with respect to 'y'"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "message"), ERRORS, ids=[e[1][:40] for e in ERRORS])
def test_input_errors_exit_2_with_the_message(args, message):
    r = run(*args)
    assert r.returncode == 2
    assert r.stderr.startswith(message)


@pytest.mark.parametrize(
    "args", [["derive", "x"], ["derive", "x", "--wrt", "x", "--shape", "x"], [], ["frobnicate"]]
)
def test_usage_errors_exit_2(args):
    r = run(*args)
    assert r.returncode == 2
    assert "usage: matderiv" in r.stderr


def test_help_lists_the_commands():
    r = run("--help")
    assert r.returncode == 0
    assert "{derive,check}" in r.stdout
    assert "Exit codes: 0 success, 2 usage or input error, 1 failed check." in r.stdout


# --json: errors are one JSON object on stdout ------------------------------------------------

JSON_ERRORS = [
    pytest.param(["derive", "sum(trace2(X))", "--wrt", "X", "--shape", "X=2,2"], "ParseError", r"^unknown function 'trace2' at column 5: sum\(trace2\(X\)\) — did you mean 'trace'\?$", id="parse"),
    pytest.param(["derive", "X @ W", "--wrt", "W", "--shape", "X=B,N", "--shape", "W=M,K"], "ShapeError", r"^cannot multiply X \(B×N\) by W \(M×K\) with '@'", id="shape"),
    pytest.param(["derive", "sigmoid(W @ x)", "--wrt", "W", "--shape", "W=2,3", "--shape", "x=3", "--layout", "mit"], "LayoutError", r"^the mit layout does not define the derivative of a vector by a matrix", id="layout"),
    pytest.param(["derive", "sum(tanhm(X))", "--wrt", "X", "--shape", "X=3,3"], "NotSupportedError", r"^'tanhm' \(the matrix hyperbolic tangent\) is a matrix function that matderiv does not support yet", id="tanhm"),
    pytest.param(["check", "x @ A @ x", "2 * A @ q", "--wrt", "x", "--shape", "x=3", "--shape", "A=3,3"], "ParseError", r"^unknown name 'q' at column 9: 2 \* A @ q — give its shape with --shape q=DIMS", id="check-unknown-name"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "error", "message"), JSON_ERRORS)
def test_json_errors_are_json_on_stdout_with_exit_2(args, error, message):
    r = run(*args, "--json")
    assert r.returncode == 2
    assert r.stderr == ""
    out = json.loads(r.stdout)
    assert out["error"] == error
    assert re.search(message, out["message"]), out["message"]


JSON_USAGE_ERRORS = [
    pytest.param(["derive", "x", "--json"], r"the following arguments are required: --wrt", id="missing-wrt"),
    pytest.param(["derive", "x", "--wrt", "x", "--shape", "x", "--json"], r"argument --shape: expected NAME=DIMS such as X=B,N", id="bad-shape"),
    pytest.param(["derive", "x", "--wrt", "x", "--layout", "diagonal", "--js"], r"argument --layout: invalid choice: 'diagonal'", id="bad-layout-abbreviated-flag"),
    pytest.param(["frobnicate", "--json"], r"invalid choice: 'frobnicate' \(choose from 'derive', 'check'\)", id="unknown-command"),
    pytest.param(["--json"], r"the following arguments are required: \{derive,check\}", id="no-command"),
    pytest.param(["derive", "x", "--wrt", "x", "--json", "--frobnicate"], r"unrecognized arguments: --frobnicate", id="unknown-option"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "message"), JSON_USAGE_ERRORS)
def test_json_usage_errors_are_json_too(args, message):
    r = run(*args)
    assert r.returncode == 2
    assert r.stderr == ""
    out = json.loads(r.stdout)
    assert out["error"] == "UsageError"
    assert re.search(message, out["message"]), out["message"]
    assert out["usage"].startswith("usage: matderiv")


def test_a_failed_check_under_json_exits_1_with_the_error():
    r = run(
        "check",
        "x @ A @ x",
        "2 * A @ x",
        "--wrt",
        "x",
        "--shape",
        "x=3",
        "--shape",
        "A=3,3",
        "--json",
    )
    assert r.returncode == 1
    out = json.loads(r.stdout)
    assert out["passed"] is False
    assert out["error"] == "AssertionError"
    assert "x" in out["message"]


def test_an_internal_error_under_json_is_json_with_exit_1(monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("planted")

    monkeypatch.setattr(cli, "derive", broken)
    assert main(["derive", "x", "--wrt", "x", "--shape", "x=3", "--json"]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out) == {
        "error": "RuntimeError",
        "message": "planted",
        "internal": True,
    }
    assert "RuntimeError: planted" in captured.err
    with pytest.raises(RuntimeError, match=r"^planted$"):  # without --json: the traceback
        main(["derive", "x", "--wrt", "x", "--shape", "x=3"])


# shape hints in the command line's syntax ------------------------------------------------------


def test_an_unknown_name_is_hinted_with_the_shape_option():
    r = run("derive", "sum(w * x)", "--wrt", "x", "--shape", "x=3")
    assert r.returncode == 2
    assert r.stderr.strip() == (
        "error: ParseError: unknown name 'w' at column 5: sum(w * x) — give its shape with "
        "--shape w=DIMS, such as --shape w=3 (a vector), w=B,N (a matrix) or w= (a scalar)"
    )
    assert "shapes=" not in r.stderr


def test_a_close_name_is_still_suggested():
    r = run("derive", "sum(xx)", "--wrt", "x", "--shape", "x=3")
    assert r.returncode == 2
    assert r.stderr.strip().endswith("— did you mean 'x'?")


LIBRARY_HINTS = [
    pytest.param("give it in shapes={'w': (3,)}", "give it in --shape w=3", id="vector"),
    pytest.param('give it in shapes={"X": ("B", "N")}', "give it in --shape X=B,N", id="named-matrix"),
    pytest.param("give it in shapes={'t': ()}", "give it in --shape t=", id="scalar"),
    pytest.param("give it in shapes={'w': (...)}", "give it in --shape w=DIMS", id="placeholder"),
    pytest.param("no shape hint here", "no shape hint here", id="untouched"),
]  # fmt: skip


@pytest.mark.parametrize(("library", "cli"), LIBRARY_HINTS)
def test_library_shape_hints_are_translated(library, cli):
    assert cli_message(md.ShapeError(library)) == cli


# the einsum field is numpy code --------------------------------------------------------------

SIZES = {"B": 4, "N": 3, "M": 2, "n": 3, "m": 2}


def _spd(a):  # a well-conditioned matrix for inv, det and logdet
    return a @ a.T + a.shape[0] * np.eye(a.shape[0])


def _softmax(z, axis):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


# expression, wrt, shapes, layout, the function in plain numpy, how to make each array
EINSUM = [
    pytest.param("sum((X @ W - Y)**2)", "W", {"X": "B,N", "W": "N,M", "Y": "B,M"}, "tensor", lambda X, W, Y: np.sum((X @ W - Y) ** 2), {}, id="least-squares"),
    pytest.param("x @ A @ x", "x", {"x": "n", "A": "n,n"}, "tensor", lambda x, A: x @ A @ x, {}, id="quadratic-form"),
    pytest.param("A @ x", "x", {"A": "m,n", "x": "n"}, "denominator", lambda A, x: A @ x, {}, id="denominator-layout"),
    pytest.param("tr(X @ X)", "X", {"X": "3,3"}, "numerator", lambda X: np.trace(X @ X), {}, id="numerator-layout"),
    pytest.param("t * v", "t", {"t": "", "v": "m"}, "mit", lambda t, v: t * v, {}, id="mit-layout-row"),
    pytest.param("logdet(X)", "X", {"X": "3,3"}, "tensor", lambda X: np.linalg.slogdet(X)[1], {"X": _spd}, id="logdet"),
    pytest.param("inv(X)", "X", {"X": "2,2"}, "tensor", lambda X: np.linalg.inv(X), {"X": _spd}, id="inv"),
    pytest.param("det(X) * x", "X", {"X": "2,2", "x": "m"}, "tensor", lambda X, x: np.linalg.det(X) * x, {}, id="det-times-vector"),
    pytest.param("sigmoid(W @ x)", "W", {"W": "2,3", "x": "3"}, "tensor", lambda W, x: _sigmoid(W @ x), {}, id="sigmoid-index-form"),
    pytest.param("sum(sigmoid(W @ x))", "x", {"W": "2,3", "x": "3"}, "tensor", lambda W, x: np.sum(_sigmoid(W @ x)), {}, id="sigmoid-prime"),
    pytest.param("softmax(x)", "x", {"x": "4"}, "tensor", lambda x: _softmax(x, -1), {}, id="softmax"),
    pytest.param("sum(softmax(X @ W, axis=1) * Y)", "W", {"X": "2,3", "W": "3,4", "Y": "2,4"}, "tensor", lambda X, W, Y: np.sum(_softmax(X @ W, 1) * Y), {}, id="softmax-rows"),
    pytest.param("logsumexp(X, axis=1)", "X", {"X": "2,3"}, "tensor", lambda X: np.log(np.exp(X).sum(axis=1)), {}, id="logsumexp-rows"),
    pytest.param("logsumexp(x) * x", "x", {"x": "3"}, "tensor", lambda x: np.log(np.exp(x).sum()) * x, {}, id="logsumexp-value"),
    pytest.param("mean(X, axis=0)", "X", {"X": "B,n"}, "tensor", lambda X: X.mean(axis=0), {}, id="mean-named-size"),
    pytest.param("kron(A, C)", "A", {"A": "2,2", "C": "2,3"}, "tensor", lambda A, C: np.kron(A, C), {}, id="kron-fuse"),
    pytest.param("vec(A @ X)", "X", {"A": "2,3", "X": "3,2"}, "tensor", lambda A, X: (A @ X).reshape(-1, order="F"), {}, id="vec-fuse"),
    pytest.param("einsum('ij,jk->ik', A, X)", "X", {"A": "2,3", "X": "3,4"}, "tensor", lambda A, X: A @ X, {}, id="einsum-node"),
    pytest.param("sum(exp(x) + log(x) + sqrt(x) + tanh(x) + sin(x) * cos(x) + softplus(x))", "x", {"x": "3"}, "tensor", lambda x: np.sum(np.exp(x) + np.log(x) + np.sqrt(x) + np.tanh(x) + np.sin(x) * np.cos(x) + np.logaddexp(0, x)), {"x": np.abs}, id="elementwise"),
    pytest.param("norm(x) * outer(x, x)", "x", {"x": "3"}, "tensor", lambda x: np.linalg.norm(x) * np.outer(x, x), {}, id="norm-outer"),
    pytest.param("diag(x) @ A @ x", "x", {"x": "3", "A": "3,3"}, "tensor", lambda x, A: np.diag(x) @ A @ x, {}, id="diag"),
    pytest.param("c ** (1/3) * x", "c", {"c": "", "x": "2"}, "tensor", lambda c, x: np.cbrt(c) * x, {"c": lambda c: np.abs(c) + 0.5}, id="rational-power"),
    pytest.param("x ** -2 - 3 * x", "x", {"x": "3"}, "tensor", lambda x: x**-2.0 - 3 * x, {}, id="negative-power-and-sign"),
    pytest.param("matrix_power(X, 3)", "X", {"X": "2,2"}, "tensor", lambda X: X @ X @ X, {}, id="matrix-power"),
    pytest.param("sum(x * 0) + t", "x", {"x": "3", "t": ""}, "tensor", lambda x, t: np.sum(x * 0) + t, {}, id="zero-keeps-shape"),
    pytest.param("step(x * s) * x", "s", {"x": "5", "s": ""}, "tensor", lambda x, s: np.heaviside(x * s, 0.0) * x, {}, id="zero-by-a-scalar"),
    pytest.param("step(3) * s", "s", {"s": ""}, "tensor", lambda s: np.heaviside(3.0, 0.0) * s, {}, id="step-of-a-constant"),
    pytest.param("pi * outer(x, x)", "x", {"x": "2"}, "tensor", lambda x: np.pi * np.outer(x, x), {}, id="pi-operand"),
    pytest.param("sum(t * ones(n))", "t", {"t": ""}, "tensor", lambda t: np.sum(t * np.ones(SIZES["n"])), {}, id="size-only-by-name"),
    pytest.param("sum(x + t)", "t", {"x": "n", "t": ""}, "tensor", lambda x, t: np.sum(x + t), {}, id="broadcast-scalar"),
    pytest.param("sum(X + b)", "b", {"X": "B,M", "b": "M"}, "tensor", lambda X, b: np.sum(X + b), {}, id="broadcast-bias"),
    pytest.param("(x**2)**2.5", "x", {"x": ""}, "tensor", lambda x: (x**2) ** 2.5, {"x": lambda x: -np.abs(x) - 0.5}, id="power-of-power"),
]  # fmt: skip


def _finite_differences(f, arrays, wrt, h=1e-6):
    """∂f/∂wrt in the tensor layout, by central differences in plain numpy."""
    base = np.asarray(arrays[wrt], dtype=float)
    out = np.asarray(f(**arrays))
    jac = np.zeros(out.shape + base.shape)
    for p in np.ndindex(base.shape):
        step = np.zeros_like(base)
        step[p] = h
        hi = np.asarray(f(**{**arrays, wrt: base + step}))
        lo = np.asarray(f(**{**arrays, wrt: base - step}))
        jac[(..., *p)] = (hi - lo) / (2 * h)
    return jac


def _arranged(jac, out_ndim, layout):
    """The tensor-layout array in another layout, written out for the cases above."""
    if layout == "tensor":
        return jac
    if layout in ("numerator", "denominator"):
        return jac.T
    assert layout == "mit"
    assert out_ndim == 1
    return jac.reshape(1, -1)


@pytest.mark.parametrize(("expr", "wrt", "shapes", "layout", "f", "make"), EINSUM)
def test_the_json_einsum_field_is_numpy_code_for_the_derivative(
    expr, wrt, shapes, layout, f, make, capsys
):
    flags = [a for name, dims in shapes.items() for a in ("--shape", f"{name}={dims}")]
    assert main(["derive", expr, "--wrt", wrt, *flags, "--layout", layout, "--json"]) == 0
    field = json.loads(capsys.readouterr().out)["einsum"]
    rng = np.random.default_rng(sum(map(ord, expr)))
    arrays = {}
    for name, dims in shapes.items():
        size = tuple(int(d) if d.isdigit() else SIZES[d] for d in dims.split(",") if d)
        a = rng.standard_normal(size)
        arrays[name] = make.get(name, lambda a: a)(a)
    got = eval(field, {"np": np, **SIZES, **arrays})
    fd = _finite_differences(f, arrays, wrt)
    want = _arranged(fd, fd.ndim - np.ndim(arrays[wrt]), layout)
    assert np.shape(got) == want.shape, field
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6, err_msg=field)


def test_the_einsum_field_reads_named_sizes_off_the_arrays():
    r = run("derive", "mean(X, axis=0)", "--wrt", "X", "--shape", "X=B,n", "--json")
    assert r.returncode == 0, r.stderr
    field = json.loads(r.stdout)["einsum"]
    assert "X.shape[0]" in field
    X = np.random.default_rng(0).standard_normal((5, 2))
    got = eval(field, {"np": np, "X": X})  # no sizes bound: only np and the arrays
    np.testing.assert_allclose(
        got, _finite_differences(lambda X: X.mean(axis=0), {"X": X}, "X"), atol=1e-8
    )


def test_help_documents_the_einsum_field():
    r = run("derive", "--help")
    assert r.returncode == 0
    assert "'einsum' field is a numpy" in " ".join(r.stdout.split())


# structured variables (issue 14): --structure NAME=KIND and --symmetric CONVENTION ------------

S_SYM = ["--shape", "S=3,3", "--structure", "S=symmetric"]


@pytest.mark.parametrize(
    ("convention", "matrix"),
    [("free", "2 S⁻¹ - S⁻¹ ∘ I"), ("frobenius", "S⁻¹")],
)
def test_derive_by_a_symmetric_variable_in_each_convention(convention, matrix):
    r = run("derive", "logdet(S)", "--wrt", "S", *S_SYM, "--symmetric", convention, "--check")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"∂f/∂S = {matrix}\n")
    assert "check: " in r.stdout


def test_derive_by_a_diagonal_variable_needs_no_convention():
    r = run("derive", "tr(A @ D)", "--wrt", "D", "--shape", "D=3,3", "--shape", "A=3,3",
            "--structure", "D=diagonal", "--json")  # fmt: skip
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["matrix"] == "A^T * I"
    assert out["symmetric"] is None


def test_check_by_a_symmetric_variable_reads_the_claim_in_the_convention():
    free = "2 * outer(x, x) - diag(diag(outer(x, x)))"
    args = ["--wrt", "S", *S_SYM, "--shape", "x=3"]
    ok = run("check", "x @ S @ x", free, *args, "--symmetric", "free")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.startswith("check passed: ")
    wrong = run("check", "x @ S @ x", free, *args, "--symmetric", "frobenius")
    assert wrong.returncode == 1
    assert wrong.stdout.startswith("check FAILED: ")
    right = run("check", "x @ S @ x", "outer(x, x)", *args, "--symmetric", "frobenius")
    assert right.returncode == 0, right.stdout + right.stderr


STRUCTURE_ERRORS = [
    pytest.param(["derive", "logdet(S)", "--wrt", "S", *S_SYM], r"LayoutError: 'S' is symmetric, .*choose one: --symmetric frobenius \(the gradient on the symmetric matrices.* or --symmetric free \(the partial derivatives", id="no-convention"),
    pytest.param(["derive", "logdet(S)", "--wrt", "S", "--shape", "S=n,m", "--structure", "S=symmetric", "--symmetric", "free"], r"ShapeError: 'S' is declared symmetric, which needs a square matrix \(shape \(n, n\)\), but its shape is \('n', 'm'\)", id="not-square"),
    pytest.param(["derive", "logdet(S)", "--wrt", "S", "--structure", "S=symmetric", "--symmetric", "free"], r"ShapeError: --structure S=symmetric: 'S' has no shape; give it with --shape S=DIMS", id="no-shape"),
    pytest.param(["derive", "logdet(S)", "--wrt", "S", *S_SYM, "--structure", "S=diagonal"], r"ShapeError: --structure S=\.\.\. is given twice", id="twice"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "message"), STRUCTURE_ERRORS)
def test_structure_input_errors_exit_2_with_the_message(args, message):
    r = run(*args)
    assert r.returncode == 2
    assert re.match(r"error: " + message, r.stderr), r.stderr


STRUCTURE_USAGE_ERRORS = [
    pytest.param(["derive", "logdet(S)", "--wrt", "S", "--shape", "S=3,3", "--structure", "S=skew"], r"argument --structure: expected NAME=KIND with KIND one of general, symmetric, diagonal, stochastic, such as S=symmetric, got 'S=skew'", id="unknown-kind"),
    pytest.param(["derive", "logdet(S)", "--wrt", "S", "--shape", "S=3,3", "--structure", "symmetric"], r"argument --structure: expected NAME=KIND", id="no-name"),
    pytest.param(["derive", "logdet(S)", "--wrt", "S", *S_SYM, "--symmetric", "sym"], r"argument --symmetric: invalid choice: 'sym' \(choose from 'frobenius', 'free'\)", id="unknown-convention"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "message"), STRUCTURE_USAGE_ERRORS)
def test_structure_usage_errors_exit_2(args, message):
    r = run(*args, "--json")
    assert r.returncode == 2
    out = json.loads(r.stdout)
    assert out["error"] == "UsageError"
    assert re.search(message, out["message"]), out["message"]
