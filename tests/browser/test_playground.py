"""The playground (book/playground.md): its build step, its Python driver, and the page itself in
headless Chromium driven by Playwright.

The fast tests build the wheel, ship the playground into a temporary ``_static`` with and
without Pyodide, and run the driver in CPython. The browser tests (slow) serve the built book on
127.0.0.1, abort every request that is not to that server (and fail if one was attempted), wait
on the page's ready flags, and save screenshots to test-artifacts/. They are skipped, with the
reason, when Chromium, Playwright or the built book is missing; CI has all three.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"
HTML = BOOK / "_build" / "html"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HAS_PLAYWRIGHT = importlib.util.find_spec("playwright") is not None

SHAPES = "X=B,N; W=N,M; Y=B,M"
LOSS = "sum((X @ W - Y)**2)"


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _load("_playground", BOOK / "_playground.py")
driver = _load("playground_driver", BOOK / "_static" / "playground" / "driver.py")


# -- the build step -------------------------------------------------------------------------


def test_wheel_holds_the_package_and_a_record_with_hashes(tmp_path):
    wheel = build.build_wheel(ROOT / "matderiv", "0.1.0", tmp_path)
    assert wheel.name == "matderiv-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        record = zf.read("matderiv-0.1.0.dist-info/RECORD").decode()
        wheel_meta = zf.read("matderiv-0.1.0.dist-info/WHEEL").decode()
    sources = sorted(
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "matderiv").rglob("*.py")
        if "__pycache__" not in p.parts
    )
    assert sorted(n for n in names if n.endswith(".py")) == sources
    assert "matderiv/py.typed" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert "Root-Is-Purelib: true" in wheel_meta
    hashed = [line for line in record.splitlines() if ",sha256=" in line]
    assert len(hashed) == len(names) - 1  # every entry but RECORD itself


def test_wheel_is_reproducible(tmp_path):
    a = build.build_wheel(ROOT / "matderiv", "0.1.0", tmp_path / "a").read_bytes()
    b = build.build_wheel(ROOT / "matderiv", "0.1.0", tmp_path / "b").read_bytes()
    assert a == b


def test_wheel_of_a_directory_without_a_package_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no Python package at"):
        build.build_wheel(tmp_path, "0.1.0", tmp_path / "out")


def test_without_pyodide_the_playground_says_it_is_unavailable(tmp_path):
    config = build.install(tmp_path / "_static", tmp_path / "no-pyodide", ROOT / "matderiv", "0.1")
    assert config["available"] is False
    assert "unavailable" in config["reason"]
    assert "npm ci --prefix book" in config["reason"]
    shipped = json.loads((tmp_path / "_static" / "playground" / "config.json").read_text())
    assert shipped == config
    assert not (tmp_path / "_static" / "pyodide").exists()
    assert not list((tmp_path / "_static" / "playground").glob("*.whl"))


def test_a_sphinx_build_without_pyodide_passes_and_says_so(tmp_path, monkeypatch, capsys):
    """The extension in a real (tiny) Sphinx build, warnings as errors, with no Pyodide."""
    sphinx = pytest.importorskip("sphinx.application", reason="Sphinx is in the book extra")

    monkeypatch.setitem(sys.modules, "_playground", build)
    monkeypatch.setattr(build, "PYODIDE", tmp_path / "node_modules" / "pyodide")
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text('extensions = ["_playground"]\n')
    (src / "index.rst").write_text("Book\n====\n\n.. code-block:: python\n\n   d = 1\n")
    out = tmp_path / "html"
    app = sphinx.Sphinx(
        src, src, out, tmp_path / "doctrees", "html", warningiserror=True, status=None
    )
    app.build()
    assert app.statuscode == 0
    config = json.loads((out / "_static" / "playground" / "config.json").read_text())
    assert config["available"] is False
    assert not (out / "_static" / "pyodide").exists()
    assert "the playground is unavailable" in capsys.readouterr().err


def test_with_pyodide_only_its_core_files_and_the_wheel_are_shipped(tmp_path):
    fake = tmp_path / "node_modules" / "pyodide"
    fake.mkdir(parents=True)
    for name in [*build.PYODIDE_CORE, "pyodide.js.map", "console.html", "pyodide.d.ts"]:
        (fake / name).write_text("{}" if name.endswith(".json") else "x")
    (fake / "package.json").write_text('{"version": "314.0.7"}')
    config = build.install(tmp_path / "_static", fake, ROOT / "matderiv", "0.1.0")
    assert config["available"] is True
    assert config["pyodide"] == "314.0.7"
    shipped = sorted(p.name for p in (tmp_path / "_static" / "pyodide").iterdir())
    assert shipped == sorted(build.PYODIDE_CORE)
    playground = tmp_path / "_static" / "playground"
    assert (playground / config["wheel"]).is_file()
    assert {"playground.js", "worker.mjs", "driver.py", "playground.css"} <= {
        p.name for p in playground.iterdir()
    }


CELL = """\
shapes = {"X": ("B", "N"), "W": ("N", "M")}
d = md.derive("sum(X @ W)", "W", shapes=shapes)
%timeit d.matrix
h = md.hessian("x @ A @ x", "x", "x", shapes={"x": (3,), "A": (3, 3)})
for e in exprs:
    md.derive(e, "x", shapes=shapes)
