"""`sladsl diff OLD NEW`: what a new version of an agreement changes for the customer.

Each side is a `.sla` file or `REV:path` (read with `git show`). The report is text, JSON
(`sladsl/schemas/diff.schema.json`), or a Markdown / HTML redline; `--fail-on adverse`
exits 3 for CI; `--data DIR --period A..B` replays the evidence under both versions.
See docs/diff.md.
"""

from __future__ import annotations

import click

from sladsl.cli_output import EXIT_FAIL_ON, load_checked, parse_date, read_input, reports_bad_input, write_output
from sladsl.language.diagnostics import SladslError

FAIL_ON = ("adverse", "adverse-or-favourable", "any")


@click.command("diff")
@click.argument("old")
@click.argument("new")
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "json", "md", "html"]),
    default="text",
    show_default=True,
    help="a text report, JSON, or a Markdown / HTML redline",
)
@click.option(
    "--fail-on",
    "fail_on",
    multiple=True,
    type=click.Choice(FAIL_ON),
    help="exit 3 when a change of this class is found (`any`: any change in meaning)",
)
@click.option("--data", default=None, help="replay this evidence under both versions (needs --period)")
@click.option("--period", default=None, help="the periods to replay: 2026-10 or 2026-01..2026-12")
@click.option("--customers", default=None, help="the customers table to replay with (.csv, .parquet or .jsonl)")
@click.option("--as-of", "as_of", default=None, help="judge the replay as of this day (YYYY-MM-DD)")
@click.option("-o", "--out", default=None, help="write to this file instead of standard output")
@reports_bad_input
def diff_command(
    old: str,
    new: str,
    output: str,
    fail_on: tuple[str, ...],
    data: str | None,
    period: str | None,
    customers: str | None,
    as_of: str | None,
    out: str | None,
) -> None:
    """Compare two versions of an agreement, clause by clause, for the customer.

    OLD and NEW are .sla files, REV:path (for example HEAD~1:sla/cloud.sla), or - for
    standard input (one side). Every change
    in meaning is listed with a code, a class (adverse, favourable, neutral, or
    adverse-or-favourable where it depends on the data), the lines on both sides and a
    sentence. Layout, comments and order alone are no change in meaning.
    """
    from sladsl.changes import diff_agreements
    from sladsl.changes.output import json_report, text_report
    from sladsl.changes.sources import read_side

    if (data is None) != (period is None):
        raise SladslError("--data and --period go together: the replay needs both")
    if customers is not None and data is None:
        raise SladslError("--customers needs --data and --period")
    if output in ("md", "html") and data is not None:
        raise SladslError(f"--format {output} is the redline; the replay is in text or json")
    day = parse_date(as_of, "--as-of")
    if old == "-" and new == "-":
        raise SladslError("only one side can be standard input (-)")
    before_source = read_input("-") if old == "-" else read_side(old)
    after_source = read_input("-") if new == "-" else read_side(new)
    before = load_checked(before_source, None)
    after = load_checked(after_source, None)
    diff = diff_agreements(
        before, after, before_source.name, after_source.name, before_source.text == after_source.text
    )
    book = None
    if data is not None and period is not None:
        from sladsl.changes.replay import replay

        book = replay(before, after, data, period, customers, day)
        for line in book.notes:
            click.echo(f"sladsl: note: {line}", err=True)
    if output == "json":
        text = json_report(diff, book)
    elif output == "md":
        from sladsl.changes.redline import markdown

        text = markdown(diff, before, after)
    elif output == "html":
        from sladsl.changes.redline import html_document

        text = html_document(diff, before, after)
    else:
        text = text_report(diff, book)
    write_output(text, out, (old, new, data, customers))
    _exit_for(diff, fail_on)


def _exit_for(diff: object, fail_on: tuple[str, ...]) -> None:
    from sladsl.changes.model import ADVERSE, DEPENDS, NEUTRAL, Diff

    assert isinstance(diff, Diff)
    wanted = set(fail_on)
    hits = [
        c
        for c in diff.changes
        if ("any" in wanted and c.kind != NEUTRAL)
        or (c.kind == ADVERSE and "adverse" in wanted)
        or (c.kind == DEPENDS and "adverse-or-favourable" in wanted)
    ]
    if hits:
        click.echo(f"sladsl: {len(hits)} change(s) of a class given to --fail-on: exit {EXIT_FAIL_ON}", err=True)
        raise click.exceptions.Exit(EXIT_FAIL_ON)
