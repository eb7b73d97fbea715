"""What the terminal allows: its width, colour, and a progress spinner on stderr.

One place decides, for every command, whether output is for a person (a terminal) or for
a program (a pipe or a file): colour and progress only for a person, plain bytes for a
program. `rich` is imported only inside the functions that draw, so that commands which
never draw a table (`check`, `fmt`, `compile`) start without it.
"""

from __future__ import annotations

import os
import re
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

PROGRESS_DELAY = 2.0
"""Seconds a run may take before the spinner appears: a quick run never flickers."""


def is_terminal(stream: IO[Any] | None) -> bool:
    """Whether a person is looking at this stream (False for pipes, files and test buffers)."""
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def use_colour(option: bool | None, stream: IO[Any] | None) -> bool:
    """`--color/--no-color` wins; else colour on a terminal unless NO_COLOR is set
    (no-color.org: present and not empty) or TERM is `dumb`."""
    if option is not None:
        return option
    if os.environ.get("NO_COLOR", "") != "" or os.environ.get("TERM") == "dumb":
        return False
    return is_terminal(stream)


def columns_variable() -> int | None:
    """COLUMNS when it is a positive whole number, else None."""
    value = os.environ.get("COLUMNS", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


def text_width(stream: IO[Any] | None) -> int | None:
    """The width to fit tables to: COLUMNS if set, else the terminal's own width when the
    text goes to a terminal, else None: no wrapping at all, one line per row, so that a
    script can `grep` a row whole."""
    columns = columns_variable()
    if columns is not None:
        return columns
    if not is_terminal(stream):
        return None
    try:
        return os.get_terminal_size(stream.fileno()).columns or 80  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80


UNLIMITED = 100_000
"""The width given to `rich` when nothing limits it: a table is never wider than its rows."""


def console(width: int | None, colour: bool, file: IO[str]) -> Console:
    """A `rich` console that writes exactly what it is given: no markup, no emoji, no
    highlighting of numbers, and escape codes only when `colour` is on."""
    from rich.console import Console

    return Console(
        file=file,
        width=width or UNLIMITED,
        color_system="standard" if colour else None,
        force_terminal=colour,
        no_color=not colour,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=False,
        legacy_windows=False,
    )


_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def safe_text(text: str) -> str:
    """Names from a .sla file or evidence, fit for a terminal: control characters (ESC
    sequences, line breaks) and bidirectional overrides are shown escaped, never obeyed."""
    return _UNSAFE.sub(
        lambda m: f"\\u{ord(m.group()):04x}" if ord(m.group()) > 0xFF else f"\\x{ord(m.group()):02x}", text
    )


@contextmanager
def progress(message: str, enabled: bool = True) -> Iterator[None]:
    """A spinner with `message` and the elapsed time on stderr, shown only when stderr is a
    terminal and the work takes longer than `PROGRESS_DELAY` seconds (SLADSL_PROGRESS_DELAY
    overrides it); it is erased when the work ends, so it never mixes with the output."""
    if not enabled or not is_terminal(sys.stderr):
        yield
        return
    # the terminal itself, not file descriptor 2: Spark points descriptor 2 at /dev/null
    # while its JVM starts, the longest wait of all
    terminal = os.fdopen(os.dup(sys.stderr.fileno()), "w", encoding="utf-8", errors="replace")
    spinner = _Spinner(message, terminal)
    timer = threading.Timer(_delay(), spinner.start)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        spinner.stop()
        terminal.close()


def _delay() -> float:
    try:
        return max(0.0, float(os.environ.get("SLADSL_PROGRESS_DELAY", PROGRESS_DELAY)))
    except ValueError:
        return PROGRESS_DELAY


class _Spinner:
    """rich's status line on stderr, started late from a timer thread and stopped once."""

    def __init__(self, message: str, terminal: IO[str]) -> None:
        self._message = message
        self._terminal = terminal
        self._lock = threading.Lock()
        self._live: Any = None
        self._stopped = False

    def start(self) -> None:
        from rich.console import Console
        from rich.live import Live
        from rich.spinner import Spinner

        with self._lock:
            if self._stopped:
                return
            began = time.monotonic() - _delay()
            spinner = Spinner("dots", style="cyan")

            def frame() -> Spinner:
                spinner.update(text=f"{self._message}: {int(time.monotonic() - began)} s (Ctrl-C stops)")
                return spinner

            self._live = Live(
                get_renderable=frame,
                console=Console(file=self._terminal, highlight=False, markup=False, emoji=False),
                transient=True,
                refresh_per_second=8,
                redirect_stdout=False,
                redirect_stderr=False,
            )
            self._live.start()

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            if self._live is not None:
                self._live.stop()
                self._live = None


# ---- tables and lines, drawn to fit -------------------------------------------------------

Cell = str | tuple[str, str | None]
"""A cell's text, or its text and a `rich` style used only when colour is on."""


@dataclass
class Table:
    """A table to draw: the columns in `wrap` may wrap to fit the width, the others never do.
    Without `headers`, no header line: two columns make a list with a hanging indent."""

    headers: list[str]
    rows: list[list[Cell]]
    wrap: frozenset[int] = frozenset()


Block = Cell | Table


def draw(blocks: list[Block], width: int | None, colour: bool) -> str:
    """Lines and tables as text that fits `width` (None: as wide as the rows): plain text
    unless `colour`, no trailing blanks, a header underlined with `-`."""
    from io import StringIO

    from rich.text import Text

    buffer = StringIO()
    out = console(width, colour, buffer)
    for block in blocks:
        if isinstance(block, Table):
            out.print(_rich_table(block))
        else:
            text, style = (block, None) if isinstance(block, str) else block
            out.print(Text(safe_text(text), style=(style or "") if colour else ""), overflow="fold")
    return "\n".join(line.rstrip() for line in buffer.getvalue().rstrip("\n").split("\n"))


def _rich_table(spec: Table) -> Any:
    from rich.box import Box
    from rich.table import Table as RichTable
    from rich.text import Text

    underline = Box("    \n    \n -  \n    \n    \n    \n    \n    \n", ascii=True)
    table = RichTable(
        box=underline,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1, 0, 0),
        header_style="bold",
        show_header=bool(spec.headers),
    )
    headers = spec.headers or [""] * max((len(row) for row in spec.rows), default=0)
    for index, header in enumerate(headers):
        wraps = index in spec.wrap
        table.add_column(header, no_wrap=not wraps, overflow="fold" if wraps else "ellipsis")
    for row in spec.rows:
        cells = []
        for cell in row:
            text, style = (cell, None) if isinstance(cell, str) else cell
            cells.append(Text(safe_text(text), style=style or ""))
        table.add_row(*cells)
    return table
