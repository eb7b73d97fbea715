"""`sladsl diff` as text (the default) and as JSON (`sladsl/schemas/diff.schema.json`)."""

from __future__ import annotations

import json
from typing import Any

from sladsl.changes.model import ADVERSE, DEPENDS, FAVOURABLE, KINDS, NEUTRAL, SCHEMA_VERSION, Change, Diff
from sladsl.changes.replay import Replay

_MARKS = {ADVERSE: "-", FAVOURABLE: "+", NEUTRAL: "=", DEPENDS: "~"}


def _lines(value: tuple[int, int] | None) -> str:
    if value is None:
        return "-"
    first, last = value
    return f"{first}" if first == last else f"{first}-{last}"


def text_report(diff: Diff, replay: Replay | None = None) -> str:
    out = [f"sladsl diff {diff.old_name} -> {diff.new_name}", ""]
    for change in diff.changes:
        out.extend(_change_lines(change))
    out.append(diff.summary())
    if replay is not None:
        out.append("")
        out.extend(replay.text_lines())
    return "\n".join(out) + "\n"


def _change_lines(change: Change) -> list[str]:
    head = f"{_MARKS[change.kind]} {change.kind}: {change.code} ({change.where}; old line {_lines(change.old_lines)}, new line {_lines(change.new_lines)})"
    return [head, f"    {change.sentence}", ""]


def json_report(diff: Diff, replay: Replay | None = None) -> str:
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "old": diff.old_name,
        "new": diff.new_name,
        "meaning_changed": diff.meaning_changed,
        "text_identical": diff.text_identical,
        "summary": {k: diff.counts[k] for k in KINDS},
        "changes": [c.record() for c in diff.changes],
        "replay": None if replay is None else replay.record(),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
