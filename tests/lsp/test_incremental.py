"""The server's statement-by-statement syntax check (`sladsl.lsp.incremental`) gives exactly
the diagnostics `check_source` gives for the whole file, keystroke after keystroke."""

from __future__ import annotations

from pathlib import Path

import pytest

from sladsl.api import check_source
from sladsl.lsp.documents import Documents

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted((ROOT / "samples").glob("*.sla"))


def _key(diagnostics):
    return [
        (d.code, d.message, d.hint, d.span.line, d.span.column, d.span.end_line, d.span.end_column) for d in diagnostics
    ]


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_every_one_character_deletion_matches_check_source(sample: Path):
    text = sample.read_text(encoding="utf-8")
    documents = Documents()
    documents.get("u", text)
    step = max(1, len(text) // 150)  # about 150 edits per sample, spread over the file
    for index in range(0, len(text), step):
        edited = text[:index] + text[index + 1 :]
        for version in (edited, edited + " ", text):  # break, type again while broken, mend
            got = documents.get("u", version)
            agreement, expected = check_source(version)
            assert _key(got.diagnostics) == _key(expected), (sample.name, index, repr(text[index]))
            assert (got.agreement is None) == (agreement is None)


def test_several_broken_statements_are_each_reported():
    text = (ROOT / "samples" / "cloud-platform.sla").read_text(encoding="utf-8")
    broken = text.replace("99.5%", "99.5", 1).replace('objective "Read latency"', 'objetive "Read latency"')
    documents = Documents()
    documents.get("u", text)
    got = documents.get("u", broken)
    assert _key(got.diagnostics) == _key(check_source(broken)[1])
    assert len(got.diagnostics) == 2
