"""diff(A, A) and diff(A, fmt(A)) are empty: for every sample, and for fuzzed agreements
(bench/fuzz_campaign.py's `fuzzed`) that check without errors."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.fuzz_campaign import fuzzed
from sladsl.changes import diff_agreements
from sladsl.language.formatter import format_source
from sladsl.language.front_end import check_source

from ..conftest import ROOT, SAMPLES

SOURCES = [
    *SAMPLES,
    *sorted((ROOT / "tests" / "cases" / "draft3").glob("*.sla")),
    ROOT / "tests" / "changes" / "base.sla",
]


def _same_meaning(text: str) -> bool:
    """Whether the property holds for `text` (True for a text that is not a clean agreement)."""
    agreement, diagnostics = check_source(text)
    if agreement is None or any(d.is_error for d in diagnostics):
        return True
    again, _ = check_source(text)
    assert again is not None
    assert diff_agreements(agreement, again).changes == []
    formatted = format_source(text)
    reformatted, diagnostics = check_source(formatted)
    assert reformatted is not None
    assert diff_agreements(agreement, reformatted).changes == []
    assert diff_agreements(reformatted, agreement).changes == []
    return False


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_a_file_against_itself_and_its_formatting(path) -> None:  # type: ignore[no-untyped-def]
    assert _same_meaning(path.read_text(encoding="utf-8")) is False


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=2**32))
def test_fuzzed_agreements_have_no_change_against_themselves(seed: int) -> None:
    _same_meaning(fuzzed(random.Random(seed)))


def test_the_fuzzer_gives_clean_agreements_often_enough() -> None:
    """The property test means something only if many fuzzed sources are clean agreements."""
    clean = sum(not _same_meaning(fuzzed(random.Random(seed))) for seed in range(200))  # 31 of 200 when written
    assert clean >= 25, clean


def _clean(text: str):  # type: ignore[no-untyped-def]
    agreement, diagnostics = check_source(text)
    if agreement is None or any(d.is_error for d in diagnostics):
        return None
    return agreement


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=2**32))
def test_any_two_agreements_diff_into_catalogued_codes_that_swap(seed: int) -> None:
    """Two different clean agreements (a fuzzed one against a sample, or two fuzzed ones):
    the diff never fails, every code is in the catalogue with its class, and reading it
    backwards swaps adverse and favourable."""
    from collections import Counter

    from sladsl.changes import SWAPPED
    from sladsl.changes.codes import CODES

    rng = random.Random(seed)
    a = _clean(fuzzed(rng))
    b = _clean(fuzzed(rng)) if rng.random() < 0.5 else _clean(rng.choice(SOURCES).read_text(encoding="utf-8"))
    if a is None or b is None:
        return
    forward, backward = diff_agreements(a, b).changes, diff_agreements(b, a).changes
    for change in (*forward, *backward):
        assert CODES[change.code][0] == change.kind, change
        assert change.sentence
    assert Counter(SWAPPED[c.kind] for c in forward) == Counter(c.kind for c in backward)
