"""Every declared elementwise function, end to end.

Each spec in :data:`matderiv.language.specs.ELEMENTWISE` is parsed, printed, round-tripped,
evaluated (numpy against SymPy, the declaration's two independent implementations), compiled,
and differentiated twice; every derivative is compared with central finite differences in plain
numpy, and proved exactly on a small instance where SymPy can. Adding a function to the registry
adds it to every test here: nothing else needs to list it.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp

import matderiv as md
from matderiv.language.expression import Func
from matderiv.language.functions import Unary
from matderiv.language.printing import to_code, to_latex, to_text
from matderiv.language.specs import ELEMENTWISE, USER_ELEMENTWISE, Elementwise
from matderiv.numeric.evaluation import evaluate

from ..finite import central_jacobian

SPECS = [pytest.param(spec, id=spec.name) for spec in ELEMENTWISE.values()]
USER = [p for p in SPECS if p.values[0].user]
SHAPES = {"x": (4,)}


def _point(spec: Elementwise, rng: np.random.Generator) -> np.ndarray:
    """Arguments inside the function's domain and away from its kink."""
    x = rng.uniform(0.3, 1.3, size=4)
    if spec.domain == "positive":
        return x
    return x * rng.choice([-1.0, 1.0], size=4)


def _node(spec: Elementwise) -> Func:
    return Func(spec.name, md.var("x", (4,)))


@pytest.mark.parametrize("spec", USER)
def test_a_user_function_parses_to_its_node_and_prints_back(spec: Elementwise) -> None:
    e = md.parse(f"{spec.name}(x)", SHAPES)
    assert e == _node(spec)
    assert to_text(e) == f"{spec.name}(x)"
    assert md.parse(to_code(e), SHAPES) == e


@pytest.mark.parametrize("spec", [p for p in SPECS if not p.values[0].user])
def test_a_derived_function_is_not_parsed_but_its_code_spells_it_in_user_functions(
    spec: Elementwise, rng: np.random.Generator
) -> None:
    with pytest.raises(md.ParseError, match=r"invalid syntax|unknown function"):
        md.parse(f"{spec.name}(x)", SHAPES)
    e = _node(spec)
    spelled = md.parse(to_code(e), SHAPES)
    x = _point(spec, rng)
    np.testing.assert_allclose(evaluate(spelled, x=x), evaluate(e, x=x), rtol=1e-12)


@pytest.mark.parametrize("spec", SPECS)
def test_the_latex_names_the_function(spec: Elementwise) -> None:
    latex = to_latex(_node(spec))
    if "{x}" in spec.latex:
        assert latex == spec.latex.format(x="x")
    else:
        assert latex == spec.latex + r"\left(x\right)"


@pytest.mark.parametrize("spec", SPECS)
def test_numpy_and_sympy_evaluations_agree(spec: Elementwise, rng: np.random.Generator) -> None:
    x = _point(spec, rng)
    got = evaluate(_node(spec), x=x)
    symbol = sp.Symbol("t", real=True)
    exact = sp.lambdify(symbol, spec.sympy(sp, symbol), modules=["numpy"])
    want = np.array([float(exact(v)) for v in x])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("spec", SPECS)
