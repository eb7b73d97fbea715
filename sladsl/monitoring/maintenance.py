"""Declared maintenance in monitoring: Alertmanager silences for the windows an agreement's
`exclude maintenance` excludes (`sladsl compile --target alertmanager --data DIR`), and the
`sla:maintenance:active` recordings that keep those windows out of a budget (`--target
prometheus --data DIR`).

Which windows qualify is evaluation's decision (the notice, then the caps in the order
evaluation applies them): the caller passes it in as `windows_of(copy)`, a list of
(service, objective, start µs, end µs) for one plan's copy of the agreement, so that this
module, like every monitoring target, reads the language only.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sladsl.language import ast
from sladsl.language.formatter import _maintenance as clause_text
from sladsl.language.invisible import escaped, hidden_characters
from sladsl.monitoring.common import Compiled, copies_to_compile, objective_labels

Windows = list[tuple[str, str, int, int]]
CREATED_BY = "sladsl"
GROUP = "sla-maintenance"
RECORD = "sla:maintenance:active"


def _found(
    agreement: ast.Agreement, plan: str | None, windows_of: Callable[[ast.Agreement], Windows]
) -> list[tuple[dict[str, str], ast.ExcludeMaintenance, int, int]]:
    """Per plan's copy, each qualifying window with its objective's labels and clause."""
    found = []
    for name, copy in copies_to_compile(agreement, plan):
        objectives = {(s.name, o.name): (s, o) for s in copy.services for o in s.objectives}
        for service_name, objective_name, start, end in windows_of(copy):
            service, objective = objectives[(service_name, objective_name)]
            assert objective.maintenance is not None
            found.append((objective_labels(copy, service, objective, name), objective.maintenance, start, end))
    return found


def _instant(us: int) -> str:
    """RFC 3339 in UTC, as Alertmanager's API writes it (milliseconds when there are any)."""
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)
    text = moment.isoformat(timespec="milliseconds" if us % 1_000_000 else "seconds")
    return text.replace("+00:00", "Z")


def silences(agreement: ast.Agreement, plan: str | None, windows_of: Callable[[ast.Agreement], Windows]) -> Compiled:
    """One Alertmanager v2 `PostableSilence` per qualifying window and objective (and plan):
    matchers on the labels the generated rules carry, `createdBy: sladsl`, a comment naming
    the clause. A silence starts and ends with its window."""
    compiled = Compiled()
    for labels, rule, start, end in _found(agreement, plan, windows_of):
        where = f"objective \u201c{labels['objective']}\u201d of service \u201c{labels['service']}\u201d"
        if "plan" in labels:
            where += f" on plan \u201c{labels['plan']}\u201d"
        compiled.documents.append(
            {
                "matchers": [{"name": k, "value": v, "isRegex": False, "isEqual": True} for k, v in labels.items()],
                "startsAt": _instant(start),
                "endsAt": _instant(end),
                "createdBy": CREATED_BY,
                "comment": f"announced maintenance, excluded by \u201c{clause_text(rule, 0)}\u201d of the {where} "
                f"in \u201c{labels['agreement']}\u201d",
            }
        )
    return compiled


def api_text(documents: list[dict[str, Any]]) -> str:
    """The silences as one JSON list; hidden characters (U+0085, U+2028...) as \\u escapes."""
    text = json.dumps(documents, indent=2, ensure_ascii=False)
    for char in hidden_characters(text, "\n"):  # a line break here is the layout's: strings have \n
        text = text.replace(char, json.dumps(char)[1:-1])  # \u0085, or a surrogate pair above the BMP
    return text + "\n"


def amtool_text(documents: list[dict[str, Any]]) -> str:
    """One `amtool silence add` command per silence, every argument shell-quoted. A matcher
    whose value has a hidden character amtool cannot spell (it knows `\\n`, `\\"` and `\\\\`
    only) becomes an anchored regular expression that names it as `\\x{85}`."""
    lines = [
        "#!/bin/sh",
        "# Alertmanager silences from sladsl (amtool: alertmanager.url in amtool.yml, or --alertmanager.url=URL)",
        "",
    ]
    for silence in documents:
        words = [
            "amtool",
            "silence",
            "add",
            f"--author={silence['createdBy']}",
            f"--start={silence['startsAt']}",
            f"--end={silence['endsAt']}",
            f"--comment={escaped(silence['comment'])}",
            *(_amtool_matcher(m["name"], m["value"]) for m in silence["matchers"]),
        ]
        lines.append(" ".join(shlex.quote(w) for w in words))
    return "\n".join(lines) + "\n"


def _amtool_matcher(name: str, value: str) -> str:
    if hidden_characters(value, "\n"):
        return f'{name}=~"{_go_string(_re2_literal(value))}"'
    return f'{name}="{_go_string(value)}"'


