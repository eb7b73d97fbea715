"""What `sladsl diff` finds: each change in meaning between two versions of an agreement.

A `Change` has a stable `code` (docs/diff.md lists every one), a `kind` for the customer
(adverse, favourable, neutral, or adverse-or-favourable where the effect depends on the
data), the source lines on both sides, and a plain-English sentence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sladsl.language import ast

ADVERSE = "adverse"
FAVOURABLE = "favourable"
NEUTRAL = "neutral"
DEPENDS = "adverse-or-favourable"
KINDS = (ADVERSE, FAVOURABLE, NEUTRAL, DEPENDS)
SCHEMA_VERSION = 1

# the kind of the same change read the other way (NEW -> OLD)
SWAPPED = {ADVERSE: FAVOURABLE, FAVOURABLE: ADVERSE, NEUTRAL: NEUTRAL, DEPENDS: DEPENDS}


def lines(node: Any) -> tuple[int, int] | None:
    """The first and last source line of a node, or None where a side has no such clause."""
    span = getattr(node, "span", None)
    if node is None or span is None or span == ast.NO_SPAN:
        return None
    return (span.line, max(span.line, span.end_line))


@dataclass(frozen=True, slots=True)
class Change:
    code: str
    kind: str
    sentence: str
    where: str  # the clause's place: "Compute / Availability / plan Premium"
    old_lines: tuple[int, int] | None = None
    new_lines: tuple[int, int] | None = None
    old: str | None = None  # the clause as written in OLD (formatted), where it has one
    new: str | None = None

    def record(self) -> dict[str, Any]:
        def span(value: tuple[int, int] | None) -> dict[str, int] | None:
            return None if value is None else {"first": value[0], "last": value[1]}

        return {
            "code": self.code,
            "class": self.kind,
            "sentence": self.sentence,
            "where": self.where,
            "old_lines": span(self.old_lines),
            "new_lines": span(self.new_lines),
            "old": self.old,
            "new": self.new,
        }


@dataclass(slots=True)
class Diff:
    """Every change from OLD to NEW, in the order of the agreement."""

    old_name: str
    new_name: str
    changes: list[Change] = field(default_factory=list)
    text_identical: bool = False

    @property
    def counts(self) -> dict[str, int]:
        return {k: sum(c.kind == k for c in self.changes) for k in KINDS}

    @property
    def meaning_changed(self) -> bool:
        return any(c.kind != NEUTRAL for c in self.changes)

    def summary(self) -> str:
        """One line: what the diff amounts to."""
        if not self.changes:
            if self.text_identical:
                return "The two versions are the same text."
            return "No change in meaning: the versions differ only in layout, comments or the order of words."
        counts = self.counts
        parts = [f"{counts[k]} {k}" for k in KINDS if counts[k]]
        total = len(self.changes)
        return f"{total} change{'s' if total != 1 else ''}: " + ", ".join(parts) + "."
