"""Golden diffs: one pair of files per change (tests/cases/diff/<name>/), with the expected
code, class and sentence of every change; and both directions of each pair."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from sladsl.changes import SWAPPED, diff_agreements
from sladsl.changes.codes import CODES
from sladsl.language import ast
from sladsl.language.front_end import check_source

from ..conftest import ROOT

CASES = sorted(p for p in (ROOT / "tests" / "cases" / "diff").iterdir() if p.is_dir())


def _load(path: Path) -> ast.Agreement:
    agreement, diagnostics = check_source(path.read_text(encoding="utf-8"))
    assert agreement is not None
    assert not [d for d in diagnostics if d.is_error], (path, diagnostics)
    return agreement


def _diff(case: Path, backwards: bool = False) -> list[dict[str, str]]:
    old, new = _load(case / "old.sla"), _load(case / "new.sla")
    if backwards:
        old, new = new, old
    found = diff_agreements(old, new)
    return [{"code": c.code, "class": c.kind, "sentence": c.sentence} for c in found.changes]


def test_there_is_a_case_for_each_class_of_change() -> None:
    classes = Counter(c["class"] for case in CASES for c in json.loads((case / "expected.json").read_text()))
    assert set(classes) == {"adverse", "favourable", "neutral", "adverse-or-favourable"}
    assert len(CASES) >= 80


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_golden(case: Path) -> None:
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    assert _diff(case) == expected


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_every_code_is_in_the_catalogue_with_its_class(case: Path) -> None:
    for change in _diff(case) + _diff(case, backwards=True):
        assert change["code"] in CODES, change
        assert CODES[change["code"]][0] == change["class"], change


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_swapping_old_and_new_swaps_adverse_and_favourable(case: Path) -> None:
    forward = Counter(SWAPPED[c["class"]] for c in _diff(case))
    backward = Counter(c["class"] for c in _diff(case, backwards=True))
    assert forward == backward
    assert len(_diff(case)) == len(_diff(case, backwards=True))


def test_a_case_named_for_a_code_reports_that_code() -> None:
    """Where a case is named after a code, that code is what it finds (guards the generator)."""
    for case in CASES:
        if case.name in CODES:
            codes = [c["code"] for c in _diff(case)]
            assert case.name in codes, (case.name, codes)


def test_the_example_of_the_issue() -> None:
    case = ROOT / "tests" / "cases" / "diff" / "target-lowered"
    (change,) = _diff(case)
    assert change == {
        "code": "target-lowered",
        "class": "adverse",
        # 0.05% of a 30-day month (2,592,000 s) is 1,296 s
        "sentence": "The monthly availability target of Compute on plan Premium is lowered from 99.95% to 99.9%: "
        "21 minutes 36 seconds more downtime allowed in a 30-day month.",
    }
