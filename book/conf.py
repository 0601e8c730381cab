"""Sphinx configuration of the matderiv book."""

from __future__ import annotations

import matderiv

project = "matderiv"
author = "The matderiv developers"
copyright = "2026, the matderiv developers"
release = matderiv.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
]

exclude_patterns = ["_build", "jupyter_execute", ".ipynb_checkpoints", "**/.ipynb_checkpoints"]

# Every cell runs at every build; a failing cell (a wrong identity) fails the build.
nb_execution_mode = "force"
nb_execution_raise_on_error = True
nb_execution_timeout = 300
nb_output_stderr = "warn"
nb_merge_streams = True

myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_dmath_double_inline = True

html_theme = "sphinx_book_theme"
html_title = "matderiv"
html_theme_options = {"show_toc_level": 2}

autodoc_typehints = "description"
napoleon_numpy_docstring = True
napoleon_preprocess_types = True

# Types from numpy and the standard library cannot be linked offline (no intersphinx), and the
# internal index-form types are documented in the book's chapters rather than the API page.
nitpick_ignore_regex = [
    ("py:class", r"(numpy|collections\.abc|typing)\..*"),
    ("py:class", r"matderiv\.(index|matrixform|expression)\..*"),
    ("py:class", r"(Shape|Dim|Expr|Var|Layout|Array|Fn|optional|callable|arrays|Generator)"),
]
