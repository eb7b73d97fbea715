"""Reading `.sla` files safely: every way a file can be unreadable becomes one clear line."""

from __future__ import annotations

import contextlib
import os
import re
import stat
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sladsl.language.diagnostics import SladslError

MAX_SOURCE_BYTES = 10 * 1024 * 1024
"""An agreement is a contract, not a data file; larger input is refused, not parsed for minutes."""


SHOWN_PATH_CHARS = 120
"""A path longer than this is shortened in messages, keeping both ends: an error must fit on one line."""

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def escaped(path: str | Path) -> str:
    """A path with its control characters escaped: a line break in a file name must not
    forge a second message, an ESC must not reach the terminal."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], str(path))


def shown(path: str | Path) -> str:
    """A path as a one-line error names it: escaped, and a very long one cut in the middle
    with `…` (diagnostics keep the whole path, for editors that jump to it)."""
    text = escaped(path)
    if len(text) <= SHOWN_PATH_CHARS:
        return text
    half = (SHOWN_PATH_CHARS - 1) // 2
    return f"{text[:half]}…{text[-half:]}"


@dataclass(frozen=True, slots=True)
class Source:
    """A source text and the name messages show for it (the path, or `<stdin>`)."""

    name: str
    text: str


def read_source(path: str | Path) -> Source:
    """The text of an agreement file, or a `SladslError` naming the file and the problem."""
    p = Path(path)
    name = shown(path)
    try:
        status = p.stat()
    except (FileNotFoundError, NotADirectoryError):
        raise SladslError(f"{name}: no such file") from None
    except OSError as exc:
        raise SladslError(f"{name}: cannot read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(status.st_mode):
        raise SladslError(f"{name}: is a directory, not an agreement file")
    try:
        size = status.st_size
        if size > MAX_SOURCE_BYTES:
            raise SladslError(
                f"{name}: file is too large ({size / 1048576:.1f} MiB; the limit is {MAX_SOURCE_BYTES // 1048576} MiB)"
            )
        data = p.read_bytes()
    except OSError as exc:
        raise SladslError(f"{name}: cannot read: {exc.strerror or exc}") from None
    return Source(escaped(path), decode_source(name, data))


def write_atomically(path: Path, data: bytes) -> None:
    """Write an output file, or raise one clear `SladslError` naming it.

    A regular file (new, or reached through symlinks, which are kept) is written beside its
    target and renamed over it, so a crash never leaves half a file; a new file gets
    `0o666 & ~umask`, a replaced one keeps its mode (and, where allowed, its owner). A FIFO,
    a character device or a descriptor path (`/dev/stdout`, `/dev/fd/N`) is written into,
    as the shell's `>` would.
    """
    descriptor = _descriptor(path)
    if descriptor is not None:
        _write_descriptor(path, descriptor, data)
        return
    try:
        status: os.stat_result | None = os.stat(path)
    except FileNotFoundError:
        status = None  # a new file, or a symlink to one
    except OSError as exc:
        raise SladslError(f"{shown(path)}: cannot write: {_reason(exc)}") from None
    if status is not None and not stat.S_ISREG(status.st_mode):
        if stat.S_ISDIR(status.st_mode):
            raise SladslError(f"{shown(path)}: is a directory; -o takes a file name")
        if not (stat.S_ISFIFO(status.st_mode) or stat.S_ISCHR(status.st_mode)):
            kind = "block device" if stat.S_ISBLK(status.st_mode) else "socket"
            raise SladslError(f"{shown(path)}: is a {kind}; write to a file, a FIFO or a character device")
        _write_into(path, data)
        return
    target = Path(os.path.realpath(path))
    try:
        import tempfile  # here, not at the top: only writing commands pay for it

        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise SladslError(f"{shown(path)}: cannot write in the folder {shown(target.parent)}: {_reason(exc)}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if status is None:
                os.fchmod(handle.fileno(), 0o666 & ~_umask())
            else:
                _keep_owner(handle.fileno(), status)
                os.fchmod(handle.fileno(), stat.S_IMODE(status.st_mode))
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise SladslError(f"{shown(path)}: cannot write: {_reason(exc)}") from None
        raise


_DESCRIPTOR_PATH = re.compile(r"^/(?:dev/(?:(stdout)|(stderr)|fd/(\d+))|proc/(self|thread-self|\d+)/fd/(\d+))$")


def _descriptor(path: Path) -> int | None:
    """The open descriptor of this process that `/dev/stdout`, `/dev/fd/N` or `/proc/self/fd/N` names."""
    match = _DESCRIPTOR_PATH.match(os.path.abspath(path))
    if match is None:
        return None
    stdout, stderr, fd, pid, proc_fd = match.groups()
    if pid is not None and pid not in ("self", "thread-self", str(os.getpid())):
        return None
    return 1 if stdout else 2 if stderr else int(fd or proc_fd)


def _write_descriptor(path: Path, fd: int, data: bytes) -> None:
    """Write to the descriptor itself, as the shell does for `>/dev/stdout`: it may be a pipe
    or a file this process could not open again by name."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(fd, view) :]
    except OSError as exc:
        raise SladslError(f"{shown(path)}: cannot write: {_reason(exc)}") from None


