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
      // beside an equation that runs on past its box, the number hides the rest of it
      const n = eqno.getBoundingClientRect(), b = c.getBoundingClientRect();
      const sameRow = Math.min(b.bottom, n.bottom) - Math.max(b.top, n.top) > 1;
      if (sameRow && c.scrollWidth > c.clientWidth + 1) out.push(`${label}: runs under its number`);
      const overlapX = Math.min(m.right, box.right, n.right) - Math.max(m.left, n.left);
      const overlapY = Math.min(m.bottom, n.bottom) - Math.max(m.top, n.top);
      if (overlapX > 1 && overlapY > 1) out.push(`${label}: drawn over its number`);
    }
  }
  return out;
}"""


@pytest.mark.parametrize("name", PAGES)
def test_at_390_px_nothing_is_wider_than_the_screen_or_clipped(open_page, name):
    page = open_page(name)
    _shot(page, f"phone-{name}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name} is {width} px wide at {PHONE['width']} px"
    assert page.evaluate(CLIPPED) == []


@pytest.mark.parametrize("name", PAGES)
def test_math_is_typeset_by_the_vendored_mathjax(open_page, name, site):
    page = open_page(name, viewport=DESKTOP)
    scripts = page.eval_on_selector_all('script[src*="tex-chtml"]', "ss => ss.map(s => s.src)")
    if "$" in _source(name) or "{math}" in _source(name):
        assert scripts, "a page with math does not load MathJax"
    for src in scripts:
        assert src.startswith(site + "_static/"), f"MathJax comes from {src}"
        assert page.locator("mjx-container").count() > 0, "no typeset math on the page"
    assert page.locator("mjx-merror").count() == 0, "MathJax reported an error"
    prose = page.evaluate(
        "() => { const m = document.querySelector('main').cloneNode(true);"
        " m.querySelectorAll('pre, code, script, style, mjx-container, .cell').forEach(e => e.remove());"
        " return m.innerText; }"
    )
    assert not re.search(r"\\(frac|partial|sum|lVert|operatorname)\b", prose), "raw TeX in text"
    assert not re.search(r"\S_[A-Z]\b", prose), "a stray subscript printed as text"


def _source(name: str) -> str:
    """The page's Markdown source, or "" for a generated page (the index, the search page)."""
    path = ROOT / "book" / f"{name}.md"
    return path.read_text(encoding="utf-8") if path.exists() else ""


@pytest.mark.parametrize(
    ("name", "equation"),
    [
        ("chapters/01-arrays", "equation-eq-scalar-by-matrix"),
        ("chapters/03-fully-connected-en", "equation-eq-en-first"),
        ("chapters/03-fully-connected-zh", "equation-eq-zh-first"),
    ],
)
def test_a_wide_numbered_equation_gets_the_whole_width_and_fits(open_page, name, equation):
    """The old site put the number beside these equations and cut them off under it; drawn
    at the text's size below 768 px, they now fit a phone's width without scrolling."""
    page = open_page(name)
    block = page.locator(f"#{equation}")
    block.scroll_into_view_if_needed()
    _shot(page, f"phone-{name}-{equation}")
    number = block.locator(".eqno").bounding_box()
    math = block.locator("mjx-container").bounding_box()
    assert number is not None
    assert math is not None
    assert number["y"] + number["height"] <= math["y"] + 1, "the number is not above the equation"
    assert math["width"] >= PHONE["width"] - 40, "the equation does not get the whole width"
    assert block.locator("mjx-container").evaluate("c => c.scrollWidth <= c.clientWidth + 1")
    assert page.evaluate(CLIPPED) == []


