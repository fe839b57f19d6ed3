"""What every repository has: the store it works on (connection, clock, transactions)."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tracker.store.database import Store


class Repository:
    """The reads and writes of one concern, on its store's connection and transactions."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @property
    def conn(self) -> sqlite3.Connection:
        return self.store.conn

    def query(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        """The rows ``sql`` selects, as dicts."""
        return list(self.store.db.query(sql, params or []))
