"""The language server: `sladsl lsp` (or `python -m sladsl.lsp`) speaks LSP over stdio.

Every answer is built from the language's own pieces: diagnostics from `check_source`,
keywords from the parser's state, formatting from `fmt`, allowances from the document's
phrases. The modules:

- `server`: the pygls server and its handlers (thin: each calls one module below);
- `documents`: one analysis per open document (text, tokens, AST, diagnostics), kept
  until the text changes, and the last AST that parsed, for hover while the text is broken;
- `incremental`: syntax errors statement by statement, each statement's result kept by its
  text, so that a keystroke in a broken file does not re-parse the whole file;
- `lexer`: a small scanner for semantic tokens and names (works on text that does not parse);
- `names`: definitions and references (objectives, calendars, plans) and the outline;
- `hover`, `completion`, `fixes`: what their names say;
- `positions`: source spans to LSP ranges (UTF-16 or what the client asked for).

See docs/editors.md.
"""
