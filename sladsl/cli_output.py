"""The command line's contract with scripts and people, shared by every command.

- Results go to stdout, everything else (diagnostics, warnings, `wrote ...`, progress) to
  stderr, so that `sladsl fmt - < a.sla > b.sla` or `--format json > r.json` never mixes a
  message into the result.
- Exit statuses: 0 success; 1 errors found in the agreement (`check`, `fmt --check`,
  `compile --strict`); 2 bad input, one line on stderr; 3 `evaluate --fail-on` matched;
  130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from sladsl.language.diagnostics import Diagnostic, SladslError, format_diagnostic
from sladsl.language.sources import Source, decode_source, output_path, read_source, shown, write_atomically
from sladsl.terminal import is_terminal, use_colour

F = TypeVar("F", bound=Callable[..., Any])

EXIT_ERRORS = 1
EXIT_BAD_INPUT = 2
EXIT_FAIL_ON = 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a command stopped by Ctrl-C


class BadInput(click.exceptions.Exit):
    """Stop with status 2 after printing one line; raised through click's own machinery."""


def fail(message: str) -> BadInput:
    click.echo(f"sladsl: error: {message}", err=True)
    return BadInput(EXIT_BAD_INPUT)


def warn(message: str) -> None:
    click.echo(f"sladsl: warning: {message}", err=True)


def note(message: str) -> None:
    click.echo(f"sladsl: note: {message}", err=True)


