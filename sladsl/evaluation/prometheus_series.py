"""Do the series behind a query exist? The check that tells a misspelt metric or label
from a period without events.

Why: a query whose selector matches nothing answers "no series", which for an `errors`
query reads as "no errors" and so as 100% available. Prometheus cannot tell a typo from
a healthy service (a `{code=~"5.."}` counter has no series until the first 5xx), so the
rule (docs/prometheus.md, "Series checks") looks at what the server holds:

- a metric name with no series at all, in the period or before it (the server's whole
  store), is an error: nothing has ever been recorded under that name;
- a label name that none of the metric's series carries, in the period or before, is an
  error (a matcher `label=""`, which asks for the label's absence, excepted);
- a selector that matches no series, in the period or before, while its metric and label
  names exist, is a warning naming the values the server has: a value that has never
  occurred (`code="500"` where only 503 happened) may be a typo or a healthy service.

The selectors are found by a small PromQL scanner: identifiers not followed by `(` that are
not keywords are metric names, with their `{...}` matchers; `{...}` alone is a selector
too; label lists (`by (...)`, `on (...)`...) and ranges (`[5m]`) are skipped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from sladsl.evaluation.prometheus_http import Server, shown
from sladsl.language.diagnostics import SladslError
from sladsl.language.periods import Window

_TOKENS = re.compile(
    r"""
    (?P<skip>\s+|\#[^\n]*)
    |(?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`)
    |(?P<number>(?:0[xX][0-9a-fA-F]+|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)[a-zA-Z0-9_]*)
    |(?P<ident>[a-zA-Z_:][a-zA-Z0-9_:]*)
    |(?P<op>=~|!~|!=|==|<=|>=|[-+*/%^=<>(){}\[\],@:])
    """,
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "unless", "bool", "offset", "inf", "nan", "atan2"}
_LABEL_LISTS = {"by", "without", "on", "ignoring", "group_left", "group_right"}
_AGGREGATIONS = {
    "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
    "bottomk", "topk", "quantile", "limitk", "limit_ratio",
}  # fmt: skip
_MATCH_OPS = {"=", "!=", "=~", "!~"}
_EMPTY = ('""', "''", "``")
_LISTED = 10  # label names or values named in a message


@dataclass(frozen=True)
class Matcher:
    label: str  # as written: a name, or a quoted name (Prometheus 3)
    op: str
    value: str  # the string literal as written, quotes included

    @property
    def text(self) -> str:
        return f"{self.label}{self.op}{self.value}"

    @property
    def plain(self) -> str | None:
        """The label name when written as an identifier (only those are checked)."""
        return self.label if re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]*", self.label) else None


@dataclass(frozen=True)
class Selector:
    name: str | None  # the metric name written before `{`
    matchers: tuple[Matcher, ...]

    @property
    def text(self) -> str:
        """The selector as `match[]` takes it."""
        inner = ",".join(m.text for m in self.matchers)
        return f"{self.name or ''}{{{inner}}}" if inner or not self.name else self.name

    @property
    def metric(self) -> str | None:
        """A selector for the metric alone: `{__name__="m"}`, or None when the selector
        names no single metric."""
        if self.name:
            return f'{{__name__="{self.name}"}}'
        for m in self.matchers:
            if m.label == "__name__" and m.op == "=" and m.value not in _EMPTY:
                return f"{{__name__={m.value}}}"
        return None

    @property
    def metric_name(self) -> str:
        if self.name:
            return self.name
        for m in self.matchers:
            if m.label == "__name__" and m.op == "=":
                return _unquote(m.value)
        return self.text


def _unquote(literal: str) -> str:
    if literal.startswith('"'):
        try:
            return str(json.loads(literal))
        except ValueError:
            pass
    return literal[1:-1]


def selectors(query: str) -> list[Selector]:
    """The vector selectors of a PromQL expression, in order, each once; ValueError when
    the text is not understood."""
    tokens = _tokenize(query)
    found: list[Selector] = []
    i = 0
    while i < len(tokens):
        kind, text = tokens[i]
        following = tokens[i + 1][1] if i + 1 < len(tokens) else ""
        if kind == "ident":
            low = text.lower()
            if low in _LABEL_LISTS:
                i = _skip(tokens, i + 1, "(", ")") if following == "(" else i + 1
                continue
            if (
                low in _KEYWORDS
                or following == "("
                or (low in _AGGREGATIONS and following.lower() in ("by", "without"))
            ):
                i += 1
                continue
            i, matchers = _matchers(tokens, i + 1) if following == "{" else (i + 1, ())
            found.append(Selector(text, matchers))
        elif text == "{":
            i, matchers = _matchers(tokens, i)
            found.append(Selector(None, matchers))
        elif text == "[":
            i = _skip(tokens, i, "[", "]")
        else:
            i += 1
    return list(dict.fromkeys(found))


def _tokenize(query: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    at = 0
    while at < len(query):
        found = _TOKENS.match(query, at)
        if found is None or found.lastgroup is None:
            raise ValueError(f"unexpected {query[at]!r}")
        if found.lastgroup != "skip":
            tokens.append((found.lastgroup, found.group()))
        at = found.end()
    return tokens


def _skip(tokens: list[tuple[str, str]], i: int, opening: str, closing: str) -> int:
    """The index after the group that opens at tokens[i]."""
    depth = 0
    for j in range(i, len(tokens)):
        text = tokens[j][1] if tokens[j][0] == "op" else ""
        depth += (text == opening) - (text == closing)
        if depth == 0:
            return j + 1
    raise ValueError(f"unbalanced {opening}")


def _matchers(tokens: list[tuple[str, str]], i: int) -> tuple[int, tuple[Matcher, ...]]:
    """The matchers of the `{...}` that opens at tokens[i], and the index after it."""
    found: list[Matcher] = []
    i += 1
    while i < len(tokens) and tokens[i][1] != "}":
        kind, label = tokens[i]
        if kind == "string" and i + 1 < len(tokens) and tokens[i + 1][1] in (",", "}"):
            found.append(Matcher("__name__", "=", label))  # Prometheus 3: {"metric.name"}
            i += 1
        elif kind in ("ident", "string") and i + 2 < len(tokens) and tokens[i + 1][1] in _MATCH_OPS:
            if tokens[i + 2][0] != "string":
                raise ValueError("a matcher's value is not a string")
            found.append(Matcher(label, tokens[i + 1][1], tokens[i + 2][1]))
            i += 3
        else:
            raise ValueError("not a label matcher")
        if i < len(tokens) and tokens[i][1] == ",":
            i += 1
    if i >= len(tokens):
        raise ValueError("unbalanced {")
    return i + 1, tuple(found)


# ---- asking the server ------------------------------------------------------------------


@dataclass
class SeriesCheck:
    """Checks every selector of the queries of one evaluation, each once."""

    server: Server
    window: Window
    warn: Callable[[str], None]
    done: set[Selector]

    def query(self, query: str) -> None:
        """Stop (SladslError) when a metric or label name of `query` has no series on the
        server; warn when a selector matches none, in the period or before."""
        where = f"{self.server.shown}: query {query!r}"
        try:
            found = selectors(query)
        except ValueError as exc:
            self.warn(f"{where}: its series are not checked (the query is not understood here: {exc})")
            return
        for selector in found:
            if selector not in self.done:
                self.done.add(selector)
                self._selector(selector, where)

    def _selector(self, selector: Selector, where: str) -> None:
        metric = selector.metric
        if metric is not None:
            self._label_names(selector, metric, where)
        if self._exists(selector.text, where):
            return
        self.warn(
            f"{where}: no series matches {selector.text} in {self.window.label} or before; "
            f"it counts nothing{self._values(selector, metric, where)}"
        )

    def _label_names(self, selector: Selector, metric: str, where: str) -> None:
        """Stop when the metric has no series, in the period or before, or when a label
        that a matcher needs is carried by none of them; a partial answer (the server
        warned) proves nothing and passes."""
        names, partial = self.server.labels(metric, self.window.start_us, self.window.end_us, where)
        whole = False
        for m in selector.matchers:
            label = m.plain
            if partial or label is None or label == "__name__" or label in names:
                continue
            if m.op == "=" and m.value in _EMPTY:
                continue  # asks for the series without the label
            if not whole:  # a label only older series carry: look at the whole store
                more, partial = self.server.labels(metric, None, None, where)
                names, whole = [*names, *more], True
                if partial or label in names:
                    continue
            if names:
                carried = ", ".join(shown(n, 60) for n in sorted(set(names)) if n != "__name__")
                raise SladslError(
                    f"{where}: no series of `{shown(selector.metric_name, 100)}` has a label `{label}` in "
                    f"{self.window.label} or before (its labels: {carried or 'none'}); is the label misspelt?"
                )
        if not names and not partial and not whole:
            names, partial = self.server.labels(metric, None, None, where)
        if not names and not partial:
            raise SladslError(
                f"{where}: no series of metric `{shown(selector.metric_name, 100)}` on the server, in "
                f"{self.window.label} or before; is the name misspelt?"
            )

    def _exists(self, match: str, where: str) -> bool:
        """Whether `match` selects a series in the period, else in the store (a partial
        answer counts as yes: it proves nothing)."""
        names, partial = self.server.labels(match, self.window.start_us, self.window.end_us, where)
        if names or partial:
            return True
        names, partial = self.server.labels(match, None, None, where)
        return bool(names) or partial

    def _values(self, selector: Selector, metric: str | None, where: str) -> str:
        """`; values of code: "200", "503"` for the selector's matchers, from the server."""
        if metric is None:
            return ""
        parts = []
        for m in selector.matchers[:3]:
            if m.plain is None or m.plain == "__name__":
                continue
            values = sorted(self.server.label_values(m.plain, metric, where))
            listed = ", ".join(f'"{shown(v, 60)}"' for v in values[:_LISTED])
            more = f" and {len(values) - _LISTED} more" if len(values) > _LISTED else ""
            parts.append(f"{m.plain}: {listed or 'none'}{more}")
        return f" (values on the server: {'; '.join(parts)})" if parts else ""
