"""The front end: source text to a checked, typed AST (parse, check, format, serialize)."""
