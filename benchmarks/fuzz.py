"""Fuzz matderiv for longer than the tests do, and print what happened.

Run: python benchmarks/fuzz.py [--n 20000] [--seed 1] [--workers 2] [--texts 2000]

- expressions (``--n``): random well-typed expressions from matderiv.testing.strategies, with
  broadcasting, reductions over either axis, softmax/logsumexp along either axis and size-1
  dimensions, indexing with ints and slices, reshape, concatenate, stack, maximum and minimum;
  one in seven is a second derivative (a Hessian or mixed, by broadcast operands), one in seven
  draws matrix functions, spectral functions and nonsmooth norms as well, and one in seven
  declares square variables symmetric or diagonal (``md.structured``) and differentiates, most
  often by one of them, in a drawn convention (frobenius or free; a quarter are Hessians by
  the structured variable), checked in that convention's own sense. Each
  is derived and every output (``d.evaluate`` by both routes, ``d.compile()``, each layout
  evaluated and compiled then mapped back to the tensor layout, ``d.einsum`` run as text,
  ``d.code`` parsed back) is compared with central differences of the function's value
  (matderiv.testing.oracle). A "wrong" is confirmed by a second finite difference with another
  step; where the two estimates disagree the output is counted "unsure", not wrong.
- texts (``--texts``): random text and token soups through parse and derive. Anything but a
  matderiv error is a crash.
Anything taking over ``--timeout`` seconds is a hang. Refusals (NotSupportedError) are counted
by message: they show what to support next. Results depend on PYTHONHASHSEED while the engine is
not deterministic (issue 10): set it to reproduce a run. Each class of failure is printed with
its shortest reproducer.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import pathlib
import re
import resource
import signal
import sys
import time
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

import matderiv as md
from matderiv.testing.oracle import check_problem
from matderiv.testing.strategies import (
    SOUP_SHAPES,
    problems,
    second_problems,
    text_soup,
    token_soup,
)
from matderiv.testing.structured import structured_problems

QUIET = {"deadline": None, "database": None, "suppress_health_check": list(HealthCheck)}


class Hang(Exception):  # noqa: N818 - it is not an error of the code under test
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise Hang


def _pattern(detail: str) -> str:
    """A failure's message with numbers and quoted text blurred, to group failures by class."""
    detail = re.sub(r"'[^']*'", "'…'", detail)
    return re.sub(r"\d+(\.\d+)?(e-?\d+)?", "#", detail)[:90]


def work(job: tuple[int, int, int, float]) -> tuple[Counter[str], dict[str, str], Counter[str]]:
    """Run ``n`` expressions and ``texts`` texts with one seed; return counts, the shortest
    reproducer of each failure class, and refusals by message."""
    n, texts, seed_, timeout = job
    counts: Counter[str] = Counter()
    refusals: Counter[str] = Counter()
    examples: dict[str, str] = {}
    signal.signal(signal.SIGALRM, _alarm)

    def note(cls: str, text: str) -> None:
        counts[cls] += 1
        if cls not in examples or len(text) < len(examples[cls]):
            examples[cls] = text

    def timed(fn: Any, *args: Any) -> Any:
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            return fn(*args)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)

    def one(drawn: tuple[tuple[Any, ...], str | None]) -> None:
        problem, convention = drawn
        text, shapes, *wrts = problem
        second = len(wrts) == 2
        counts["expressions"] += 1
        counts["second derivatives" if second else "first derivatives"] += 1
        if convention is not None or any(not isinstance(s, tuple) for s in shapes.values()):
            counts["with structured variables"] += 1
        where = f"{text!r} shapes={shapes} by {', '.join(wrts)}"
        if convention is not None:
            where += f" symmetric={convention!r}"
        try:
            n = counts["expressions"]
            checked = timed(check_problem, text, shapes, tuple(wrts), n, convention)
        except Hang:
            note("hang", where)
            return
        except Exception as exc:
            note(f"crash in the function value: {type(exc).__name__}", f"{where}: {exc}")
            return
        if checked.stage == "refused":
            refusals[_pattern(checked.detail)[:70]] += 1
            counts["refused"] += 1
            return
        if checked.stage in ("error", "crash"):
            note(f"{checked.stage} while deriving: {_pattern(checked.detail)}", where)
            return
        if checked.stage == "unusable":
            counts["unusable points"] += 1
            return
        counts["derived"] += 1
        bad = False
        for o in checked.outcomes:
            counts[f"{o.kind}: {o.status}"] += 1
            if o.status in ("wrong", "crash", "error", "unsure"):
                bad = True
                blurred = _pattern(o.detail) if o.status != "wrong" else _blur_wrong(o.detail)
                note(f"{o.status} [{o.kind}] {blurred}", where)
        counts["expressions with a failure" if bad else "expressions all right"] += 1

    def soup(text: str) -> None:
        counts["texts"] += 1
        try:
            timed(_derive_text, text)
        except Hang:
            note("hang (text)", repr(text))
        except md.NotSupportedError:
            counts["texts refused"] += 1
        except md.MatderivError:
            counts["texts with a clear error"] += 1
        except Exception as exc:
            note(f"crash (text): {type(exc).__name__}", f"{text!r}: {exc}")

    plain = st.just(None)
    first = st.tuples(problems(broadcast=True, rearrange=True), plain)
    second = st.tuples(second_problems(rearrange=True), plain)
    # matrix and spectral functions (issue 14)
    spectral = st.tuples(problems(broadcast=True, spectral=True), plain)
    # symmetric and diagonal variables, each convention (issue 14)
    structured = structured_problems(spectral=True).map(lambda p: ((p[0], p[1], *p[2]), p[3]))
    kinds = {0: second, 1: spectral, 2: structured}
    mixed = st.sampled_from(range(7)).flatmap(lambda k: kinds.get(k, first))
    given(mixed)(seed(seed_)(settings(max_examples=n, **QUIET)(one)))()
    if texts:
        given(st.one_of(text_soup, token_soup))(
            seed(seed_)(settings(max_examples=texts, **QUIET)(soup))
        )()
    return counts, examples, refusals