def test_first_and_second_derivatives_match_finite_differences(
    spec: Elementwise, rng: np.random.Generator
) -> None:
    e = md.var("w", (4,)) * _node(spec)  # a weight keeps the entries apart
    loss = md.parse("sum(u)", {"u": e})
    x, w = _point(spec, rng), rng.standard_normal(4)
    g = md.derive(loss, "x")
    fd = central_jacobian(lambda x, w: evaluate(loss, x=x, w=w), {"x": x, "w": w}, "x")
    np.testing.assert_allclose(g.evaluate(x=x, w=w), fd, rtol=1e-6, atol=1e-8)
    compiled = g.compile()
    np.testing.assert_allclose(compiled(x=x, w=w), fd, rtol=1e-6, atol=1e-8)
    value, grad = md.value_and_grad(loss, "x")(x=x, w=w)
    np.testing.assert_allclose(value, evaluate(loss, x=x, w=w), rtol=1e-12)
    np.testing.assert_allclose(grad, fd, rtol=1e-6, atol=1e-8)
    if g.code is not None:  # the printed matrix form parses back to the same numbers
        back = md.parse(g.code, {"x": (4,), "w": (4,)})
        np.testing.assert_allclose(evaluate(back, x=x, w=w), fd, rtol=1e-6, atol=1e-8)
    h = md.derive(g, "x")
    fd2 = central_jacobian(lambda x, w: g.evaluate(x=x, w=w), {"x": x, "w": w}, "x")
    np.testing.assert_allclose(h.evaluate(x=x, w=w), fd2, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("spec", [p for p in USER if not p.values[0].kink])
def test_the_derivative_rule_is_proved_exactly(spec: Elementwise) -> None:
    d = md.derive(f"sum({spec.name}(x))", "x", shapes={"x": (2,)})
    report = md.check_derivative(f"sum({spec.name}(x))", d, wrt="x", method="exact")
    assert report.method == "exact"


def test_the_registry_lists_each_user_function_once_and_in_the_language() -> None:
    from matderiv.language.vocabulary import FUNCTIONS

    assert len(set(USER_ELEMENTWISE)) == len(USER_ELEMENTWISE)
    assert set(USER_ELEMENTWISE) <= FUNCTIONS
    assert {"log1p", "expm1"} <= set(USER_ELEMENTWISE)


def test_a_derived_function_without_a_spelling_is_refused() -> None:
    with pytest.raises(ValueError, match="needs `spelled`"):
        Elementwise("f'", None, np.exp, np.exp, "", "", user=False)


def test_an_undeclared_elementwise_function_is_not_supported() -> None:
    with pytest.raises(md.NotSupportedError, match="elementwise function 'erf' is not supported"):
        Func("erf", md.var("x", (2,)))


def _unary_cases() -> list[tuple[type[Unary], tuple[int, ...]]]:
    """Each declared named function of one array that users write (by its name, or as it is
    spelled, such as ``norm(X, 2)``), with the first argument shape it takes. The factors that
    only derivatives create are tested in tests/language/test_matfun.py."""
    out = []
    written = [c for c in Unary.__subclasses__() if c.user or c.spelled is not None]
    for cls in sorted(written, key=lambda c: c.name):
        for shape in [(3, 3), (3,), (2, 3)]:
            try:
                cls(md.var("A", shape))
            except (md.ShapeError, md.NotSupportedError):
                continue
            out.append((cls, shape))
            break
    return out


UNARY = [pytest.param(cls, shape, id=cls.name) for cls, shape in _unary_cases()]


def _mp(fn):  # a matrix function of mpmath, evaluated in 30 digits, back to floats
    def run(a):
        with mpmath.workdps(30):
            r = fn(mpmath.matrix(a.tolist()))
            return [[float(mpmath.re(r[i, j])) for j in range(r.cols)] for i in range(r.rows)]

    return run


def _mp_eigvalsh(a):  # numpy's eigvalsh reads the lower triangle
    low = np.tril(a) + np.tril(a, -1).T
    with mpmath.workdps(30):
        return sorted(float(v) for v in mpmath.eigsy(mpmath.matrix(low.tolist()))[0])


def _mp_svdvals(a):
    with mpmath.workdps(30):
        s = mpmath.svd_r(mpmath.matrix(a.tolist()), compute_uv=False)
        return sorted((float(v) for v in s), reverse=True)


#: An independent evaluation of each function that SymPy cannot evaluate on symbols.
MPMATH = {
    **{name: _mp(getattr(mpmath, name)) for name in ("expm", "logm", "sqrtm", "sinm", "cosm")},
    "eigvalsh": _mp_eigvalsh,
    "svdvals": _mp_svdvals,
    "norm_2": lambda a: max(_mp_svdvals(a)),
    "norm_nuc": lambda a: sum(_mp_svdvals(a)),
    "norm_1": lambda a: float(sum(abs(mpmath.mpf(v)) for v in a)),
    "norm_inf": lambda a: float(max(abs(mpmath.mpf(v)) for v in a)),
}


def _well_conditioned(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    a = rng.standard_normal(shape)
    return a + 3 * np.eye(3) if shape == (3, 3) else a


@pytest.mark.parametrize(("cls", "shape"), UNARY)
def test_a_named_function_parses_prints_and_evaluates_the_same_in_numpy_and_sympy(
    cls: type[Unary], shape: tuple[int, ...], rng: np.random.Generator
) -> None:
    text = f"{cls.name}(A)" if cls.spelled is None else cls.spelled.format(x="A")
    e = md.parse(text, {"A": shape})
    assert e == cls(md.var("A", shape))
    assert md.parse(to_code(e), {"A": shape}) == e
    a = _well_conditioned(shape, rng)
    symbols = np.array(sp.symbols(f"a0:{a.size}"), dtype=object).reshape(shape)
    try:
        exact = np.asarray(cls.sympy(sp, np, symbols), dtype=object)
    except md.NotSupportedError:  # matrix and spectral functions: mpmath, in 30 digits
        want = np.asarray(MPMATH[cls.name](a), dtype=float)
    else:
        values = dict(zip(symbols.ravel(), a.ravel(), strict=True))
        want = np.array([float(v.subs(values)) for v in exact.ravel()]).reshape(exact.shape)
    np.testing.assert_allclose(evaluate(e, A=a), want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(("cls", "shape"), UNARY)
def test_a_named_function_differentiates_and_compiles_like_finite_differences(
    cls: type[Unary], shape: tuple[int, ...], rng: np.random.Generator
) -> None:
    node = cls(md.var("A", shape))
    w = md.var("w", node.shape)
    loss = md.parse("sum(u)", {"u": w * node})
    a, wv = _well_conditioned(shape, rng), rng.standard_normal(node.shape)
    d = md.derive(loss, "A")
    fd = central_jacobian(lambda A, w: evaluate(loss, A=A, w=w), {"A": a, "w": wv}, "A")
    np.testing.assert_allclose(d.evaluate(A=a, w=wv), fd, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(d.compile()(A=a, w=wv), fd, rtol=1e-6, atol=1e-8)
