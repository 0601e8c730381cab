"""The built book as a reader's browser shows it, driven by Playwright with Debian's Chromium.

The site is served from ``book/_build/html`` on 127.0.0.1 (a free port chosen by the server,
stopped by its PID). Every request to another host is aborted and recorded, and the tests assert
that none was attempted: the book must read offline. Every request to the server must succeed,
so a MathJax file that the pages load but the build did not vendor fails here. Pages are read
once MathJax's startup promise has resolved and the fonts are loaded: ready flags, never sleeps.

Screenshots (390 px phone width, dark mode, the Chinese chapter) go to ``test-artifacts/`` for a
person to look at; CI keeps them as artifacts.

Skipped, with the reason, when the ``playwright`` package (the ``browser`` extra), Chromium or
the built book is missing. Playwright never downloads a browser here: it drives
``/usr/bin/chromium`` through ``executable_path``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "book" / "_build" / "html"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = (
    os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
)
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 1000}

try:
    from playwright.sync_api import Browser, Page, Route, sync_playwright
except ImportError:  # pragma: no cover - depends on the environment
    sync_playwright = None

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        sync_playwright is None,
        reason="the playwright package is not installed (pip install -e '.[browser]')",
    ),
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt install chromium)"),
    pytest.mark.skipif(
        not (HTML / "index.html").exists(),
        reason="the book has not been built (run the README's book command first)",
    ),
]

#: Every page of the site a reader can open (the built HTML, without the theme's assets).
PAGES = sorted(
    p.relative_to(HTML).with_suffix("").as_posix()
    for p in HTML.rglob("*.html")
    if not p.relative_to(HTML).parts[0].startswith("_")
)

#: Pages that are generated reference material, not chapters with a figure of their own.
NO_FIGURE = {"appendix-coverage", "appendix-errata", "references"}

#: Pages whose screenshots a person looks at (light and dark, phone and desktop).
SHOWCASE = [
    "index",
    "chapters/01-arrays",
    "chapters/03-fully-connected-en",
    "chapters/03-fully-connected-zh",
    "chapters/05-layouts",
    "chapters/12-performance",
    "api",
]


# -- the server and the browser ------------------------------------------------------------------


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    """``http://127.0.0.1:PORT/``: ``http.server`` on a port the kernel picks (port 0); the
    server prints the port it bound, which is also the sign that it is ready."""
    proc = subprocess.Popen(
        [sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1"],
        cwd=HTML,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # "Serving HTTP on 127.0.0.1 port 43117 (http://...) ..."
        match = re.search(r"port (\d+)", line)
        assert match, f"http.server did not start: {line!r}"
        yield f"http://127.0.0.1:{match.group(1)}/"
    finally:
        os.kill(proc.pid, 15)  # SIGTERM, to this server only
        proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert sync_playwright is not None
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"],
        )
        yield chromium
        chromium.close()


class Traffic:
    """What a browser context asked for: requests to other hosts (aborted) and failed ones."""

    def __init__(self) -> None:
        self.foreign: list[str] = []
        self.failed: list[str] = []

    def route(self, route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname == "127.0.0.1" or url.startswith("data:"):
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()

    def check(self) -> None:
        assert not self.foreign, f"requests that left the machine: {self.foreign}"
        assert not self.failed, f"requests that failed: {self.failed}"


@pytest.fixture
def open_page(browser: Browser, site: str) -> Iterator[Any]:
    """``open_page(name, viewport=PHONE, dark=False)``: a page, fully typeset."""
    contexts = []
    traffic = Traffic()

    def _open(name: str, viewport: dict[str, int] = PHONE, dark: bool = False) -> Page:
        context = browser.new_context(
            viewport=viewport, color_scheme="dark" if dark else "light", service_workers="block"
        )
        contexts.append(context)
        context.route("**/*", traffic.route)
        page = context.new_page()
        page.on(
            "response",
            lambda r: traffic.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )
        page.on("requestfailed", lambda r: traffic.failed.append(f"{r.failure} {r.url}"))
        if dark:  # the theme keeps its own mode in localStorage; "auto" follows the system
            page.add_init_script("localStorage.setItem('mode', 'dark');")
        page.goto(site + name + ".html", wait_until="load")
        page.evaluate(READY)
        return page

    yield _open
    for context in contexts:
        context.close()
    traffic.check()


#: Resolves when the page is ready to be read: MathJax (when the page loads it) has typeset
#: everything, and the web fonts are in.
READY = """async () => {
  if (document.querySelector('script[src*="tex-chtml"]')) {
    while (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) {
      await new Promise(r => requestAnimationFrame(r));
    }
    await MathJax.startup.promise;
  }
  await document.fonts.ready;
  return true;
}"""


def _shot(page: Page, name: str, full_page: bool = False) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / (name.replace("/", "_") + ".png")
    page.screenshot(path=str(path), full_page=full_page)
    return path


# -- a phone's width ----------------------------------------------------------------------------

#: For every displayed equation at this width, what a reader could not see: an equation that
#: runs past the screen or its box without a scroll bar, or that runs under its number.
CLIPPED = """() => {
  const vw = document.documentElement.clientWidth;
  const out = [];
  for (const c of document.querySelectorAll('mjx-container[display="true"]')) {
    const math = c.querySelector('mjx-math') || c;
    const m = math.getBoundingClientRect();
    const label = (c.closest('[id]') || {}).id || c.textContent.slice(0, 40);
    let scroller = null;
    for (let e = c; e && e !== document.body; e = e.parentElement) {
      const ox = getComputedStyle(e).overflowX;
      if (ox === 'auto' || ox === 'scroll') { scroller = e; break; }
      if ((ox === 'hidden' || ox === 'clip') && m.right > e.getBoundingClientRect().right + 1) {
        out.push(`${label}: cut off by an ancestor`);
      }
    }
    const box = (scroller || c).getBoundingClientRect();
    if (box.right > vw + 1 || box.left < -1) out.push(`${label}: its box leaves the screen`);
    if (!scroller && (m.right > vw + 1 || m.left < -1)) out.push(`${label}: runs off the screen`);
    const div = c.closest('div.math');
    const eqno = div && div.querySelector('.eqno');
    if (eqno) {
      const n = eqno.getBoundingClientRect();
      const visibleRight = Math.min(m.right, box.right);
      const overlapX = Math.min(visibleRight, n.right) - Math.max(m.left, n.left);
      const overlapY = Math.min(m.bottom, n.bottom) - Math.max(m.top, n.top);
      if (overlapX > 1 && overlapY > 1) out.push(`${label}: under its number`);
    }
  }
  return out;
}"""


@pytest.mark.parametrize("name", PAGES)
def test_at_390_px_nothing_is_wider_than_the_screen_or_clipped(open_page, name):
    page = open_page(name)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name} is {width} px wide at {PHONE['width']} px"
    assert page.evaluate(CLIPPED) == []
    _shot(page, f"phone-{name}")


def test_the_worst_equations_of_the_old_site_scroll_inside_their_box(open_page):
    """Equation (10) of chapter 3 and (1) of chapter 1 were cut off under their numbers."""
    for name, eq in [("chapters/03-fully-connected-en", 10), ("chapters/01-arrays", 1)]:
        page = open_page(name)
        eqno = page.locator(".eqno", has_text=f"({eq})").first
        eqno.scroll_into_view_if_needed()
        assert page.evaluate(CLIPPED) == []
        _shot(page, f"phone-{name}-eq{eq}")


# -- languages, downloads, copying --------------------------------------------------------------


def test_the_chinese_chapter_is_marked_zh_and_links_to_its_english_twin(open_page):
    zh = open_page("chapters/03-fully-connected-zh", viewport=DESKTOP)
    assert zh.evaluate("document.documentElement.lang") == "zh"
    assert "全连接层的梯度" in zh.inner_text("main")
    # the CJK text is drawn with a CJK font, not as boxes: a line of it has a real width
    width = zh.evaluate(
        "() => { const r = document.createRange(); r.selectNodeContents("
        "document.querySelector('main h1')); return r.getBoundingClientRect().width; }"
    )
    assert width > 100
    english = zh.get_by_role("link", name="English", exact=True)
    assert english.is_visible()
    english.click()
    zh.wait_for_load_state("load")
    assert zh.url.endswith("03-fully-connected-en.html")
    assert zh.evaluate("document.documentElement.lang") == "en"
    assert zh.get_by_role("link", name="中文", exact=True).is_visible()
    _shot(zh, "desktop-03-fully-connected-zh")


def test_every_chapter_downloads_as_an_executed_notebook_and_as_markdown(open_page, site):
    page = open_page("chapters/01-arrays", viewport=DESKTOP)
    hrefs = page.eval_on_selector_all(
        ".dropdown-download-buttons a", "as => as.map(a => a.getAttribute('href'))"
    )
    assert any(h.endswith("01-arrays.ipynb") for h in hrefs), hrefs
    assert any(h.endswith("01-arrays.md") for h in hrefs), hrefs
    for chapter in (HTML / "chapters").glob("*.html"):
        notebook = HTML / "_sources" / "chapters" / f"{chapter.stem}.ipynb"
        assert notebook.exists(), f"no notebook to download for {chapter.stem}"
        assert f"{chapter.stem}.ipynb" in chapter.read_text(encoding="utf-8")
    response = page.request.get(site + "_sources/chapters/01-arrays.ipynb")
    notebook = response.json()
    outputs = [o for c in notebook["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
    assert outputs, "the notebook offered for download has not been executed"


def test_the_copy_button_copies_code_without_prompts_or_outputs(open_page):
    page = open_page("chapters/01-arrays", viewport=DESKTOP)
    config = page.evaluate(
        "() => [typeof copybuttonPromptText === 'undefined' ? null : copybuttonPromptText,"
        " typeof copybuttonOnlyCopyPromptLines === 'undefined' ? null : "
        "copybuttonOnlyCopyPromptLines]"
    )
    assert config == [r">>> |\.\.\. ", True]
    copied = page.evaluate(
        "() => formatCopyText('>>> x = 1\\n... y = 2\\n3\\n>>> print(x)\\n1\\n',"
        " copybuttonPromptText, copybuttonIsRegexp, copybuttonOnlyCopyPromptLines,"
        " copybuttonRemovePrompts, copybuttonCopyEmptyLines, copybuttonLineContinuationChar,"
        " copybuttonHereDocDelim)"
    )
    assert copied == "x = 1\ny = 2\nprint(x)"
    plain = page.evaluate(
        "() => formatCopyText('import numpy as np\\nnp.ones(3)', copybuttonPromptText,"
        " copybuttonIsRegexp, copybuttonOnlyCopyPromptLines, copybuttonRemovePrompts,"
        " copybuttonCopyEmptyLines, copybuttonLineContinuationChar, copybuttonHereDocDelim)"
    )
    assert plain == "import numpy as np\nnp.ones(3)", "code without prompts is copied whole"


# -- MathJax, figures, dark mode -----------------------------------------------------------------


@pytest.mark.parametrize("name", SHOWCASE)
def test_math_is_typeset_by_the_vendored_mathjax(open_page, name, site):
    page = open_page(name, viewport=DESKTOP)
    src = page.eval_on_selector('script[src*="tex-chtml"]', "s => s.src")
    assert src.startswith(site + "_static/"), f"MathJax comes from {src}"
    assert page.locator("mjx-container").count() > 0, "no typeset math on the page"
    assert page.locator("mjx-merror").count() == 0, "MathJax reported an error"
    prose = page.evaluate(
        "() => { const m = document.querySelector('main').cloneNode(true);"
        " m.querySelectorAll('pre, script, style, mjx-container, .cell').forEach(e => e.remove());"
        " return m.innerText; }"
    )
    assert not re.search(r"\\(frac|partial|sum|lVert|operatorname)\b", prose), "raw TeX in text"
    assert "_F" not in prose.replace("_Figures", ""), "a stray subscript printed as text"


def test_every_chapter_shows_a_figure(open_page):
    chapters = sorted(p for p in PAGES if p.startswith("chapters/"))
    bare = [p for p in chapters if p.split("/")[1] not in NO_FIGURE and "<img" not in _html(p)]
    assert chapters
    assert not bare, f"chapters without a figure on the page: {bare}"


def _html(name: str) -> str:
    return (HTML / f"{name}.html").read_text(encoding="utf-8")


def test_generated_tables_render_as_tables(open_page):
    page = open_page("chapters/05-layouts", viewport=DESKTOP)
    assert page.locator("main table").count() > 0
    assert "| y by x |" not in page.inner_text("main")


@pytest.mark.parametrize("name", ["chapters/01-arrays", "chapters/05-layouts"])
def test_charts_are_readable_in_dark_mode(open_page, name):
    """On the dark page a chart has no light box of its own: its corner is transparent, so the
    page's dark background shows through, and its ink is mid-grey or coloured, never black."""
    page = open_page(name, viewport=DESKTOP, dark=True)
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    img = page.locator("main div.cell_output img").first
    img.scroll_into_view_if_needed()
    pixels = img.evaluate(PIXELS)
    assert pixels["corner_alpha"] == 0, "the chart draws its own background"
    assert pixels["background"] < 80, "the page behind the chart is not dark"
    assert pixels["ink"] > 0, "the chart has no visible ink"
    assert pixels["black_ink"] < 0.05 * pixels["ink"], "the chart is drawn in black ink"
    _shot(page, f"dark-{name}")