class Group(click.Group):
    """The `sladsl` group: Ctrl-C is one line and exit 130, not click's `Aborted!` and 1,
    which a script would read as "errors found"."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:  # Ctrl-C while the options are read, before `invoke`: click would say `Aborted!`
            return super().make_context(*args, **kwargs)
        except KeyboardInterrupt:
            interrupted()

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            interrupted()
        except BrokenPipeError:
            closed_pipe()


def interrupted() -> NoReturn:
    """Stop for Ctrl-C (or a library's own interrupt error): one line, exit 130."""
    start = "\n" if is_terminal(sys.stderr) else ""  # past the `^C` the terminal echoed
    click.echo(f"{start}sladsl: interrupted", err=True)
    raise click.exceptions.Exit(EXIT_INTERRUPTED)


def closed_pipe() -> None:
    """The reader went away (`sladsl evaluate ... | head -1`): stop quietly, as `cat` does;
    stdout is pointed at /dev/null so that Python's own flush at exit cannot complain."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no descriptor behind stdout (a test's buffer)
        pass
    raise click.exceptions.Exit(141)  # 128 + SIGPIPE


def _is_interrupt(exc: BaseException) -> bool:
    """DuckDB turns Ctrl-C during a query into its own `InterruptException`, or (in some
    statements, such as `CREATE TABLE ... AS`) a plain `RuntimeError: Query interrupted`."""
    if type(exc).__name__ == "InterruptException":
        return True
    return type(exc) is RuntimeError and str(exc).startswith("Query interrupted")


def reports_bad_input(command: F) -> F:
    """Turn `SladslError` (and any OSError naming a file) into one line on stderr and status
    2, never a traceback."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except SladslError as exc:
            raise fail(str(exc)) from None
        except (click.exceptions.Exit, click.ClickException, KeyboardInterrupt, BrokenPipeError):
            raise
        except OSError as exc:
            if exc.filename is None or os.environ.get("SLADSL_DEBUG"):
                return _internal_error(exc)
            raise fail(f"{shown(exc.filename)}: {exc.strerror or type(exc).__name__}") from None
        except Exception as exc:  # a bug: still one line, never a traceback (SLADSL_DEBUG=1 shows it)
            return _internal_error(exc)

    return wrapper  # type: ignore[return-value]


def _internal_error(exc: Exception) -> None:
    if _is_interrupt(exc):
        interrupted()
    if os.environ.get("SLADSL_DEBUG"):
        raise exc
    first = str(exc).splitlines()[0] if str(exc) else ""
    raise fail(f"internal error ({type(exc).__name__}: {first}); please report it with SLADSL_DEBUG=1 output") from None


def read_input(path: str) -> Source:
    """A .sla file, or standard input for `-`."""
    if path == "-":
        from sladsl.language.sources import MAX_SOURCE_BYTES

        data = sys.stdin.buffer.read(MAX_SOURCE_BYTES + 1)
        if len(data) > MAX_SOURCE_BYTES:
            raise SladslError(f"<stdin>: input is too large (the limit is {MAX_SOURCE_BYTES // 1048576} MiB)")
        return Source("<stdin>", decode_source("<stdin>", data))
    return read_source(path)


def read_agreement(path: str) -> Source:
    """`read_input` for `check` and `fmt`, which take directories: one without .sla files
    is said to be so (`sla_files` passes it on when it finds none in it)."""
    if path != "-" and Path(path).is_dir():
        raise SladslError(f"{shown(path)}: is a directory with no .sla files in it")
    return read_input(path)


def print_diagnostics(source: Source, diagnostics: list[Diagnostic], colour: bool | None) -> None:
    """Diagnostics go to stderr, coloured when stderr is a terminal: they are never a result."""
    paint = use_colour(colour, sys.stderr)
    for diagnostic in diagnostics:
        click.echo(format_diagnostic(diagnostic, source.name, source.text, paint), err=True)
        click.echo(err=True)


def load_checked(source: Source, colour: bool | None) -> Any:
    """Parse and check; an agreement with errors is not evaluated, rendered or compiled."""
    from sladsl.api import check_source

    agreement, diagnostics = check_source(source.text)
    errors = [d for d in diagnostics if d.is_error]
    if agreement is None or errors:
        print_diagnostics(source, errors, colour)
        raise fail(f"{source.name}: the agreement has errors; fix them first (sladsl check)")
    return agreement


def parse_date(value: str | None, option: str) -> Any:
    if value is None:
        return None
    from datetime import date

    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SladslError(f"{option} {value!r} is not a date: write YYYY-MM-DD") from None


def size_text(size: int) -> str:
    return f"{size:,} byte" + ("" if size == 1 else "s")


def check_output(out: str | None, inputs: tuple[str | Path | None, ...] = ()) -> None:
    """Refuse an `-o` that cannot be written before the work, not after it: a name too
    long, a folder that does not exist, one of the inputs."""
    if out is not None and out != "-":
        output_path(out, inputs)


def write_output(
    data: str | bytes,
    out: str | None,
    inputs: tuple[str | Path | None, ...] = (),
    quiet: bool = False,
) -> None:
    """Standard output, or the `-o` file (never one of the command's `inputs`); a file
    written is named on stderr with its size, unless `quiet`."""
    if out is None or out == "-":
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        click.echo(text, nl=not text.endswith("\n"), color=True)  # colour was decided already: keep it
        return
    payload = data.encode("utf-8") if isinstance(data, str) else data
    write_atomically(output_path(out, inputs), payload)
    if not quiet:
        click.echo(f"sladsl: wrote {shown(out)} ({size_text(len(payload))})", err=True)


# ---- evaluate --fail-on ------------------------------------------------------------------

FAIL_ON_CHOICES = ("breached", "incomplete")


def parse_fail_on(values: tuple[str, ...], fail_on_breach: bool) -> frozenset[str]:
    """`--fail-on breached --fail-on incomplete` or `--fail-on breached,incomplete`; the
    statuses that make `evaluate` exit 3. `incomplete` takes `breached` with it: a status is
    one word, and a report with a breach and a gap in the evidence says `breached`, so a
    job that asks to hear of gaps would otherwise miss the gap behind a breach."""
    chosen: set[str] = set()
    for value in values:
        for word in value.split(","):
            word = word.strip().lower()
            if word not in FAIL_ON_CHOICES:
                raise click.BadParameter(
                    f"{word!r} is not one of {', '.join(FAIL_ON_CHOICES)}", param_hint="'--fail-on'"
                )
            chosen.add(word)
    if fail_on_breach:
        warn("--fail-on-breach is deprecated: use --fail-on breached (it now exits 3, not 1)")
        chosen.add("breached")
    if "incomplete" in chosen:
        chosen.add("breached")
    return frozenset(chosen)


def exit_for_status(status: str, fail_on: frozenset[str]) -> None:
    """Exit 3, with one line saying why, when the report's or ledger's status is one the
    caller asked to fail on."""
    if status in fail_on:
        asked = "incomplete" if "incomplete" in fail_on else "breached"
        click.echo(f"sladsl: status {status} (--fail-on {asked}): exit {EXIT_FAIL_ON}", err=True)
        raise click.exceptions.Exit(EXIT_FAIL_ON)


# ---- files, project defaults and completion (`check`, `fmt`, `--plan`) ---------------------


def sla_files(paths: tuple[str, ...]) -> list[str]:
    """The files to work on: each path as given, a directory as its `.sla` files, found
    recursively in sorted order (hidden folders skipped), as ruff and terraform do."""
    found: list[str] = []
    for path in paths:
        folder = Path(path)
        if path != "-" and folder.is_dir():
            inside = sorted(
                p
                for p in folder.rglob("*.sla")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts[:-1])
            )
            found += [str(p) for p in inside] or [path]  # none: read_input says so
        else:
            found.append(path)
    return found


