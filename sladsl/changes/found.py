"""The list of changes a comparison builds, and the helpers every comparison shares: a change
graded by the direction a value moved, and the plans each clause applies to on both sides."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from sladsl.changes.model import ADVERSE, DEPENDS, FAVOURABLE, NEUTRAL, Change, lines
from sladsl.changes.words import on_plans, written
from sladsl.documents.phrases import Context
from sladsl.language import ast

T = TypeVar("T")


def one_side(a: T | None, b: T | None) -> tuple[bool, T]:
    """For a term only one version has: (added, the term), added when the new version has it."""
    node = b if b is not None else a
    assert node is not None, "one_side needs one of the two"
    return b is not None, node


@dataclass(frozen=True, slots=True)
class PlanPair:
    """One plan as each side knows it: the plan's name there (None: the side has no plans)."""

    old: str | None
    new: str | None

    @property
    def label(self) -> str | None:
        return self.new if self.new is not None else self.old


@dataclass(slots=True)
class Found:
    old: ast.Agreement
    new: ast.Agreement
    changes: list[Change] = field(default_factory=list)

    @property
    def context(self) -> Context:
        return Context(zone=self.new.timezone)

    def add(self, code: str, kind: str, sentence: str, where: str, old: Any = None, new: Any = None) -> None:
        self.changes.append(Change(code, kind, sentence, where, lines(old), lines(new), written(old), written(new)))

    def toggled(
        self, stem: str, added: bool, kind_if_added: str, sentence: str, where: str, old: Any, new: Any
    ) -> None:
        """A term that one side has and the other has not: `STEM-added` with `kind_if_added`,
        or `STEM-removed` with the opposite class (adverse and favourable swap)."""
        opposite = {ADVERSE: FAVOURABLE, FAVOURABLE: ADVERSE}[kind_if_added]
        code, kind = (f"{stem}-added", kind_if_added) if added else (f"{stem}-removed", opposite)
        self.add(code, kind, sentence, where, old, new)

    def graded(
        self,
        moved: int | None,
        better_when_higher: bool,
        codes: tuple[str, str, str],
        sentence: Callable[[str], str] | str,
        where: str,
        old: Any,
        new: Any,
    ) -> None:
        """A change along one axis: `moved` is 1 (new is higher), -1 (lower), 0 (no change)
        or None (only the data can tell); `codes` are (raised, lowered, changed) and
        `sentence(verb)` says it with "raised", "lowered" or "changed" (a string: its `{verb}`
        replaced)."""
        if isinstance(sentence, str):
            template = sentence

            def sentence(verb: str) -> str:
                return template.replace("{verb}", verb)

        if moved == 0:
            return
        if moved is None:
            self.add(codes[2], DEPENDS, sentence("changed"), where, old, new)
            return
        up = moved > 0
        kind = FAVOURABLE if up == better_when_higher else ADVERSE
        self.add(codes[0] if up else codes[1], kind, sentence("raised" if up else "lowered"), where, old, new)

    def plans(self) -> list[PlanPair]:
        """The plans a per-plan comparison walks: those of both sides (a plan only one side
        has is reported as added or removed, not compared)."""
        old, new = self.old.plans, self.new.plans
        if not old and not new:
            return [PlanPair(None, None)]
        if not old:
            return [PlanPair(None, p) for p in new]
        if not new:
            return [PlanPair(p, None) for p in old]
        return [PlanPair(p, p) for p in new if p in old]

    def plan_words(self, labels: list[str | None]) -> str:
        """` on plan Premium`; nothing where the clause applies to every plan compared."""
        every = [p.label for p in self.plans()]
        if set(labels) >= set(every):
            return ""
        return on_plans([label for label in labels if label is not None])


def per_plan(
    found: Found, pick: Callable[[str | None, bool], T | None]
) -> list[tuple[T | None, T | None, list[str | None]]]:
    """The clause `pick(plan, new_side)` gives each plan on both sides, grouped so that a clause
    that applies to several plans is compared once (with the plans it applies to)."""
    groups: dict[tuple[int, int], tuple[T | None, T | None, list[str | None]]] = {}
    for pair in found.plans():
        old, new = pick(pair.old, False), pick(pair.new, True)
        if old == new:
            continue
        key = (id(old), id(new))
        groups.setdefault(key, (old, new, []))[2].append(pair.label)
    return list(groups.values())


def by_name(items: Iterable[T], key: Callable[[T], Any]) -> dict[Any, T]:
    found: dict[Any, T] = {}
    for item in items:
        found.setdefault(key(item), item)
    return found


def matched(old: Sequence[T], new: Sequence[T], same: Callable[[T], Any]) -> tuple[list[tuple[T, T]], list[T], list[T]]:
    """Pairs of clauses: first those with the same `same` key, then what is left in order when
    both sides have as many left; the rest are removed (old) and added (new)."""
    left_old, left_new = list(old), list(new)
    pairs: list[tuple[T, T]] = []
    for item in list(left_old):
        twin = next((n for n in left_new if same(n) == same(item)), None)
        if twin is not None:
            pairs.append((item, twin))
            left_old.remove(item)
            left_new.remove(twin)
    if len(left_old) == len(left_new):
        pairs.extend(zip(left_old, left_new, strict=True))
        left_old, left_new = [], []
    return pairs, left_old, left_new


def order_only(
    found: Found, old: Sequence[Any], new: Sequence[Any], where: str, block_old: Any, block_new: Any
) -> None:
    """The same clauses in another order: neutral, and said so."""
    if tuple(old) != tuple(new) and Counter(old) == Counter(new):
        found.add(
            "order-changed",
            NEUTRAL,
            f"The clauses of {where} are in another order; their meaning is the same.",
            where,
            block_old,
            block_new,
        )


def prose(found: Found, old: Sequence[Any], new: Sequence[Any], where: str) -> None:
    """Prose (`text`) paragraphs of one block: never a rule, so any edit is neutral."""
    before = [s for s in old if isinstance(s, ast.Text)]
    after = [s for s in new if isinstance(s, ast.Text)]
    if before != after:
        first_old = before[0] if before else None
        first_new = after[0] if after else None
        found.add(
            "prose-changed",
            NEUTRAL,
            f"The prose of {where} is edited; prose is not a rule, so no promise changes.",
            where,
            first_old,
            first_new,
        )


def direction(old: Decimal, new: Decimal) -> int:
    return (new > old) - (new < old)
