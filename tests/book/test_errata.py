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

PATH = Path(__file__).resolve().parents[2] / "book" / "chapters" / "_errata.py"


def _load():
    spec = importlib.util.spec_from_file_location("_errata", PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("_errata", module)
    spec.loader.exec_module(module)
    return module


E = _load()
IDS = [entry.id for entry in E.ERRATA]
TEXTUAL = [e for e in E.ERRATA if isinstance(e.check, E.Text)]
COMPUTED = [e for e in E.ERRATA if e.check is not None and not isinstance(e.check, E.Text)]
SOURCES = E.source_dir()
needs_sources = pytest.mark.skipif(
    SOURCES is None,
    reason="the source texts (../shared/sources beside the repository, or $MATDERIV_SOURCES) "
    "are not present, so the slips of wording cannot be compared with them",
)


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


def test_every_entry_is_checked():
    # issue 11: every errata entry is checked; nothing goes unchecked
    unchecked = [e.id for e in E.ERRATA if e.check is None]
    assert not unchecked, unchecked


def test_only_slips_of_wording_are_checked_against_the_text_alone():
    # whatever states or implies something computable is checked by computation; a textual
    # check is for a slip of spelling or grammar, or a letter swapped by the PDF extraction
    for entry in TEXTUAL:
        assert entry.kind == "typo" or entry.status == "garbled", entry.id
        assert entry.check.found or entry.check.unique, entry.id
        for wording in (*entry.check.found, *entry.check.unique):
            # the printed slip is quoted, never a long passage of the source
            assert len(wording.split()) <= 5, (entry.id, wording)


@pytest.mark.parametrize("entry", COMPUTED, ids=[e.id for e in COMPUTED])
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
    if isinstance(entry.check, E.Text):
        expected = E.TEXT_NOT_RUN if SOURCES is None else "found in the source text"
        assert outcome.printed is None
        assert outcome.corrected is None
        assert outcome.text.startswith(expected), outcome
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


@needs_sources
@pytest.mark.parametrize("entry", TEXTUAL, ids=[e.id for e in TEXTUAL])
def test_slips_of_wording_are_in_the_source_as_transcribed(entry):
    outcome = E.run_check(entry, sources=SOURCES)
    assert outcome.text.startswith("found in the source text"), outcome


@needs_sources
@pytest.mark.parametrize(
    ("check", "message"),
    [
        pytest.param(E.Text(found=("Kronicker delta",)), "not in the source", id="misquoted"),
        pytest.param(E.Text(unique=("delta",)), "not once", id="not-unique"),
        pytest.param(
            E.Text(found=("Kronocker delta",), absent=("Kronecker delta",)),
            "is in the source",
            id="correction-present",
        ),
    ],
)
def test_the_runner_refuses_an_unfaithful_transcription(check, message):
    planted = E.Erratum(
        "umass",
        "planted",
        "x",
        "error",
        "planted",
        corrected="y",
        kind="typo",
        check=check,
        id="U0",
    )
    with pytest.raises(E.ErrataTableError, match=message):
        E.run_check(planted, sources=SOURCES)


def test_without_the_source_texts_a_textual_check_says_who_checks_it(tmp_path):
    # a user builds the book without ../shared: the appendix must still build
    for entry in TEXTUAL:
        assert E.run_check(entry, sources=None).text == E.TEXT_NOT_RUN
        assert E.run_check(entry, sources=tmp_path).text == E.TEXT_NOT_RUN


def test_the_known_errata_of_the_chapters_are_in_the_table():
    # chapter 4: the repeated ∂L/∂w00; chapter 8: MIT A.81 and A.82
    located = {(e.source, e.location) for e in E.ERRATA if e.status == "error"}
    assert ("cv", "question, first matrix") in located
    assert ("mit6390", "A.81") in located
    assert ("mit6390", "A.82") in located