def test_an_equation_wider_than_a_phone_scrolls_with_a_shadow(open_page):
    """What is still wider than the screen scrolls inside its box, and a shadow at the edge
    shows that there is more."""
    page = open_page("chapters/14-linear-maps")
    block = page.locator("#equation-lm-rules")
    block.scroll_into_view_if_needed()
    container = block.locator("mjx-container")
    assert container.evaluate("c => c.scrollWidth > c.clientWidth + 1")
    assert "gradient" in container.evaluate("c => getComputedStyle(c).backgroundImage")
    _shot(page, "phone-chapters/14-linear-maps-equation-lm-rules")
    assert page.evaluate(CLIPPED) == []


# -- languages, downloads, copying --------------------------------------------------------------


def test_the_chinese_chapter_is_marked_zh_and_links_to_its_english_twin(open_page):
    zh = open_page("chapters/03-fully-connected-zh", viewport=DESKTOP)
    assert zh.evaluate("document.documentElement.lang") == "zh"
    assert "全连接层的梯度" in zh.inner_text("main")
    # the title is laid out as a line of text (its glyphs are for a person to check on the
    # screenshot: CI installs fonts-noto-cjk)
    title = zh.locator("article h1", has_text="全连接层的梯度").first
    width = title.evaluate(
        "h => { const r = document.createRange(); r.selectNodeContents(h.firstChild);"
        " return r.getBoundingClientRect().width; }"
    )
    assert width > 150, f"the Chinese title is {width} px wide"
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
        source = ROOT / "book" / "chapters" / f"{chapter.stem}.md"
        if "file_format: mystnb" not in source.read_text(encoding="utf-8"):
            continue  # a page without code cells (the references) has no notebook
        notebook = HTML / "_sources" / "chapters" / f"{chapter.stem}.ipynb"
        assert notebook.exists(), f"no notebook to download for {chapter.stem}"
        assert f"{chapter.stem}.ipynb" in chapter.read_text(encoding="utf-8")
    response = page.request.get(site + "_sources/chapters/01-arrays.ipynb")
    notebook = response.json()
    outputs = [o for c in notebook["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
    assert outputs, "the notebook offered for download has not been executed"


def test_the_copy_button_copies_code_without_prompts_or_outputs(open_page):
    page = open_page("api", viewport=DESKTOP)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    example = page.locator("div.highlight-pycon, div.doctest").filter(has_text="...").first
    shown = example.locator("pre").inner_text()
    assert ">>> " in shown
    assert "... " in shown
    example.hover()
    example.locator("button.copybtn").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    lines = shown.splitlines()
    expected = [ln[4:] for ln in lines if ln.startswith((">>> ", "... "))]
    assert copied.splitlines() == expected, "prompts or printed output were copied"
    # a notebook cell has no prompts: it is copied whole
    page.goto(page.url.replace("api.html", "chapters/01-arrays.html"), wait_until="load")
    page.evaluate(READY)
    cell = page.locator("div.cell_input div.highlight").first
    cell.hover()
    cell.locator("button.copybtn").click()
    assert page.evaluate("navigator.clipboard.readText()") == cell.locator(
        "pre"
    ).inner_text().rstrip("\n")


# -- MathJax, figures, dark mode -----------------------------------------------------------------


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
    toc = page.locator("nav.page-toc a").all_inner_texts()
    for heading in ("What is measured", "Gradients", "Hessians", "Deriving, against SymPy"):
        assert any(heading in t for t in toc), f"{heading!r} is not in the sidebar: {toc}"


def test_the_site_stays_small():
    # issue 13: at most 25 MB with the playground, no doctrees and no source maps shipped
    files = [p for p in HTML.rglob("*") if p.is_file()]
    total = sum(p.stat().st_size for p in files)
    assert total <= 25_000_000, f"the site is {total / 1e6:.1f} MB; the budget is 25 MB"
    shipped = {p.relative_to(HTML).as_posix() for p in files}
    assert not [p for p in shipped if p.endswith(".map") or ".doctrees" in p]
    notebook = (HTML / "_sources" / "chapters" / "01-arrays.ipynb").read_text(encoding="utf-8")
    assert "image/png" not in notebook, "figures belong on the page, not in the download"
