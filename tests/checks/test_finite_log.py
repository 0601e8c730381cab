"""The check log hook: every passing check is reported to it, and nothing happens without it."""

from __future__ import annotations

import runpy
from pathlib import Path

import numpy as np
import pytest

import matderiv as md
import matderiv.checks as mc
from matderiv.checks.report import CheckRecord

SHAPES = {"A": (3, 3), "x": (3,)}
BOOK = Path(__file__).resolve().parents[2] / "book"


@pytest.fixture
def seen():
    """Records handed to the hook during the test; the previous hook is restored after."""
    records: list[CheckRecord] = []
    previous = mc.set_check_log(records.append)
    yield records
    mc.set_check_log(previous)


@pytest.fixture
def no_hook():
    previous = mc.set_check_log(None)
    yield
    mc.set_check_log(previous)


CHECKS = [
    pytest.param(lambda: md.check_derivative("x @ A @ x", "(A + A.T) @ x", wrt="x", shapes=SHAPES), ("derivative", "x", "full", "d/dx", None), id="full"),
    pytest.param(lambda: md.check_derivative("A @ x", "A", wrt="x", shapes=SHAPES, method="directional", rng=4), ("derivative", "x", "directional", "d/dx", None), id="directional"),
    pytest.param(lambda: md.check_derivative("x @ A @ x", "(A + A.T) @ x", wrt="x", shapes=SHAPES, method="exact"), ("derivative", "x", "exact", "d/dx", "A 3×3, x 3"), id="exact"),
    pytest.param(lambda: md.derive("x @ A @ x", "x", shapes=SHAPES).check(), ("derivative", "x", "full", "d/dx", None), id="Derivative.check"),
    pytest.param(lambda: md.check_identity("tr(A @ B)", "tr(B @ A)", {"A": (2, 3), "B": (3, 2)}), ("identity", None, "identity", "identity", None), id="identity"),
    pytest.param(lambda: md.check_identity("tr(A @ B)", "tr(B @ A)", {"A": (2, 3), "B": (3, 2)}, method="exact"), ("identity", None, "exact", "identity", "A 2×3, B 3×2"), id="identity-exact"),
]  # fmt: skip


@pytest.mark.parametrize(("run", "expected"), CHECKS)
def test_every_passing_check_hands_one_record_to_the_hook(seen, run, expected):
    report = run()
    assert len(seen) == 1
    record = seen[0]
    assert (record.kind, record.wrt, record.method, record.what, record.instance) == expected
    assert record.report is report
    assert (record.max_abs_error, record.max_rel_error, record.seed) == (
        report.max_abs_error,
        report.max_rel_error,
        report.seed,
    )


def test_the_record_names_the_seed_of_the_check(seen):
    md.check_derivative("A @ x", "A", wrt="x", shapes=SHAPES, rng=11)
    md.check_derivative("A @ x", "A", wrt="x", shapes=SHAPES, rng=np.random.default_rng(1))
    assert [r.seed for r in seen] == [11, None]


FAILING = [
    pytest.param(lambda: md.check_derivative("x @ A @ x", "2 * A @ x", wrt="x", shapes=SHAPES), AssertionError, r"^derivative check failed \(full, seed 0\)", id="wrong-derivative"),
    pytest.param(lambda: md.check_derivative("A @ x", "A.T", wrt="x", shapes=SHAPES, method="exact"), AssertionError, r"^exact check failed \(seed 0\)", id="wrong-exact"),
    pytest.param(lambda: md.check_identity("tr(A)", "2 * tr(A)", {"A": (2, 2)}), AssertionError, r"^identity check failed \(seed 0\)", id="wrong-identity"),
    pytest.param(lambda: md.check_derivative("x @ A @ x", "2 * A @ x", shapes=SHAPES), md.ShapeError, r"^check_derivative needs wrt=", id="usage-error"),
]  # fmt: skip


@pytest.mark.parametrize(("run", "error", "message"), FAILING)
def test_a_check_that_fails_records_nothing(seen, run, error, message):
    with pytest.raises(error, match=message):
        run()
    assert seen == []


def test_without_a_hook_a_check_has_no_side_effect(no_hook, tmp_path, monkeypatch):
    """The library reads no environment variable and writes no file: the variable the book
    used to set is ignored."""
    log = tmp_path / "checks.log"
    monkeypatch.setenv("MATDERIV_CHECK_LOG", str(log))
    monkeypatch.chdir(tmp_path)
    md.check_derivative("x @ A @ x", "(A + A.T) @ x", wrt="x", shapes=SHAPES)
    md.check_identity("tr(A @ B)", "tr(B @ A)", {"A": (2, 3), "B": (3, 2)})
    assert list(tmp_path.iterdir()) == []


def test_setting_a_hook_returns_the_previous_one_and_none_unsets_it(no_hook):
    first: list[CheckRecord] = []
    second: list[CheckRecord] = []
    assert mc.set_check_log(first.append) is None
    assert mc.set_check_log(second.append) == first.append
    md.check_derivative("A @ x", "A", wrt="x", shapes=SHAPES)
    assert mc.set_check_log(None) == second.append
    md.check_derivative("A @ x", "A", wrt="x", shapes=SHAPES)
    assert (len(first), len(second)) == (0, 1)


def test_a_hook_that_raises_makes_the_check_raise(no_hook):
    def broken(record: CheckRecord) -> None:
        raise OSError("disk full")

    mc.set_check_log(broken)
    with pytest.raises(OSError, match=r"^disk full$"):
        md.check_derivative("A @ x", "A", wrt="x", shapes=SHAPES)


def test_the_books_kernel_start_up_appends_one_line_per_check(no_hook, tmp_path, monkeypatch):
    """book/_kernel_startup.py, which every notebook kernel runs, sets the hook to append
    ``method<TAB>what`` to the file named by MATDERIV_CHECK_LOG (benchmarks/book_build.sh and
    the end of the build count the lines)."""
    log = tmp_path / "checks.log"
    monkeypatch.setenv("MATDERIV_CHECK_LOG", str(log))
    namespace = runpy.run_path(str(BOOK / "_kernel_startup.py"))
    assert not [name for name in namespace if not name.startswith("__")]  # nothing leaks
    md.check_derivative("x @ A @ x", "(A + A.T) @ x", wrt="x", shapes=SHAPES)
    md.check_derivative("A @ x", "A", wrt="x", shapes=SHAPES, method="directional")
    md.check_identity("tr(A @ B)", "tr(B @ A)", {"A": (2, 3), "B": (3, 2)}, method="exact")
    assert log.read_text(encoding="utf-8") == "full\td/dx\ndirectional\td/dx\nexact\tidentity\n"


def test_the_books_kernel_start_up_sets_no_hook_without_the_variable(no_hook, monkeypatch):
    monkeypatch.delenv("MATDERIV_CHECK_LOG", raising=False)
    runpy.run_path(str(BOOK / "_kernel_startup.py"))
    assert mc.set_check_log(None) is None
