"""Opening SQLite connections with the pragmas tracker relies on.

Kept apart from the store so read-only callers (``tracker query``) start without importing
sqlite-utils.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tracker.timeutil import sql_clock

BUSY_TIMEOUT_MS = 30_000


def connect(path: str | Path, readonly: bool = False) -> sqlite3.Connection:
    """A raw connection with the pragmas tracker relies on (WAL, busy timeout), whose SQL
    reads the time from :func:`tracker.timeutil.now`."""
    if readonly:
        uri = f"{Path(path).resolve().as_uri()}?mode=ro"
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        conn.execute("PRAGMA query_only = ON")
    else:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    sql_clock(conn)
    return conn