def project_defaults(start: Path | None = None) -> dict[str, Any]:
    """`[tool.sladsl]` of the nearest `pyproject.toml` from the working folder upwards:
    `strict` (bool) and `ignore` (warning codes not to report). A bad value is bad input."""
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        config = candidate / "pyproject.toml"
        if not config.is_file():
            continue
        try:
            text = config.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise fail(f"{shown(str(config))}: cannot be read ({exc})") from None
        if "sladsl" not in text:  # no section of ours: not worth a TOML parser's start-up
            return {}
        import tomllib

        try:
            table = tomllib.loads(text).get("tool", {}).get("sladsl", {})
        except tomllib.TOMLDecodeError as exc:
            raise fail(f"{shown(str(config))}: cannot be read as TOML ({exc})") from None
        return _checked_defaults(table, shown(str(config)))
    return {}


_DEFAULT_KEYS = {"strict", "ignore"}


def _checked_defaults(table: Any, origin: str) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise fail(f"{origin}: [tool.sladsl] must be a table")
    unknown = sorted(set(table) - _DEFAULT_KEYS)
    if unknown:
        raise fail(f"{origin}: [tool.sladsl] has no key `{unknown[0]}` (known: strict, ignore)")
    if "strict" in table and not isinstance(table["strict"], bool):
        raise fail(f"{origin}: [tool.sladsl] strict must be true or false")
    ignore = table.get("ignore", [])
    if not isinstance(ignore, list) or not all(isinstance(c, str) for c in ignore):
        raise fail(f'{origin}: [tool.sladsl] ignore must be a list of warning codes, such as ["W204"]')
    for code in ignore:
        if not (len(code) == 4 and code.startswith("W") and code[1:].isdigit()):
            raise fail(f"{origin}: [tool.sladsl] ignore lists `{code}`: only warnings (W2xx) can be ignored")
    return {"strict": table.get("strict", False), "ignore": frozenset(ignore)}


def complete_plans(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion of `--plan`: the plans the FILE argument declares."""
    files = ctx.params.get("files") or ()
    candidates = [ctx.params.get("file"), *files, *ctx.args]  # while an option is completed, FILE is unparsed
    file = next((f for f in candidates if isinstance(f, str) and f != "-" and Path(f).is_file()), None)
    if file is None:
        return []
    try:
        from sladsl.language.parser import parse

        agreement = parse(read_source(file).text)
    except Exception:  # completion never fails loudly: no names is the answer
        return []
    return [p for p in agreement.plans if p.startswith(incomplete)]


def unified_diff(source: Source, formatted: str) -> str:
    """`fmt --diff`: what formatting would change, as a unified diff."""
    import difflib

    lines = difflib.unified_diff(
        source.text.splitlines(keepends=True),
        formatted.splitlines(keepends=True),
        f"{source.name} (original)",
        f"{source.name} (formatted)",
    )
    return "".join(lines)
