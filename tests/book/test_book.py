"""The book's guard: a wrong identity, or a wrong exercise solution, planted in a chapter fails
the build.

Needs the book's dependencies (the ``book`` extra); skipped without them. CI runs it after the
README's book command has installed them.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # two full builds of the book

pytest.importorskip("sphinx")
pytest.importorskip("myst_nb")

BOOK = Path(__file__).resolve().parents[2] / "book"

WRONG = """

```{code-cell} python
# planted by tests/book/test_book.py: the gradient of xᵀAx is NOT 2Ax for a general A
md.check_derivative("x @ A @ x", "2 * A @ x", wrt="x", shapes={"x": (3,), "A": (3, 3)})
```
"""


def _copy(tmp_path: Path) -> Path:
    """The book, the committed benchmark results it reads (``../../benchmarks/results``) and the
    scaling benchmark chapter 12 runs (``benchmarks/scaling.py``), so that only the planted
    error can fail the copy's build."""
    dest = tmp_path / "book"
    shutil.copytree(
        BOOK, dest, ignore=shutil.ignore_patterns("_build", "jupyter_execute", "node_modules")
    )
    results = BOOK.parent / "benchmarks" / "results"
    shutil.copytree(results, tmp_path / "benchmarks" / "results")
    shutil.copy(BOOK.parent / "benchmarks" / "scaling.py", tmp_path / "benchmarks" / "scaling.py")
    return dest


#: A wrong exercise solution: the Jacobian of mean(X - m, axis=0) by m is -I, not -I / B.
SOLUTION = 'md.check_derivative("mean(X - m, axis=0)", "-eye(n)", wrt="m", shapes=shapes)'
WRONG_SOLUTION = SOLUTION.replace('"-eye(n)"', '"-eye(n) / B"')


def _plant_identity(book: Path) -> str:
    chapter = book / "chapters" / "01-arrays.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + WRONG, encoding="utf-8")
    return "01-arrays"


def _plant_solution(book: Path) -> str:
    chapter = book / "chapters" / "13-broadcasting.md"
    text = chapter.read_text(encoding="utf-8")
    assert SOLUTION in text, "the planted solution must replace a real one"
    chapter.write_text(text.replace(SOLUTION, WRONG_SOLUTION), encoding="utf-8")
    return "13-broadcasting"


# The first notebook that fails stops the build, so each plant gets a build of its own.
@pytest.mark.parametrize(
    "plant",
    [
        pytest.param(_plant_identity, id="wrong-identity"),
        pytest.param(_plant_solution, id="wrong-exercise-solution"),
    ],
)
def test_a_planted_error_fails_the_build(tmp_path, plant):
    book = _copy(tmp_path)
    where = plant(book)
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-E",
            "-a",
            "-n",
            "-W",
            "--keep-going",
            "-T",
            "-q",
            str(book),
            str(tmp_path / "html"),
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    out = r.stdout + r.stderr
    assert r.returncode != 0
    assert "derivative check failed" in out
    assert where in out