e = md.derive("sum(X)", wrt="X", shapes=shapes, layout="numerator")
shapes = make_shapes()
f = md.derive("sum(X)", "X", shapes=shapes)
g = md.derive(d, "X")
"""


def test_links_are_found_for_derivations_with_literal_arguments():
    env: dict[str, Any] = {}
    requests = list(build.requests_in(CELL, env))
    common = {"wrt2": "", "layout": "tensor"}
    assert requests == [
        {"expr": "sum(X @ W)", "shapes": "X=B,N; W=N,M", "wrt": "W", **common},
        {"expr": "x @ A @ x", "shapes": "x=3; A=3,3", "wrt": "x", "wrt2": "x", "layout": "tensor"},
        {"expr": "sum(X)", "shapes": "X=B,N; W=N,M", "wrt": "X", "wrt2": "", "layout": "numerator"},
    ]
    assert env == {}  # `shapes` was reassigned to something that is not a literal


def test_links_follow_a_dict_merged_from_one_defined_earlier():
    cell = (
        'S = {"X": ("B", "N")}\n'
        'd = md.derive("sum(X @ W)", "W", shapes={**S, "W": ("N", "M")})\n'
        'e = md.derive("sum(X @ W)", "W", shapes={**unknown, "W": ("N", "M")})\n'
    )
    requests = list(build.requests_in(cell, {}))
    assert [r["shapes"] for r in requests] == ["X=B,N; W=N,M"]


def test_a_cell_that_is_not_python_gives_no_link():
    assert list(build.requests_in("d = md.derive('x', 'x', shapes={'x': ()}\n", {})) == []


def test_shapes_text_is_what_the_playground_reads():
    shapes = {"X": ("B", "N"), "b": (3,), "s": ()}
    assert build.shapes_text(shapes) == "X=B,N; b=3; s="
    assert driver.parse_shapes(build.shapes_text(shapes)) == shapes


# -- the driver, in CPython -----------------------------------------------------------------


def _run(**request: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(driver.run(json.dumps(request)))
    return result


def test_driver_derives_the_least_squares_gradient_with_steps():
    r = _run(expr=LOSS, shapes=SHAPES, wrt="W", layout="tensor")
    assert r["ok"], r
    assert r["matrix"] == "2 X^T (X W - Y)"
    assert r["shape"] == ["N", "M"]
    assert r["code"] == "2 * (X.T @ (X @ W - Y))"
    assert "def derivative(*, W, X, Y):" in r["source"]
    assert r["einsum"].startswith("2 * np.einsum(")
    assert len(r["steps"]) >= 4
    assert r["steps"][0]["latex"].startswith(r"\begin{gathered}")  # several lines: MathJax 3


def test_driver_derives_a_hessian_and_arranges_layouts():
    r = _run(expr="x @ A @ x", shapes="x=n; A=n,n", wrt="x", wrt2="x")
    assert r["ok"], r
    assert r["matrix"] == "A + A^T"
    r = _run(expr="A @ x", shapes="x=n; A=m,n", wrt="x", layout="denominator")
    assert r["ok"], r
    assert (r["matrix"], r["shape"]) == ("A^T", ["n", "m"])
    # the typeset index form names the entry as the text one does, in the layout's order
    assert r["index"].startswith("D[p,i] = ")
    assert r["index_latex"].startswith("D_{pi} = ")


@pytest.mark.parametrize(
    ("request_", "error", "message"),
    [
        pytest.param(
            {"expr": "sum((X @ W - Y)**2", "shapes": SHAPES, "wrt": "W"},
            "ParseError",
            r"invalid syntax at column 4",
            id="unclosed-bracket",
        ),
        pytest.param(
            {"expr": "X @ Y", "shapes": SHAPES, "wrt": "W"},
            "ShapeError",
            r"inner sizes N .* differ",
            id="shape-mismatch",
        ),
        pytest.param(
            {"expr": "sum(X)", "shapes": "X=B,N+", "wrt": "X"},
            "RequestError",
            r"cannot read the dimension 'N\+' of 'X'",
            id="bad-dimension",
        ),
        pytest.param(
            {"expr": "sum(X)", "shapes": "X B,N", "wrt": "X"},
            "RequestError",
            r"cannot read the shape 'X B,N'",
            id="no-equals-sign",
        ),
        pytest.param(
            {"expr": "sum(X)", "shapes": "X=B; X=N", "wrt": "X"},
            "RequestError",
            r"shape of 'X' is given twice",
            id="shape-twice",
        ),
        pytest.param(
            {"expr": "", "shapes": SHAPES, "wrt": "W"},
            "RequestError",
            r"type an expression",
            id="empty",
        ),
        pytest.param(
            {"expr": LOSS, "shapes": SHAPES, "wrt": ""},
            "RequestError",
            r"which variable",
            id="no-wrt",
        ),
        pytest.param(
            {"expr": LOSS, "shapes": SHAPES, "wrt": "W", "layout": "sideways"},
            "RequestError",
            r"unknown layout 'sideways'",
            id="bad-layout",
        ),
        pytest.param(
            {"expr": "W @ x", "shapes": "W=M,N; x=N", "wrt": "W", "layout": "numerator"},
            "LayoutError",
            r"numerator layout does not define",
            id="undefined-layout",
        ),
    ],
)
def test_driver_reports_the_library_message(request_, error, message):
    r = _run(**request_)
    assert r["ok"] is False
    assert r["error"] == error
    with pytest.raises(ValueError, match=message):
        raise ValueError(r["message"])


def test_driver_checks_the_result_and_the_readers_formula():
    base = {"expr": LOSS, "shapes": SHAPES, "wrt": "W"}
    r = _run(**base, action="check")
    assert (r["ok"], r["passed"]) == (True, True)
    assert r["message"].startswith("full check passed")
    r = _run(**base, action="claim", claim="2 * X.T @ (X @ W - Y)")
    assert (r["ok"], r["passed"]) == (True, True)
    r = _run(**base, action="claim", claim="2 * (X.T @ (X @ W - Y)).T")
    assert (r["ok"], r["passed"]) == (True, False)
    # the sampled sizes decide how it shows: a wrong shape, or a wrong entry when B = N = M
    assert "derivative check failed" in r["message"]
    assert "expected (" in r["message"] or "at index" in r["message"]
    r = _run(**base, action="claim", claim="2 * X.T @ (X @ W + Y)")
    assert (r["ok"], r["passed"]) == (True, False)
    assert "at index" in r["message"]
    hessian = {"expr": "x @ A @ x", "shapes": "x=n; A=n,n", "wrt": "x", "wrt2": "x"}
    assert _run(**hessian, action="claim", claim="A + A.T")["passed"] is True
    assert _run(**hessian, action="claim", claim="A")["passed"] is False


@pytest.mark.parametrize(
    ("request_", "error", "message"),
    [
        pytest.param(
            {"action": "claim", "claim": ""}, "RequestError", r"type your formula", id="empty"
        ),
        pytest.param(
            {"action": "claim", "claim": "2 * X.T @ (X"}, "ParseError", r"column 11", id="bad"
        ),
        pytest.param({"action": "transmogrify"}, "RequestError", r"unknown action", id="action"),
    ],
)
def test_driver_reports_errors_of_a_check(request_, error, message):
    r = _run(expr=LOSS, shapes=SHAPES, wrt="W", **request_)
    assert (r["ok"], r["error"]) == (False, error)
    with pytest.raises(ValueError, match=message):
        raise ValueError(r["message"])


def test_driver_needs_no_numpy():
    """What runs in Pyodide, run in a fresh CPython: the derivation loads neither numpy nor
    SymPy (neither is in the browser)."""
    script = (
        "import importlib.util, json, sys\n"
        f"spec = importlib.util.spec_from_file_location('d', {str(BOOK / '_static' / 'playground' / 'driver.py')!r})\n"
        "d = importlib.util.module_from_spec(spec); spec.loader.exec_module(d)\n"
        f"r = json.loads(d.run(json.dumps({{'expr': {LOSS!r}, 'shapes': {SHAPES!r}, 'wrt': 'W', 'wrt2': 'W'}})))\n"
        "assert r['ok'], r\n"
        "print(sorted(m for m in ('numpy', 'sympy') if m in sys.modules))\n"
        "sys.modules['numpy'] = None  # as in Pyodide: the checks take the pure-Python route\n"
        f"r = json.loads(d.run(json.dumps({{'expr': {LOSS!r}, 'shapes': {SHAPES!r}, 'wrt': 'W', 'action': 'claim', 'claim': '2 * X.T @ (X @ W - Y)'}})))\n"
        "assert r['passed'] and 'pure Python' in r['message'], r\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert out.stdout.strip() == "[]"


# -- the page, in headless Chromium ---------------------------------------------------------


def _available() -> bool:
    config = HTML / "_static" / "playground" / "config.json"
    return config.is_file() and bool(json.loads(config.read_text())["available"])


browser_only = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian: chromium)"),
    pytest.mark.skipif(not HAS_PLAYWRIGHT, reason="playwright is not installed (extra: browser)"),
    pytest.mark.skipif(
        not (HTML / "playground.html").is_file(), reason="the book has not been built"
    ),
]


def in_browser(test: Any) -> Any:
    """Mark a browser test: slow, and skipped with a reason when something it needs is missing."""
    for mark in reversed(browser_only):
        test = mark(test)
    return test


needs_pyodide = pytest.mark.skipif(
    not _available(), reason="the built book has no Pyodide (built without npm ci --prefix book)"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "-d", str(HTML)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):  # the port accepts connections once the server is up
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            pytest.fail("the http.server did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


class Offline:
    """A fresh browser context that aborts every request not to 127.0.0.1 and records it."""

    def __init__(self, browser: Any, **options: Any) -> None:
        self.context = browser.new_context(**options)
        self.blocked: list[str] = []
        self.context.route("**/*", self._route)

    def _route(self, route: Any) -> None:
        url = route.request.url
        if urlsplit(url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def page(self) -> Any:
        page = self.context.new_page()
        page.set_default_timeout(180_000)  # a cold Pyodide load on two busy cores
        return page

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def offline(browser) -> Iterator[Offline]:
    ctx = Offline(browser)
    yield ctx
    ctx.close()
    assert ctx.blocked == [], f"requests outside 127.0.0.1 were attempted: {ctx.blocked}"


def _wait_results(page: Any, n: int) -> None:
    page.wait_for_selector(f'#mdp[data-results="{n}"]', state="attached")


def _open(page: Any, url: str) -> float:
    """Open the playground and wait for Python and the first result; return the seconds."""
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_selector('#mdp[data-ready="true"]', state="attached")
    _wait_results(page, 1)
    return time.perf_counter() - start


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"playground-{name}.png"), full_page=True)


@in_browser
@needs_pyodide
def test_playground_derives_least_squares_with_typeset_steps(server, offline):
    page = offline.page()
    seconds = _open(page, f"{server}/playground.html")
    assert page.get_attribute("#mdp", "data-state") == "done"
    assert page.text_content("#mdp-matrix-text") == "2 X^T (X W - Y)"
    assert page.locator("#mdp-matrix mjx-container").count() == 1
    assert page.locator("#mdp-index mjx-container").count() == 1
    steps = page.locator("#mdp-steps > li")
    assert steps.count() >= 4
    assert page.locator("#mdp-steps > li mjx-container").count() == steps.count()
    assert page.locator("mjx-merror").count() == 0
    assert "def derivative(*, W, X, Y):" in page.text_content("#mdp-source")
    assert page.text_content("#mdp-shape").startswith("(N, M)")
    offline.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page.click("#mdp-copy")
    page.wait_for_selector("#mdp-copy:text('Copied')")
    assert page.evaluate("navigator.clipboard.readText()") == page.text_content("#mdp-source")
    _shot(page, "least-squares")

    # timing for the report (never asserted): derive the same request again several times
    times = []
    for i in range(2, 12):
        page.click("#mdp-derive")
        _wait_results(page, i)
        times.append(float(page.text_content("#mdp-timing").split()[2]))
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "playground-timing.json").write_text(
        json.dumps(
            {
                "cold_load_to_first_result_s": round(seconds, 2),
                "worker_load_ms": int(page.get_attribute("#mdp", "data-load-ms")),
                "derivation_ms": sorted(times),
                "median_derivation_ms": sorted(times)[len(times) // 2],
            },
            indent=1,
        )
    )


@in_browser
@needs_pyodide
def test_playground_shows_a_parse_error_with_its_column(server, offline):
    page = offline.page()
    _open(page, f"{server}/playground.html")
    page.fill("#mdp-expr", "sum((X @ W - Y)**2")
    page.click("#mdp-derive")
    _wait_results(page, 2)
    assert page.get_attribute("#mdp", "data-state") == "error"
    assert page.text_content("#mdp-error-type") == "ParseError"
    assert "invalid syntax at column 4" in page.text_content("#mdp-error-message")
    assert page.text_content("#mdp-error-marker") == "sum((X @ W - Y)**2\n   ^"
    assert page.is_hidden("#mdp-result")
    _shot(page, "parse-error")


@in_browser
@needs_pyodide
def test_playground_checks_the_readers_formula(server, offline):
    page = offline.page()
    _open(page, f"{server}/playground.html")
    page.click("#mdp-check-derived")
    page.wait_for_selector('#mdp[data-checks="1"]', state="attached")
    assert page.get_attribute("#mdp-check", "data-verdict") == "right"
    assert "pure Python" in page.text_content("#mdp-check-message")

    page.fill("#mdp-claim", "2 * X.T @ (X @ W - Y)")
    page.click("#mdp-check-claim")
    page.wait_for_selector('#mdp[data-checks="2"]', state="attached")
    assert page.get_attribute("#mdp-check", "data-verdict") == "right"
    assert page.text_content("#mdp-check-title").startswith("Right")

    page.fill("#mdp-claim", "2 * (X.T @ (X @ W - Y)).T")  # transposed
    page.click("#mdp-check-claim")
    page.wait_for_selector('#mdp[data-checks="3"]', state="attached")
    assert page.get_attribute("#mdp-check", "data-verdict") == "wrong"
    assert "expected (4, 3)" in page.text_content("#mdp-check-message")

    page.fill("#mdp-expr", "sum(W * (A @ W))")  # square: a transposed answer differs entrywise
    page.fill("#mdp-shapes", "W=n,n; A=n,n")
    page.fill("#mdp-claim", "W.T @ (A + A.T)")  # the transpose of (A + A^T) W
    page.click("#mdp-check-claim")
    page.wait_for_selector('#mdp[data-checks="4"]', state="attached")
    assert page.get_attribute("#mdp-check", "data-verdict") == "wrong"
    assert "at index" in page.text_content("#mdp-check-message")
    # the result shown is the new expression's, derived before the check
    assert page.text_content("#mdp-matrix-text") == "(A + A^T) W"
    _shot(page, "claim-wrong")

    page.fill("#mdp-claim", "A.T @ W + (A @ W")
    page.click("#mdp-check-claim")
    page.wait_for_selector('#mdp[data-checks="5"]', state="attached")
    assert page.get_attribute("#mdp-check", "data-verdict") == "error"
    assert page.text_content("#mdp-check-marker").endswith("\n          ^")


@in_browser
@needs_pyodide
def test_playground_state_round_trips_through_the_url(server, offline):
    page = offline.page()
    _open(page, f"{server}/playground.html")
    page.fill("#mdp-expr", "x @ A @ x")
    page.fill("#mdp-shapes", "x=n; A=n,n")
    page.fill("#mdp-wrt", "x")
    page.fill("#mdp-wrt2", "x")
    page.click("#mdp-derive")
    _wait_results(page, 2)
    assert page.text_content("#mdp-matrix-text") == "A + A^T"
    shared = page.url
    assert shared == page.get_attribute("#mdp-link", "href")

    other = offline.page()  # a reader who opens the shared link
    _open(other, shared)
    values = {f: other.input_value(f"#mdp-{f}") for f in ("expr", "shapes", "wrt", "wrt2")}
    assert values == {"expr": "x @ A @ x", "shapes": "x=n; A=n,n", "wrt": "x", "wrt2": "x"}
    assert other.text_content("#mdp-matrix-text") == "A + A^T"

    query = urlencode({"expr": "A @ x", "shapes": "x=n; A=m,n", "wrt": "x", "layout": "mit"})
    _open(other, f"{server}/playground.html?{query}")
    assert other.input_value("#mdp-layout") == "mit"
    assert other.text_content("#mdp-shape") == "(n, m) in the mit layout"


@in_browser
@needs_pyodide
def test_playground_fits_a_phone_screen(server, browser):
    ctx = Offline(browser, viewport={"width": 390, "height": 844}, device_scale_factor=2)
    try:
        page = ctx.page()
        _open(page, f"{server}/playground.html")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page is {width} px wide on a 390 px screen"
        _shot(page, "phone")
    finally:
        ctx.close()
    assert ctx.blocked == []


@in_browser
def test_playground_says_when_it_is_unavailable(server, offline):
    """A book built without Pyodide: config.json says so (served here in place of the real
    one), and the page shows the reason instead of a form that cannot work."""
    page = offline.page()
    reason = "This build of the book has no Pyodide, so the playground is unavailable."
    page.route(
        "**/_static/playground/config.json",
        lambda route: route.fulfill(
            json={"available": False, "reason": reason}, content_type="application/json"
        ),
    )
    page.goto(f"{server}/playground.html")
    page.wait_for_selector('#mdp[data-state="unavailable"]', state="attached")
    assert page.text_content("#mdp-status") == reason
    assert page.is_hidden("#mdp-form")
    assert page.get_attribute("#mdp", "data-ready") == "false"


@in_browser
@needs_pyodide
def test_a_chapter_example_opens_in_the_playground(server, offline):
    page = offline.page()
    page.goto(f"{server}/chapters/05-layouts.html")
    links = page.locator("p.mdp-open a")
    assert links.count() >= 5
    assert links.first.text_content() == "x @ A @ x by x"
    links.first.click()
    page.wait_for_selector('#mdp[data-ready="true"]', state="attached")
    _wait_results(page, 1)
    assert page.input_value("#mdp-shapes") == "A=3,3; x=3"
    assert page.text_content("#mdp-matrix-text") == "(A + A^T) x"
    _shot(page, "from-chapter-5")
