"""The outbox: alerts queued with the change they report, until they are delivered."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from tracker.domain.alerts import error_line
from tracker.store.base import Repository
from tracker.store.sql import encode_json, insert_rows

# An alert already queued under its key is left alone; any other refusal (an unknown kind)
# fails loudly, with the change it belongs to.
_INSERT_ALERT = "INSERT INTO alerts (dedupe_key, kind, bill_id, payload, created_at) VALUES"
_ALERT_CONFLICT = " ON CONFLICT(dedupe_key) DO NOTHING"

# One alert to queue: dedupe key, kind, bill id, payload as JSON text, created at.
AlertRow = tuple[str, str, str | None, str, str]


class Outbox(Repository):
    """The ``alerts`` table and the Slack threads that alerts started."""

    def enqueue(
        self,
        dedupe_key: str,
        kind: str,
        payload: dict[str, Any],
        bill_id: str | None = None,
        at: str | None = None,
    ) -> bool:
        """Add an alert unless one with the same key exists; True when it was added. Called
        inside the transaction of the change it reports."""
        cursor = self.conn.execute(
            f"{_INSERT_ALERT} (?, ?, ?, ?, ?){_ALERT_CONFLICT}",
            [dedupe_key, kind, bill_id, encode_json(payload), at or self.store.now()],
        )
        return cursor.rowcount == 1

    def enqueue_rows(self, rows: Sequence[AlertRow]) -> None:
        """Add many alerts (each unless its key exists) in as few statements as possible."""
        insert_rows(self.conn, _INSERT_ALERT, rows, _ALERT_CONFLICT)

    def due(self, at: datetime | None = None) -> list[dict[str, Any]]:
        """Pending alerts whose next attempt is due, oldest first."""
        when = self.store.iso(at) if at else self.store.now()
        return self._decoded(
            "SELECT * FROM alerts WHERE status = 'pending'"
            " AND (next_attempt_at IS NULL OR julianday(next_attempt_at) <= julianday(?))"
            " ORDER BY id",
            [when],
        )

    def to_review(self) -> list[dict[str, Any]]:
        """Alerts not (yet) delivered: pending and failed ones, oldest first."""
        return self._decoded(
            "SELECT * FROM alerts WHERE status IN ('pending', 'failed') ORDER BY id", []
        )

    def _decoded(self, sql: str, params: list[Any]) -> list[dict[str, Any]]:
        return [{**r, "payload": json.loads(r["payload"])} for r in self.query(sql, params)]

    def claim(self, alert_id: int) -> None:
        """Note that a send is about to start (kept if the process dies during it)."""
        with self.store.transaction():
            self.conn.execute(
                "UPDATE alerts SET claimed_at = coalesce(claimed_at, ?) WHERE id = ?",
                [self.store.now(), alert_id],
            )

    def mark_sent(self, alert_id: int, thread: tuple[str, str, str] | None = None) -> None:
        """The alert arrived; ``thread`` (bill, channel, ts): the thread it started."""
        with self.store.transaction():
            self.conn.execute(
                "UPDATE alerts SET status = 'sent', sent_at = ?, attempts = attempts + 1,"
                " last_error = NULL, next_attempt_at = NULL, claimed_at = NULL"
                " WHERE id = ? AND status = 'pending'",
                [self.store.now(), alert_id],
            )
            if thread:
                self._save_thread(*thread)

    def mark_failed(
        self,
        alert_id: int,
        error: str,
        next_attempt_at: datetime | None,
        permanent: bool = False,
        maybe_delivered: bool = False,
    ) -> None:
        """Record a failed attempt; a permanent error ends the alert as ``failed``.

        ``maybe_delivered`` keeps the claim, so the next attempt first checks whether it arrived.
        """
        with self.store.transaction():
            self.conn.execute(
                "UPDATE alerts SET attempts = attempts + 1, last_error = ?, status = ?,"
                " next_attempt_at = ?, claimed_at = CASE WHEN ? THEN claimed_at END"
                " WHERE id = ? AND status = 'pending'",
                [
                    error_line(error),
                    "failed" if permanent else "pending",
                    self.store.iso(next_attempt_at) if next_attempt_at else None,
                    maybe_delivered,
                    alert_id,
                ],
            )

    def note_waiting(self, alert_id: int, error: str) -> None:
        """An alert held up by the configuration (Slack refused it: it was not posted): why,
        and no attempt counted against it."""
        with self.store.transaction():
            self.conn.execute(
                "UPDATE alerts SET last_error = ?, next_attempt_at = NULL, claimed_at = NULL"
                " WHERE id = ? AND status = 'pending'",
                [error_line(error), alert_id],
            )

    def route(self, alert_id: int, copies: list[tuple[str, dict[str, Any], str]]) -> None:
        """Hand a pending alert to its routes in one transaction: one outbox row per copy
        (its own dedupe key, payload and route name), the alert itself marked ``route = '*'``
        and ``sent`` (it is never sent as it is)."""
        at = self.store.now()
        with self.store.transaction():
            row = self.conn.execute(
                "SELECT kind, bill_id FROM alerts WHERE id = ? AND status = 'pending'", [alert_id]
            ).fetchone()
            if row is None:
                return
            kind, bill_id = row
            self.conn.executemany(
                "INSERT OR IGNORE INTO alerts (dedupe_key, kind, bill_id, payload, created_at,"
                " route, parent_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (key, kind, bill_id, encode_json(payload), at, route, alert_id)
                    for key, payload, route in copies
                ],
            )
            self.conn.execute(
                "UPDATE alerts SET status = 'sent', sent_at = ?, route = '*', claimed_at = NULL"
                " WHERE id = ?",
                [at, alert_id],
            )

    def requeue_failed(self, alert_id: int | None = None) -> int:
        """Make failed alerts (one, or all with None) pending again, due now; how many."""
        where = "status = 'failed'" + (" AND id = ?" if alert_id is not None else "")
        with self.store.transaction():
            cursor = self.conn.execute(
                "UPDATE alerts SET status = 'pending', next_attempt_at = NULL, claimed_at = NULL"
                f" WHERE {where}",
                [alert_id] if alert_id is not None else [],
            )
        return cursor.rowcount

    def thread_ts(self, bill_id: str, channel: str) -> str | None:
        """The Slack thread of ``bill_id`` in ``channel`` (as configured), if one was started."""
        row = self.conn.execute(
            "SELECT thread_ts FROM slack_threads WHERE bill_id = ? AND channel = ?",
            [bill_id, channel],
        ).fetchone()
        return row[0] if row else None

    def _save_thread(self, bill_id: str, channel: str, thread_ts: str) -> None:
        """Remember the message that starts ``bill_id``'s thread in ``channel``."""
        self.conn.execute(
            "INSERT INTO slack_threads (bill_id, channel, thread_ts, started_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (bill_id, channel) DO UPDATE SET"
            " thread_ts = excluded.thread_ts, started_at = excluded.started_at",
            [bill_id, channel, thread_ts, self.store.now()],
        )
