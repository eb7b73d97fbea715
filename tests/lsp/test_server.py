"""The language server through the protocol: the real `python -m sladsl.lsp` process, driven
by pytest-lsp's client over stdio. Every expectation is computed from the text or from the
library (check, fmt, the rendered document), so a server that answers wrongly fails."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from sladsl import api

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = (ROOT / "samples" / "cloud-platform.sla").read_text(encoding="utf-8")
pytestmark = pytest.mark.asyncio(loop_scope="module")
SERVER: dict[str, types.ServerCapabilities] = {}
DOCS = "https://docs.example/sladsl/codes.html#{code}"


@pytest_lsp.fixture(scope="module", config=ClientServerConfig(server_command=[sys.executable, "-m", "sladsl.lsp"]))
async def client(lsp_client: LanguageClient):
    result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=pytest_lsp.client_capabilities("visual-studio-code"),
            root_uri=ROOT.as_uri(),
            initialization_options={"docsUrl": DOCS},
        )
    )
    SERVER["capabilities"] = result.capabilities
    yield
    await lsp_client.shutdown_session()


_COUNT = iter(range(10**6))


async def open_doc(client: LanguageClient, text: str) -> tuple[str, list[types.Diagnostic]]:
    """Open a new document and wait for its diagnostics."""
    uri = f"file:///tmp/lsp-test-{next(_COUNT)}.sla"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="sla", version=1, text=text)
        )
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return uri, list(client.diagnostics[uri])


def at(text: str, needle: str, shift: int = 0, nth: int = 0) -> types.Position:
    """The position of the `nth` occurrence of `needle` in `text`, plus `shift` characters."""
    index = -1
    for _ in range(nth + 1):
        index = text.index(needle, index + 1)
    index += shift
    line = text.count("\n", 0, index)
    return types.Position(line=line, character=index - (text.rfind("\n", 0, index) + 1))


def apply(text: str, edits: list[types.TextEdit]) -> str:
    """The text with LSP edits applied (ASCII text: characters are UTF-16 units)."""
    starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def offset(p: types.Position) -> int:
        return starts[p.line] + p.character

    for edit in sorted(edits, key=lambda e: offset(e.range.start), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


def span_text(text: str, r: types.Range) -> str:
    lines = text.split("\n")
    assert r.start.line == r.end.line
    return lines[r.start.line][r.start.character : r.end.character]


# ---- diagnostics and quick fixes -----------------------------------------------------------------

MISTAKES = (
    SAMPLE.replace('credits for "Read latency"', 'credits for "Read latncy"')
    .replace('calendar "Weekend desk"\n        priority', 'calendar "Weekend dsk"\n        priority')
    .replace('timezone "America/Los_Angeles"\n    plans', 'timezone "America/Los_Angelse"\n    plans')
)


async def test_diagnostics_are_those_of_check_with_code_range_and_link(client: LanguageClient):
    _, found = await open_doc(client, MISTAKES)
    _, expected = api.check_source(MISTAKES)
    assert [d.code for d in found] == [d.code for d in expected]
    assert {"E103", "E104", "E105"} <= {d.code for d in found}
    for got, want in zip(found, expected, strict=True):
        assert got.range.start == types.Position(line=want.span.line - 1, character=want.span.column - 1)
        assert got.message.startswith(want.message)
        assert got.severity == (types.DiagnosticSeverity.Error if want.is_error else types.DiagnosticSeverity.Warning)
        assert got.source == "sladsl"
        assert got.code_description is not None
        assert got.code_description.href == DOCS.replace("{code}", want.code)
        assert got.data["hint"] == want.hint
    e103 = next(d for d in found if d.code == "E103")
    assert span_text(MISTAKES, e103.range) == '"Read latncy"'
    assert e103.data["suggestion"] == "Read latency"


async def test_did_you_mean_quick_fixes_repair_the_names(client: LanguageClient):
    uri, found = await open_doc(client, MISTAKES)
    text = MISTAKES
    for code in ("E103", "E104", "E105"):
        diagnostic = next(d for d in found if d.code == code)
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=diagnostic.range,
                context=types.CodeActionContext(diagnostics=[diagnostic]),
            )
        )
        [action] = [a for a in actions if a.kind == types.CodeActionKind.QuickFix]
        assert action.title.startswith("Replace with")
        text = apply(text, action.edit.changes[uri])
    assert text == SAMPLE
    assert [d for d in api.check_source(text)[1] if d.is_error] == []


async def test_keyword_did_you_mean_from_a_syntax_error(client: LanguageClient):
    broken = SAMPLE.replace('objective "Read latency"', 'objetive "Read latency"')
    uri, found = await open_doc(client, broken)
    first = found[0]
    assert first.code == "E001" and span_text(broken, first.range) == "objetive"
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=first.range,
            context=types.CodeActionContext(diagnostics=[first]),
        )
    )
    assert apply(broken, actions[0].edit.changes[uri]) == SAMPLE


async def test_tier_order_quick_fix_swaps_the_lines(client: LanguageClient):
    good = "            below 99.9%: 10% of monthly fee\n            below 99.0%: 25% of monthly fee\n"
    bad = "            below 99.0%: 25% of monthly fee\n            below 99.9%: 10% of monthly fee\n"
    assert good in SAMPLE
    broken = SAMPLE.replace(good, bad)
    uri, found = await open_doc(client, broken)
    e109 = next(d for d in found if d.code == "E109")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=e109.range,
            context=types.CodeActionContext(diagnostics=[e109]),
        )
    )
    fixed = apply(broken, actions[0].edit.changes[uri])
    assert fixed == SAMPLE
    assert "E109" not in {d.code for d in api.check_source(fixed)[1]}


async def test_did_change_updates_diagnostics_and_reports_every_syntax_error(client: LanguageClient):
    uri, found = await open_doc(client, SAMPLE)
    assert [d for d in found if d.severity == types.DiagnosticSeverity.Error] == []
    start = at(SAMPLE, "99.5%", 4)  # delete the `%` of `99.5%`, then of `99.95%` further down
    second = at(SAMPLE, "99.95% per", 5)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(
                        start=second, end=types.Position(line=second.line, character=second.character + 1)
                    ),
                    text="",
                ),
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=start, end=types.Position(line=start.line, character=start.character + 1)),
                    text="",
                ),
            ],
        )
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    changed = list(client.diagnostics[uri])
    edited = SAMPLE.replace("99.5% per", "99.5 per", 1).replace("99.95% per", "99.95 per", 1)
    expected = api.check_source(edited)[1]
    assert [(d.code, d.range.start.line + 1) for d in changed] == [(d.code, d.span.line) for d in expected]
    assert len([d for d in changed if d.code == "E001"]) == 2


# ---- hover ------------------------------------------------------------------------------------


def _document_rows(column: str) -> dict[str, str]:
    """The rendered contract's allowance table: period length -> the cell of `column`."""
    document = api.render(api.load(ROOT / "samples" / "cloud-platform.sla"), "md")
    head = next(line for line in document.splitlines() if line.startswith("| Length of the period"))
    names = [c.strip() for c in head.strip("|").split("|")]
    rows: dict[str, str] = {}
    for line in document.splitlines()[document.splitlines().index(head) + 2 :]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows[cells[0]] = cells[names.index(column)]
    return rows