def _go_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _re2_literal(text: str) -> str:
    """`text` as an RE2 pattern that matches it alone (Alertmanager anchors it)."""
    out = []
    for char in text:
        if char.isalnum() or char in " _-":
            out.append(char)
        elif char.isprintable() and ord(char) < 0x80:
            out.append("\\" + char)
        else:
            out.append(f"\\x{{{ord(char):X}}}")
    return "".join(out)


def maintenance_group(
    agreement: ast.Agreement, plan: str | None, windows_of: Callable[[ast.Agreement], Windows]
) -> dict[str, Any]:
    """The rule group `sla-maintenance`: `sla:maintenance:active` is 1, with the objective's
    labels, from the start of each qualifying window to its end, and absent otherwise.
    Budget and burn expressions can leave those minutes out with
    `unless on(agreement, service, objective) sla:maintenance:active`."""
    rules = []
    for labels, _, start, end in _found(agreement, plan, windows_of):
        rules.append(
            {
                "record": RECORD,
                "expr": f"vector(1) and on() (vector(time()) >= {_seconds(start)} < {_seconds(end)})",
                "labels": dict(labels),
            }
        )
    return {"name": GROUP, "rules": rules}


def exclude_from_windows(
    groups: list[dict[str, Any]],
    agreement: ast.Agreement,
    plan: str | None,
    windows_of: Callable[[ast.Agreement], Windows],
) -> None:
    """Keep the qualifying windows out of every time-slice budget, in place: a window whose
    end falls in (start, end] of a qualifying maintenance window is never a bad window, so
    its burn rates, budget and dashboard downtime leave it out as evaluation does, and no burn
    alert fires for it, during the window or after its silence ends. (Prometheus evaluates at
    its own offsets within the interval, so a window straddling an edge is judged by its end.)

    `availability from average error rate` is left as it is: its short windows read the raw series,
    which hold the maintenance's errors for as long as each window lasts (docs/monitoring.md).
    """
    spans: dict[tuple[tuple[str, str], ...], list[str]] = {}
    for labels, _, start, end in _found(agreement, plan, windows_of):
        spans.setdefault(tuple(sorted(labels.items())), []).append(
            f"vector(time()) > {_seconds(start)} <= {_seconds(end)}"
        )
    for group in groups:
        for rule in group["rules"]:
            record = rule.get("record", "")
            key = tuple(sorted(rule.get("labels", {}).items()))
            if record.startswith("sla:window_bad:") and key in spans:
                rule["expr"] = f"({rule['expr']})\nunless on() ({' or '.join(spans[key])})"


def _seconds(us: int) -> str:
    whole, part = divmod(us, 1_000_000)
    return str(whole) if not part else f"{whole}.{part:06d}".rstrip("0")


def option_problem(
    target: str, targets: tuple[str, ...], runbook: str | None, data: bool, period: str | None, fmt: str
) -> str | None:
    """What is wrong with `sladsl compile`'s options together, in one line; None when nothing."""
    if target not in targets:
        return f"--target {target!r}: choose {', '.join(targets)}"
    if runbook is not None:
        if target not in ("prometheus", "kubernetes"):
            return "--runbook-url goes with --target prometheus or kubernetes (it annotates alerts)"
        from sladsl.monitoring.prometheus import runbook_problem

        if problem := runbook_problem(runbook):
            return problem
    if target == "alertmanager" and not data:
        return "--target alertmanager needs --data DIR: the evidence folder with the `maintenance` table"
    if data and target not in ("alertmanager", "prometheus"):
        return "--data goes with --target alertmanager (silences) or prometheus (the sla-maintenance recordings)"
    if period is not None and not data:
        return "--period goes with --data (the maintenance windows of those periods)"
    if fmt not in ("api", "amtool") or (fmt == "amtool" and target != "alertmanager"):
        return f"--format {fmt!r} goes with --target alertmanager: api (the v2 API's JSON) or amtool (commands)"
    return None


class Source:
    """The qualifying windows of one agreement (one plan's, with `plan`), for both outputs."""

    def __init__(
        self, agreement: ast.Agreement, plan: str | None, windows_of: Callable[[ast.Agreement], Windows]
    ) -> None:
        self.agreement, self.plan, self.windows_of = agreement, plan, windows_of

    def silences(self, fmt: str) -> tuple[str, list[dict[str, Any]], list[str]]:
        """(text, silences, warnings) for `--target alertmanager --format FMT`."""
        found = silences(self.agreement, self.plan, self.windows_of).documents
        return (api_text(found) if fmt == "api" else amtool_text(found)), found, []

    def group(self) -> dict[str, Any]:
        return maintenance_group(self.agreement, self.plan, self.windows_of)

    def exclude(self, groups: list[dict[str, Any]]) -> None:
        exclude_from_windows(groups, self.agreement, self.plan, self.windows_of)