def _blur_wrong(detail: str) -> str:
    return "shape" if detail.startswith(("shape", "arranged shape")) else "numbers"


def _derive_text(text: str) -> None:
    e = md.parse(text, SOUP_SHAPES)
    for v in sorted(e.variables(), key=lambda v: v.name):
        md.derive(e, v)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=20_000, help="random expressions")
    parser.add_argument("--texts", type=int, default=2_000, help="random texts")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds before a hang")
    args = parser.parse_args()
    w = max(1, args.workers)
    jobs = [
        (args.n // w + (i < args.n % w), args.texts // w, args.seed * 1000 + i, args.timeout)
        for i in range(w)
    ]
    t0 = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(w) as pool:
        results = pool.map(work, jobs)
    elapsed = time.perf_counter() - t0
    counts: Counter[str] = Counter()
    refusals: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for c, ex, r in results:
        counts.update(c)
        refusals.update(r)
        for k, v in ex.items():
            if k not in examples or len(v) < len(examples[k]):
                examples[k] = v
    n = counts["expressions"]
    print(
        f"expressions: {n} ({counts['first derivatives']} first, "
        f"{counts['second derivatives']} second derivatives; "
        f"{counts['with structured variables']} with symmetric or diagonal variables), "
        f"seed {args.seed}, {w} workers"
    )
    print(
        f"  derived and compared: {counts['derived']}; all outputs right: "
        f"{counts['expressions all right']}; with a failure: "
        f"{counts['expressions with a failure']}"
    )
    print(
        f"  refused (NotSupportedError): {counts['refused']}; unusable points: "
        f"{counts['unusable points']}; hangs: {counts['hang']}"
    )
    kinds = sorted({k.split(": ")[0] for k in counts if ": " in k and "[" not in k} - {"crash"})
    print("per output kind (ok / wrong / crash / error / unsure / skip):")
    for kind in kinds:
        row = [counts[f"{kind}: {s}"] for s in ("ok", "wrong", "crash", "error", "unsure", "skip")]
        if any(row):
            print(f"  {kind:22s} " + " / ".join(map(str, row)))
    print(
        f"texts: {counts['texts']} ({counts['texts refused']} refused, "
        f"{counts['texts with a clear error']} with a clear error)"
    )
    print("failure classes (count, shortest reproducer):")
    failing = {k: v for k, v in counts.items() if k in examples}
    for cls, cnt in sorted(failing.items(), key=lambda kv: -kv[1]):
        print(f"  {cnt:6d}  {cls}\n          {examples[cls][:300]}")
    print(f"refusals: {sum(refusals.values())}")
    for msg, k in refusals.most_common(8):
        print(f"  {k:6d}  {msg}")
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = cpu.ru_utime + cpu.ru_stime
    print(f"time: {elapsed:.0f} s wall, {cpu_s:.0f} s CPU in the workers "
          f"({1000 * cpu_s / max(1, n):.0f} ms CPU per expression); "
          f"PYTHONHASHSEED={os.environ.get('PYTHONHASHSEED', 'random')}")  # fmt: skip


if __name__ == "__main__":
    main()
