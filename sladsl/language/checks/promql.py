"""W215: a `monitor prometheus` query that is not PromQL.

Prometheus refuses a whole rule file for one expression it cannot parse (and a reload keeps
the old rules), so a typo in one query would cost every objective its alerts. The query is
parsed with `promql-parser` (GreptimeDB's PromQL parser) after `{{window}}` is filled in. A
warning, not an error: the contract, its document and evaluation from tables do not read the
queries; `compile` leaves such an objective out and says so.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from sladsl.language import ast
from sladsl.language.checks.common import Diagnostics
from sladsl.language.diagnostics import warning

Parse = Callable[[str], object]


@functools.cache
def _parser() -> Parse | None:
    """`promql_parser.parse`, or None where the library cannot be loaded (then nothing is said)."""
    try:
        from promql_parser import parse
    except ImportError:  # a platform without its wheel: no check rather than a crash
        return None
    return parse


def query_problem(query: ast.MonitorQuery) -> str | None:
    """Why a monitor query is not PromQL, in the parser's words; None when it parses."""
    parse = _parser()
    if parse is None:
        return None
    text = query.query.replace("{{window}}", "5m")
    if query.kind == "histogram":  # a metric name, with matchers: the rules read NAME_bucket
        text = text.replace("{", "_bucket{", 1) if "{" in text else f"{text}_bucket"
    try:
        parse(text)
    except ValueError as exc:
        return str(exc) or "it does not parse"
    except Exception as exc:  # the parser is a native library: never let it stop a check
        return f"it does not parse ({type(exc).__name__})"
    return None


def check_queries(monitor: ast.Monitor) -> Diagnostics:
    for query in monitor.queries:
        problem = query_problem(query)
        if problem is not None:
            yield warning(
                "W215",
                f"the `{query.kind}` query is not PromQL: {problem}",
                query.span,
                "`sladsl compile` leaves this objective out of the rules (Prometheus would refuse the whole "
                "file); try the query in Prometheus's query page",
            )
