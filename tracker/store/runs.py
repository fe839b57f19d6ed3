"""Runs (one row per check cycle) and the health of each source across them."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from tracker.domain import alerts
from tracker.domain.alerts import error_line
from tracker.domain.health import Health, after_result
from tracker.store.base import Repository
from tracker.timeutil import now


class Runs(Repository):
    """The ``runs`` and ``source_health`` tables."""

    def start(self) -> int:
        with self.store.transaction():
            cursor = self.conn.execute(
                "INSERT INTO runs (started_at, status) VALUES (?, 'running')", [self.store.now()]
            )
        return int(cursor.lastrowid or 0)

    def finish(
        self, run_id: int, status: str, stats: dict[str, Any], summarize: bool = False
    ) -> None:
        """Close the run; with ``summarize`` (a quiet first run), enqueue in the same
        transaction the one alert that sums up every bill stored so far."""
        with self.store.transaction():
            self.conn.execute(
                "UPDATE runs SET finished_at = ?, status = ?, stats = ? WHERE id = ?",
                [self.store.now(), status, json.dumps(stats, ensure_ascii=False), run_id],
            )
            if summarize:
                payload = self.store.bills.summary_payload()
                if payload["total"]:
                    self.store.outbox.enqueue(alerts.SUMMARY_KEY, "summary", payload)

    def fail(self, run_id: int, source: str, reason: str) -> None:
        """Mark a run failed, finished or not, keeping the stats it has and adding ``reason``
        under ``source`` (a run recorded ``ok`` may fail after, while its alerts go out)."""
        with self.store.transaction():
            self.conn.execute(
                "UPDATE runs SET finished_at = coalesce(finished_at, ?), status = 'failed',"
                " stats = json_set(coalesce(stats, '{}'), ?, json(?)) WHERE id = ?",
                [
                    self.store.now(),
                    f"$.{source}",
                    json.dumps({"errors": [reason]}, ensure_ascii=False),
                    run_id,
                ],
            )

    def fail_unfinished(self, reason: str) -> int:
        """Mark runs left ``running`` by a process that died or was killed as ``failed``."""
        stats = json.dumps({"crawl": {"errors": [reason]}}, ensure_ascii=False)
        with self.store.transaction():
            cursor = self.conn.execute(
                "UPDATE runs SET status = 'failed', finished_at = ?, stats = ?"
                " WHERE status = 'running'",
                [self.store.now(), stats],
            )
        return cursor.rowcount

    def last(self) -> dict[str, Any] | None:
        rows = self.query("SELECT * FROM runs ORDER BY id DESC LIMIT 1")
        return rows[0] if rows else None

    def prune(self, older_than: datetime) -> int:
        """Delete old runs that left no history; runs referenced by history are provenance."""
        with self.store.transaction():
            cursor = self.conn.execute(
                "DELETE FROM runs WHERE julianday(started_at) < julianday(?)"
                " AND status != 'running'"
                " AND id NOT IN (SELECT run_id FROM bill_changes WHERE run_id IS NOT NULL)"
                " AND id NOT IN (SELECT run_id FROM news_articles WHERE run_id IS NOT NULL)",
                [self.store.iso(older_than)],
            )
        return cursor.rowcount

    def is_first(self) -> bool:
        """Whether no bill was ever alerted or summed up: a new database (or one whose first
        run ended before its summary; that run's bills are in the next one's)."""
        return not self.store.count("alerts", "kind IN ('new_bill', 'stage_change', 'summary')")

    def tracking_since(self) -> str | None:
        """When the first run began: news published earlier is not news to alert."""
        row = self.conn.execute("SELECT min(started_at) FROM runs").fetchone()
        return row[0] if row else None

    # -- source health ------------------------------------------------------------------------

    def record_source_result(
        self,
        source: str,
        error: str | None,
        threshold: int,
        reminder_seconds: float,
        at: datetime | None = None,
    ) -> str | None:
        """Track a source's consecutive failures (:mod:`tracker.domain.health`); enqueue the
        failure, reminder and recovery alerts. Returns the event alerted, or None."""
        moment = at or now(self.store.tz)
        stamp = self.store.iso(moment)
        with self.store.transaction():
            row = self.conn.execute(
                "SELECT consecutive_failures, first_failed_at, alerted_at, reminded_at"
                " FROM source_health WHERE source = ?",
                [source],
            ).fetchone()
            health = Health(*row) if row else Health()
            step = after_result(
                health, error is not None, moment, stamp, threshold, reminder_seconds
            )
            if step.event:
                self._alert_source(source, step.event, error, step.since, stamp, step.failures)
            if error is None:
                self.conn.execute(
                    "INSERT INTO source_health (source, consecutive_failures, last_ok_at)"
                    " VALUES (?, 0, ?) ON CONFLICT(source) DO UPDATE SET consecutive_failures = 0,"
                    " first_failed_at = NULL, alerted_at = NULL, reminded_at = NULL,"
                    " last_error = NULL, last_ok_at = excluded.last_ok_at",
                    [source, stamp],
                )
                return step.event
            new = step.health
            self.conn.execute(
                "INSERT INTO source_health (source, consecutive_failures, first_failed_at,"
                " last_error, alerted_at, reminded_at) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(source) DO UPDATE SET consecutive_failures = excluded."
                "consecutive_failures, first_failed_at = excluded.first_failed_at, last_error ="
                " excluded.last_error, alerted_at = excluded.alerted_at, reminded_at ="
                " excluded.reminded_at",
                [
                    source,
                    new.failures,
                    new.first_failed_at,
                    error_line(error),
                    new.alerted_at,
                    new.reminded_at,
                ],
            )
            return step.event

    def _alert_source(
        self, source: str, event: str, error: str | None, since: str | None, at: str, failures: int
    ) -> None:
        payload = alerts.source_payload(source, event, error, since, at, failures)
        name, _, subject = source.partition(":")
        if name == "bill_page" and (bill := self.store.bills.get(subject)):
            payload |= {"bill_no": bill["bill_no"], "title": bill["title"]}
        self.store.outbox.enqueue(
            alerts.source_key(source, event, at), "source_failure", payload, None, at
        )

    def failing_sources(self) -> set[str]:
        """The sources whose last result was a failure."""
        rows = self.conn.execute("SELECT source FROM source_health WHERE consecutive_failures > 0")
        return {r[0] for r in rows}
