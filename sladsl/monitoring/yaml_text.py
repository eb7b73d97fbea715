"""The YAML of `sladsl compile`: Decimals printed exactly, multi-line expressions as literal
blocks, and no hidden character (`sladsl.language.invisible`) written as it is.

Why its own module: YAML reads U+0085, U+2028 and U+2029 as line breaks. PyYAML, told to
allow Unicode, writes them raw in plain and single-quoted scalars, where a reader folds
them into spaces: a label `Edge<NEL>delivery` came back as `Edge delivery`, and a PromQL
string in an `expr` was cut in two (r01). A string holding any hidden character is written
double-quoted with everything outside ASCII escaped (`"Edge\\Ndelivery"`); every other
string keeps the plain, readable form.

Speed: an agreement with thousands of plans gets a rule group per plan (r13), tens of
megabytes of YAML. `sladsl.monitoring.yaml_fast` writes what `compile` makes, byte for byte as PyYAML
would, many times faster; what it does not know goes to libyaml's emitter (PyYAML's
`CSafeDumper`, when PyYAML has it: the same bytes as the pure-Python one, about four times
faster). Neither can be told to escape format characters, so a document holding a hidden
character is written by the Python emitter.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any

from sladsl.language.invisible import has_hidden
from sladsl.monitoring import yaml_fast
from sladsl.monitoring.common import number


def _number(value: Decimal) -> str:
    """Decimals as the rules print them (`sladsl.monitoring.common.number`): the fast writer's hook."""
    return number(value)


class _Hidden(Exception):
    """A string with hidden characters met by the fast emitter: start again with the other."""


def to_yaml(documents: list[Any]) -> str:
    """The documents as one YAML stream (`---` between documents when there are several)."""
    import yaml

    written = yaml_fast.dump(documents, _number)
    if written is not None:
        return written
    options: dict[str, Any] = {"sort_keys": False, "allow_unicode": True, "width": 120}
    options["explicit_start"] = len(documents) > 1
    fast = getattr(yaml, "CSafeDumper", None)
    if fast is not None:
        try:
            return str(yaml.dump_all(documents, Dumper=_dumper(fast, escaping=False), **options))
        except _Hidden:
            pass
    return str(yaml.dump_all(documents, Dumper=_dumper(yaml.SafeDumper, escaping=True), **options))


@functools.cache
def _dumper(base: type, escaping: bool) -> type:
    """A dumper on `base` with sladsl's representers; `escaping` for the Python emitter."""
    import yaml

    class Dumper(base):  # type: ignore[misc]  # a base chosen at run time
        def write_double_quoted(self, text: str, split: bool = True) -> None:
            """Strings holding hidden characters: every character outside ASCII escaped."""
            if not has_hidden(text, allowed="\n"):
                super().write_double_quoted(text, split)
                return
            unicode = getattr(self, "allow_unicode", True)
            self.allow_unicode = False
            try:
                super().write_double_quoted(text, split)
            finally:
                self.allow_unicode = unicode

    def decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
        return dumper.represent_scalar("tag:yaml.org,2002:float", _number(value))

    def text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
        if has_hidden(value, allowed="\n"):
            if not escaping:
                raise _Hidden
            style: str | None = '"'  # escaped in Dumper.write_double_quoted
        else:
            style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(Decimal, decimal)
    Dumper.add_representer(str, text)
    return Dumper
