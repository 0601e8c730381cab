"""Answer boxes under the chapters' exercises: the reader types a formula, and the page checks
it in the browser with matderiv's pure-Python backend, through the playground's Web Worker
(book/_static/playground: worker.mjs runs driver.py's "claim" action, the playground's "check my
formula").

An exercise declares its box with the ``answer`` directive::

    ```{answer} 1
    :expression: sum(W**2)
    :wrt: W
    :shapes: W=n,m
    :solution: 2 * W
    $\\pd{L}{W}$
    ```

The argument is the exercise's number, the content the label (text with ``$...$`` math). The
options are the playground's fields: ``expression``, ``wrt``, ``shapes`` (``NAME=DIM,DIM; ...``),
and optionally ``wrt2`` (the formula is then the derivative of the gradient by it), ``layout``,
``structure`` (``A=symmetric``) and ``symmetric`` (the convention). ``solution`` is the
reference answer: it is never shown (the solution dropdown shows it), but the build checks it
twice, so a wrong reference fails the build like the hidden verifying cells do:

- while the page is read, with the driver in this process (numpy's backend);
- once all pages are read, every box again in one subprocess where numpy cannot be imported,
  as in the browser, so that a box whose functions the pure-Python backend cannot evaluate
  fails the build instead of failing in front of a reader.

The box is plain HTML with data attributes; ``answers.js`` (shipped with the playground) starts
the worker when the reader first focuses a box or presses Check, one worker for the page. A
build without Pyodide (no ``npm ci --prefix book``) marks every box unavailable, and the box says
so; the rest of the page is unaffected.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from typing import TYPE_CHECKING, Any, ClassVar

import _playground
from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.errors import ExtensionError
from sphinx.util.docutils import SphinxDirective

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

#: The request fields a box sends, by option name.
FIELDS = {
    "expression": "expr",
    "wrt": "wrt",
    "wrt2": "wrt2",
    "shapes": "shapes",
    "layout": "layout",
    "structure": "structure",
    "symmetric": "symmetric",
}

TEXT = {
    "en": {
        "exercise": "Exercise {n}",
        "check": "Check",
        "placeholder": "your formula, written as in the code cells",
        "shapes": "Shapes",
        "layout": "layout",
        "convention": "convention",
        "second": "then by",
        "hint": "Checked in your browser by matderiv against finite differences on a small "
        "random instance (Python loads on first use).",
        "unavailable": "Checking in the browser is unavailable: this build of the book has no "
        "Pyodide (it was built without npm ci --prefix book). The solution below still works.",
    },
    "zh": {
        "exercise": "练习 {n}",
        "check": "检查",
        "placeholder": "你的公式，写法同代码单元格",
        "shapes": "形状",
        "layout": "布局",
        "convention": "约定",
        "second": "再对",
        "hint": "由 matderiv 在你的浏览器中用有限差分在一个小的随机实例上检查"
        "（首次使用时加载 Python）。",
        "unavailable": "浏览器内检查不可用：本书的这次构建没有 Pyodide（构建前没有运行 "
        "npm ci --prefix book）。下面的解答照常可用。",
    },
}

_MATH = re.compile(r"\$([^$]+)\$")


def label_html(text: str) -> str:
    """Escape ``text`` and typeset its ``$...$`` parts as the book's inline math."""
    out, last = [], 0
    for m in _MATH.finditer(text):
        out.append(html.escape(text[last : m.start()]))
        tex = html.escape(m.group(1))
        out.append(f'<span class="math notranslate nohighlight">\\({tex}\\)</span>')
        last = m.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def request_of(options: dict[str, str]) -> dict[str, str]:
    """The driver's "claim" request of a box, with the reference solution as the claim."""
    request = {"action": "claim", "claim": options["solution"]}
    for option, field in FIELDS.items():
        if options.get(option):
            request[field] = options[option]
    return request


class AnswerCheckError(ExtensionError):
    """A box whose reference solution does not pass its own check."""


_DRIVER: Any = None


def verify(request: dict[str, str], where: str) -> None:
    """Check a box's reference solution with the driver, in this process."""
    global _DRIVER
    if _DRIVER is None:
        _DRIVER = _playground._driver()
    result = json.loads(_DRIVER.run(json.dumps(request)))
    if not (result.get("ok") and result.get("passed")):
        raise AnswerCheckError(
            f"{where}: the answer box's reference solution {request['claim']!r} does not check: "
            f"{result.get('error', 'wrong')}: {result.get('message')}"
        )


#: Run in a subprocess: numpy blocked, as in the browser; requests on stdin, verdicts on stdout.
_PURE = """
import importlib.util, json, sys
sys.modules["numpy"] = None
spec = importlib.util.spec_from_file_location("playground_driver", sys.argv[1])
driver = importlib.util.module_from_spec(spec)
spec.loader.exec_module(driver)
print(json.dumps([json.loads(driver.run(json.dumps(r))) for r in json.load(sys.stdin)]))
"""


