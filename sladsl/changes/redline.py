"""`sladsl diff --format md|html`: a redline a customer can be sent.

Both versions' contract clauses are said in the document's words (`sladsl.documents.phrases`),
grouped by section, and set side by side: a clause that reads the same is printed as it
is, a changed one as <del>old</del> <ins>new</ins>, a removed one struck through and an
added one inserted. Every value from either agreement is escaped.
"""

from __future__ import annotations

import html
from dataclasses import replace
from typing import Any

from sladsl.changes.model import Diff
from sladsl.changes.words import say
from sladsl.documents.escape import md_text
from sladsl.documents.phrases import OPERATIONAL, Context
from sladsl.language import ast

Clause = tuple[str, str]  # (key, sentence)
Section = tuple[str, list[Clause]]


def clauses(agreement: ast.Agreement) -> list[Section]:
    """The agreement's clauses, section by section, each with a key that names it on both sides."""
    base = Context(zone=agreement.timezone)
    sections: list[Section] = [
        (
            "The agreement",
            _keyed(
                agreement.statements,
                base,
                skip=(ast.Service, ast.Calendar, ast.SupportPlan, ast.Security, ast.Reporting),
            ),
        )
    ]
    for service in agreement.services:
        sections.append(
            (f"Service {service.name}", _keyed(service.statements, base, skip=(ast.Objective, ast.Credits)))
        )
        for objective in service.objectives:
            context = replace(base, period=objective.period, objective=objective.name)
            sections.append((f"{service.name}: objective {objective.name}", _keyed(objective.statements, context)))
        for block in service.credits:
            objective_node = service.objective(block.objective)
            plan = block.on.names[0] if block.on else None
            context = replace(
                base,
                period=objective_node.period if objective_node else None,
                objective=block.objective,
                fee=agreement.monthly_fee(service, plan),
            )
            on = f" on {', '.join(block.on.names)}" if block.on else ""
            sections.append((f"{service.name}: credits for {block.objective}{on}", _keyed(block.statements, context)))
    for calendar in agreement.calendars:
        sections.append((f"Calendar {calendar.name}", _keyed(calendar.statements, base)))
    for support in agreement.support_plans:
        on = f" on {', '.join(support.on.names)}" if support.on else ""
        sections.append((f"Support {support.name}{on}", _keyed(support.statements, base)))
    if agreement.security is not None:
        sections.append(("Security", _keyed(agreement.security.statements, base)))
    if agreement.reporting is not None:
        sections.append(("Reporting", _keyed(agreement.reporting.statements, base)))
    return sections


def _keyed(statements: tuple[Any, ...], context: Context, skip: tuple[type, ...] = ()) -> list[Clause]:
    seen: dict[str, int] = {}
    out: list[Clause] = []
    for s in statements:
        if isinstance(s, (*skip, *OPERATIONAL)):
            continue
        on = getattr(s, "on", None)
        stem = type(s).__name__ + (":" + ",".join(on.names) if on is not None else "")
        if isinstance(s, ast.Priority):
            stem += ":" + s.name
        elif isinstance(s, ast.Definition):
            stem += ":" + s.term
        seen[stem] = seen.get(stem, 0) + 1
        sentence = say(s, context)
        if isinstance(s, ast.Definition):
            sentence = f"\u201c{s.term}\u201d: {sentence}"
        if on is not None:
            sentence = f"On {'plan' if len(on.names) == 1 else 'plans'} {', '.join(on.names)}: {sentence}"
        out.append((f"{stem}#{seen[stem]}", sentence))
    return out


def _aligned(old: list[Section], new: list[Section]) -> list[tuple[str, list[tuple[str | None, str | None]]]]:
    before = dict(old)
    after = dict(new)
    titles = list(dict.fromkeys([t for t, _ in new] + [t for t, _ in old]))
    out = []
    for title in titles:
        a, b = dict(before.get(title, [])), dict(after.get(title, []))
        keys = list(dict.fromkeys([k for k, _ in after.get(title, [])] + [k for k, _ in before.get(title, [])]))
        if keys:
            out.append((title, [(a.get(k), b.get(k)) for k in keys]))
    return out


def _mark(old: str | None, new: str | None, esc: Any) -> tuple[str, bool]:
    if old == new:
        return esc(new or ""), False
    parts = []
    if old is not None:
        parts.append(f"<del>{esc(old)}</del>")
    if new is not None:
        parts.append(f"<ins>{esc(new)}</ins>")
    return " ".join(parts), True


def markdown(diff: Diff, old: ast.Agreement, new: ast.Agreement) -> str:
    out = [
        f"# Changes to {md_text(new.title)}",
        "",
        md_text(f"From {diff.old_name} to {diff.new_name}. {diff.summary()}"),
        "",
    ]
    for change in diff.changes:
        out.append(f"- **{md_text(change.kind)}** ({md_text(change.code)}): {md_text(change.sentence)}")
    out += ["", "## The agreement, marked", ""]
    for title, rows in _aligned(clauses(old), clauses(new)):
        out += [f"### {md_text(title)}", ""]
        for a, b in rows:
            text, _ = _mark(a, b, md_text)
            out.append(f"- {text}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


_STYLE = (
    "body{font-family:sans-serif;max-width:50em;margin:2em auto;line-height:1.4}"
    "del{background:#fdd;color:#900}ins{background:#dfd;color:#060;text-decoration:none}"
    ".adverse{color:#900}.favourable{color:#060}li.changed{font-weight:600}"
)


def html_document(diff: Diff, old: ast.Agreement, new: ast.Agreement) -> str:
    esc = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Changes to {esc(new.title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>Changes to {esc(new.title)}</h1>",
        f"<p>From {esc(diff.old_name)} to {esc(diff.new_name)}. {esc(diff.summary())}</p>",
        "<ul>",
    ]
    for change in diff.changes:
        out.append(
            f'<li class="{esc(change.kind)}"><strong>{esc(change.kind)}</strong> '
            f"(<code>{esc(change.code)}</code>): {esc(change.sentence)}</li>"
        )
    out += ["</ul>", "<h2>The agreement, marked</h2>"]
    for title, rows in _aligned(clauses(old), clauses(new)):
        out += [f"<h3>{esc(title)}</h3>", "<ul>"]
        for a, b in rows:
            text, changed = _mark(a, b, esc)
            out.append(f'<li class="changed">{text}</li>' if changed else f"<li>{text}</li>")
        out.append("</ul>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
