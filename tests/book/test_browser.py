"""The built book in a real browser: math is typeset by the vendored MathJax, the Chinese chapter
renders, and screenshots are saved to test-artifacts/ for a person to look at.

Skipped when Chromium is not installed or the book has not been built (CI installs Debian's
``chromium`` and ``fonts-noto-cjk`` and builds the book first).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "book" / "_build" / "html"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = ROOT / "test-artifacts"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed"),
    pytest.mark.skipif(not (HTML / "index.html").exists(), reason="the book has not been built"),
]

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--virtual-time-budget=20000",
]  # fmt: skip

PAGES = [
    "index",
    "chapters/02-index-notation",
    "chapters/03-fully-connected-zh",
    "chapters/05-layouts",
    "chapters/11-catalogue",
    "chapters/14-linear-maps",
    "chapters/16-second-derivatives",
]

#: Pages that are generated reference material, not chapters with a figure of their own.
NO_FIGURE = {"appendix-coverage", "appendix-errata", "references"}


def test_every_chapter_shows_a_figure():
    """A figure cell that draws but never reaches the page (a backend without inline output)
    still builds: look for the images in the HTML instead."""
    chapters = sorted((HTML / "chapters").glob("*.html"))
    assert chapters
    bare = [p.stem for p in chapters if p.stem not in NO_FIGURE and "<img" not in p.read_text()]
    assert not bare, f"chapters without a figure on the page: {bare}"


def _chromium(page: str, tmp_path: Path, *args: str) -> str:
    url = (HTML / f"{page}.html").as_uri()
    r = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args, url],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr[-2000:]
    return r.stdout


@pytest.mark.parametrize("page", PAGES)
def test_math_is_typeset_with_the_vendored_mathjax(page, tmp_path):
    dom = _chromium(page, tmp_path, "--dump-dom")
    assert "_static/es5/tex-chtml.js" in dom, "the page does not load the vendored MathJax"
    assert dom.count("<mjx-container") > 0, "no typeset math on the page"
    assert "<mjx-merror" not in dom, "MathJax reported an error"
    # prose only: code (shown or folded away under hide-input) may hold TeX strings for labels
    prose = re.sub(r"<(script|style|pre)\b.*?</\1>", " ", dom, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", prose)
    assert not re.search(r"\\(frac|partial|sum)\b", text), "raw TeX left in the text"


def test_generated_tables_render_as_tables(tmp_path):
    dom = _chromium("chapters/05-layouts", tmp_path, "--dump-dom")
    assert "<table" in dom
    assert "| y by x |" not in dom  # a table printed as raw Markdown pipes


def test_chinese_chapter_renders_and_screenshots_are_saved(tmp_path):
    dom = _chromium("chapters/03-fully-connected-zh", tmp_path, "--dump-dom")
    assert "全连接层的梯度" in dom
    assert "术语对照表" in dom
    ARTIFACTS.mkdir(exist_ok=True)
    for page in PAGES:
        shot = ARTIFACTS / (page.replace("/", "_") + ".png")
        _chromium(page, tmp_path, f"--screenshot={shot}", "--window-size=1280,1800")
        assert shot.stat().st_size > 20_000  # a rendered page, not a blank one
