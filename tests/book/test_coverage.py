"""The coverage inventory (book/chapters/_coverage.py) names real sections of the book.

The module is loaded by path (it lives beside the chapters, which import it at build time).
Every distinct ``taught_in`` target is one test case:

* a target whose file does not exist fails;
* a target with an anchor must match an explicit ``(label)=`` of that file placed right before a
  heading (so that rewording the heading does not break the link). The resolver also understands
  a heading's HTML id (docutils' ``make_id``, see ``heading_id``), and its tests keep that path
  working, but the inventory itself uses labels only.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parents[2] / "book"


def _load():
    spec = importlib.util.spec_from_file_location("_coverage", BOOK / "chapters" / "_coverage.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("_coverage", module)
    spec.loader.exec_module(module)
    return module


cov = _load()
TARGETS = sorted({e.taught_in for e in cov.ENTRIES if e.taught_in is not None})


def test_ids_are_unique():
    seen: dict[str, int] = {}
    for e in cov.ENTRIES:
        seen[e.id] = seen.get(e.id, 0) + 1
    assert not [i for i, n in seen.items() if n > 1], "duplicate ids"


@pytest.mark.parametrize("entry", cov.ENTRIES, ids=lambda e: e.id)
def test_fields_are_valid(entry):
    assert entry.source in cov.SOURCES
    assert entry.kind in cov.KINDS
    assert entry.section.strip()
    assert entry.what.strip()
    assert entry.id == entry.id.strip()
    assert " " not in entry.id
    prefix = {"mit6390": "mit-"}.get(entry.source, entry.source + "-")
    assert entry.id.startswith(prefix), f"{entry.id} should start with {prefix}"
    assert "|" not in entry.what, "a | would break the rendered table"
    assert entry.taught_in is None or isinstance(entry.taught_in, str)


def test_every_source_has_entries():
    for key in cov.SOURCES:
        assert any(e.source == key for e in cov.ENTRIES), key


def test_every_numbered_mit_equation_is_an_entry():
    ids = {e.id for e in cov.ENTRIES}
    missing = [f"mit-A.{n}" for n in range(1, 91) if f"mit-A.{n}" not in ids]
    assert not missing


@pytest.mark.parametrize("target", TARGETS)
def test_taught_in_names_an_existing_section(target):
    status, detail = cov.resolve(target, BOOK)
    assert status in ("label", "heading", "file"), detail


@pytest.mark.parametrize("target", [t for t in TARGETS if "#" in t])
def test_anchors_are_labels_before_headings(target):
    status, detail = cov.resolve(target, BOOK)
    assert status == "label", f"{target}: add a (label)= before the heading instead of its id"
    assert detail, f"{target}: the label is not followed by a heading"


# -- the resolver itself --------------------------------------------------------------------------


def test_heading_id_matches_docutils():
    nodes = pytest.importorskip("docutils.nodes")
    for text in [
        "The differential: $dL = L_Y : dY = (X^\\T L_Y) : dW$",
        "$\\partial Y/\\partial W$ has twelve entries",
        "Step 3: the inner product, reassembled",
        "keepdims, variance and layer normalisation",
        "13 reasons",
        "全连接层的梯度（中文）",
    ]:
        assert cov.heading_id(text) == nodes.make_id(text), text
    assert cov.heading_id("See [the layouts](05-layouts.md) page") == "see-the-layouts-page"


def test_resolver_reads_headings_labels_and_skips_code(tmp_path):
    chapters = tmp_path / "chapters"
    chapters.mkdir()
    (chapters / "x.md").write_text(
        "---\nfile_format: mystnb\n---\n\n# Title\n\n(my-label)=\n## A section\n\n"
        "(loose)=\nSome text.\n\n"
        "```{code-cell} python\n# not a heading\n```\n\n````{dropdown} Solution 1\n"
        "## inside a directive\n````\n\n## Twice\n\n## Twice\n",
        encoding="utf-8",
    )
    assert cov.resolve("chapters/x.md#my-label", tmp_path) == ("label", "A section")
    assert cov.resolve("chapters/x.md#loose", tmp_path) == ("label", "")
    assert cov.resolve("chapters/x.md#a-section", tmp_path) == ("heading", "A section")
    assert cov.resolve("chapters/x.md#title", tmp_path)[0] == "heading"
    assert cov.resolve("chapters/x.md", tmp_path) == ("file", "")
    for bad in [
        "chapters/x.md#not-a-heading",
        "chapters/x.md#inside-a-directive",
        "chapters/x.md#twice",
        "chapters/missing.md",
        "x.md",
    ]:
        assert cov.resolve(bad, tmp_path)[0] == "error", bad
    assert cov.resolve(None, tmp_path) == ("none", "")