async def test_hover_on_a_target_gives_the_documents_allowances(client: LanguageClient):
    uri, _ = await open_doc(client, SAMPLE)
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=at(SAMPLE, "availability at least 99.9%", 3)
        )
    )
    assert hover is not None
    text = hover.contents.value
    rows = dict(re.findall(r"^\| (a [^|]+?) \| ([^|]+?) \|$", text, re.M))
    assert rows == _document_rows("Downtime allowed: Premium")
    assert any("daylight saving" in length for length in rows)  # America/Los_Angeles: DST months listed
    assert "America/Los_Angeles" in text


async def test_hover_on_a_downtime_target(client: LanguageClient):
    text = SAMPLE.replace(
        "availability at least 99.5% per calendar month\n", "downtime at most 43.8 minutes per calendar month\n"
    )
    uri, _ = await open_doc(client, text)
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=at(text, "downtime at most", 2))
    )
    assert hover is not None
    value = hover.contents.value
    assert "| a 30-day month | 43.8 minutes | 99.8986% |" in value  # 1 - 2628 s / 2592000 s
    assert "a 28-day February" in value


async def test_hover_on_a_credit_tier_gives_the_downtime_range(client: LanguageClient):
    uri, _ = await open_doc(client, SAMPLE)
    premium = SAMPLE.index('credits for "Availability" on plan "Premium"')
    position = at(SAMPLE, "below 99.9%", 2, nth=SAMPLE[:premium].count("below 99.9%"))
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position)
    )
    assert hover is not None
    # below 99.9% and not below 99.0%: 0.1% to 1% of a 30-day month (2,592,000 s)
    assert "from more than 43 minutes 12 seconds to 7 hours 12 minutes of downtime in a 30-day month" in (
        hover.contents.value
    )
    worst = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=at(SAMPLE, "below 99.0%", 2, nth=1),
        )
    )
    assert worst is not None and "at least 7 hours 12 minutes of downtime in a 30-day month" not in worst.contents.value
    assert "more than 7 hours 12 minutes of downtime in a 30-day month" in worst.contents.value


