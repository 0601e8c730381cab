"""Every printer writes what it means: code, einsum text, generated code, matrix text, index
text and LaTeX of random scalar expressions evaluate (read back by Python, by the parser, or by
SymPy with implicit multiplication) to the values of the expression, and the printed
derivatives agree with central finite differences."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sympy.parsing.sympy_parser import (
    convert_xor,
    implicit_multiplication_application,
    parse_expr,
    standard_transformations,
)

import matderiv as md
from matderiv.checks.finite import sample_inputs
from matderiv.language.printing import to_code, to_latex, to_text
from matderiv.numeric import evaluation
from matderiv.numeric.codegen import compile_source, generate
from matderiv.numeric.evaluation import Evaluator, bind_sizes
from matderiv.testing.oracle import LANGUAGE as ORACLE_LANGUAGE
from matderiv.testing.strategies import problems

from ..finite import central_jacobian

SCALARS = {"a": (), "b": (), "c": ()}
POINT = {"a": 1.3, "b": 0.7, "c": 1.9}  # positive, so every real power is defined


def _sigmoid(x: Any) -> Any:
    return 1 / (1 + np.exp(-x))


PYTHON = {"np": np, "exp": np.exp, "tanh": np.tanh, "sin": np.sin, "cos": np.cos}
PYTHON |= {"sigmoid": _sigmoid, "log": np.log, "sqrt": np.sqrt, "pi": np.pi}
PYTHON |= {"abs": np.abs, "sign": np.sign}  # merged powers (x²)^(1/3) = |x|^(2/3) print them
SYMPY = {
    "sigmoid": sp.Lambda(sp.Symbol("z"), 1 / (1 + sp.exp(-sp.Symbol("z")))),
    "tanhp": sp.Lambda(sp.Symbol("z"), 1 - sp.tanh(sp.Symbol("z")) ** 2),
    "sigmoidp": sp.Lambda(
        sp.Symbol("z"), sp.exp(-sp.Symbol("z")) / (1 + sp.exp(-sp.Symbol("z"))) ** 2
    ),
    "pi": sp.pi,
    **{n: sp.Symbol(n) for n in SCALARS},
}
TRANSFORMS = (*standard_transformations, implicit_multiplication_application, convert_xor)


def python_value(text: str, point: dict[str, float]) -> float:
    """The value Python (with numpy) gives the text, independently of matderiv."""
    with np.errstate(all="ignore"):
        floats = {k: np.float64(v) for k, v in point.items()}
        try:
            return float(np.real_if_close(eval(text, {**PYTHON, **floats})))
        except (ZeroDivisionError, OverflowError):  # Python floats: 0.0 ** -1 raises
            return math.nan


def math_value(text: str, point: dict[str, float]) -> float:
    """The value of plain-text mathematics: juxtaposition multiplies, ``^`` is a power."""
    text = text.replace("{", "(").replace("}", ")").replace("'(", "p(")
    expr = parse_expr(text, SYMPY, TRANSFORMS)
    return float(sp.N(expr.subs({sp.Symbol(k): sp.Float(v, 30) for k, v in point.items()}), 20))


_LATEX = [
    (r"\left(", "("),
    (r"\right)", ")"),
    (r"\left|", "Abs("),
    (r"\right|", ")"),
    (r"\,", " "),
    (r"\sigma", "sigmoid"),
    (r"\exp", "exp"),
    (r"\tanh", "tanh"),
    (r"\sin", "sin"),
    (r"\cos", "cos"),
    (r"\log", "log"),
    (r"\pi", "pi"),
]


def _group(s: str, start: int) -> tuple[str, int]:
    """The brace group opening at ``s[start]``, and the index after it."""
    assert s[start] == "{", s[start:]
    depth = 0
    for i in range(start, len(s)):
        depth += {"{": 1, "}": -1}.get(s[i], 0)
        if depth == 0:
            return s[start + 1 : i], i + 1
    raise AssertionError(f"unbalanced braces in {s!r}")


def latex_to_text(s: str) -> str:
    """A small reader of the LaTeX the printers write for scalars (``\\frac``, ``\\sqrt``,
    ``^{…}``, ``\\left( … \\right)``, function names) into plain text."""
    out = []
    i = 0
    while i < len(s):
        if s.startswith(r"\frac", i):
            top, i = _group(s, i + 5)
            bottom, i = _group(s, i)
            out.append(f"(({latex_to_text(top)})/({latex_to_text(bottom)}))")
        elif s.startswith(r"\sqrt", i):
            arg, i = _group(s, i + 5)
            out.append(f"sqrt({latex_to_text(arg)})")
        elif s[i] == "{":
            arg, i = _group(s, i)
            out.append(f"({latex_to_text(arg)})")
        else:
            for old, new in _LATEX:
                if s.startswith(old, i):
                    out.append(new)
                    i += len(old)
                    break
            else:
                out.append(s[i])
                i += 1
    return "".join(out)


def check_latex_structure(s: str) -> None:
    assert s.count("{") == s.count("}"), s
    assert s.count(r"\left") == s.count(r"\right"), s
    for m in re.finditer(r"\^", s):  # an exponent is one character or a brace group
        nxt = s[m.end() : m.end() + 2]
        assert nxt[:1] == "{" or (nxt[:1].isalnum() and not nxt[1:].isalnum()), s


def generated_value(e: md.Expr, point: dict[str, float]) -> float:
    variables = sorted(e.variables(), key=lambda v: v.name)
    fn = compile_source(generate("f", variables, [(e, e.shape, "")]), "f")
    with np.errstate(all="ignore"):
        return float(fn(**{v.name: point[v.name] for v in variables}))


def matderiv_value(e: md.Expr, point: dict[str, float]) -> float:
    arrays = {v.name: np.asarray(point[v.name]) for v in e.variables()}
    with np.errstate(all="ignore"):
        return float(Evaluator(arrays, bind_sizes(e.variables(), arrays)).expr(e))


def close(a: float, b: float, rtol: float = 1e-9) -> bool:
    return math.isclose(a, b, rel_tol=rtol, abs_tol=rtol)


# tricky precedence: every printer must keep these apart --------------------------------------
TRICKY = [
    "c ** (1/3)", "-a**2", "(-a)**2", "2**-1", "a**-1", "a / b * c", "a / (b * c)", "-a / b",
    "(a**b)**c", "a**b**c", "-2 * a", "a * (-2)", "a - (b - c)", "a - -b", "1 / (a + b)",
    "(a * b)**-2", "-(a**2)**(1/3)", "a**(-b)", "2**(-a)", "-a**-2", "(a / b)**2", "a / b / c",
    "(1/3)**a", "a * 1/3", "exp(-a)**2", "-exp(a)", "a**(-5/3)", "(a - b)**3", "-(a - b)**3",
    "a**2**-1", "sigmoid(-a)**(1/3)", "(a + b) / (b - c)**2", "pi**a / 3", "a**(b - c)",
    "(2/9) * a**(-5/3) * b", "a**0.5 / -b",
]  # fmt: skip


@pytest.mark.parametrize("text", TRICKY)
def test_every_printer_keeps_precedence_and_exact_exponents(text):
    e = md.parse(text, SCALARS)
    want = python_value(text, POINT)
    assert close(matderiv_value(e, POINT), want)
    code = to_code(e)
    assert close(python_value(code, POINT), want), code
    assert close(matderiv_value(md.parse(code, SCALARS), POINT), want), code
    assert close(generated_value(e, POINT), want)
    assert close(math_value(to_text(e), POINT), want), to_text(e)
    latex = to_latex(e)
    check_latex_structure(latex)
    assert close(math_value(latex_to_text(latex), POINT), want), latex


def test_the_reported_einsum_text_reads_as_written():
    d = md.derive(md.derive("c ** (1/3)", "c", shapes={"c": ()}), "c")
    assert d.einsum == "-2/9 * np.einsum('->', c ** (-5/3))"
    assert d.index == "D = -2/9 c^(-5/3)"
    assert "c ** (-5/3)" in d.to_source()
    c = 1.7
    assert close(python_value(d.einsum, {"c": c}), -2 / 9 * c ** (-5 / 3))
    assert close(float(d.compile()(c=c)), -2 / 9 * c ** (-5 / 3))


LATEX = [
    ("c ** (1/3)", r"c^{\frac{1}{3}}"),
    ("c ** (-5/3)", r"c^{-\frac{5}{3}}"),
    ("(-a)**2", r"\left(-a\right)^{2}"),
    ("(a / b)**2", r"\left(\frac{a}{b}\right)^{2}"),
    ("a * (-2)", r"-2\, a"),
    ("a / b * c", r"\frac{a\, c}{b}"),
]


@pytest.mark.parametrize(("text", "latex"), LATEX, ids=[t for t, _ in LATEX])
def test_latex_structure(text, latex):
    assert to_latex(md.parse(text, SCALARS)) == latex


# random scalar expressions -------------------------------------------------------------------
NAMES = st.sampled_from(["a", "b", "c"])
CONSTANTS = st.sampled_from(["2", "3", "0.5", "(1/3)", "(-2)", "(-1/3)", "(2/9)"])
EXPONENTS = st.sampled_from(["2", "3", "-1", "(-2)", "(1/3)", "(-5/3)", "0.5", "a", "(-b)"])


@st.composite
def positive(draw: st.DrawFn, depth: int) -> str:
    """Positive-valued expressions: safe bases for any real power."""
    if depth <= 0 or draw(st.integers(0, 3)) == 0:
        return draw(st.one_of(NAMES, st.sampled_from(["2", "0.5", "(1/3)"])))
    op = draw(st.sampled_from(["exp", "add", "mul", "div", "pow", "sigmoid"]))
    if op in ("exp", "sigmoid"):
        return f"{op}({draw(anything(depth - 1))} / 4)"
    x, y = draw(positive(depth - 1)), draw(positive(depth - 1))
    sym = {"add": "+", "mul": "*", "div": "/"}.get(op)
    if sym:
        return f"({x} {sym} {y})"
    return f"(({x}) ** {draw(EXPONENTS)})"


@st.composite
def anything(draw: st.DrawFn, depth: int) -> str:
    if depth <= 0 or draw(st.integers(0, 3)) == 0:
        return draw(st.one_of(NAMES, CONSTANTS))
    op = draw(st.sampled_from(["add", "sub", "mul", "div", "neg", "pow", "ipow", "func"]))
    if op == "neg":
        return f"-{draw(anything(depth - 1))}"
    if op == "pow":
        return f"({draw(positive(depth - 1))} ** {draw(EXPONENTS)})"
    if op == "ipow":
        return f"({draw(anything(depth - 1))}) ** {draw(st.sampled_from(['2', '3', '(-1)']))}"
    if op == "func":
        return f"{draw(st.sampled_from(['tanh', 'sin', 'sigmoid']))}({draw(anything(depth - 1))})"
    if op == "div":
        return f"{draw(anything(depth - 1))} / {draw(positive(depth - 1))}"
    sym = {"add": "+", "sub": "-", "mul": "*"}[op]
    return f"{draw(anything(depth - 1))} {sym} ({draw(anything(depth - 1))})"


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(anything(4))
def test_random_expressions_print_to_their_values(text):
    want = python_value(text, POINT)
    assume(math.isfinite(want) and abs(want) < 1e8)
    assume(math.isfinite(math_value(text, POINT)))  # no infinity on the way (tanh(1/0))
    e = md.parse(text, SCALARS)
    assert close(matderiv_value(e, POINT), want, 1e-8)
    code = to_code(e)
    assert close(python_value(code, POINT), want, 1e-8), code
    assert close(generated_value(e, POINT), want, 1e-8)
    assert close(math_value(to_text(e), POINT), want, 1e-8), to_text(e)
    latex = to_latex(e)
    check_latex_structure(latex)
    assert close(math_value(latex_to_text(latex), POINT), want, 1e-8), latex


def _fd(text: str, name: str, h: float = 1e-5) -> float:
    up, down = dict(POINT), dict(POINT)
    up[name] += h
    down[name] -= h
    return (python_value(text, up) - python_value(text, down)) / (2 * h)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(anything(3), NAMES)
def test_printed_derivatives_agree_with_finite_differences(text, wrt):
    want_f = python_value(text, POINT)
    assume(math.isfinite(want_f) and abs(want_f) < 1e4)
    assume(math.isfinite(math_value(text, POINT)))
    fd = _fd(text, wrt)
    assume(math.isfinite(fd) and abs(fd) < 1e4)
    d = md.derive(text, wrt, shapes=SCALARS)
    tol = 1e-5 * max(1.0, abs(fd))
    outputs = {
        "evaluate": float(d.evaluate(POINT)),
        "compile": float(d.compile()(**{v.name: POINT[v.name] for v in d.variables})),
        "einsum": python_value(d.einsum, POINT),
        "index": math_value(d.index.split(" = ", 1)[1], POINT),
    }
    if d.code is not None:
        outputs["code"] = python_value(d.code, POINT)
    if d.matrix is not None:
        outputs["matrix"] = math_value(d.matrix, POINT)
    for name, value in outputs.items():
        assert abs(value - fd) <= tol, (name, value, fd, d.einsum, d.index, d.matrix)


# random array expressions: code round trip, generated code, einsum text, every layout ----------


def _softmax(x: Any, axis: int = -1) -> Any:
    z = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return z / np.sum(z, axis=axis, keepdims=True)


def _logsumexp(x: Any, axis: int | None = None) -> Any:
    return np.log(np.sum(np.exp(x), axis=axis))


LANGUAGE = {**ORACLE_LANGUAGE, **PYTHON}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_depth=3))
def test_random_array_expressions_in_every_output(problem):
    text, shapes, wrt = problem
    e = md.parse(text, shapes)
    arrays = sample_inputs(e, rng=0)
    value = evaluation.evaluate(e, **arrays)
    np.testing.assert_allclose(
        evaluation.evaluate(md.parse(to_code(e), shapes), **arrays), value, rtol=1e-9
    )
    variables = sorted(e.variables(), key=lambda v: v.name)
    fn = compile_source(generate("f", variables, [(e, e.shape, "")]), "f")
    np.testing.assert_allclose(fn(**arrays), value, rtol=1e-9, atol=1e-12)

    def fun(**a: Any) -> Any:
        return evaluation.evaluate(e, **a)

    fd = central_jacobian(fun, arrays, wrt)
    tol = {"rtol": 1e-5, "atol": 1e-6 * max(1.0, float(np.max(np.abs(fd), initial=0)))}
    d = md.derive(e, wrt)
    np.testing.assert_allclose(d.evaluate(arrays), fd, **tol)
    np.testing.assert_allclose(d.compile()(**arrays), fd, **tol)
    einsum = eval(d.einsum, {**LANGUAGE, **arrays})
    np.testing.assert_allclose(einsum, fd, **tol)
    for layout in md.layout.CONVENTIONS[1:]:
        try:
            arranged = d.to_layout(layout)
        except md.LayoutError:
            continue
        out, w = e.shape, d.wrt.shape
        for got in (arranged.evaluate(arrays), arranged.compile()(**arrays)):
            np.testing.assert_allclose(md.layout.to_tensor(got, out, w, layout), fd, **tol)
