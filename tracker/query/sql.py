"""Read-only SQL over the tracker database (``tracker query``) and the formats it prints.

The database is opened with ``mode=ro`` and ``PRAGMA query_only``; an authorizer additionally
allows only reading, because a read-only connection can still ``ATTACH`` (which creates files)
and set pragmas. Only the standard library is imported here, so the command starts fast.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import sqlite3
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from tracker.errors import TrackerError
from tracker.store.connection import connect

# Wider cells are cut with an ellipsis in the table format; csv and json print everything.
MAX_CELL_WIDTH = 80

# Pragmas that only report. A few take a table or index name as their argument; any other
# pragma with an argument sets something and is refused.
_REPORTING_PRAGMAS = frozenset(
    {
        "application_id", "collation_list", "compile_options", "data_version", "database_list",
        "encoding", "foreign_key_check", "foreign_key_list", "freelist_count", "function_list",
        "index_info", "index_list", "index_xinfo", "integrity_check", "journal_mode",
        "module_list", "page_count", "page_size", "pragma_list", "quick_check", "schema_version",
        "table_info", "table_list", "table_xinfo", "user_version",
    }
)  # fmt: skip
_PRAGMAS_WITH_NAME_ARGUMENT = frozenset(
    {
        "foreign_key_check", "foreign_key_list", "index_info", "index_list", "index_xinfo",
        "integrity_check", "quick_check", "table_info", "table_list", "table_xinfo",
    }
)  # fmt: skip
_READING_ACTIONS = frozenset(
    {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}
)


class QueryError(TrackerError):
    """A missing database, bad SQL or a statement that would change something (exit 2)."""


@dataclass(frozen=True)
class Result:
    """The column names and rows a query returned."""

    columns: list[str]
    rows: list[tuple[Any, ...]]


@dataclass(frozen=True)
class Rows:
    """A running query: its (unique) column names and its rows, fetched as they are read."""

    columns: list[str]
    rows: Iterator[tuple[Any, ...]]


def _authorize(action: int, arg1: str | None, arg2: str | None, *_: str | None) -> int:
    if action in _READING_ACTIONS:
        return sqlite3.SQLITE_OK
    # FTS5 prepares (and never runs) an UPDATE of sqlite_master when it opens a table. A user
    # statement doing the same still fails: writable_schema is refused below and the
    # connection is read-only.
    if action == sqlite3.SQLITE_UPDATE and arg1 == "sqlite_master":
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA and arg1 is not None:
        name = arg1.lower()
        if name in _REPORTING_PRAGMAS and (arg2 is None or name in _PRAGMAS_WITH_NAME_ARGUMENT):
            return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def existing_db(path: str | Path) -> Path:
    """``path`` if it is a file; readers never create a database."""
    db = Path(path)
    if not db.is_file():
        raise QueryError(
            f"database not found: {db} (run `tracker check` first, or set [tracker] db"
            " in the config or $TRACKER_DB)"
        )
    return db


def open_readonly(path: str | Path) -> sqlite3.Connection:
    """Open an existing database so that no statement can change it or write another file."""
    db = existing_db(path)
    try:
        conn = connect(db, readonly=True)
    except sqlite3.Error as exc:
        raise QueryError(f"cannot open {db}: {exc}") from None
    conn.set_authorizer(_authorize)
    return conn


def unique_columns(names: Iterable[str]) -> list[str]:
    """Column names with a repeated one suffixed (``id``, ``id_2``), so none hides another."""
    seen: set[str] = set()
    unique: list[str] = []
    for name in names:
        candidate, n = name, 1
        while candidate in seen:
            n += 1
            candidate = f"{name}_{n}"
        seen.add(candidate)
        unique.append(candidate)
    return unique


class _Watch:
    """SQLite's progress handler: stops a statement on Ctrl-C or past its time limit."""

    def __init__(self, timeout: float | None) -> None:
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout if timeout else None
        self.timed_out = False

    def __call__(self) -> int:
        # Python runs its signal handlers here too, between SQLite's steps: a Ctrl-C raises
        # KeyboardInterrupt in this call, and that aborts the statement as "interrupted".
        if self.deadline is not None and time.monotonic() > self.deadline:
            self.timed_out = True
            return 1
        return 0

    def error(self, exc: sqlite3.Error | sqlite3.Warning) -> BaseException:
        """What to raise for ``exc``: a one-line QueryError, or KeyboardInterrupt on Ctrl-C."""
        message = str(exc)
        if message == "interrupted":
            if self.timed_out:
                return QueryError(f"query stopped after --timeout {self.timeout:g} s")
            return KeyboardInterrupt()
        if "not authorized" in message or "authorization denied" in message:
            message += " (the database is opened read-only: only SELECT and reporting pragmas)"
        return QueryError(f"SQL error: {message}")


# Steps of SQLite's virtual machine between two looks at the clock and at Ctrl-C.
_PROGRESS_STEPS = 10_000


