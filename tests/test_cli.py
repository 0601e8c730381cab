"""The command line, driven through subprocess as a user would."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

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
