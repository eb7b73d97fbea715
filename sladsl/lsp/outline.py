"""The outline (document symbols) and the semantic tokens, both from the lexer's tokens.

Neither needs the text to parse: the outline is the blocks `sladsl.lsp.names` found
(services with their objectives and credits, calendars, support plans, security,
reporting), and semantic tokens classify each token by kind (keywords are the grammar's).
"""

from __future__ import annotations

from lsprotocol import types

from sladsl.lsp.documents import Analysis
from sladsl.lsp.lexer import keywords
from sladsl.lsp.names import Block
from sladsl.lsp.positions import Positions

TOKEN_TYPES = ["keyword", "string", "number", "comment", "variable", "operator"]
TOKEN_MODIFIERS = ["declaration"]
LEGEND = types.SemanticTokensLegend(token_types=TOKEN_TYPES, token_modifiers=TOKEN_MODIFIERS)
_KEYWORD, _STRING, _NUMBER, _COMMENT, _VARIABLE, _OPERATOR = range(6)
_DECLARATION = 1

_SYMBOL_KINDS = {
    "service": types.SymbolKind.Module,
    "objective": types.SymbolKind.Property,
    "credits": types.SymbolKind.Event,
    "calendar": types.SymbolKind.Struct,
    "support": types.SymbolKind.Class,
    "security": types.SymbolKind.Namespace,
    "reporting": types.SymbolKind.Namespace,
}


def symbols(analysis: Analysis, positions: Positions) -> list[types.DocumentSymbol]:
    return [_symbol(block, positions) for block in analysis.names.blocks]


def _symbol(block: Block, positions: Positions) -> types.DocumentSymbol:
    if block.kind == "credits":
        name = f'credits for "{block.name}"'
    elif block.name is not None:
        name = f'{block.kind} "{block.name}"'
    else:
        name = block.kind
    whole = positions.range(block.start.start, max(block.end, block.start.end))
    picked = block.name_token or block.start
    return types.DocumentSymbol(
        name=name,
        kind=_SYMBOL_KINDS.get(block.kind, types.SymbolKind.Object),
        range=whole,
        selection_range=positions.range(picked.start, picked.end),
        children=[_symbol(child, positions) for child in block.children],
    )


def semantic_tokens(analysis: Analysis) -> list[int]:
    """The LSP's relative encoding: five integers per token, a multi-line token split by line
    (prose and unterminated strings), in UTF-16 units."""
    words = keywords()
    declared = {n.token.start for n in analysis.names.names if n.definition}
    data: list[int] = []
    previous_line = previous_column = 0
    lines = analysis.lines
    shift = 1 if analysis.bom else 0
    for tok in analysis.tokens:
        kind = tok.kind
        modifiers = 0
        if kind == "word":
            kind_id = _KEYWORD if tok.text in words else _VARIABLE
        elif kind in ("string", "prose"):
            kind_id = _STRING
            modifiers = _DECLARATION if tok.start in declared else 0
        elif kind == "number":
            kind_id = _NUMBER
        elif kind == "comment":
            kind_id = _COMMENT
        elif kind == "punct" and tok.text in ":,":
            kind_id = _OPERATOR
        else:
            continue
        pieces = tok.text.split("\n") if "\n" in tok.text else [tok.text]
        line, column = tok.line, tok.column
        for piece in pieces:
            if piece:
                text = lines.line_text(line)
                start = column if text.isascii() else _utf16(text[:column])
                start += shift if line == 0 else 0
                length = len(piece) if piece.isascii() else _utf16(piece)
                delta_line = line - previous_line
                delta_start = start - previous_column if delta_line == 0 else start
                data += [delta_line, delta_start, length, kind_id, modifiers]
                previous_line, previous_column = line, start
            line, column = line + 1, 0
    return data


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
