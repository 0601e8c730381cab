"""Fuzz matderiv for longer than the tests do, and print what happened.

Run: python benchmarks/fuzz.py [--texts 10000] [--expressions 2000]

- texts: random text and token soups through parse and derive. Anything but a matderiv error
  is a crash; anything over 1 s is a hang.
- expressions: random well-typed expressions, derived and checked against finite
  differences (a mismatch is a wrong result), and the printed matrix form parsed back.
Refusals (NotSupportedError) are counted by construct: they show what to support next.
"""

from __future__ import annotations

import argparse
import pathlib
import re
import sys
import time
from collections import Counter

import numpy as np
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

import matderiv as md
from matderiv.evaluation import Evaluator, bind_sizes
from matderiv.verification import sample_inputs
from tests.strategies import problems
from tests.test_fuzz import S, text_soup, token_soup

counts: Counter[str] = Counter()
refusals: Counter[str] = Counter()
examples: dict[str, str] = {}


def _note(kind: str, what: str) -> None:
    counts[kind] += 1
    examples.setdefault(kind, what)


def fuzz_text(text: str) -> None:
    counts["texts"] += 1
    start = time.perf_counter()
    try:
        e = md.parse(text, S)
        for v in sorted(e.variables(), key=lambda v: v.name):
            md.derive(e, v)
        counts["texts accepted"] += 1
    except md.NotSupportedError as exc:
        refusals[re.sub(r"'[^']*'", "'…'", str(exc))[:70]] += 1
    except md.MatderivError:
        counts["texts refused with a clear error"] += 1
    except Exception as exc:  # a crash: the point of fuzzing is to find these
        _note("crashes", f"{text!r}: {type(exc).__name__}: {exc}")
    if time.perf_counter() - start > 1.0:
        _note("hangs", repr(text))


def fuzz_expression(problem: tuple[str, dict, str]) -> None:
    text, shapes, wrt = problem
    counts["expressions"] += 1
    try:
        d = md.derive(text, wrt, shapes=shapes)
    except md.NotSupportedError as exc:
        refusals[str(exc)[:70]] += 1
        return
    except Exception as exc:
        _note("crashes", f"{text!r}: {type(exc).__name__}: {exc}")
        return
    f = md.parse(text, shapes)
    arrays = sample_inputs([f, d.wrt], rng=counts["expressions"])
    try:
        md.check_derivative(f, d, at=arrays, wrt=wrt, rtol=1e-5, atol=1e-7)
    except AssertionError as exc:
        _note("wrong results", f"{text!r} d/d{wrt}: {exc}")
        return
    code = d.code
    if code is not None:
        again = md.parse(code, shapes)
        value = Evaluator(arrays, bind_sizes(f.variables() | {d.wrt}, arrays)).expr(again)
        if not np.allclose(
            np.broadcast_to(value, d.evaluate(arrays).shape),
            d.evaluate(arrays),
            rtol=1e-8,
            atol=1e-10,
        ):
            _note("round-trip mismatches", f"{text!r}: {code}")
        counts["round trips"] += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--texts", type=int, default=10_000)
    parser.add_argument("--expressions", type=int, default=2_000)
    args = parser.parse_args()
    quiet = {"deadline": None, "database": None, "suppress_health_check": list(HealthCheck)}
    t0 = time.perf_counter()
    given(st.one_of(text_soup, token_soup))(
        seed(1)(settings(max_examples=args.texts, **quiet)(fuzz_text))
    )()
    given(problems())(seed(2)(settings(max_examples=args.expressions, **quiet)(fuzz_expression)))()
    elapsed = time.perf_counter() - t0
    print(
        f"texts: {counts['texts']} ({counts['texts accepted']} parsed and derived, "
        f"{counts['texts refused with a clear error']} refused with a clear error)"
    )
    n_expr, n_trip = counts["expressions"], counts["round trips"]
    print(f"expressions: {n_expr} derived and checked; {n_trip} matrix forms parsed back")
    for kind in ("crashes", "wrong results", "hangs", "round-trip mismatches"):
        print(
            f"{kind}: {counts[kind]}"
            + (f"  e.g. {examples[kind][:200]}" if kind in examples else "")
        )
    print(f"refusals (NotSupportedError): {sum(refusals.values())}")
    for msg, n in refusals.most_common(8):
        print(f"  {n:5d}  {msg}")
    print(f"time: {elapsed:.0f} s")  # fmt: skip


if __name__ == "__main__":
    main()