def _write_into(path: Path, data: bytes) -> None:
    """A FIFO, a device or an inherited descriptor: no temporary file, no rename."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_NOCTTY)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except OSError as exc:
        raise SladslError(f"{shown(path)}: cannot write: {_reason(exc)}") from None


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _keep_owner(fd: int, status: os.stat_result) -> None:
    """A replaced file keeps its owner and group where this process may give them."""
    if (status.st_uid, status.st_gid) == (os.geteuid(), os.getegid()):
        return
    try:
        os.fchown(fd, status.st_uid, status.st_gid)
    except OSError:
        with contextlib.suppress(OSError):
            os.fchown(fd, -1, status.st_gid)


def output_path(out: str, inputs: Iterable[str | Path | None] = ()) -> Path:
    """Where `-o` writes: a file in a folder that exists and not one of the command's
    inputs (the same file by any name: symlink, hard link), or one clear error.

    A folder among `inputs` (an evidence folder, a template folder) protects the files in it
    that the command reads: tables (`.csv`, `.parquet`, `.jsonl`) and templates.
    """
    path = Path(out)
    try:
        if path.is_dir():
            raise SladslError(f"{shown(out)}: is a directory; -o takes a file name")
        if not path.parent.exists():
            raise SladslError(f"{shown(out)}: the folder {shown(path.parent)} does not exist")
        if not path.parent.is_dir():
            raise SladslError(f"{shown(out)}: {shown(path.parent)} is not a folder")
    except OSError as exc:  # a name too long, a loop of symlinks, a folder that cannot be entered
        raise SladslError(f"{shown(out)}: cannot write: {_reason(exc)}") from None
    refuse_input(path, inputs)
    return path


_READ_FROM_FOLDERS = (".csv", ".parquet", ".jsonl", ".j2", ".css")


def refuse_input(path: Path, inputs: Iterable[str | Path | None]) -> None:
    """A `SladslError` when writing `path` would replace one of `inputs`."""
    try:
        if not path.is_file():
            return  # new, or a FIFO/device: nothing to lose
    except OSError:
        return
    real = Path(os.path.realpath(path))
    for given in inputs:
        if given is None or str(given) == "-":
            continue
        source = Path(given)
        try:
            if source.is_dir():
                if real.parent == Path(os.path.realpath(source)) and real.suffix.lower() in _READ_FROM_FOLDERS:
                    raise SladslError(
                        f"{shown(path)}: is a file the command reads from {shown(given)}; write the output elsewhere"
                    )
            elif source.is_file() and os.path.samefile(path, source):
                raise SladslError(f"{shown(path)}: is the input {shown(given)}; write the output to another file")
        except OSError:
            continue


def decode_source(name: str, data: bytes) -> str:
    if b"\x00" in data:
        raise SladslError(f"{name}: is a binary file, not an agreement (it contains NUL bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SladslError(
            f"{name}:{line}:{column}: is not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
        ) from None
