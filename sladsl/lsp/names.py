"""Names and blocks from the tokens: what go-to-definition, find-references and the outline read.

Read from the token list (`sladsl.lsp.lexer`), not the AST, so that they work while the
text does not parse. The language's names:

- objectives: `objective "X"` defines, `credits for "X"` refers (within one service);
- calendars: `calendar "X" {` defines, `calendar "X"` in a support plan or the reporting
  block and a claim window's `on "X"` refer;
- plans: `plans "A", "B"` defines, `on plan "A"` / `on plans "A", "B"` refer;
- services and support plans are defined only (the outline shows them).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sladsl.lsp.lexer import Token

OBJECTIVE, CALENDAR, PLAN, SERVICE, SUPPORT = "objective", "calendar", "plan", "service", "support"


@dataclass(frozen=True, slots=True)
class Name:
    """One use of a name: its kind, the service it belongs to (objectives only), the name, the
    string token that spells it, and whether it defines the name."""

    kind: str
    scope: str | None
    value: str
    token: Token
    definition: bool

    @property
    def key(self) -> tuple[str, str | None, str]:
        return (self.kind, self.scope, self.value)


@dataclass(slots=True)
class Block:
    """A block of the outline: `service "X" { ... }` and the like, from its keyword to its `}`."""

    kind: str
    name: str | None
    start: Token
    name_token: Token | None
    end: int = -1
    children: list[Block] = field(default_factory=list)


@dataclass(slots=True)
class Index:
    names: list[Name]
    blocks: list[Block]

    def at(self, offset: int) -> Name | None:
        """The name whose string holds `offset` (its quotes included)."""
        for name in self.names:
            if name.token.start <= offset <= name.token.end:
                return name
        return None

    def definitions(self, name: Name) -> list[Name]:
        return [n for n in self.names if n.definition and n.key == name.key]

    def references(self, name: Name, include_definition: bool = True) -> list[Name]:
        return [n for n in self.names if n.key == name.key and (include_definition or not n.definition)]

    def defined(self, kind: str, scope: str | None = None) -> list[str]:
        """The names of one kind defined in the text (objectives of one service), in order, once each."""
        seen: dict[str, None] = {}
        for n in self.names:
            if n.definition and n.kind == kind and (scope is None or n.scope == scope):
                seen.setdefault(n.value, None)
        return list(seen)


_BLOCK_WORDS = {"service": SERVICE, "objective": OBJECTIVE, "calendar": CALENDAR, "support": SUPPORT}


def index(tokens: list[Token], size: int | None = None) -> Index:
    """Every name and block of the text, in one pass over its tokens; a block left open
    runs to the end of the text (`size` characters)."""
    toks = [t for t in tokens if t.kind != "comment"]
    names: list[Name] = []
    roots: list[Block] = []
    stack: list[Block | None] = []
    pending: Block | None = None
    count = len(toks)

    def service() -> str | None:
        for block in reversed(stack):
            if block is not None and block.kind == SERVICE:
                return block.name
        return None

    def following_strings(i: int) -> tuple[list[Token], int]:
        """The comma-separated strings from `i` on, and the index after them."""
        found: list[Token] = []
        while i < count and toks[i].kind == "string":
            found.append(toks[i])
            i += 1
            if i + 1 < count and toks[i].text == "," and toks[i + 1].kind == "string":
                i += 1
            else:
                break
        return found, i

    i = 0
    while i < count:
        tok = toks[i]
        text = tok.text
        after = toks[i + 1] if i + 1 < count else None
        if tok.kind == "punct" and text == "{":
            stack.append(pending)
            if pending is not None:
                parent = next((b for b in reversed(stack[:-1]) if b is not None), None)
                (parent.children if parent is not None else roots).append(pending)
            pending = None
        elif tok.kind == "punct" and text == "}":
            if stack:
                block = stack.pop()
                if block is not None:
                    block.end = tok.end
        elif tok.kind == "word" and after is not None:
            if text in _BLOCK_WORDS and after.kind == "string":
                kind = _BLOCK_WORDS[text]
                opens = i + 2 < count and toks[i + 2].text in ("{", "on")
                if kind == CALENDAR and not opens:
                    names.append(Name(CALENDAR, None, after.value, after, False))
                else:
                    scope = service() if kind == OBJECTIVE else None
                    names.append(Name(kind, scope, after.value, after, True))
                    pending = Block(kind, after.value, tok, after)
                i += 2
                continue
            if text == "credits" and after.text == "for" and i + 2 < count and toks[i + 2].kind == "string":
                target = toks[i + 2]
                names.append(Name(OBJECTIVE, service(), target.value, target, False))
                pending = Block("credits", target.value, tok, target)
                i += 3
                continue
            if text in ("security", "reporting") and after.text == "{":
                pending = Block(text, None, tok, None)
            elif text == "on" and after.text in ("plan", "plans"):
                found, i = following_strings(i + 2)
                names += [Name(PLAN, None, t.value, t, False) for t in found]
                continue
            elif text == "on" and after.kind == "string":
                names.append(Name(CALENDAR, None, after.value, after, False))
                i += 2
                continue
            elif text == "plans" and after.kind == "string":
                found, i = following_strings(i + 1)
                names += [Name(PLAN, None, t.value, t, True) for t in found]
                continue
        i += 1
    end = size if size is not None else tokens[-1].end if tokens else 0
    for block in stack:
        if block is not None and block.end < 0:
            block.end = end
    return Index(names, roots)
