"""r13: the work of check, plan projection and compile grows with the input, not with its
square. No clocks (the machine is shared): the work is counted, at two sizes; the times
are in `bench/bench_scale.py`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from bench.bench_scale import feeless, plans
from sladsl.language import ast
from sladsl.language.checks import check
from sladsl.language.parser import parse


@contextmanager
def _scanned(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How many statements the AST's typed views (`_all`, `_first`) scan, in total."""
    seen = [0]
    real_all, real_first = ast._all, ast._first

    def counting_all(items: tuple[object, ...], kind: type) -> Any:
        seen[0] += len(items)
        return real_all(items, kind)

    def counting_first(items: tuple[object, ...], kind: type) -> Any:
        seen[0] += len(items)
        return real_first(items, kind)

    monkeypatch.setattr(ast, "_all", counting_all)
    monkeypatch.setattr(ast, "_first", counting_first)
    yield seen
    monkeypatch.undo()


def test_checking_services_without_a_fee_scans_the_agreement_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # r13: `Agreement.fee` was asked once per service and scanned every statement each time
    work = []
    for size in (20_000, 40_000):
        agreement = parse(feeless(size))
        with _scanned(monkeypatch) as seen:
            check(agreement)
        work.append((len(agreement.services), seen[0]))
    (small_n, small), (large_n, large) = work
    assert large_n > 1.8 * small_n
    assert large / small < 1.3 * large_n / small_n, work  # quadratic would be ~2x that


class _Name(str):
    """A plan name that counts how often it is compared: `in` on a tuple compares it with
    every element, on a set with about one."""

    compared = 0

    def __eq__(self, other: object) -> bool:
        _Name.compared += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def test_projecting_every_plan_compares_each_plan_name_a_few_times() -> None:
    counts = []
    for size in (4_000, 8_000):
        agreement = parse(plans(size))
        names = [_Name(p) for p in agreement.plans]
        _Name.compared = 0
        for name in names:
            for objective in (o for s in agreement.services for o in s.objectives):
                assert objective.target_for(name) is not None
        counts.append((len(names), _Name.compared))
    (small_n, small), (large_n, large) = counts
    assert large_n > 1.8 * small_n
    assert large <= 3 * large_n, counts  # a scan of the `on plans` tuple: ~n/2 each, n^2/2 in all
    assert large / max(small, 1) < 1.3 * large_n / small_n
