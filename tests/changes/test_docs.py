"""docs/diff.md lists every code with its class, and every code the comparisons can name is
in the catalogue."""

from __future__ import annotations

import ast as pyast
import re

from sladsl.changes.codes import CODES
from sladsl.changes.model import KINDS

from ..conftest import ROOT

DOC = (ROOT / "docs" / "diff.md").read_text(encoding="utf-8")
ROW = re.compile(r"^\| `([a-z-]+)` \| ([a-z-]+) \| (.+) \|$", re.M)


def test_the_documentation_lists_every_code_with_its_class() -> None:
    listed = {code: kind for code, kind, _ in ROW.findall(DOC)}
    assert listed == {code: kind for code, (kind, _) in CODES.items()}
    assert set(listed.values()) == set(KINDS)


def test_every_code_literal_in_the_comparisons_is_catalogued() -> None:
    """A code written in a comparison (or the stem of one, as `f"{stem}-added"`) is in the
    catalogue: a new code cannot be emitted without its class and documentation."""
    found: set[str] = set()
    for module in sorted((ROOT / "sladsl" / "changes").glob("*.py")):
        if module.name in ("codes.py", "model.py"):
            continue
        for node in pyast.walk(pyast.parse(module.read_text(encoding="utf-8"))):
            if (
                isinstance(node, pyast.Constant)
                and isinstance(node.value, str)
                and re.fullmatch(r"[a-z]+(-[a-z]+)+", node.value)
                and node.value not in KINDS
            ):
                found.add(node.value)
    assert len(found) > 100
    for literal in found:
        assert literal in CODES or any(code.startswith(literal + "-") for code in CODES), literal


def test_the_readme_snippet_and_ci_examples_use_real_options() -> None:
    for option in ("--fail-on adverse", "--format json", "--format html", "--data", "--period", "--customers"):
        assert option in DOC
