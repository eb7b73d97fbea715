"""The two sides of `sladsl diff`: a file, or `REV:path` read from git with `git show`.

A side is `REV:path` when it has a colon, is not an existing file, and git knows the
revision; the text is read exactly as committed (no working-tree edits).
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from sladsl.language.diagnostics import SladslError
from sladsl.language.sources import MAX_SOURCE_BYTES, Source, decode_source, read_source

_REVISION = re.compile(r"^[^\s:][^\s]*$")


def read_side(spec: str) -> Source:
    """The text of one side; a `SladslError` naming it when it cannot be read."""
    if os.path.exists(spec) or ":" not in spec or _windows_drive(spec):
        return read_source(spec)
    revision, _, path = spec.partition(":")
    if not revision or not _REVISION.match(revision) or revision.startswith("-"):
        raise SladslError(f"{spec}: not a file, and not REV:path")
    return Source(spec, decode_source(spec, _git_show(revision, path, spec)))


def _windows_drive(spec: str) -> bool:
    return len(spec) > 2 and spec[1] == ":" and spec[0].isalpha() and spec[2] in "\\/"


def _git_show(revision: str, path: str, spec: str) -> bytes:
    """`git show REV:path` run from the current directory; a path relative to it is made
    relative to the repository root first (as `git show REV:./path` does)."""
    target = path if path.startswith("./") or path.startswith("/") else f"./{path}"
    try:
        done = subprocess.run(
            ["git", "show", "--no-textconv", f"{revision}:{target}"],
            capture_output=True,
            check=False,
            cwd=Path.cwd(),
            timeout=60,
        )
    except FileNotFoundError:
        raise SladslError(f"{spec}: git is not installed, so a revision cannot be read") from None
    except subprocess.TimeoutExpired:
        raise SladslError(f"{spec}: git show took too long") from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SladslError(f"{spec}: git show failed: {reason[-1] if reason else 'unknown error'}")
    if len(done.stdout) > MAX_SOURCE_BYTES:
        raise SladslError(f"{spec}: file is too large (the limit is {MAX_SOURCE_BYTES // 1048576} MiB)")
    return done.stdout
