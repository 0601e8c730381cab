"""Displayed equations at a phone's width (390 px), on every page of the built book: no equation
number overlaps its equation, and an equation wider than the screen scrolls inside its own box
with a visible scroll shadow. Each page's counts go to test-artifacts/equations/ (how many
display equations, how many still scroll) for the report; they are not asserted, the overlap is.

Uses the fixtures of test_site.py: 127.0.0.1 only, other requests aborted and asserted absent,
pages read once MathJax has typeset them (ready flags, no sleeps).
"""

from __future__ import annotations

import json

import pytest

from tests.browser import test_site
from tests.browser.test_site import ARTIFACTS, PAGES

pytestmark = test_site.pytestmark

#: Per display equation: does it scroll, and does its number's box meet the equation's box?
EQUATIONS = """() => Array.from(document.querySelectorAll('mjx-container[display="true"]'), c => {
  const div = c.closest('div.math');
  const eqno = div && div.querySelector(':scope > .eqno');
  const b = c.getBoundingClientRect();
  let overlaps = false, visible = true;
  if (eqno) {
    const n = eqno.getBoundingClientRect();
    overlaps = Math.min(b.right, n.right) - Math.max(b.left, n.left) > 0.5
      && Math.min(b.bottom, n.bottom) - Math.max(b.top, n.top) > 0.5;
    visible = n.left >= -0.5 && n.right <= document.documentElement.clientWidth + 0.5;
  }
  const shadow = getComputedStyle(c).backgroundImage.includes('gradient');
  return {label: (div && div.id) || (c.closest('[id]') || {}).id || '', numbered: !!eqno,
          scrolls: c.scrollWidth > c.clientWidth + 1, overlaps, visible, shadow};
})"""


@pytest.mark.parametrize("name", PAGES)
def test_at_390_px_no_equation_number_overlaps_its_equation(open_page, name):
    page = open_page(name)
    equations = page.evaluate(EQUATIONS)
    out = ARTIFACTS / "equations"
    out.mkdir(parents=True, exist_ok=True)
    counts = {
        "display": len(equations),
        "numbered": sum(e["numbered"] for e in equations),
        "scrolling": sum(e["scrolls"] for e in equations),
    }
    (out / (name.replace("/", "_") + ".json")).write_text(json.dumps(counts) + "\n")
    assert [e["label"] for e in equations if e["overlaps"]] == [], "a number over its equation"
    assert [e["label"] for e in equations if not e["visible"]] == [], "a number off the screen"
    # what still scrolls shows that it does
    assert [e["label"] for e in equations if e["scrolls"] and not e["shadow"]] == []
