"""What an evidence file is, decided before any engine reads its values, so that one rule
holds on every engine (docs/evaluation.md, "Engines"):

- text files (CSV, JSON lines) are UTF-8: the first line that is not is named, whichever
  engine found it (Spark would decode it to U+FFFD and go on; DuckDB refuses it);
- a CSV file's delimiter is detected once, by DuckDB's sniffer, and both engines read the
  file with it (RFC 4180 quoting: `"` quotes, `""` escapes);
- the part files of a Parquet table give each needed column one type, and each has a
  readable footer: a damaged part or a column of two types is one line naming the part.

The functions return what is wrong as the text of an error (None when nothing is), and the
caller raises it as `EvidenceError`.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable

import duckdb

DELIMITERS = (",", ";", "\t", "|")  # the ones DuckDB's sniffer tries; anything else is read as a comma
_CHUNK = 1 << 20


def undecodable_line(path: str) -> int | None:
    """The line (from 1) holding the first byte sequence that is not UTF-8, or None when the
    whole file is UTF-8. Reads the file once, a chunk at a time; only on an error path or
    after an engine saw a replacement character."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    newlines = 0
    with open(path, "rb") as handle:
        while True:
            chunk = handle.read(_CHUNK)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                # the decoder may hold the start of a sequence from the previous chunk: those
                # bytes are at or above 0x80, so the newlines before the error are the earlier
                # chunks' and this chunk's up to the error
                held = len(exc.object) - len(chunk)
                return newlines + chunk[: max(0, exc.start - held)].count(b"\n") + 1
            if not chunk:
                return None
            newlines += chunk.count(b"\n")


def not_utf8(path: str, origin: str) -> str | None:
    """The error for a text file that is not UTF-8, or None."""
    try:
        line = undecodable_line(path)
    except OSError:
        return None  # the engine's own error says why the file cannot be read
    if line is None:
        return None
    return f"{origin}: line {line}: not UTF-8 text (evidence files are read as UTF-8: save the file as UTF-8)"


def csv_delimiter(con: duckdb.DuckDBPyConnection, path: str) -> str | None:
    """The delimiter of a CSV file, as DuckDB's sniffer finds it with RFC 4180 quoting (a
    comma when it finds none of `DELIMITERS`); None when the sniffer cannot read the file.
    Sniffed once, and both engines read the file with it."""
    try:
        # fetchall: DuckDB refuses other work on a connection with a result not fetched to its end
        found = con.execute(
            "SELECT Delimiter FROM sniff_csv(?, quote = '\"', escape = '\"', header = true)", [path]
        ).fetchall()
    except duckdb.Error:
        return None
    return found[0][0] if found and found[0][0] in DELIMITERS else ","


def parquet_types(
    con: duckdb.DuckDBPyConnection, pattern: str, origin: str, columns: Iterable[str]
) -> dict[str, str] | str:
    """column -> DuckDB type of the needed `columns` of a Parquet file or directory of part
    files (`pattern`, a path or a glob), read from the footers only; or the error: a part
    that cannot be read, or a needed column that one part types differently or lacks
    (DuckDB would read every part with the first one's schema, Spark with any one's)."""
    try:
        rows = con.execute(
            "SELECT file_name, name, duckdb_type FROM parquet_schema(?) WHERE duckdb_type IS NOT NULL "
            "ORDER BY file_name, column_id",
            [pattern],
        ).fetchall()
    except duckdb.Error as exc:
        return _unreadable_part(con, pattern, origin, exc)
    wanted = set(columns)
    files: dict[str, dict[str, str]] = {}
    for file, name, kind in rows:
        part = files.setdefault(file, {})
        if name in wanted:
            part.setdefault(name, kind)
    if not files:
        return f"{origin}: no Parquet part files in the folder"
    first, *others = sorted(files)
    reference = files[first]
    for file in others:
        problem = _differs(file, files[file], first, reference)
        if problem:
            return problem
    return reference


def _differs(file: str, part: dict[str, str], first: str, reference: dict[str, str]) -> str | None:
    """How a part file's needed columns differ from the first part's, or None."""
    rule = "every part file of a table must have the same columns, of the same types"
    for name in sorted(set(part) | set(reference)):
        if name not in part:
            return f"{file}: has no column `{name}`, which {first} has ({rule})"
        if name not in reference:
            return f"{file}: has a column `{name}`, which {first} has not ({rule})"
        if part[name] != reference[name]:
            return f"{file}: column `{name}` is {part[name]}, but {reference[name]} in {first} ({rule})"
    return None


def _unreadable_part(con: duckdb.DuckDBPyConnection, pattern: str, origin: str, exc: Exception) -> str:
    """The error naming the first part file whose footer cannot be read (the error path)."""
    try:
        files = [f for (f,) in con.execute("SELECT file FROM glob(?) ORDER BY file", [pattern]).fetchall()]
    except duckdb.Error:
        files = []
    if not files:
        return f"{origin}: no Parquet part files in the folder" if "*" in pattern else f"{origin}: cannot be read"
    for file in files:
        try:
            con.execute("SELECT count(*) FROM parquet_schema(?)", [file]).fetchall()
        except duckdb.Error as part_exc:
            return f"{file}: cannot be read ({_reason(part_exc)})"
    return f"{origin}: cannot be read ({_reason(exc)})"


def _reason(exc: Exception) -> str:
    """DuckDB's reason in one line, without the file name it repeats."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return re.sub(r" in file '[^']*'", "", text)