#: The image's own pixels (read through a canvas; the image is same-origin): the alpha of its
#: corner, the share of opaque pixels that are near black, and the page background's lightness.
PIXELS = r"""img => {
  const c = document.createElement('canvas');
  c.width = img.naturalWidth; c.height = img.naturalHeight;
  const ctx = c.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const d = ctx.getImageData(0, 0, c.width, c.height).data;
  let ink = 0, black = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (d[i + 3] > 200) { ink++; if (d[i] + d[i + 1] + d[i + 2] < 120) black++; }
  }
  let e = img, bg = 'rgba(0, 0, 0, 0)';
  while (e && /rgba\(0, 0, 0, 0\)|transparent/.test(bg)) {
    bg = getComputedStyle(e).backgroundColor; e = e.parentElement;
  }
  const rgb = bg.match(/\d+/g).slice(0, 3).map(Number);
  return {corner_alpha: d[3], ink: ink, black_ink: black,
          background: (rgb[0] + rgb[1] + rgb[2]) / 3};
}"""


# -- the performance page ------------------------------------------------------------------------


def test_the_performance_page_lists_its_sections_in_the_sidebar(open_page):
    page = open_page("chapters/12-performance", viewport=DESKTOP)
    toc = page.locator(".bd-toc-nav a").all_inner_texts()
    for heading in ("What is measured", "Gradients", "Hessians", "Deriving, against SymPy"):
        assert any(heading in t for t in toc), f"{heading!r} is not in the sidebar: {toc}"
