"""Hypothesis strategies for structured variables (issue 14): expressions of the language
(:mod:`matderiv.testing.strategies`) in which square variables are declared symmetric or
diagonal, with the convention a derivative by a symmetric one is taken in."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from .strategies import Shape, _entries, expressions

__all__ = ["CONVENTIONS", "structured_problems"]

#: The conventions of a derivative by a symmetric variable (language/structure.py).
CONVENTIONS = ("frobenius", "free")


@st.composite
def structured_problems(
    draw: st.DrawFn, max_depth: int = 4, spectral: bool = False
) -> tuple[str, dict[str, Any], tuple[str, ...], str | None]:
    """Draw (expression text, shapes, wrts, convention) where square variables may be declared
    symmetric or diagonal (``md.structured`` in the shapes), and the variable differentiated by
    is most often one of them: a first derivative, or (one in four, of a small expression) a
    second one by the structured variable twice. The convention is drawn for a symmetric
    variable ("frobenius" or "free"; one of them or none for a diagonal one)."""
    import matderiv as md

    names: dict[str, Shape] = {}
    second = draw(st.integers(0, 3)) == 0
    out_rank = 0 if second else draw(st.sampled_from([0, 0, 1, 2]))
    shape = tuple(draw(st.integers(2, 4)) for _ in range(out_rank))
    depth = min(max_depth, 3) if second else max_depth
    text = draw(expressions(shape, depth, names, spectral=spectral))
    squares = sorted(n for n, s in names.items() if len(s) == 2 and s[0] == s[1])
    if not squares or draw(st.integers(0, 3)) == 0:  # a square variable in a common pattern
        k = draw(st.integers(2, 3))
        square, other, v = f"M{k}_{k}", f"M{k}_{k}b", f"v{k}"
        patterns: list[tuple[str, dict[str, Shape]]] = [
            (f"tr({other} @ {square})", {square: (k, k), other: (k, k)}),
            (f"sum(tanh({square}) * {other})", {square: (k, k), other: (k, k)}),
            (f"({v} @ {square} @ {v})", {square: (k, k), v: (k,)}),
            (f"tr({square} @ {other} @ {square})", {square: (k, k), other: (k, k)}),
            (f"logdet(eye({k}) * {k + 2} + {square})", {square: (k, k)}),
        ]
        term, used = draw(st.sampled_from(patterns))
        names.update(used)
        text = f"({text} + {term})"
        squares = sorted(n for n, s in names.items() if len(s) == 2 and s[0] == s[1])
    chosen = [n for n in squares if draw(st.booleans())] or [squares[0]]
    kinds = {n: draw(st.sampled_from(["symmetric", "symmetric", "diagonal"])) for n in chosen}
    shapes: dict[str, Any] = {
        n: md.structured(s, kinds[n]) if n in kinds else s  # type: ignore[arg-type]
        for n, s in names.items()
    }
    if draw(st.integers(0, 4)) == 0 and not second:  # by another variable, S in the expression
        wrt = draw(st.sampled_from(sorted(names)))
    else:
        wrt = draw(st.sampled_from(chosen))
    structure = kinds.get(wrt, "general")
    if structure == "symmetric" or any(k == "symmetric" for k in kinds.values()):
        convention: str | None = draw(st.sampled_from(CONVENTIONS))
    else:
        convention = draw(st.sampled_from([None, *CONVENTIONS]))
    if second and _entries(names[wrt]) > 9:
        wrt = chosen[0]
    return text, shapes, (wrt, wrt) if second else (wrt,), convention
