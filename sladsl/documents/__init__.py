"""The customer-facing contract: the AST in plain words, rendered to HTML, Markdown and PDF."""
