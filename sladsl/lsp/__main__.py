"""`python -m sladsl.lsp`: the language server over stdio."""

from sladsl.lsp.server import main

main()
