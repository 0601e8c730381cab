"""Sphinx configuration of the matderiv book.

Every code cell runs at every build (``nb_execution_mode = "force"``) and an exception fails
the build (``nb_execution_raise_on_error``), so a wrong identity cannot be published. Build it
from clean, as the README says: an incremental ``-W`` build can hide an earlier failure.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import matderiv

if TYPE_CHECKING:
    from sphinx.application import Sphinx

HERE = Path(__file__).resolve().parent

project = "matderiv"
author = "The matderiv developers"
copyright = "2026, the matderiv developers"
release = matderiv.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx_copybutton",
    "sphinx_design",
    "sphinx_proof",
    "sphinxcontrib.bibtex",
]

exclude_patterns = [
    "_build",
    "jupyter_execute",
    "node_modules",
    ".ipynb_checkpoints",
    "**/.ipynb_checkpoints",
    "README.md",
]

# -- execution: every cell, every build; an error fails the build -----------------------------
nb_execution_mode = "force"
nb_execution_raise_on_error = True
nb_execution_timeout = 300
nb_output_stderr = "warn"
nb_merge_streams = True
nb_render_markdown_format = "myst"  # Markdown outputs (tables) render as MyST, not CommonMark

# -- the check log: one line per check the notebooks pass ---------------------------------------
# The library writes no log: it reports every passing check to a hook (matderiv.checks.
# set_check_log). Each kernel runs _kernel_startup.py before its first cell (IPython runs the
# file named by PYTHONSTARTUP), which sets the hook to append a line to the file named by
# MATDERIV_CHECK_LOG; the kernels inherit both variables. benchmarks/book_build.sh counts the
# lines, and so does the end of the build.
CHECK_LOG = Path(os.environ.setdefault("MATDERIV_CHECK_LOG", str(HERE / "_build" / "checks.log")))
CHECK_LOG.parent.mkdir(parents=True, exist_ok=True)
CHECK_LOG.write_text("")
os.environ["PYTHONSTARTUP"] = str(HERE / "_kernel_startup.py")


def _count_checks(app: Sphinx, exception: BaseException | None) -> None:
    """Print how many checks the notebooks passed, by method (after a build that succeeded)."""
    if exception is not None or not CHECK_LOG.exists():
        return
    methods = [line.split("\t", 1)[0] for line in CHECK_LOG.read_text().splitlines()]
    counts = ", ".join(f"{methods.count(m)} {m}" for m in sorted(set(methods)))
    print(
        f"matderiv book: {len(methods)} checks passed ({counts or 'none'}), logged in {CHECK_LOG}"
    )


def setup(app: Sphinx) -> None:
    app.connect("build-finished", _count_checks)


# -- MyST ---------------------------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist", "substitution"]
myst_dmath_double_inline = True
numfig = True
math_numfig = True
math_eqref_format = "({number})"

# -- bibliography -------------------------------------------------------------------------------
bibtex_bibfiles = ["references.bib"]
bibtex_default_style = "unsrt"
bibtex_reference_style = "author_year"

# -- notation macros, defined once --------------------------------------------------------------
MACROS = {
    "R": r"\mathbb{R}",
    "tr": r"\operatorname{tr}",
    "vec": r"\operatorname{vec}",
    "diag": r"\operatorname{diag}",
    "softmax": r"\operatorname{softmax}",
    "T": r"{\top}",
    "pd": [r"\frac{\partial #1}{\partial #2}", 2],
}
mathjax3_config = {"tex": {"macros": MACROS}}

# -- MathJax for offline reading ----------------------------------------------------------------
# `npm ci --prefix book` installs the version pinned in book/package-lock.json; the build then
# ships it in _static, so the pages typeset without a network. Without it, Sphinx's default
# (a CDN) is used, and the build says so.
_MATHJAX = HERE / "node_modules" / "mathjax"
html_static_path: list[str] = []
if (_MATHJAX / "es5" / "tex-chtml.js").exists():
    html_static_path.append(str(_MATHJAX))
    mathjax_path = "es5/tex-chtml.js"
    print("matderiv book: MathJax vendored from book/node_modules (offline reading works)")
else:
    print(
        "matderiv book: MathJax is not vendored (run `npm ci --prefix book` first); "
        "the pages will load MathJax from Sphinx's default CDN",
        file=sys.stderr,
    )

# -- playground (book/playground.md) ----------------------------------------------------------
# The extension in _playground.py ships Pyodide's core files (from book/node_modules/pyodide,
# pinned in package-lock.json) and matderiv's pure-Python wheel, built from this checkout, into
# _static at the end of the build. Without node_modules/pyodide the page says the playground is
# unavailable and the build still passes.
sys.path.insert(0, str(HERE))
extensions.append("_playground")

# -- HTML ---------------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "matderiv: matrix calculus, checked"
html_theme_options = {"show_toc_level": 2, "use_download_button": True}
language = "en"

# -- API reference ------------------------------------------------------------------------------
autodoc_typehints = "description"
napoleon_numpy_docstring = True
napoleon_preprocess_types = True

# Types from numpy and the standard library cannot be linked offline (no intersphinx), and the
# internal index-form types are documented in the chapters rather than the API page.
nitpick_ignore_regex = [
    ("py:class", r"(numpy|collections\.abc|typing)\..*"),
    ("py:class", r"matderiv\.((language|engine|numeric|checks)\.)?\w+\..*"),
    ("py:class", r"(Shape|Dim|Expr|Var|Layout|Array|Fn|Order|Recipe|Generator|Report)"),
    ("py:class", r"(optional|callable|arrays)"),
]
