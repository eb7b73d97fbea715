"""Reading `.sla` files safely: every way a file can be unreadable becomes one clear line."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sladsl.diagnostics import SladslError

MAX_SOURCE_BYTES = 10 * 1024 * 1024
"""An agreement is a contract, not a data file; larger input is refused, not parsed for minutes."""


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    text: str


def read_source(path: str | Path) -> Source:
    """The text of an agreement file, or a `SladslError` naming the file and the problem."""
    p = Path(path)
    name = str(path)
    if not p.exists():
        raise SladslError(f"{name}: no such file")
    if p.is_dir():
        raise SladslError(f"{name}: is a directory, not an agreement file")
    try:
        size = p.stat().st_size
        if size > MAX_SOURCE_BYTES:
            raise SladslError(
                f"{name}: file is too large ({size / 1048576:.1f} MiB; the limit is {MAX_SOURCE_BYTES // 1048576} MiB)"
            )
        data = p.read_bytes()
    except OSError as exc:
        raise SladslError(f"{name}: cannot read: {exc.strerror or exc}") from None
    return Source(name, decode_source(name, data))


def write_atomically(path: Path, data: bytes) -> None:
    """Write beside the file and rename over it, so a crash never leaves half a file; an
    existing file keeps its permissions."""
    mode = path.stat().st_mode & 0o7777 if path.exists() else None
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def output_path(out: str) -> Path:
    """Where `-o` writes: a file in a folder that exists, or one clear error."""
    path = Path(out)
    if path.is_dir():
        raise SladslError(f"{out}: is a directory; -o takes a file name")
    if not path.parent.exists():
        raise SladslError(f"{out}: the folder {path.parent} does not exist")
    return path


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
