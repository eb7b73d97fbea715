"""r09: bidirectional controls and other hidden characters in names cannot reorder or hide
text in the documents. The PDF is read back with pypdf; HTML and Markdown are scanned."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from pypdf import PdfReader

from .conftest import ROOT, run

BIDI = ROOT / "tests" / "cases" / "render" / "bidi-names.sla"  # r09's reproducer: 18 names with U+202E
HIDDEN = {"Cc", "Cf", "Zl", "Zp"}


def _hidden(text: str) -> set[str]:
    """The hidden characters of a document, but the line breaks and tabs of its own layout."""
    return {c for c in set(text) if unicodedata.category(c) in HIDDEN and c not in "\n\t"}


def test_the_pdf_shows_the_controls_instead_of_obeying_them(tmp_path: Path) -> None:
    out = tmp_path / "b.pdf"
    result = run("render", str(BIDI), "--format", "pdf", "-o", str(out))
    assert result.exit_code == 0, result.output
    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    lines = [ln for ln in text.splitlines() if "Credit" in ln and " end" in ln]
    assert len(lines) > 10
    assert not [ln for ln in lines if "10%" in ln], "a name was reordered: %01 reads 10%"
    assert "Credit [U+202E]%01[U+202C] end Title" in text
    assert not _hidden(text)


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_html_and_markdown_hold_no_hidden_character(fmt: str) -> None:
    result = run("render", str(BIDI), "--format", fmt)
    assert result.exit_code == 0, result.output
    assert not _hidden(result.stdout)
    assert result.stdout.count("[U+202E]%01") + result.stdout.count("\\[U+202E\\]%01") >= 18


NAMES = {
    "nel": "Edge\x85delivery",
    "line-separator": "a\u2028b",
    "escape": "red\x1b[31m",
    "isolate": "x\u2067y\u2069z",
    "rlm": "Gold\u200f",
}


@pytest.mark.parametrize("name", NAMES.values(), ids=NAMES.keys())
def test_every_hidden_character_is_shown_by_its_code_point(tmp_path: Path, name: str) -> None:
    sla = tmp_path / "a.sla"
    sla.write_text(
        f'sla "T" {{\n    service "{name}" {{\n        objective "O" {{\n'
        "            availability at least 99% per calendar month\n        }\n    }\n}\n",
        encoding="utf-8",
        newline="",
    )
    shown = "".join(f"[U+{ord(c):04X}]" if unicodedata.category(c) in HIDDEN else c for c in name)
    html = run("render", str(sla), "--format", "html").stdout
    assert f"Service: {shown}" in html and not _hidden(html)
    markdown = run("render", str(sla), "--format", "md").stdout
    assert not _hidden(markdown)
    rendered = MarkdownIt("commonmark").enable("table").render(markdown)
    assert f"Service: {shown}" in rendered  # the escaped brackets read as brackets, not a link
    assert "<a href" not in rendered.replace('<a href="#', "")


def test_prose_keeps_tabs_and_line_breaks_but_shows_the_controls(tmp_path: Path) -> None:
    sla = tmp_path / "a.sla"
    sla.write_text(
        'sla "T" {\n    text """\n        One \u202e(evil)\u202c line\n        and [a](https://example.com)\n    """\n}\n',
        encoding="utf-8",
    )
    markdown = run("render", str(sla), "--format", "md").stdout
    assert "One \\[U+202E\\](evil)\\[U+202C\\] line\nand [a](https://example.com)" in markdown
    rendered = MarkdownIt("commonmark").render(markdown)
    assert rendered.count("<a href") - rendered.count('<a href="#') == 1  # the author's link only
    html = run("render", str(sla), "--format", "html").stdout
    assert "One [U+202E](evil)[U+202C] line" in html and not _hidden(html)