def verify_without_numpy(boxes: list[tuple[str, dict[str, str]]]) -> None:
    """Check every box's reference solution as the browser will: without numpy."""
    if not boxes:
        return
    proc = subprocess.run(
        [sys.executable, "-c", _PURE, str(_playground.SOURCES / "driver.py")],
        input=json.dumps([request for _, request in boxes]),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise AnswerCheckError(f"the answer boxes' check without numpy failed:\n{proc.stderr}")
    failed = [
        f"{where}: {request['claim']!r}: {result.get('error', 'wrong')}: {result.get('message')}"
        for (where, request), result in zip(boxes, json.loads(proc.stdout), strict=True)
        if not (result.get("ok") and result.get("passed"))
    ]
    if failed:
        raise AnswerCheckError(
            "answer boxes that the browser could not check (pure-Python backend, no numpy):\n"
            + "\n".join(failed)
        )


class AnswerDirective(SphinxDirective):
    """``{answer} N``: an answer box for exercise N (see the module's docstring)."""

    required_arguments = 0
    optional_arguments = 1
    has_content = True
    option_spec: ClassVar[dict[str, Any]] = {
        "expression": directives.unchanged_required,
        "wrt": directives.unchanged_required,
        "wrt2": directives.unchanged,
        "shapes": directives.unchanged_required,
        "layout": lambda v: directives.choice(
            v, ("tensor", "numerator", "denominator", "mixed", "mit")
        ),
        "structure": directives.unchanged,
        "symmetric": lambda v: directives.choice(v, ("frobenius", "free")),
        "solution": directives.unchanged_required,
    }

    def run(self) -> list[nodes.Node]:
        missing = [o for o in ("expression", "wrt", "shapes", "solution") if o not in self.options]
        if missing:
            raise self.error(f"the answer box needs the option(s) {', '.join(missing)}")
        options = {k: str(v).strip() for k, v in self.options.items()}
        request = request_of(options)
        where = f"{self.env.doc2path(self.env.docname)}:{self.lineno}"
        verify(request, where)
        boxes = getattr(self.env, "matderiv_answers", {})
        boxes.setdefault(self.env.docname, []).append((where, request))
        self.env.matderiv_answers = boxes  # type: ignore[attr-defined]

        lang = "zh" if self.env.docname.endswith("-zh") else "en"
        text = TEXT[lang]
        serial = self.env.new_serialno("answer")
        box_id = f"mdx-answer-{serial + 1}"
        label = label_html(" ".join(line.strip() for line in self.content).strip())
        if self.arguments:
            head = html.escape(text["exercise"].format(n=self.arguments[0]))
            label = f"{head}: {label}" if label else head
        data = {f: v for f, v in request.items() if f not in ("action", "claim")}
        available = _playground._pyodide_present()
        attrs = " ".join(
            f'data-{k}="{html.escape(v)}"'
            for k, v in {
                **data,
                "lang": lang,
                "available": "true" if available else "false",
                "state": "idle" if available else "unavailable",
                "checks": "0",
            }.items()
        )
        context = [f"{text['shapes']}: {request['shapes']}"]
        if request.get("wrt2"):
            context.append(f"{text['second']} {request['wrt2']}")
        if request.get("layout", "tensor") != "tensor":
            context.append(f"{text['layout']}: {request['layout']}")
        if request.get("structure"):
            context.append(request["structure"])
        if request.get("symmetric"):
            context.append(f"{text['convention']}: {request['symmetric']}")
        status = text["unavailable"] if not available else text["hint"]
        disabled = "" if available else " disabled"
        markup = f"""<form class="mdx-answer" id="{box_id}" {attrs} autocomplete="off">
<label class="mdx-label" for="{box_id}-input">{label} =</label>
<p class="mdx-context">{html.escape(" · ".join(context))}</p>
<div class="mdx-row"><input id="{box_id}-input" class="mdx-input" type="text" \
spellcheck="false" autocapitalize="off" placeholder="{html.escape(text["placeholder"])}"{disabled}>\
<button type="submit" class="mdx-check"{disabled}>{text["check"]}</button></div>
<p class="mdx-status" role="status" aria-live="polite">{html.escape(status)}</p>
<pre class="mdx-message" hidden></pre>
<pre class="mdx-marker" hidden></pre>
</form>"""
        return [nodes.raw("", markup, format="html")]


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    getattr(env, "matderiv_answers", {}).pop(docname, None)


def _merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    boxes = getattr(env, "matderiv_answers", {})
    for docname, found in getattr(other, "matderiv_answers", {}).items():
        if docname in docnames:
            boxes[docname] = found
    env.matderiv_answers = boxes  # type: ignore[attr-defined]


def _check_all(app: Sphinx, env: BuildEnvironment) -> None:
    boxes = getattr(env, "matderiv_answers", {})
    found = [box for docname in sorted(boxes) for box in boxes[docname]]
    verify_without_numpy(found)
    if found:
        print(
            f"matderiv book: {len(found)} answer boxes on {len(boxes)} pages, every reference "
            "solution checked with numpy and without it"
        )


def _assets(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """The box's script and style, on the pages that have a box only."""
    if getattr(app.env, "matderiv_answers", {}).get(pagename):
        app.add_css_file("playground/answers.css")
        app.add_js_file("playground/answers.js", type="module")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("answer", AnswerDirective)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-check-consistency", _check_all)
    app.connect("html-page-context", _assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
