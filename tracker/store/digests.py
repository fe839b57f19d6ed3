"""The weekly digest: its rows (one per period) and what it reads of the period."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tracker.domain.alerts import error_line
from tracker.store.base import Repository
from tracker.store.sql import followed

# Digest statuses that close a period: it is never sent again.
DIGEST_DONE = ("sent", "skipped")


class Digests(Repository):
    """The ``digests`` table, and the digest's reads of bills, changes, meetings and news."""

    def covered_until(self) -> datetime | None:
        """The end of the latest digest period that is done (sent, or skipped as empty)."""
        row = self.conn.execute(
            "SELECT period_end FROM digests WHERE status IN (?, ?)"
            " ORDER BY julianday(period_end) DESC LIMIT 1",
            DIGEST_DONE,
        ).fetchone()
        return datetime.fromisoformat(row[0]) if row else None

    def record(
        self,
        period_start: datetime,
        period_end: datetime,
        recipients: list[str],
        status: str = "pending",
    ) -> int:
        """The ``digests`` row of this period with ``status``; returns its id.

        A period that was tried before and is not done reuses its row, so retries leave one
        row per period.
        """
        start, end = self.store.iso(period_start), self.store.iso(period_end)
        to = ", ".join(recipients)
        with self.store.transaction():
            row = self.conn.execute(
                "SELECT id FROM digests WHERE period_start = ? AND period_end = ?"
                " AND status NOT IN (?, ?) ORDER BY id DESC LIMIT 1",
                [start, end, *DIGEST_DONE],
            ).fetchone()
            if row:
                self.conn.execute(
                    "UPDATE digests SET status = ?, recipients = ? WHERE id = ?",
                    [status, to, row[0]],
                )
                return int(row[0])
            cursor = self.conn.execute(
                "INSERT INTO digests (period_start, period_end, created_at, status, recipients)"
                " VALUES (?, ?, ?, ?, ?)",
                [start, end, self.store.now(), status, to],
            )
        return int(cursor.lastrowid or 0)

    def mark_sent(self, digest_id: int, note: str | None = None) -> None:
        """The digest went out; ``note`` records recipients the server refused, if any."""
        with self.store.transaction():
            self.conn.execute(
                "UPDATE digests SET status = 'sent', sent_at = ?, last_error = ? WHERE id = ?",
                [self.store.now(), error_line(note) if note else None, digest_id],
            )

    def mark_failed(self, digest_id: int, error: str) -> None:
        with self.store.transaction():
            self.conn.execute(
                "UPDATE digests SET status = 'failed', last_error = ? WHERE id = ?",
                [error_line(error), digest_id],
            )

    def bills(self, until: datetime) -> list[dict[str, Any]]:
        """Bills first seen before ``until``: open ones first, most recently changed first."""
        return self.query(
            "SELECT b.* FROM bills b LEFT JOIN stages s ON s.code = b.stage"
            f" WHERE julianday(b.first_seen_at) < julianday(?) AND {followed('b')}"
            " ORDER BY coalesce(s.final, 0), julianday(b.last_changed_at) DESC, b.bill_no",
            [self.store.iso(until)],
        )

    def stages_seen(self) -> dict[str, set[str]]:
        """Per bill, every stage its events or its stage history went through."""
        seen: dict[str, set[str]] = {}
        rows = self.conn.execute(
            "SELECT bill_id, stage FROM bill_events UNION SELECT bill_id, old_value"
            " FROM bill_changes WHERE field = 'stage' AND old_value IS NOT NULL"
        )
        for bill_id, stage in rows:
            seen.setdefault(bill_id, set()).add(stage)
        return seen

    def alternatives(self) -> dict[str, str]:
        """Folded bill → the committee alternative it went into, from the bill pages' reports
        (the fold's alert) and from the alternatives tracked because of a folded bill."""
        rows = self.conn.execute(
            "SELECT substr(matched_by, 13), bill_id FROM bills"
            " WHERE matched_by LIKE 'alternative:%'"
            " UNION ALL SELECT bill_id, json_extract(payload, '$.replaced_by') FROM alerts"
            " WHERE kind = 'stage_change' AND json_extract(payload, '$.replaced_by') IS NOT NULL"
        )
        return dict(rows)

    def changes_between(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """``bill_changes`` observed in ``[start, end)`` with their bill's title, oldest first."""
        return self._between(
            "SELECT c.*, b.title AS bill_title FROM bill_changes c JOIN bills b"
            f" USING (bill_id) WHERE {followed('b')}",
            ("c.observed_at", "c.observed_at, c.id"),
            start,
            end,
        )

    def meetings_between(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """Meetings first seen in ``[start, end)`` with their bill's number and title."""
        return self._between(
            "SELECT m.*, b.bill_no, b.title AS bill_title, b.detail_url FROM bill_meetings m"
            f" JOIN bills b USING (bill_id) WHERE {followed('b')}",
            ("m.first_seen_at", "m.held_on, m.meeting"),
            start,
            end,
        )

    def articles_between(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """``news_articles`` first seen in ``[start, end)``, in the order they were stored."""
        return self._between(
            "SELECT * FROM news_articles WHERE 1", ("first_seen_at", "id"), start, end
        )

    def _between(
        self, select: str, time_and_order: tuple[str, str], start: datetime, end: datetime
    ) -> list[dict[str, Any]]:
        """The rows of ``select`` (which ends in its WHERE condition) whose time column is in
        ``[start, end)``, in the order given."""
        column, order = time_and_order
        return self.query(
            f"{select} AND julianday({column}) >= julianday(?)"
            f" AND julianday({column}) < julianday(?) ORDER BY {order}",
            [self.store.iso(start), self.store.iso(end)],
        )