async def test_hover_on_a_business_duration_names_its_calendar(client: LanguageClient):
    uri, _ = await open_doc(client, SAMPLE)
    for needle, calendar, hours in (
        ("4 business hours", "Support hours", "open monday to friday 05:00 to 01:00"),
        ("2 business hours", "Weekend desk", "open saturday, sunday 08:00 to 16:00"),
        ("10 business days", "Support hours", "time zone America/Los_Angeles"),
    ):
        hover = await client.text_document_hover_async(
            types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=at(SAMPLE, needle, 2))
        )
        assert hover is not None, needle
        assert f'calendar "{calendar}"' in hover.contents.value
        assert hours in hover.contents.value


# ---- completion --------------------------------------------------------------------------------


async def complete(client: LanguageClient, text: str, position: types.Position) -> list[str]:
    uri, _ = await open_doc(client, text)
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position)
    )
    assert result is not None
    items = result.items if isinstance(result, types.CompletionList) else result
    return [i.label for i in items]


async def test_completion_offers_the_keywords_the_parser_accepts(client: LanguageClient):
    text = SAMPLE.replace(
        "            downtime from incidents\n", "            \n            downtime from incidents\n"
    )
    labels = await complete(client, text, at(text, "            \n", 12))
    assert {"availability", "latency", "downtime", "exclude", "ignore", "monitor"} <= set(labels)
    assert "service" not in labels and "below" not in labels
    labels = await complete(client, SAMPLE, at(SAMPLE, "per calendar month\n", 4))
    assert set(labels) >= {"calendar", "week"}
    assert "availability" not in labels
    labels = await complete(client, SAMPLE, at(SAMPLE, "claim within 30 days", len("claim within 30 ")))
    assert {"days", "hours", "business"} <= set(labels)


async def test_completion_of_names(client: LanguageClient):
    text = SAMPLE.replace('credits for "Read latency"', 'credits for ""')
    labels = await complete(client, text, at(text, 'credits for ""', 13))
    assert labels == ["Read latency"]  # the objectives of this service only
    labels = await complete(client, SAMPLE, at(SAMPLE, '"US-CA"', 1))
    assert {"US", "US-CA", "DE-BY", "GB-SCT"} <= set(labels)
    labels = await complete(client, SAMPLE, at(SAMPLE, '"America/Los_Angeles"\n    plans', 1))
    assert {"Europe/Berlin", "America/New_York", "UTC"} <= set(labels)
    labels = await complete(client, SAMPLE, at(SAMPLE, 'calendar "Weekend desk"\n        priority', 10))
    assert labels == ["Support hours", "Weekend desk"]
    labels = await complete(client, SAMPLE, at(SAMPLE, '"Premium", "Enterprise" {', 1))
    assert labels == ["Standard", "Premium", "Enterprise"]


# ---- names, outline, formatting, tokens ------------------------------------------------------


