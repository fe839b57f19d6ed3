"""SQL helpers the repositories share: batched statements, JSON text, common conditions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

import orjson

from tracker.domain import stages

_T = TypeVar("_T")


def encode_json(payload: dict[str, Any]) -> str:
    """An alert payload as compact JSON text (UTF-8, not escaped): a pass over a term writes
    one for each of 20,000 bills, and orjson does it in a sixth of the stdlib's time."""
    return orjson.dumps(payload).decode()


def _chunks(items: Sequence[_T], size: int = 500) -> Iterator[Sequence[_T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def in_chunks(
    conn: sqlite3.Connection, sql: str, ids: Sequence[Any], *before: Any
) -> Iterator[sqlite3.Cursor]:
    """Run ``sql``, whose ``{}`` is an ``IN`` list of ``ids``, a chunk of ids at a time (SQLite
    bounds a statement's parameters); ``before`` are the parameters ahead of the list."""
    for chunk in _chunks(ids):
        yield conn.execute(sql.format(",".join("?" * len(chunk))), [*before, *chunk])


def insert_rows(
    conn: sqlite3.Connection, insert: str, rows: Sequence[Sequence[Any]], tail: str = ""
) -> None:
    """Run ``insert`` (ending in ``VALUES``) for all rows, in as few statements as SQLite allows.

    Row by row, every statement would cost its own savepoint and the full-text index would
    write out a new segment for each bill (FTS5 flushes its pending entries at every
    statement), only to merge them all again.
    """
    if not rows:
        return
    width = len(rows[0])
    marks = f"({', '.join('?' * width)})"
    per_statement = max(1, conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // width)
    for chunk in _chunks(rows, per_statement):
        values = ", ".join([marks] * len(chunk))
        conn.execute(f"{insert} {values}{tail}", [value for row in chunk for value in row])


def followed(table: str = "bills") -> str:
    """The condition that a row of ``bills`` (named ``table``) is not unfollowed."""
    return (
        f"NOT EXISTS (SELECT 1 FROM bill_follows f WHERE f.bill_no = {table}.bill_no"
        " AND f.state = 'unfollowed')"
    )


def final_codes() -> str:
    """The final stages' codes as an SQL list."""
    return ",".join(f"'{c}'" for c in sorted(stages.FINAL_CODES))
