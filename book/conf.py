"""Sphinx configuration of the matderiv book.

Every code cell runs at every build (``nb_execution_mode = "force"``) and an exception fails
the build (``nb_execution_raise_on_error``), so a wrong identity cannot be published. Build it
from clean, as the README says: an incremental ``-W`` build can hide an earlier failure.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
    _site_setup(app)


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

# -- HTML ---------------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "matderiv: matrix calculus, checked"
html_theme_options = {"show_toc_level": 2, "use_download_button": True}
language = "en"

# == site: a book that reads on a phone, offline, and stays small ================================
# Everything the site ships besides the pages: the phone-width CSS, the copy button, the per-page
# language, the notebook downloads, the vendored MathJax and the pruning of build by-products.
# (tests/browser/test_site.py checks all of it in Chromium.)

# -- phone widths: equations, tables and code scroll inside their own box (book/_static) -------
html_static_path: list[str] = ["_static"]
html_css_files = ["matderiv-site.css"]

# -- the copy button copies code, not prompts or printed output ---------------------------------
# In a doctest-style block only the lines after `>>> ` or `... ` are copied, without the prompt;
# a block without prompts (a notebook cell) is copied whole.
copybutton_prompt_text = r">>> |\.\.\. "
copybutton_prompt_is_regexp = True
copybutton_only_copy_prompt_lines = True

# -- MathJax, vendored: only the files the pages load -------------------------------------------
# `npm ci --prefix book` installs the version pinned in book/package-lock.json (24 MB, most of it
# components the book never loads). The build ships only the combined TeX-to-CHTML component and
# its web fonts (about 1.5 MB), so the pages typeset without a network. A TeX extension that
# MathJax would autoload for a new macro is not shipped: the browser test fails on the 404, and
# the file goes into _MATHJAX_FILES. Without npm, Sphinx's default (a CDN) is used, and the build
# says so.
_MATHJAX = HERE / "node_modules" / "mathjax"
_MATHJAX_FILES = ["es5/tex-chtml.js", "es5/output/chtml/fonts/woff-v2"]
_VENDOR_MATHJAX = (_MATHJAX / "es5" / "tex-chtml.js").exists()
if _VENDOR_MATHJAX:
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
# Answer boxes under the exercises (_answers.py): checked in the browser through the
# playground's worker; every reference solution is verified while the book builds.
extensions.append("_answers")


def _vendor_mathjax(app: Sphinx, exception: BaseException | None) -> None:
    """Copy the MathJax files the pages load into ``_static`` (after a successful build)."""
    if exception is not None or app.builder.format != "html" or not _VENDOR_MATHJAX:
        return
    static = Path(app.outdir) / "_static"
    for name in _MATHJAX_FILES:
        source, target = _MATHJAX / name, static / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            shutil.copy2(source, target)


# -- per-page language: the Chinese chapter is <html lang="zh"> ---------------------------------
# A page sets its language in its front matter (`html_lang: zh`); the rest are `language`.
def _page_language(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    lang = app.env.metadata.get(pagename, {}).get("html_lang")
    if lang:
        context["language"] = str(lang)


# -- downloads: every executed page as .ipynb, next to its .md source ---------------------------
# MyST-NB writes each executed notebook to <outdir>/../jupyter_execute; sphinx-book-theme offers
# an `.ipynb` download for a page whose context names one (`ipynb_source`). It only does that
# itself when launch buttons are configured, so the book copies the notebook into _sources and
# names it, before the theme builds its download menu (priority 501). Figures are left out of the
# copy (the reader's run draws them again; the page shows them): they would double the site.
def _notebook_download(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if app.builder.format != "html" or not executed.exists():
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    notebook = json.loads(executed.read_text(encoding="utf-8"))
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            for kind in [k for k in data if k.startswith("image/")]:
                del data[kind]
    target.write_text(json.dumps(notebook, ensure_ascii=False, indent=1), encoding="utf-8")
    context["ipynb_source"] = f"{pagename}.ipynb"


# -- what the site does not ship: doctrees, source maps, the theme's unused message catalogues ---
# Sphinx keeps its doctrees in <outdir>/.doctrees unless `-d` puts them elsewhere (the README's
# command does not); they and the theme's source maps are build by-products, not pages.
def _prune_output(app: Sphinx, exception: BaseException | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    doctrees = Path(app.doctreedir)
    if doctrees.is_relative_to(out):
        shutil.rmtree(doctrees, ignore_errors=True)
    for source_map in out.rglob("*.map"):
        source_map.unlink()
    shutil.rmtree(out / "_static" / "locales", ignore_errors=True)


def _site_setup(app: Sphinx) -> None:
    app.connect("html-page-context", _page_language)
    app.connect("html-page-context", _notebook_download, priority=400)
    app.connect("build-finished", _vendor_mathjax)
    app.connect("build-finished", _prune_output)


# == end of the site section ===================================================================

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
