"""Book statistics: per chapter, English prose words, figures, exercises and displayed equations;
then the coverage inventory's counts.

    python benchmarks/book_stats.py [--book book]

Counting rules (deliberately simple, so that the numbers can be reproduced by hand):

Prose words
    Words of English text: tokens of ASCII letters, with inner apostrophes or hyphens
    ("don't", "row-major"). Excluded: the front matter; code cells and every other fenced block
    that is not prose (code, ``{math}``, ``{include}``, ``{toctree}``, ``{raw}``...); display
    maths (``$$ ... $$`` and bare ``\\begin{...}`` environments); inline maths ``$...$``; inline
    code; roles such as {cite}`...` (the role and its content); link targets (the link text
    counts); ``(label)=`` targets; HTML tags and comments; directive options (``:key: value``
    lines and ``---`` option blocks). Included: headings, lists, tables, and the body and title of
    prose directives (admonitions, dropdowns, ``prf:`` boxes, figure captions...). Chinese
    characters are counted separately (column "CJK chars"), not as words.
Figures
    Per code cell: each call that creates a matplotlib figure (``plt.figure(``,
    ``plt.subplots(``, ``plt.subplot_mosaic(``, ``Figure(``); a cell that draws with ``plt.`` or
    ``ax.`` plotting calls without creating a figure explicitly counts as one. Plus static figures:
    ``{figure}`` and ``{image}`` directives and Markdown images ``![..](..)``.
Exercises
    The larger of: the numbered list items (``1.``) and ``###`` headings directly under a
    ``## Exercises`` heading (outside fenced blocks), and the dropdowns titled ``Solution N``.
Displayed equations
    "blocks" counts display-maths blocks (``$$ ... $$``, ``{math}`` directives, bare
    ``\\begin{equation}``-style environments): one each. "rows" counts each row of an aligned
    environment (``aligned``, ``align``, ``gather``, ``split``, ``eqnarray``, ``multline``...) as
    one equation, and a block without such an environment as one; ``\\\\`` inside a matrix or
    ``cases`` does not start a row.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# fenced blocks whose content is not prose
CODE_DIRECTIVES = {
    "code-cell",
    "code-block",
    "code",
    "sourcecode",
    "literalinclude",
    "include",
    "toctree",
    "math",
    "raw",
    "eval-rst",
    "eval-md",
    "mermaid",
    "bibliography",
    "glue",
    "glue:figure",
    "glue:math",
    "csv-table",
}
# prose directives whose argument is a path, not a title
PATH_ARGUMENT = {"figure", "image"}
ROW_ENVS = {
    "aligned",
    "align",
    "align*",
    "gather",
    "gather*",
    "gathered",
    "split",
    "eqnarray",
    "eqnarray*",
    "multline",
    "multline*",
    "alignat",
    "alignat*",
    "alignedat",
    "flalign",
    "flalign*",
}
FIGURE_CALL = re.compile(r"\bplt\.(figure|subplots|subplot_mosaic)\(|\bFigure\(")
DRAW_CALL = re.compile(
    r"\b(plt|ax|axes|axs)\.(plot|imshow|bar|barh|scatter|hist|matshow|pcolormesh|contour|"
    r"contourf|fill_between|text|annotate|arrow|quiver|step|stem|errorbar|semilogy|loglog)\("
)
FENCE = re.compile(r"^\s*(`{3,}|~{3,}|:{3,})\s*(.*)$")
WORD = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*")
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


@dataclass
class Stats:
    words: int = 0
    cjk: int = 0
    figures: int = 0
    exercises: int = 0
    eq_blocks: int = 0
    eq_rows: int = 0
    _items: int = 0
    _solutions: int = 0
    _math: list[str] = field(default_factory=list)


def equation_rows(tex: str) -> int:
    """Rows of the aligned environments in one display block; 1 if it has none."""
    stack: list[str] = []
    rows = 0
    found = False
    pending = 0  # row breaks seen in the current row environment
    for m in re.finditer(r"\\begin\{([^}]*)\}|\\end\{([^}]*)\}|\\\\", tex):
        if m.group(1):
            stack.append(m.group(1))
            if m.group(1) in ROW_ENVS and sum(e in ROW_ENVS for e in stack) == 1:
                found, pending = True, 0
                start = m.end()
        elif m.group(2):
            env = stack.pop() if stack else ""
            if env in ROW_ENVS and not any(e in ROW_ENVS for e in stack):
                body = tex[start : m.start()]
                trailing = re.search(r"\\\\\s*$", body) is not None
                rows += pending + 1 - (1 if trailing and pending else 0)
        elif stack and stack[-1] in ROW_ENVS and sum(e in ROW_ENVS for e in stack) == 1:
            pending += 1
    return rows if found else 1


def prose_words(text: str) -> tuple[int, int]:
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    text = re.sub(r"\{[\w:.-]+\}`[^`]*`", " ", text)  # roles
    text = re.sub(r"`[^`]*`", " ", text)  # inline code
    text = re.sub(r"\$[^$]+\$", " ", text)  # inline maths
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", " ", text)  # images
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links: keep the text
    text = re.sub(r"<[^>]+>", " ", text)  # html tags
    text = re.sub(r"\{\{[^}]*\}\}", " ", text)  # substitutions
    text = re.sub(r"https?://\S+", " ", text)
    return len(WORD.findall(text)), len(CJK.findall(text))


def analyse(path: Path) -> Stats:
    st = Stats()
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    if lines and lines[0].strip() == "---":
        i = next((k + 1 for k in range(1, len(lines)) if lines[k].strip() == "---"), 0)
    stack: list[tuple[str, str]] = []  # (fence marker, directive name); "" for prose
    prose: list[str] = []
    code: list[str] = []
    in_exercises = False
    math: list[str] | None = None
    math_end = ""
    options = False  # at the start of a directive body
    while i < len(lines):
        line = lines[i]
        i += 1
        skipping = bool(stack) and stack[-1][1] != ""
        if math is not None:  # inside display maths
            if math_end in line:
                math.append(line.split(math_end)[0])
                st.eq_blocks += 1
                st.eq_rows += equation_rows("\n".join(math))
                math = None
            else:
                math.append(line)
            continue
        m = FENCE.match(line)
        if (
            m
            and stack
            and m.group(1)[0] == stack[-1][0][0]
            and len(m.group(1)) >= len(stack[-1][0])
            and not m.group(2).strip()
        ):
            _marker, name = stack.pop()
            if name in ("code-cell",):
                cell = "\n".join(code)
                made = len(FIGURE_CALL.findall(cell))
                st.figures += made or (1 if DRAW_CALL.search(cell) else 0)
            if name == "math":
                st.eq_blocks += 1
                st.eq_rows += equation_rows("\n".join(code))
            code = []
            continue
        if skipping:
            code.append(line)
            continue
        if m:
            info = m.group(2).strip()
            d = re.match(r"^\{([^}]+)\}\s*(.*)$", info)
            if d:
                name, arg = d.group(1), d.group(2)
                if name in CODE_DIRECTIVES:
                    stack.append((m.group(1), name))
                    code = []
                    continue
                stack.append((m.group(1), ""))
                if name in PATH_ARGUMENT:
                    st.figures += 1
                elif arg:
                    prose.append(arg)
                if name == "dropdown" and re.match(r"Solution\s+\d+", arg):
                    st._solutions += 1
                options = True
                continue
            stack.append((m.group(1), "code"))  # a plain code block
            code = []
            continue
        # prose line (top level or inside a prose directive)
        if options:
            if re.match(r"^\s*:[\w-]+:", line):
                continue
            if line.strip() == "---":  # yaml option block
                while i < len(lines) and lines[i].strip() != "---":
                    i += 1
                i += 1
                continue
            options = False
        stripped = line.strip()
        if stripped.startswith("$$"):
            rest = stripped[2:]
            if "$$" in rest:  # one-line display
                st.eq_blocks += 1
                st.eq_rows += equation_rows(rest.split("$$")[0])
            else:
                math, math_end = [rest], "$$"
            continue
        b = re.match(
            r"^\\begin\{(equation\*?|align\*?|gather\*?|multline\*?|eqnarray\*?)\}", stripped
        )
        if b and not stack:
            math, math_end = [stripped], f"\\end{{{b.group(1)}}}"
            if math_end in stripped[len(b.group(0)) :]:
                st.eq_blocks += 1
                st.eq_rows += equation_rows(stripped)
                math = None
            continue
        if re.match(r"^\(\S+\)=\s*$", stripped) or stripped == "+++":
            continue
        h = re.match(r"^(#{1,6})\s+(.*)$", stripped)
        if h and not stack:
            level = len(h.group(1))
            if level <= 2:
                in_exercises = h.group(2).strip().lower() == "exercises"
            elif in_exercises and level == 3:
                st._items += 1
        elif in_exercises and not stack and re.match(r"^\d+[.)]\s", line):
            st._items += 1
        prose.append(line)
    st.words, st.cjk = prose_words("\n".join(prose))
    st.figures += len(re.findall(r"!\[[^\]]*\]\([^)]*\)", "\n".join(prose)))
    st.exercises = max(st._items, st._solutions)
    return st


def _coverage(book: Path):
    path = book / "chapters" / "_coverage.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location("_coverage", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("_coverage", module)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--book", type=Path, default=ROOT / "book")
    args = parser.parse_args(argv)
    book: Path = args.book
    files = [book / "index.md", *sorted((book / "chapters").glob("*.md"))]
    head = (
        f"{'file':34s} {'words':>6s} {'CJK chars':>9s} {'figures':>7s} {'exercises':>9s} "
        f"{'eq blocks':>9s} {'eq rows':>7s}"
    )
    print(head)
    print("-" * len(head))
    total = Stats()
    for f in files:
        if not f.is_file():
            continue
        s = analyse(f)
        for k in ("words", "cjk", "figures", "exercises", "eq_blocks", "eq_rows"):
            setattr(total, k, getattr(total, k) + getattr(s, k))
        name = str(f.relative_to(book))
        print(
            f"{name:34s} {s.words:6d} {s.cjk:9d} {s.figures:7d} {s.exercises:9d} "
            f"{s.eq_blocks:9d} {s.eq_rows:7d}"
        )
    print("-" * len(head))
    print(
        f"{'total':34s} {total.words:6d} {total.cjk:9d} {total.figures:7d} "
        f"{total.exercises:9d} {total.eq_blocks:9d} {total.eq_rows:7d}"
    )

    cov = _coverage(book)
    if cov is not None:
        print()
        head = (
            f"{'coverage inventory':34s} {'entries':>7s} {'covered':>7s} {'not yet':>7s} "
            f"{'errors':>6s}"
        )
        print(head)
        print("-" * len(head))
        tot = dict.fromkeys(("entries", "covered", "not yet", "errors"), 0)
        for key, c in cov.summary(book).items():
            for k in tot:
                tot[k] += c[k]
            print(
                f"{cov.SOURCES[key][0]:34s} {c['entries']:7d} {c['covered']:7d} "
                f"{c['not yet']:7d} {c['errors']:6d}"
            )
        print("-" * len(head))
        print(
            f"{'total':34s} {tot['entries']:7d} {tot['covered']:7d} {tot['not yet']:7d} "
            f"{tot['errors']:6d}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
