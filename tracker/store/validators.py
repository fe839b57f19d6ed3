"""Validators for conditional requests: of each page and feed last read in full."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from tracker.domain.validators import StoredPage, Validators
from tracker.store.base import Repository


def _after_prefix(prefix: str) -> str:
    """The least string greater than every string that starts with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


class SavedValidators(Repository):
    """The ``page_versions`` and ``news_feeds`` tables."""

    def save_pages(self, versions: list[Validators]) -> None:
        """Remember the validators of pages that were just read and stored in full."""
        at = self.store.now()
        with self.store.transaction():
            self.conn.executemany(
                "INSERT INTO page_versions (url, etag, last_modified, fetched_at, checked_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET etag = excluded.etag,"
                " last_modified = excluded.last_modified, fetched_at = excluded.fetched_at,"
                " checked_at = excluded.checked_at",
                [(v.url, v.etag, v.last_modified, at, at) for v in versions],
            )

    def mark_pages_checked(self, urls: list[str]) -> None:
        """Record that these pages were checked and found unchanged (HTTP 304, or an Open API
        body equal to the one last stored)."""
        if not urls:
            return
        at = self.store.now()
        with self.store.transaction():
            self.conn.executemany(
                "UPDATE page_versions SET checked_at = ? WHERE url = ?", [(at, u) for u in urls]
            )

    def pages(self, prefix: str = "") -> dict[str, StoredPage]:
        """Validators and read times by URL, of every page read in full whose URL starts with
        ``prefix``."""
        # A range over the primary key rather than LIKE, which SQLite cannot serve from an index.
        sql = "SELECT url, etag, last_modified, fetched_at, checked_at FROM page_versions"
        rows = (
            self.conn.execute(f"{sql} WHERE url >= ? AND url < ?", [prefix, _after_prefix(prefix)])
            if prefix
            else self.conn.execute(sql)
        )
        return {
            url: StoredPage(
                Validators(url, etag, modified),
                datetime.fromisoformat(fetched),
                datetime.fromisoformat(checked) if checked else None,
            )
            for url, etag, modified, fetched, checked in rows
        }

    def save_feeds(self, feeds: Sequence[Validators], at: str) -> None:
        """Remember each feed's validators; inside the transaction that stores its articles,
        so a 304 never hides an unstored article."""
        self.conn.executemany(
            "INSERT INTO news_feeds (url, etag, last_modified, checked_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(url) DO UPDATE SET etag = excluded.etag,"
            " last_modified = excluded.last_modified, checked_at = excluded.checked_at",
            [(f.url, f.etag, f.last_modified, at) for f in feeds],
        )

    def feeds(self) -> dict[str, Validators]:
        """Each feed URL's validators from its last full read, for a conditional GET."""
        rows = self.conn.execute("SELECT url, etag, last_modified FROM news_feeds")
        return {url: Validators(url, etag, modified) for url, etag, modified in rows}
