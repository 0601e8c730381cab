"""The errata table of the sources (book/chapters/_errata.py): its integrity, and every check.

The appendix page runs the same checks while the book builds; here they run in the fast test
loop, so a change to the library that breaks an erratum's check is caught without a book build.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

PATH = Path(__file__).resolve().parent.parent / "book" / "chapters" / "_errata.py"


def _load():
    spec = importlib.util.spec_from_file_location("_errata", PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("_errata", module)
    spec.loader.exec_module(module)
    return module


E = _load()
IDS = [entry.id for entry in E.ERRATA]


def test_identifiers_are_unique_and_follow_the_source_prefix():
    assert len(set(IDS)) == len(IDS)
    for entry in E.ERRATA:
        assert re.fullmatch(E.PREFIX[entry.source] + r"[1-9][0-9]*", entry.id), entry.id


def test_every_source_has_entries_and_real_errors():
    for source in E.SOURCES:
        entries = [e for e in E.ERRATA if e.source == source]
        assert entries, source
        assert any(e.status == "error" for e in entries), source


@pytest.mark.parametrize("entry", E.ERRATA, ids=IDS)
def test_entry_fields_are_consistent(entry):
    assert entry.source in E.SOURCES
    assert entry.location.strip()
    assert entry.printed.strip()
    assert entry.note.strip()
    assert entry.status in E.STATUSES
    if entry.status == "error":
        assert entry.kind in E.KINDS, entry.kind
        assert entry.corrected, "an error needs its correction"
    else:
        assert entry.kind is None, "only errors have a kind"
    if entry.status == "correct":
        assert entry.corrected is None
        assert entry.check is not None, "a formula listed as correct must be checked"
    if entry.status == "garbled":
        assert entry.source == "mit6390", "only the PDF extraction garbles"
        assert entry.corrected
    if entry.extraction_possible:
        assert entry.source == "mit6390"
        assert entry.status == "error"
    # pipes would split the appendix's Markdown table cells
    assert "|" not in entry.printed + (entry.corrected or "")


def test_only_spelling_slips_and_garbled_letters_go_unchecked():
    # issue: every erratum that states or implies something computable carries a check
    unchecked = [e for e in E.ERRATA if e.check is None]
    for entry in unchecked:
        assert entry.kind == "typo" or entry.status == "garbled", entry.id
    assert len(unchecked) <= 11, [e.id for e in unchecked]


@pytest.mark.parametrize(
    "entry",
    [e for e in E.ERRATA if e.check is not None],
    ids=[e.id for e in E.ERRATA if e.check is not None],
)
def test_check_has_the_parts_its_status_needs(entry):
    check = entry.check
    assert isinstance(check, (E.Derivative, E.Identity, E.Snippet))
    has_printed, has_corrected = bool(check.printed), bool(check.corrected)
    if entry.status == "correct":
        assert has_printed
        assert not has_corrected
    elif entry.status == "garbled":
        assert has_corrected
        assert not has_printed
    else:
        assert has_corrected, "an error's correction must be checked when the error is"


@pytest.mark.parametrize("entry", E.ERRATA, ids=IDS)
def test_check_runs_as_the_table_says(entry):
    outcome = E.run_check(entry)  # raises ErrataTableError on any contradiction
    if entry.check is None:
        assert outcome == E.Outcome(None, None)
        return
    if entry.status == "correct":
        assert outcome.printed.startswith("passes")
    if entry.status == "error" and entry.check.printed:
        assert outcome.printed.startswith("fails: ")
    if entry.check.corrected:
        assert outcome.corrected.startswith("passes")


def test_the_runner_refuses_a_wrong_formula_listed_as_correct():
    planted = E.Erratum(
        "umass",
        "planted",
        "x",
        "correct",
        "planted",
        check=E.Derivative("x @ A @ x", "x", {"x": (3,), "A": (3, 3)}, printed="2 * A @ x"),
        id="U0",
    )
    with pytest.raises(E.ErrataTableError, match="does not pass"):
        E.run_check(planted)


def test_the_runner_refuses_a_right_formula_listed_as_wrong():
    planted = E.Erratum(
        "umass",
        "planted",
        "x",
        "error",
        "planted",
        corrected="y",
        kind="sign",
        check=E.Derivative(
            "x @ A @ x",
            "x",
            {"x": (3,), "A": (3, 3)},
            printed="(A + A.T) @ x",
            corrected="(A + A.T) @ x",
        ),
        id="U0",
    )
    with pytest.raises(E.ErrataTableError, match="passes its check"):
        E.run_check(planted)


def test_the_runner_refuses_a_failing_correction():
    planted = E.Erratum(
        "umass",
        "planted",
        "x",
        "error",
        "planted",
        corrected="y",
        kind="transpose",
        check=E.Snippet(
            "def printed():\n    assert False, 'no'\ndef corrected():\n    assert False, 'no'\n"
        ),
        id="U0",
    )
    with pytest.raises(E.ErrataTableError, match="correction fails"):
        E.run_check(planted)


def test_the_known_errata_of_the_chapters_are_in_the_table():
    # chapter 4: the repeated ∂L/∂w00; chapter 8: MIT A.81 and A.82
    located = {(e.source, e.location) for e in E.ERRATA if e.status == "error"}
    assert ("cv", "question, first matrix") in located
    assert ("mit6390", "A.81") in located
    assert ("mit6390", "A.82") in located
