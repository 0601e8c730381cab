"""How readable matderiv's results are, on the corpus of textbook forms (matderiv.corpus).

Run: python benchmarks/readable.py [--table] [--family NAME]

Prints the share of the corpus where matderiv prints an equivalent matrix form no longer than
the textbook's, the share of scalar gradients that get a matrix form (naming the exceptions),
and the total printed length of both, and names each entry still longer than the textbook with
the reason (matderiv.corpus.NOTES). Lengths are token counts of the plain-text matrix
notation (matderiv.corpus.printed_length). "Equivalent" means that both forms passed the
finite-difference check; a form that fails it is listed as a wrong answer.
"""

from __future__ import annotations

import argparse
import sys
import time

from matderiv.corpus import ENTRIES, FAMILIES, NOTES, Comparison, compare


def rows(family: str | None = None) -> list[Comparison]:
    """Compare every entry (of one family, when given) with its textbook form."""
    return [compare(e) for e in ENTRIES if family is None or e.family == family]


def summary(results: list[Comparison]) -> list[str]:
    """The headline figures, one line each."""
    n = len(results)
    readable = sum(r.readable for r in results)
    scalar = [r for r in results if r.entry.scalar]
    matrix = sum(r.matrix for r in scalar)
    md_len = sum(r.matderiv_length for r in results)
    tb_len = sum(r.textbook_length for r in results)
    lines = [
        f"entries: {n} ({len(scalar)} scalar gradients, {n - len(scalar)} Jacobians)",
        f"equivalent and no longer than the textbook: {readable}/{n} ({100 * readable / n:.0f}%)",
        f"scalar gradients with a matrix form: {matrix}/{len(scalar)} "
        f"({100 * matrix / max(len(scalar), 1):.0f}%)",
        f"total printed length (tokens): matderiv {md_len}, textbook {tb_len} "
        f"(ratio {md_len / tb_len:.2f})",
    ]
    for r in scalar:
        if not r.matrix:
            lines.append(f"  no matrix form: {r.entry.id} (index form only: {r.matderiv[:60]})")
    for r in results:
        if r.agree and not r.readable:
            lines.append(
                f"  longer than the textbook: {r.entry.id} ({r.matderiv_length} vs "
                f"{r.textbook_length} tokens): {NOTES.get(r.entry.id, 'NO NOTE: explain it')}"
            )
    for r in results:
        if not r.agree:
            lines.append(f"  WRONG: {r.entry.id} failed the finite-difference check")
    for fam in FAMILIES:
        part = [r for r in results if r.entry.family == fam]
        if part:
            ok = sum(r.readable for r in part)
            lines.append(
                f"  {fam:14s} {ok:3d}/{len(part):<3d} no longer; length "
                f"{sum(r.matderiv_length for r in part):5d} vs "
                f"{sum(r.textbook_length for r in part):5d}"
            )
    return lines


def table(results: list[Comparison]) -> list[str]:
    """A Markdown table: one entry a row."""
    out = [
        "| id | family | matderiv | len | textbook | len | agree | source |",
        "|---|---|---|---:|---|---:|---|---|",
    ]
    for r in results:
        out.append(
            f"| {r.entry.id} | {r.entry.family} | `{r.matderiv}` | {r.matderiv_length} | "
            f"`{r.textbook}` | {r.textbook_length} | {'yes' if r.agree else 'NO'} | "
            f"{r.entry.source} |"
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--table", action="store_true", help="print the per-entry table")
    parser.add_argument("--family", choices=FAMILIES, help="only this family")
    args = parser.parse_args()
    t0 = time.perf_counter()
    results = rows(args.family)
    if args.table:
        print("\n".join(table(results)), end="\n\n")
    print("\n".join(summary(results)))
    print(f"({time.perf_counter() - t0:.1f} s, including the finite-difference checks)")
    if any(not r.agree for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
