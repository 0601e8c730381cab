"""The answer boxes under the exercises (book/_answers.py, book/_static/playground/answers.js).

The fast tests run the directive's pieces in CPython: the label, the request, the build-time
check of a reference solution (with numpy, and without it as in the browser) and a tiny Sphinx
build, with and without Pyodide. The browser tests (slow) open the built chapters in headless
Chromium with the fixtures of test_site.py (127.0.0.1 only, every other request aborted and
asserted absent, ready flags instead of sleeps) and save screenshots to test-artifacts/.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.browser.test_site import ARTIFACTS, CHROMIUM, HTML, PHONE

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


sphinx = pytest.importorskip("sphinx", reason="Sphinx is in the book extra")
playground = _load("_playground", BOOK / "_playground.py")
answers = _load("_answers", BOOK / "_answers.py")

LEAST_SQUARES = {
    "action": "claim",
    "expr": "sum((X @ W - Y)**2)",
    "wrt": "W",
    "shapes": "X=B,N; W=N,M; Y=B,M",
}


# -- the directive's pieces, in CPython -----------------------------------------------------


def test_a_label_escapes_its_text_and_typesets_its_math():
    out = answers.label_html(r"the gradient of $a^\T x$ by <x> & $x$")
    assert out == (
        r'the gradient of <span class="math notranslate nohighlight">\(a^\T x\)</span> '
        r'by &lt;x&gt; &amp; <span class="math notranslate nohighlight">\(x\)</span>'
    )


def test_a_box_sends_the_playgrounds_claim_request():
    options = {
        "expression": "x @ A @ x",
        "wrt": "x",
        "wrt2": "x",
        "shapes": "x=n; A=n,n",
        "solution": "A + A.T",
        "layout": "",
    }
    assert answers.request_of(options) == {
        "action": "claim",
        "claim": "A + A.T",
        "expr": "x @ A @ x",
        "wrt": "x",
        "wrt2": "x",
        "shapes": "x=n; A=n,n",
    }


def test_a_right_reference_solution_passes_the_build_check():
    answers.verify({**LEAST_SQUARES, "claim": "2 * X.T @ (X @ W - Y)"}, "here:1")
    answers.verify_without_numpy([("here:1", {**LEAST_SQUARES, "claim": "2 * X.T @ (X @ W - Y)"})])


def test_a_wrong_reference_solution_fails_the_build():
    with pytest.raises(answers.AnswerCheckError, match=r"ch\.md:7: .* does not check: wrong"):
        answers.verify({**LEAST_SQUARES, "claim": "2 * X.T @ (X @ W + Y)"}, "ch.md:7")
    with pytest.raises(answers.AnswerCheckError, match=r"ch\.md:7: .*ParseError"):
        answers.verify({**LEAST_SQUARES, "claim": "2 * X.T @ (X"}, "ch.md:7")


def test_a_box_the_browser_cannot_check_fails_the_build():
    """numpy's backend checks a 5×5 instance; the pure-Python one, which the browser has,
    checks only small ones (every axis at most 4)."""
    request = {"action": "claim", "expr": "tr(sinm(X))", "wrt": "X", "shapes": "X=5,5"}
    answers.verify({**request, "claim": "cosm(X).T"}, "ch.md:3")
    with pytest.raises(answers.AnswerCheckError, match=r"ch\.md:3: .*every axis at most 4"):
        answers.verify_without_numpy([("ch.md:3", {**request, "claim": "cosm(X).T"})])


def test_the_driver_reads_a_structure_and_a_convention():
    driver = playground._driver()
    request = {"expr": "x @ A @ x / 2", "wrt": "x", "shapes": "x=n; A=n,n", "action": "claim"}
    ok = json.loads(
        driver.run(json.dumps({**request, "claim": "A @ x", "structure": "A=symmetric"}))
    )
    assert (ok["ok"], ok["passed"]) == (True, True), ok
    wrong = json.loads(driver.run(json.dumps({**request, "claim": "A @ x"})))
    assert (wrong["ok"], wrong["passed"]) == (True, False), wrong
    for extra, message in [
        ({"structure": "A=skew"}, r"cannot read the structure 'A=skew'"),
        ({"structure": "B=symmetric"}, r"structure of 'B' is given, but not its shape"),
        ({"symmetric": "sideways"}, r"unknown convention 'sideways'"),
    ]:
        r = json.loads(driver.run(json.dumps({**request, "claim": "A @ x", **extra})))
        assert (r["ok"], r["error"]) == (False, "RequestError"), r
        with pytest.raises(ValueError, match=message):
            raise ValueError(r["message"])


def _tiny_build(tmp_path: Path, monkeypatch: Any, solution: str, pyodide: bool) -> Any:
    """A one-page Sphinx build (warnings are errors) with one answer box."""
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace

    fake = tmp_path / "node_modules" / "pyodide"
    if pyodide:
        fake.mkdir(parents=True)
        for name in playground.PYODIDE_CORE:
            (fake / name).write_text("{}" if name.endswith(".json") else "x")
    monkeypatch.setattr(playground, "PYODIDE", fake)
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text('extensions = ["_answers"]\n')
    (src / "index.rst").write_text(
        "Book\n====\n\n.. answer:: 2\n   :expression: sum(W**2)\n   :wrt: W\n"
        f"   :shapes: W=n,m\n   :solution: {solution}\n\n   $\\pd{{L}}{{W}}$\n"
    )
    out = tmp_path / "html"
    # docutils keeps directives and roles in global registries: restore them afterwards, so
    # that a later Sphinx app in this process (test_playground.py) does not warn about them
    with docutils_namespace():
        app = Sphinx(src, src, out, tmp_path / "doctrees", "html", warningiserror=True, status=None)
        app.build()
    return out


@pytest.mark.parametrize("pyodide", [True, False], ids=["with-pyodide", "without-pyodide"])
def test_a_sphinx_build_writes_the_box(tmp_path, monkeypatch, pyodide):
    page = (_tiny_build(tmp_path, monkeypatch, "2 * W", pyodide) / "index.html").read_text()
    box = re.search(r'<form class="mdx-answer".*?</form>', page, flags=re.S)
    assert box, "no answer box on the page"
    html = box.group(0)
    assert 'data-expr="sum(W**2)"' in html
    assert 'data-shapes="W=n,m"' in html
    assert "2 * W" not in html, "the box gives the solution away"
    assert "Exercise 2: " in html
    assert "\\(\\pd{L}{W}\\)" in html
    assert "playground/answers.js" in page
    if pyodide:
        assert 'data-state="idle"' in html
        assert " disabled" not in html
    else:
        assert 'data-state="unavailable"' in html
        assert "Checking in the browser is unavailable" in html
        assert html.count(" disabled") == 2  # the field and the button: no dead button


def test_a_sphinx_build_with_a_wrong_reference_fails(tmp_path, monkeypatch):
    with pytest.raises(answers.AnswerCheckError, match=r"index\.rst:\d+: .*'2 \* W\.T'"):
        _tiny_build(tmp_path, monkeypatch, "2 * W.T", pyodide=False)


def test_every_chapter_with_formula_exercises_has_boxes():
    counts = {
        p.stem: p.read_text(encoding="utf-8").count("```{answer}")
        for p in sorted((BOOK / "chapters").glob("[0-9]*.md"))
    }
    assert sum(counts.values()) >= 65, counts
    # the performance chapter has no formula exercise; every other chapter has boxes, the
    # matrix functions' and the symmetric matrices' too (the pure-Python backend evaluates
    # matrix and spectral functions and checks by a structured variable in either convention)
    assert {name for name, n in counts.items() if n == 0} <= {"12-performance"}, counts
    assert counts["18-matrix-functions"] >= 3, counts
    assert counts["19-symmetric-matrices"] >= 7, counts
    assert counts["03-fully-connected-zh"] == counts["03-fully-connected-en"]


def test_every_boxs_reference_solution_checks_without_numpy():
    """What the build's consistency check does, without a build: a box whose sizes make the
    pure-Python check fail (logdet(X.T @ X) with X drawn 2x3, a singular Gram matrix) fails."""
    boxes = []
    for p in sorted((BOOK / "chapters").glob("*.md")):
        text = p.read_text(encoding="utf-8")
        for m in re.finditer(r"```\{answer\}[^\n]*\n((?::[a-z0-9_-]+:[^\n]*\n)+)", text):
            options = dict(re.findall(r":([a-z0-9_-]+): ?([^\n]*)", m.group(1)))
            where = f"{p.name}:{text[: m.start()].count(chr(10)) + 1}"
            boxes.append((where, answers.request_of(options)))
    assert len(boxes) >= 55
    answers.verify_without_numpy(boxes)


# -- in headless Chromium ---------------------------------------------------------------------


def _available() -> bool:
    config = HTML / "_static" / "playground" / "config.json"
    return config.is_file() and bool(json.loads(config.read_text())["available"])


needs_pyodide = pytest.mark.skipif(
    not _available(), reason="the built book has no Pyodide (built without npm ci --prefix book)"
)


def in_browser(test: Any) -> Any:
    """Mark a browser test: slow, and skipped with a reason when something it needs is missing."""
    for mark in reversed(BROWSER_TEST):
        test = mark(test)
    return test


BROWSER_TEST = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt install chromium)"),
    pytest.mark.skipif(
        importlib.util.find_spec("playwright") is None,
        reason="the playwright package is not installed (pip install -e '.[browser]')",
    ),
    pytest.mark.skipif(not (HTML / "index.html").exists(), reason="the book has not been built"),
]


def _verdict(box: Any, claim: str, n: int) -> str:
    """Type ``claim``, press Check, wait for the box's n-th verdict; return its state."""
    box.locator(".mdx-input").fill(claim)
    box.locator(".mdx-check").click()
    box.page.wait_for_selector(f'#{box.get_attribute("id")}[data-checks="{n}"]', state="attached")
    return str(box.get_attribute("data-state"))


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"answer-{name}.png"))


