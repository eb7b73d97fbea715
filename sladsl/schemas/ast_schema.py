"""Builds `ast.schema.json` from the AST's own dataclasses, so that the schema of
`sladsl parse --json` cannot drift from what `sladsl.language.serialize.to_json` prints.

The schema is derived from the type hints of `sladsl.language.ast`, mapped the way `to_json` maps
values: a node is an object with `node` (its class name) and every public field; a
`Span` is {line, column, end_line, end_column}; `Decimal` a string; `date` `YYYY-MM-DD`;
an enum its value (a weekday its lower-case name); a tuple a list. Every key is
required and no other is allowed, so a renamed field fails validation.

`python -m sladsl.schemas.ast_schema > sladsl/schemas/ast.schema.json` rewrites the file;
`tests/test_schemas.py` fails when the shipped file differs from what this builds.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import types
import typing
from datetime import date
from decimal import Decimal
from typing import Any

from sladsl.language import ast
from sladsl.language.serialize import AST_SCHEMA_VERSION

DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


class _Builder:
    """Collects one `$defs` entry per node class reached from `Agreement`."""

    def __init__(self) -> None:
        self.defs: dict[str, Any] = {}

    def of(self, hint: Any) -> dict[str, Any]:
        """The schema of one annotated type."""
        if hint is ast.Span:
            return {"$ref": "#/$defs/Span"}
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            self.node(hint)
            return {"$ref": f"#/$defs/{hint.__name__}"}
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if origin in (typing.Union, types.UnionType):
            return self._union(args)
        if origin is tuple:
            return self._tuple(args)
        return _scalar(hint)

    def _union(self, args: tuple[Any, ...]) -> dict[str, Any]:
        choices = [self.of(a) for a in args if a is not type(None)]
        if type(None) in args:
            choices.append({"type": "null"})
        return choices[0] if len(choices) == 1 else {"anyOf": choices}

    def _tuple(self, args: tuple[Any, ...]) -> dict[str, Any]:
        if len(args) == 2 and args[1] is Ellipsis:
            return {"type": "array", "items": self.of(args[0])}
        return {
            "type": "array",
            "prefixItems": [self.of(a) for a in args],
            "minItems": len(args),
            "maxItems": len(args),
        }

    def node(self, cls: type) -> None:
        name = cls.__name__
        if name in self.defs:
            return
        self.defs[name] = {}  # placeholder: a node may (indirectly) contain itself
        hints = typing.get_type_hints(cls, vars(ast), vars(ast))  # not the class: `Effective.date` shadows `date`
        fields = [f.name for f in dataclasses.fields(cls) if not f.name.startswith("_")]
        properties: dict[str, Any] = {"node": {"const": name}}
        for field in fields:
            properties[field] = self.of(hints[field])
        self.defs[name] = {
            "type": "object",
            "properties": properties,
            "required": ["node", *fields],
            "additionalProperties": False,
        }


def _scalar(hint: Any) -> dict[str, Any]:
    if hint is bool:
        return {"type": "boolean"}
    if hint is int:
        return {"type": "integer"}
    if hint is str:
        return {"type": "string"}
    if hint is Decimal:
        return {"$ref": "#/$defs/decimal"}
    if hint is date:
        return {"$ref": "#/$defs/date"}
    if isinstance(hint, type) and issubclass(hint, enum.IntEnum):
        return {"enum": [member.name.lower() for member in hint]}
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return {"enum": [member.value for member in hint]}
    raise TypeError(f"the AST schema does not know how to_json writes {hint!r}")


def build() -> dict[str, Any]:
    """The schema of `sladsl parse --json`: the `Agreement` node plus `schema_version`."""
    builder = _Builder()
    builder.node(ast.Agreement)
    root = builder.defs.pop("Agreement")
    span = {
        "type": "object",
        "properties": {k: {"type": "integer"} for k in ("line", "column", "end_line", "end_column")},
        "required": ["line", "column", "end_line", "end_column"],
        "additionalProperties": False,
    }
    defs = {
        "Span": span,
        "decimal": {"type": "string", "pattern": DECIMAL_PATTERN, "description": "an exact decimal, as text"},
        "date": {"type": "string", "pattern": DATE_PATTERN, "description": "a calendar date, YYYY-MM-DD"},
        **dict(sorted(builder.defs.items())),
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "sladsl parse --json: the typed AST of one agreement",
        "description": "Generated from sladsl/language/ast.py by sladsl/schemas/ast_schema.py; see docs/report.md.",
        "type": "object",
        "properties": {"schema_version": {"const": AST_SCHEMA_VERSION}, **root["properties"]},
        "required": ["schema_version", *root["required"]],
        "additionalProperties": False,
        "$defs": defs,
    }


def text() -> str:
    """The file's exact content: two-space indents, a final newline."""
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(text(), end="")
