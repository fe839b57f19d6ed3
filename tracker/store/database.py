"""The store: the one owner of the SQLite database.

A :class:`Store` holds the connection, the clock and the transactions; each concern's reads
and writes are a repository on it (``store.bills``, ``store.outbox`` ...). Every change is
written together with its outbox alert in one transaction, so a crash leaves either nothing
or a complete change with its pending alert.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from tracker import exit_codes
from tracker.errors import DatabaseUnusable
from tracker.store.bills import Bills
from tracker.store.connection import BUSY_TIMEOUT_MS, connect
from tracker.store.digests import Digests
from tracker.store.follows import Follows
from tracker.store.news import News
from tracker.store.outbox import Outbox
from tracker.store.runs import Runs
from tracker.store.schema import MIGRATIONS
from tracker.store.validators import SavedValidators
from tracker.timeutil import DEFAULT_TZ, iso, now


class Store:
    """A tracker database: open it with :func:`open_store`."""

    def __init__(self, db: sqlite_utils.Database, tz: str = DEFAULT_TZ) -> None:
        self.db = db
        self.tz = tz
        self.bills = Bills(self)
        self.follows = Follows(self)
        self.news = News(self)
        self.outbox = Outbox(self)
        self.runs = Runs(self)
        self.digests = Digests(self)
        self.validators = SavedValidators(self)

    @property
    def conn(self) -> sqlite3.Connection:
        return self.db.conn

    def now(self) -> str:
        return iso(now(self.tz), self.tz)

    def iso(self, moment: datetime) -> str:
        """``moment`` as stored: ISO 8601 in the store's time zone."""
        return iso(moment, self.tz)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A write transaction taken up front, so concurrent writers wait instead of failing."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.db.close()

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self) -> int:
        """Apply the migrations this database has not seen; return the new version."""
        for number, migration in enumerate(MIGRATIONS, start=1):
            if number <= self.schema_version:
                continue
            with self.transaction():
                # Read again under the write lock: another process may have just migrated.
                if number <= self.schema_version:
                    continue
                migration(self.db)
                self.conn.execute(f"PRAGMA user_version = {number}")
        return self.schema_version

    def count(self, table: str, where: str = "1", params: list[Any] | None = None) -> int:
        sql = f"SELECT count(*) FROM [{table}] WHERE {where}"
        return int(self.conn.execute(sql, params or []).fetchone()[0])


# What SQLite's messages mean for the user, by a part of the message.
_DATABASE_STATES = (
    ("not a database", "is not a SQLite database"),
    ("readonly", "cannot be written (a read-only file or directory)"),
    ("unable to open", "cannot be opened (no such directory, or no permission)"),
    ("locked", f"is locked by another process (waited {BUSY_TIMEOUT_MS // 1000} s)"),
    ("full", "cannot grow: the disk is full"),
    ("disk i/o", "cannot be read or written (disk I/O error)"),
)


def unusable(
    path: str | Path | None, exc: sqlite3.Error | OSError, exit_code: int = exit_codes.USAGE
) -> DatabaseUnusable:
    """A one-line error saying what is wrong with the database at ``path`` (None: the one
    the command uses)."""
    message = str(exc)
    what = next((text for part, text in _DATABASE_STATES if part in message.lower()), message)
    return DatabaseUnusable(f"database {path or '(the configured one)'} {what}", exit_code)


def open_store(path: str | Path, tz: str = DEFAULT_TZ) -> Store:
    """Open (creating if needed) and migrate the database at ``path``; DatabaseUnusable
    when it cannot be used."""
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = connect(path)
    except (sqlite3.Error, OSError) as exc:
        raise unusable(path, exc) from None
    conn.isolation_level = None
    store = Store(sqlite_utils.Database(conn), tz)
    try:
        version = store.schema_version
        if version > len(MIGRATIONS):
            raise DatabaseUnusable(
                f"database {path} was written by a newer tracker (schema version {version};"
                f" this one knows up to {len(MIGRATIONS)}): upgrade tracker"
            )
        store.migrate()
    except sqlite3.Error as exc:
        store.close()
        raise unusable(path, exc) from None
    except DatabaseUnusable:
        store.close()
        raise
    return store
