"""Where the files that ship beside the code are found: the grammar and the templates.

Why a module of its own: the front end needs the grammar and both the documents and the
evaluation report need the templates; keeping the lookup here, below every stage, lets
each stage find them without importing another stage. A wheel puts `grammar/` and
`templates/` inside the package; a checkout has them at the top of the repository.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _shipped(folder: str) -> Path:
    packaged = _PACKAGE / folder
    return packaged if packaged.is_dir() else _PACKAGE.parent / folder


def grammar_file(name: str) -> Path:
    """A file of the grammar folder (`sla.lark`, its parse tables)."""
    return _shipped("grammar") / name


def template_dir() -> Path:
    """The folder of the built-in Jinja2 templates and the contract stylesheet."""
    return _shipped("templates")