async def test_definition_and_references(client: LanguageClient):
    uri, _ = await open_doc(client, SAMPLE)
    doc = types.TextDocumentIdentifier(uri=uri)
    cases = (
        (at(SAMPLE, 'for "Availability" {', 6), at(SAMPLE, 'objective "Availability"', 11)),
        (at(SAMPLE, 'on "Support hours"', 5), at(SAMPLE, 'calendar "Support hours" {', 10)),
        (at(SAMPLE, 'calendar "Weekend desk"\n        priority', 11), at(SAMPLE, 'calendar "Weekend desk" {', 10)),
        (at(SAMPLE, 'plan "Enterprise" {', 7), at(SAMPLE, '"Enterprise"', 1)),
    )
    for use, definition in cases:
        found = await client.text_document_definition_async(types.DefinitionParams(text_document=doc, position=use))
        assert [loc.range.start for loc in found] == [definition]
    refs = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=doc,
            position=at(SAMPLE, 'objective "Availability"', 12),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    compute = SAMPLE[: SAMPLE.index('service "Object Storage"')]
    assert len(refs) == compute.count('"Availability"') == 4
    refs = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=doc,
            position=at(SAMPLE, 'calendar "Support hours" {', 11),
            context=types.ReferenceContext(include_declaration=False),
        )
    )
    assert len(refs) == SAMPLE.count('"Support hours"') - 1


async def test_document_symbols(client: LanguageClient):
    uri, _ = await open_doc(client, SAMPLE)
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    outline = [(s.name, [c.name for c in s.children or []]) for s in symbols]
    assert outline == [
        (
            'service "Compute"',
            [
                'objective "Availability"',
                'credits for "Availability"',
                'credits for "Availability"',
                'credits for "Availability"',
            ],
        ),
        ('service "Object Storage"', ['objective "Read latency"', 'credits for "Read latency"']),
        ('calendar "Support hours"', []),
        ('calendar "Weekend desk"', []),
        ('support "Standard"', []),
        ('support "Premium"', []),
        ('support "Weekend"', []),
    ]
    compute = symbols[0]
    assert compute.range.start == at(SAMPLE, 'service "Compute"')
    assert compute.range.end == at(SAMPLE, '    service "Object Storage"', -2)  # just after its `}`


async def test_formatting_is_fmt_and_nothing_when_it_does_not_parse(client: LanguageClient):
    messy = SAMPLE.replace("        objective", "  objective").replace("per calendar month", "per   calendar month")
    uri, _ = await open_doc(client, messy)
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            options=types.FormattingOptions(tab_size=4, insert_spaces=True),
        )
    )
    assert edits and apply(messy, edits) == api.format_source(messy)
    uri, _ = await open_doc(client, messy.replace("below 99.9%", "below 99.9"))
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            options=types.FormattingOptions(tab_size=4, insert_spaces=True),
        )
    )
    assert not edits


async def test_semantic_tokens(client: LanguageClient):
    uri, _ = await open_doc(client, SAMPLE)
    result = await client.text_document_semantic_tokens_full_async(
        types.SemanticTokensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    legend = SERVER["capabilities"].semantic_tokens_provider.legend.token_types
    lines = SAMPLE.split("\n")
    line = column = 0
    seen: dict[str, str] = {}
    data = result.data
    for i in range(0, len(data), 5):
        delta_line, delta_start, length, kind = data[i : i + 4]
        line += delta_line
        column = delta_start if delta_line else column + delta_start
        seen.setdefault(lines[line][column : column + length], legend[kind])
    assert seen["sla"] == "keyword" and seen["availability"] == "keyword" and seen["monday"] == "keyword"
    assert seen['"Northwind Cloud Platform Service Level Agreement"'] == "string"
    assert seen["99.5%"] == "number" and seen["2026-01-01"] == "number"
    assert seen[lines[0]] == "comment"
    assert seen["P1"] == "variable"


async def test_positions_count_utf16_units_after_characters_outside_the_bmp(client: LanguageClient):
    line = '    customer "Chat 💬 Ünïcode Ltd" timezone "Europe/Berln"'
    text = SAMPLE.replace('    timezone "America/Los_Angeles"\n    plans', line + "\n    plans")
    uri, found = await open_doc(client, text)
    e105 = next(d for d in found if d.code == "E105")
    prefix = line[: line.index("timezone")]  # the diagnostic is on the statement
    assert e105.range.start.character == len(prefix.encode("utf-16-le")) // 2 == len(prefix) + 1
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=e105.range,
            context=types.CodeActionContext(diagnostics=[e105]),
        )
    )
    [edit] = actions[0].edit.changes[uri]
    assert edit.new_text == "Europe/Berlin"
    assert edit.range.start.character == len(line[: line.index("Europe/Berln")].encode("utf-16-le")) // 2
