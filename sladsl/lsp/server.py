"""The pygls server: one handler per LSP feature, each a call into its module.

Started by `sladsl lsp` and `python -m sladsl.lsp` (`main`), over stdio. Documents are
synchronised incrementally; each version is parsed and checked once (`Documents`), on
open and on change, and every request reads that analysis.

Initialization options (all optional): `{"docsUrl": "https://…/language.md#{code}"}` sets
where a diagnostic's code links to (`{code}` is replaced by the code).
"""

from __future__ import annotations

import threading
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from sladsl import __version__ as VERSION
from sladsl.language.diagnostics import SyntaxFailure
from sladsl.language.formatter import format_source
from sladsl.lsp import completion, fixes, hover, outline
from sladsl.lsp.documents import Analysis, Documents
from sladsl.lsp.positions import Positions


class SlaServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("sladsl", VERSION, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.documents = Documents()
        self.docs_url: str | None = fixes.default_docs_url()

    def analysis(self, uri: str) -> Analysis:
        document = self.workspace.get_text_document(uri)
        return self.documents.get(uri, document.source)

    def positions(self, analysis: Analysis) -> Positions:
        encoding = getattr(self.server_capabilities, "position_encoding", None) or "utf-16"
        return Positions(analysis, str(encoding))

    def publish(self, uri: str, version: int | None = None) -> None:
        analysis = self.analysis(uri)
        found = fixes.lsp_diagnostics(analysis, self.positions(analysis), self.docs_url)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=found)
        )


server = SlaServer()


@server.feature(types.INITIALIZE)
def initialize(ls: SlaServer, params: types.InitializeParams) -> None:
    options = params.initialization_options
    if isinstance(options, dict) and isinstance(options.get("docsUrl"), str):
        ls.docs_url = options["docsUrl"]
    # warm what the first requests need, off the request path: the parser's tables are
    # loaded at import; the holidays package takes ~0.1 s to list its countries
    threading.Thread(target=_warm, daemon=True).start()


def _warm() -> None:
    try:
        completion.holiday_codes()
        completion.time_zones()
    except Exception:  # only a cache: the request that needs it builds it again
        pass


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: SlaServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.publish(params.text_document.uri, params.text_document.version)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: SlaServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.publish(params.text_document.uri, params.text_document.version)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: SlaServer, params: types.DidCloseTextDocumentParams) -> None:
    ls.documents.close(params.text_document.uri)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix])
)
def code_action(ls: SlaServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    analysis = ls.analysis(uri)
    return fixes.code_actions(analysis, ls.positions(analysis), uri, params.range, ls.docs_url)


@server.feature(types.TEXT_DOCUMENT_HOVER)
def on_hover(ls: SlaServer, params: types.HoverParams) -> types.Hover | None:
    uri = params.text_document.uri
    analysis = ls.analysis(uri)
    positions = ls.positions(analysis)
    offset = positions.offset(params.position)
    source = analysis
    if analysis.agreement is None:  # while the text is broken: the last AST, where the text is the same
        source = ls.documents.last_good(uri) or analysis
    if source.agreement is None:
        return None
    found = hover.hover_text(source.agreement, hover.path_at(source.agreement, offset))
    if found is None:
        return None
    text, node = found
    start, end = node.span.start_pos, node.span.end_pos
    if source is not analysis and source.text[start:end] != analysis.text[start:end]:
        return None
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
        range=positions.range(start, end),
    )


@server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=['"', " "]))
def on_completion(ls: SlaServer, params: types.CompletionParams) -> types.CompletionList:
    analysis = ls.analysis(params.text_document.uri)
    items = completion.complete(analysis, ls.positions(analysis), params.position)
    return types.CompletionList(is_incomplete=False, items=items)


@server.feature(types.TEXT_DOCUMENT_DEFINITION)
def on_definition(ls: SlaServer, params: types.DefinitionParams) -> list[types.Location]:
    uri = params.text_document.uri
    analysis = ls.analysis(uri)
    positions = ls.positions(analysis)
    name = analysis.names.at(positions.offset(params.position))
    if name is None:
        return []
    return [_location(uri, positions, n.token) for n in analysis.names.definitions(name)]


@server.feature(types.TEXT_DOCUMENT_REFERENCES)
def on_references(ls: SlaServer, params: types.ReferenceParams) -> list[types.Location]:
    uri = params.text_document.uri
    analysis = ls.analysis(uri)
    positions = ls.positions(analysis)
    name = analysis.names.at(positions.offset(params.position))
    if name is None:
        return []
    found = analysis.names.references(name, params.context.include_declaration)
    return [_location(uri, positions, n.token) for n in found]


def _location(uri: str, positions: Positions, token: Any) -> types.Location:
    """A name's place: the text between its quotes."""
    end = token.end - 1 if token.text.endswith('"') and len(token.text) > 1 else token.end
    return types.Location(uri=uri, range=positions.range(token.start + 1, end))


@server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def on_symbols(ls: SlaServer, params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
    analysis = ls.analysis(params.text_document.uri)
    return outline.symbols(analysis, ls.positions(analysis))


@server.feature(types.TEXT_DOCUMENT_FORMATTING)
def on_formatting(ls: SlaServer, params: types.DocumentFormattingParams) -> list[types.TextEdit] | None:
    analysis = ls.analysis(params.text_document.uri)
    if analysis.agreement is None:
        return None
    try:
        formatted = format_source(analysis.text)
    except SyntaxFailure:
        return None
    if formatted == analysis.source:
        return []
    lines = analysis.source.split("\n")
    end = types.Position(line=len(lines) - 1, character=len(lines[-1].encode("utf-16-le")) // 2)
    whole = types.Range(start=types.Position(line=0, character=0), end=end)
    return [types.TextEdit(range=whole, new_text=formatted)]


@server.feature(types.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL, outline.LEGEND)
def on_semantic_tokens(ls: SlaServer, params: types.SemanticTokensParams) -> types.SemanticTokens:
    return types.SemanticTokens(data=outline.semantic_tokens(ls.analysis(params.text_document.uri)))


def main() -> None:
    """Serve over stdio until the client says `exit`."""
    server.start_io()
