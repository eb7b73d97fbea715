"""`sladsl render`: the customer-facing contract document, as HTML, Markdown or PDF.

The AST becomes a view model of plain strings (sections, numbered clauses, tables:
`sladsl.documents.model`); Jinja2 templates lay it out. HTML autoescapes every value;
Markdown escapes what a Markdown viewer would otherwise turn into markup; prose is
rendered by markdown-it with raw HTML disabled; no value prints a hidden character as it
is (`sladsl.documents.escape`). PDF is WeasyPrint's rendering of the same HTML with print CSS
(`sladsl.documents.pdf`). Templates from `--template-dir` run in Jinja2's sandbox.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import jinja2.sandbox

# re-exported: the model, the escaping and the PDF live in their own modules
from sladsl.documents.escape import MarkdownSource as MarkdownSource
from sladsl.documents.escape import _html_shown, _md_escape
from sladsl.documents.escape import md_prose as md_prose
from sladsl.documents.escape import md_text as md_text
from sladsl.documents.model import OVERRIDABLE as OVERRIDABLE
from sladsl.documents.model import Section as Section
from sladsl.documents.model import contract_model as contract_model
from sladsl.documents.model import customer_copy as customer_copy
from sladsl.documents.model import prose as prose
from sladsl.documents.pdf import asset_folders as asset_folders
from sladsl.documents.pdf import asset_path as asset_path
from sladsl.documents.pdf import html_to_pdf as html_to_pdf
from sladsl.language import ast
from sladsl.language.diagnostics import SladslError
from sladsl.resources import template_dir

FORMATS = {"html": "contract.html.j2", "md": "contract.md.j2"}


@functools.cache
def environment(fmt: str, user_templates: Path | None = None) -> jinja2.Environment:
    """One environment per format and template folder, so templates compile once."""
    loaders: list[jinja2.BaseLoader] = []
    if user_templates is not None:
        if not user_templates.is_dir():
            raise SladslError(f"--template-dir {user_templates}: not a folder")
        loaders.append(jinja2.FileSystemLoader(user_templates))
    loaders.append(jinja2.FileSystemLoader(template_dir()))
    kind = jinja2.sandbox.SandboxedEnvironment if user_templates is not None else jinja2.Environment
    options: dict[str, Any] = {
        "loader": jinja2.ChoiceLoader(loaders),
        "undefined": jinja2.StrictUndefined,
        "trim_blocks": True,
        "lstrip_blocks": True,
        "keep_trailing_newline": True,
    }
    if fmt == "md":
        return kind(autoescape=False, finalize=_md_escape, **options)
    return kind(autoescape=True, finalize=_html_shown, **options)


def render_text(
    agreement: ast.Agreement,
    fmt: str,
    overrides: dict[str, str] | None = None,
    user_templates: Path | None = None,
    paper: str = "A4",
    plan: str | None = None,
) -> str:
    """HTML or Markdown of the contract; the same input always gives the same bytes.

    `plan` renders one customer's copy; without it every plan is laid out side by side.
    """
    model = contract_model(agreement, overrides, plan)
    try:
        template = environment(fmt, user_templates).get_template(FORMATS[fmt])
        return template.render(**model, paper=paper)
    except jinja2.TemplateError as exc:
        where = f" ({exc.filename}:{exc.lineno})" if isinstance(exc, jinja2.TemplateSyntaxError) else ""
        raise SladslError(f"template error{where}: {exc.message or exc}") from None


def render_pdf(
    agreement: ast.Agreement,
    overrides: dict[str, str] | None = None,
    user_templates: Path | None = None,
    paper: str = "A4",
    plan: str | None = None,
    warn: Callable[[str], None] | None = None,
) -> bytes:
    """The PDF; `warn` hears of every resource the document asked for and did not get."""
    html = render_text(agreement, "html", overrides, user_templates, paper, plan)
    return html_to_pdf(html, user_templates, warn)