def stream_query(conn: sqlite3.Connection, sql: str, timeout: float | None = None) -> Rows:
    """Start one SQL statement; its rows are read as they are iterated. Errors, Ctrl-C and
    the time limit (seconds) become one-line ``QueryError``s, raised here or while iterating."""
    if not sql.strip():
        raise QueryError("no SQL given")
    watch = _Watch(timeout)
    conn.set_progress_handler(watch, _PROGRESS_STEPS)
    try:
        cursor = conn.execute(sql)
    except (sqlite3.Error, sqlite3.Warning) as exc:
        raise watch.error(exc) from None

    def rows() -> Iterator[tuple[Any, ...]]:
        try:
            while batch := cursor.fetchmany(500):
                yield from batch
        except (sqlite3.Error, sqlite3.Warning) as exc:
            raise watch.error(exc) from None

    return Rows(unique_columns(d[0] for d in cursor.description or ()), rows())


def print_query(
    path: str | Path,
    sql: str,
    fmt: str,
    out: TextIO,
    timeout: float | None = None,
    bom: bool = False,
) -> None:
    """Run ``sql`` on the database at ``path``, read-only, writing each row to ``out`` in
    ``fmt`` (one of :data:`WRITERS`) as it is read; ``bom`` starts the output with a UTF-8
    byte order mark (Excel on Korean Windows reads a CSV without one as CP949)."""
    conn = open_readonly(path)
    try:
        rows = stream_query(conn, sql, timeout)
        if bom:
            out.write("\ufeff")
        WRITERS[fmt](rows, out)
        out.flush()
    finally:
        conn.close()


def run_query(conn: sqlite3.Connection, sql: str) -> Result:
    """Run one SQL statement and fetch every row; errors become one-line ``QueryError``s."""
    result = stream_query(conn, sql)
    return Result(result.columns, list(result.rows))


def query_file(path: str | Path, sql: str) -> Result:
    """Open ``path`` read-only, run ``sql`` and close the connection."""
    conn = open_readonly(path)
    try:
        return run_query(conn, sql)
    finally:
        conn.close()


# -- formats --------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: Hangul and other wide characters count twice."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def _fit(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if display_width(text) <= limit:
        return text
    kept, width = [], 0
    for char in text:
        width += display_width(char)
        if width > limit - 1:
            break
        kept.append(char)
    return "".join(kept) + "…"


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * (width - display_width(text))
    return fill + text if right else text + fill


# The table format aligns its columns on the rows it shows: at most this many. The others are
# counted; csv and json print every row as it is read.
TABLE_PREVIEW_ROWS = 1000


def write_table(result: Rows, out: TextIO, limit: int | None = TABLE_PREVIEW_ROWS) -> None:
    """An aligned text table (``psql`` style) of the first ``limit`` rows, and the count."""
    shown = list(itertools.islice(result.rows, limit))
    count = len(shown) + sum(1 for _ in result.rows)
    cells = [[_fit(_text(v), MAX_CELL_WIDTH) for v in row] for row in shown]
    header = [_fit(c, MAX_CELL_WIDTH) for c in result.columns]
    widths = [
        max([display_width(header[i]), *(display_width(r[i]) for r in cells)])
        for i in range(len(header))
    ]
    numeric = [
        bool(shown) and all(isinstance(r[i], int | float) for r in shown)
        for i in range(len(header))
    ]
    lines = [" | ".join(_pad(h, w, False) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("-+-".join("-" * w for w in widths))
    for row in cells:
        padded = (_pad(c, w, n) for c, w, n in zip(row, widths, numeric, strict=True))
        lines.append(" | ".join(padded).rstrip())
    footer = f"({count} row{'' if count == 1 else 's'}"
    if count > len(shown):
        footer += f", the first {len(shown)} shown: --format csv or json prints every row"
    lines.append(footer + ")")
    out.write("\n".join(lines) + "\n")


def write_csv(result: Rows, out: TextIO) -> None:
    """CSV with a header row, a row written as soon as it is read; NULL is an empty field."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(result.columns)
    for row in result.rows:
        writer.writerow([_text(v) for v in row])


def _json_value(value: Any) -> Any:
    return value.hex() if isinstance(value, bytes) else value


def write_json(result: Rows, out: TextIO) -> None:
    """A JSON list with one object per row (indented by two), Korean text unescaped, an
    object written as soon as its row is read."""
    # Values are scalars: the C encoder writes each, and the layout is spelled out here
    # (json.dumps with an indent falls back to the encoder written in Python: bench/RESULTS.md).
    encode = json.JSONEncoder(ensure_ascii=False).encode
    keys = [f"    {encode(name)}: " for name in result.columns]
    separator = "[\n"
    for row in result.rows:
        members = ",\n".join(k + encode(_json_value(v)) for k, v in zip(keys, row, strict=True))
        out.write(f"{separator}  {{\n{members}\n  }}")
        separator = ",\n"
    out.write("[]\n" if separator == "[\n" else "\n]\n")


WRITERS: dict[str, Callable[[Rows, TextIO], None]] = {
    "table": write_table,
    "csv": write_csv,
    "json": write_json,
}


def render(result: Result, fmt: str) -> str:
    """``result`` in one of :data:`WRITERS`' formats, every row included."""
    out = io.StringIO()
    rows = Rows(result.columns, iter(result.rows))
    if fmt == "table":
        write_table(rows, out, limit=None)
    else:
        WRITERS[fmt](rows, out)
    return out.getvalue()


def format_table(result: Result) -> str:
    """An aligned text table of every row, with the row count underneath."""
    return render(result, "table")
