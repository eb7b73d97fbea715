"""`sladsl explain CODE`: what each diagnostic means, with an agreement that gets it and
the same agreement fixed.

Why the texts are a Markdown file beside this module and not strings in the checker: they
are read by people (and shipped in the package as they are), and a test parses every
example and fix, so a text that no longer matches what the checker says fails the tests.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from sladsl.language.invisible import shown

_SOURCE = Path(__file__).with_name("explanations.md")
_SECTION = re.compile(r"^## ([EW]\d{3}): (.+)$", re.M)
_EXAMPLE = re.compile(r"```sla\n(.*?)```", re.S)


@dataclass(frozen=True, slots=True)
class Explanation:
    """One code's section: its title, what it means, an example that gets it, the fix."""

    code: str
    title: str
    text: str
    example: str
    fix: str


@functools.cache
def explanations() -> dict[str, Explanation]:
    """Every code's explanation, in the order of the file (errors, then warnings)."""
    text = _SOURCE.read_text(encoding="utf-8")
    found: dict[str, Explanation] = {}
    headings = list(_SECTION.finditer(text))
    for heading, following in zip(headings, [*headings[1:], None], strict=True):
        body = text[heading.end() : following.start() if following else len(text)]
        examples = _EXAMPLE.findall(body)
        prose = _EXAMPLE.sub("", body).strip()
        if len(examples) != 2:
            raise ValueError(f"{_SOURCE.name}: {heading.group(1)} needs an example and a fix")
        found[heading.group(1)] = Explanation(heading.group(1), heading.group(2), prose, examples[0], examples[1])
    return found


def explain_text(code: str) -> str | None:
    """The text `sladsl explain` prints for `code`, or None for a code there is not."""
    found = explanations().get(code.upper())
    if found is None:
        return None
    example = _indented(found.example)
    fix = _indented(found.fix)
    return (
        f"{found.code}: {found.title}\n\n{found.text}\n\n"
        f"For example, this agreement gets {found.code}:\n\n{example}\n"
        f"Fixed:\n\n{fix}"
    )


def _indented(source: str) -> str:
    return "".join(f"    {shown(line)}\n" if line else "\n" for line in source.rstrip("\n").split("\n"))