@in_browser
@needs_pyodide
@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_an_exercise_box_checks_the_readers_formula(open_page, dark):
    page = open_page("chapters/10-checks", dark=dark)
    page.set_default_timeout(180_000)  # a cold Pyodide load on two busy cores
    box = page.locator("form.mdx-answer").first
    assert box.get_attribute("data-expr") == "tr(A @ X @ B)"
    assert box.get_attribute("data-state") == "idle"
    loaded = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert not [u for u in loaded if "pyodide" in u], "Pyodide was fetched before it was needed"
    assert page.workers == [], "Python was loaded before the reader asked for it"
    box.scroll_into_view_if_needed()

    box.locator(".mdx-input").focus()  # focusing the box starts Python
    page.wait_for_selector('form.mdx-answer[data-state="ready"]', state="attached")
    assert len(page.workers) == 1

    assert _verdict(box, "A.T @ B.T", 1) == "right"
    assert box.locator(".mdx-status").inner_text().startswith(("Right", "正确"))

    assert _verdict(box, "B @ A", 2) == "wrong"  # the transpose of the answer
    status = box.locator(".mdx-status").inner_text()
    assert re.search(r"Entry \(\d+, \d+\) differs: your formula gives \S+", status), status
    assert "at index" in box.locator(".mdx-message").inner_text()
    _shot(page, f"wrong-{'dark' if dark else 'light'}")

    assert _verdict(box, "A.T @ (B.T", 3) == "error"
    assert box.locator(".mdx-status").inner_text() == "ParseError"
    assert "invalid syntax at column 7" in box.locator(".mdx-message").inner_text()
    assert box.locator(".mdx-marker").inner_text() == "A.T @ (B.T\n      ^"
    _shot(page, f"parse-error-{'dark' if dark else 'light'}")

    # at 390 px the box fits the screen, and so does the page
    width = box.bounding_box()
    assert width is not None
    assert width["x"] >= 0
    assert width["x"] + width["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@in_browser
@needs_pyodide
def test_the_boxes_of_a_page_share_one_worker(open_page):
    page = open_page("chapters/02-index-notation")
    page.set_default_timeout(180_000)
    boxes = page.locator("form.mdx-answer")
    assert boxes.count() == 3
    assert _verdict(boxes.nth(0), "(A + A.T) @ x", 1) == "right"
    assert _verdict(boxes.nth(1), "A", 1) == "wrong"  # A^T's transpose: a shape or an entry
    assert _verdict(boxes.nth(2), "diag(1 - tanh(W @ x)**2) @ W", 1) == "right"
    assert len(page.workers) == 1
    assert page.evaluate("document.documentElement.dataset.answerWorkers") == "1"


@in_browser
def test_a_box_says_when_checking_is_unavailable(open_page, site):
    """The worker cannot start (config.json of a build without Pyodide, served here in place
    of the real one): every box says why and disables its field and button."""
    page = open_page("index")
    page.set_default_timeout(180_000)
    reason = "This build of the book has no Pyodide, so the playground is unavailable."
    page.route(
        "**/_static/playground/config.json",
        lambda route: route.fulfill(
            json={"available": False, "reason": reason}, content_type="application/json"
        ),
    )
    page.goto(site + "chapters/13-broadcasting.html", wait_until="load")
    page.locator("form.mdx-answer .mdx-input").first.focus()
    page.wait_for_selector('form.mdx-answer[data-state="unavailable"]', state="attached")
    for i in range(page.locator("form.mdx-answer").count()):
        other = page.locator("form.mdx-answer").nth(i)
        assert other.get_attribute("data-state") == "unavailable"
        assert other.locator(".mdx-check").is_disabled()
        assert other.locator(".mdx-status").inner_text() == reason
    assert page.workers == [], "a worker was started although Python is unavailable"
    _shot(page, "unavailable")
