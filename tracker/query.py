"""Read-only SQL over the tracker database (``tracker query``) and the formats it prints.

The database is opened with ``mode=ro`` and ``PRAGMA query_only``; an authorizer additionally
allows only reading, because a read-only connection can still ``ATTACH`` (which creates files)
and set pragmas. Only the standard library is imported here, so the command starts fast.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracker.connection import connect
from tracker.errors import TrackerError

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


def run_query(conn: sqlite3.Connection, sql: str) -> Result:
    """Run one SQL statement and fetch every row; errors become one-line ``QueryError``s."""
    if not sql.strip():
        raise QueryError("no SQL given")
    try:
        cursor = conn.execute(sql)
        rows = cursor.fetchall()
    except (sqlite3.Error, sqlite3.Warning) as exc:
        message = str(exc)
        if "not authorized" in message or "authorization denied" in message:
            message += " (the database is opened read-only: only SELECT and reporting pragmas)"
        raise QueryError(f"SQL error: {message}") from None
    return Result([d[0] for d in cursor.description or ()], rows)


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


def format_table(result: Result) -> str:
    """An aligned text table (``psql`` style) with the row count underneath."""
    cells = [[_fit(_text(v), MAX_CELL_WIDTH) for v in row] for row in result.rows]
    header = [_fit(c, MAX_CELL_WIDTH) for c in result.columns]
    widths = [
        max([display_width(header[i]), *(display_width(r[i]) for r in cells)])
        for i in range(len(header))
    ]
    numeric = [
        bool(result.rows) and all(isinstance(r[i], int | float) for r in result.rows)
        for i in range(len(header))
    ]
    lines = [" | ".join(_pad(h, w, False) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("-+-".join("-" * w for w in widths))
    for row in cells:
        padded = (_pad(c, w, n) for c, w, n in zip(row, widths, numeric, strict=True))
        lines.append(" | ".join(padded).rstrip())
    count = len(result.rows)
    lines.append(f"({count} row{'' if count == 1 else 's'})")
    return "\n".join(lines) + "\n"


def format_csv(result: Result) -> str:
    """CSV with a header row; NULL is an empty field."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(result.columns)
    writer.writerows([_text(v) for v in row] for row in result.rows)
    return out.getvalue()


def _json_value(value: Any) -> Any:
    return value.hex() if isinstance(value, bytes) else value


def format_json(result: Result) -> str:
    """A JSON list with one object per row, Korean text unescaped."""
    objects = [
        {c: _json_value(v) for c, v in zip(result.columns, row, strict=True)} for row in result.rows
    ]
    return json.dumps(objects, ensure_ascii=False, indent=2) + "\n"


FORMATTERS: dict[str, Callable[[Result], str]] = {
    "table": format_table,
    "csv": format_csv,
    "json": format_json,
}


def render(result: Result, fmt: str) -> str:
    """``result`` in one of :data:`FORMATTERS`' formats."""
    return FORMATTERS[fmt](result)
