"""The store: the only module that writes the SQLite database.

Every change is written together with its outbox alert in one transaction, so a crash leaves
either nothing or a complete change with its pending alert.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from tracker import stages
from tracker.models import BillRecord, PageVersion
from tracker.timeutil import DEFAULT_TZ, iso, now

BUSY_TIMEOUT_MS = 30_000

# Columns that describe where a bill stands: a change to either is a status change.
STATUS_FIELDS = ("stage", "result")


def _migration_1(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE stages (
            code TEXT PRIMARY KEY, label TEXT NOT NULL, rank INTEGER NOT NULL,
            final INTEGER NOT NULL, position INTEGER NOT NULL
        );
        CREATE TABLE bills (
            bill_id TEXT PRIMARY KEY, bill_no TEXT, age INTEGER, title TEXT, proposer TEXT,
            proposed_on TEXT, committee TEXT, stage TEXT REFERENCES stages(code), result TEXT,
            detail_url TEXT, matched_by TEXT, first_seen_at TEXT NOT NULL,
            last_checked_at TEXT NOT NULL, last_changed_at TEXT NOT NULL
        );
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT,
            status TEXT, stats TEXT
        );
        CREATE TABLE bill_changes (
            id INTEGER PRIMARY KEY, run_id INTEGER REFERENCES runs(id),
            bill_id TEXT NOT NULL REFERENCES bills(bill_id),
            kind TEXT NOT NULL CHECK (kind IN ('new', 'changed')),
            field TEXT NOT NULL, old_value TEXT, new_value TEXT, observed_at TEXT NOT NULL
        );
        CREATE INDEX bill_changes_bill ON bill_changes(bill_id, observed_at);
        CREATE INDEX bill_changes_time ON bill_changes(observed_at);
        CREATE INDEX bill_changes_field ON bill_changes(field, observed_at);
        CREATE TABLE bill_events (
            bill_id TEXT NOT NULL REFERENCES bills(bill_id), stage TEXT NOT NULL,
            happened_on TEXT NOT NULL, description TEXT,
            UNIQUE (bill_id, stage, happened_on)
        );
        CREATE TABLE news_articles (
            id INTEGER PRIMARY KEY, url TEXT NOT NULL UNIQUE, title TEXT NOT NULL,
            source TEXT, published_at TEXT, summary TEXT, matched_keywords TEXT,
            bill_id TEXT REFERENCES bills(bill_id), first_seen_at TEXT NOT NULL,
            run_id INTEGER REFERENCES runs(id)
        );
        CREATE INDEX news_articles_published ON news_articles(published_at);
        CREATE TABLE alerts (
            id INTEGER PRIMARY KEY, dedupe_key TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('stage_change', 'new_bill', 'news',
                                              'source_failure')),
            bill_id TEXT, payload TEXT NOT NULL, created_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, sent_at TEXT,
            next_attempt_at TEXT
        );
        CREATE INDEX alerts_status ON alerts(status, id);
        CREATE TABLE digests (
            id INTEGER PRIMARY KEY, period_start TEXT NOT NULL, period_end TEXT NOT NULL,
            created_at TEXT NOT NULL, status TEXT NOT NULL, recipients TEXT
        );
        CREATE TABLE source_health (
            source TEXT PRIMARY KEY, consecutive_failures INTEGER NOT NULL DEFAULT 0,
            first_failed_at TEXT, last_error TEXT, alerted_at TEXT, reminded_at TEXT,
            last_ok_at TEXT
        );
        CREATE VIEW stage_history AS
            SELECT c.observed_at, c.bill_id, b.bill_no, b.title, c.kind,
                   c.old_value AS old_stage, c.new_value AS new_stage, c.run_id
            FROM bill_changes c JOIN bills b USING (bill_id)
            WHERE c.field = 'stage'
            ORDER BY c.observed_at DESC, c.id DESC;
        CREATE VIEW recent_changes AS
            SELECT c.observed_at, c.bill_id, b.bill_no, b.title, c.kind, c.field,
                   c.old_value, c.new_value, c.run_id
            FROM bill_changes c JOIN bills b USING (bill_id)
            WHERE julianday(c.observed_at) >= julianday('now', '-7 days')
            ORDER BY c.observed_at DESC, c.id DESC;
        """
    )
    db["stages"].insert_all(
        {"code": s.code, "label": s.label, "rank": s.rank, "final": int(s.final), "position": i}
        for i, s in enumerate(stages.STAGES, start=1)
    )


def _migration_2(db: sqlite_utils.Database) -> None:
    """The bill pages: the 제안이유 summary, and the validators of each page last read whole."""
    db.executescript(
        """
        ALTER TABLE bills ADD COLUMN summary TEXT;
        CREATE TABLE page_versions (
            url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, fetched_at TEXT NOT NULL
        );
        """
    )


# Each entry migrates the schema from version N-1 to N; never edit a released entry.
MIGRATIONS: tuple[Callable[[sqlite_utils.Database], None], ...] = (_migration_1, _migration_2)


@dataclass(frozen=True)
class Change:
    """One stored field change of one bill."""

    bill_id: str
    kind: str
    field: str
    old_value: Any
    new_value: Any


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


class Store:
    """A tracker database: open it with :func:`open_store`."""

    def __init__(self, db: sqlite_utils.Database, tz: str = DEFAULT_TZ) -> None:
        self.db = db
        self.tz = tz

    @property
    def conn(self) -> sqlite3.Connection:
        return self.db.conn

    def now(self) -> str:
        return iso(now(self.tz), self.tz)

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

    # -- schema -------------------------------------------------------------------------------

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self) -> int:
        """Apply the migrations this database has not seen; return the new version."""
        version = self.schema_version
        for number, migration in enumerate(MIGRATIONS, start=1):
            if number <= version:
                continue
            with self.transaction():
                migration(self.db)
                self.conn.execute(f"PRAGMA user_version = {number}")
        return self.schema_version

    # -- runs ---------------------------------------------------------------------------------

    def start_run(self) -> int:
        with self.transaction():
            cursor = self.conn.execute(
                "INSERT INTO runs (started_at, status) VALUES (?, 'running')", [self.now()]
            )
        return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int, status: str, stats: dict[str, Any]) -> None:
        with self.transaction():
            self.conn.execute(
                "UPDATE runs SET finished_at = ?, status = ?, stats = ? WHERE id = ?",
                [self.now(), status, json.dumps(stats, ensure_ascii=False), run_id],
            )

    # -- bills --------------------------------------------------------------------------------

    def get_bill(self, bill_id: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT * FROM bills WHERE bill_id = ?", [bill_id]).fetchone()
        if row is None:
            return None
        names = [d[0] for d in self.conn.execute("SELECT * FROM bills LIMIT 0").description]
        return dict(zip(names, row, strict=True))

    def bills(self, where: str = "1", params: list[Any] | None = None) -> list[dict[str, Any]]:
        return list(self.db.query(f"SELECT * FROM bills WHERE {where}", params or []))

    def tracked_bill_ids(self, include_final: bool = False) -> list[str]:
        """The bills to re-check: every one not in a final stage (or all, for a full check)."""
        sql = "SELECT bill_id FROM bills"
        if not include_final:
            finals = ",".join(f"'{c}'" for c in sorted(stages.FINAL_CODES))
            sql += f" WHERE stage IS NULL OR stage NOT IN ({finals})"
        return [r[0] for r in self.conn.execute(sql + " ORDER BY bill_id")]

    def apply_bill(
        self, record: BillRecord, run_id: int | None, alert_fields: tuple[str, ...] = ()
    ) -> list[Change]:
        """Diff ``record`` against the stored bill; store changes, events and alerts at once."""
        with self.transaction():
            return self._apply_bill(record, run_id, alert_fields)

    def _apply_bill(
        self, record: BillRecord, run_id: int | None, alert_fields: tuple[str, ...]
    ) -> list[Change]:
        at = self.now()
        known = record.known()
        stored = self.get_bill(record.bill_id)
        if stored is None:
            return self._insert_bill(record, known, run_id, at)
        if "stage" in known and stored["stage"] and known["stage"]:
            if stages.rank(known["stage"]) < stages.rank(stored["stage"]):
                # An older report (the API lags the bill pages): it cannot move a bill back.
                known.pop("stage")
                known.pop("result", None)
            elif known["stage"] == stored["stage"] and known.get("result") is None:
                known.pop("result", None)
        changes = [
            Change(record.bill_id, "changed", name, stored.get(name), value)
            for name, value in known.items()
            if _text(value) != _text(stored.get(name))
        ]
        assignments = {c.field: c.new_value for c in changes}
        assignments["last_checked_at"] = at
        if changes:
            assignments["last_changed_at"] = at
        sets = ", ".join(f"{name} = ?" for name in assignments)
        self.conn.execute(
            f"UPDATE bills SET {sets} WHERE bill_id = ?", [*assignments.values(), record.bill_id]
        )
        self._write_changes(changes, run_id, at)
        self._add_events(record)
        changed = {c.field for c in changes}
        if changed & set(STATUS_FIELDS) or changed & set(alert_fields):
            self._alert_status_change(record, stored, assignments, changes, at)
        return changes

    def _insert_bill(
        self, record: BillRecord, known: dict[str, Any], run_id: int | None, at: str
    ) -> list[Change]:
        row = {
            **known,
            "bill_id": record.bill_id,
            "matched_by": record.matched_by,
            "first_seen_at": at,
            "last_checked_at": at,
            "last_changed_at": at,
        }
        names = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        self.conn.execute(f"INSERT INTO bills ({names}) VALUES ({marks})", list(row.values()))
        change = Change(record.bill_id, "new", "stage", None, known.get("stage"))
        self._write_changes([change], run_id, at)
        self._add_events(record)
        payload = {**self._bill_payload(row), "new_stage": known.get("stage")}
        self.enqueue_alert(f"new_bill:{record.bill_id}", "new_bill", payload, record.bill_id, at)
        return [change]

    def _write_changes(self, changes: list[Change], run_id: int | None, at: str) -> None:
        self.conn.executemany(
            "INSERT INTO bill_changes (run_id, bill_id, kind, field, old_value, new_value,"
            " observed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (run_id, c.bill_id, c.kind, c.field, _text(c.old_value), _text(c.new_value), at)
                for c in changes
            ],
        )

    def _add_events(self, record: BillRecord) -> None:
        self.conn.executemany(
            "INSERT OR IGNORE INTO bill_events (bill_id, stage, happened_on, description)"
            " VALUES (?, ?, ?, ?)",
            [(record.bill_id, e.stage, e.happened_on, e.description) for e in record.events],
        )

    @staticmethod
    def _bill_payload(bill: dict[str, Any]) -> dict[str, Any]:
        keys = ("bill_id", "bill_no", "title", "proposer", "committee", "detail_url", "matched_by")
        return {k: bill.get(k) for k in keys}

    def _alert_status_change(
        self,
        record: BillRecord,
        stored: dict[str, Any],
        assignments: dict[str, Any],
        changes: list[Change],
        at: str,
    ) -> None:
        current = {**stored, **assignments}
        payload = {
            **self._bill_payload(current),
            "old_stage": stored["stage"],
            "new_stage": current["stage"],
            "old_result": stored["result"],
            "new_result": current["result"],
            "changes": [
                {"field": c.field, "old": _text(c.old_value), "new": _text(c.new_value)}
                for c in changes
            ],
            "replaced_by": record.replaced_by,
            "replaced_by_title": record.replaced_by_title,
        }
        if {c.field for c in changes} & set(STATUS_FIELDS):
            key = f"stage:{record.bill_id}:{current['stage']}:{current['result'] or ''}"
        else:
            key = f"fields:{record.bill_id}:{at}:" + ",".join(sorted(c.field for c in changes))
        self.enqueue_alert(key, "stage_change", payload, record.bill_id, at)

    # -- alerts (the outbox) ------------------------------------------------------------------

    def enqueue_alert(
        self,
        dedupe_key: str,
        kind: str,
        payload: dict[str, Any],
        bill_id: str | None = None,
        at: str | None = None,
    ) -> bool:
        """Add an alert unless one with the same key exists; True when it was added."""
        cursor = self.conn.execute(
            "INSERT OR IGNORE INTO alerts (dedupe_key, kind, bill_id, payload, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [dedupe_key, kind, bill_id, json.dumps(payload, ensure_ascii=False), at or self.now()],
        )
        return cursor.rowcount == 1

    def due_alerts(self, at: datetime | None = None) -> list[dict[str, Any]]:
        """Pending alerts whose next attempt is due, oldest first."""
        when = iso(at or now(self.tz), self.tz)
        rows = self.db.query(
            "SELECT * FROM alerts WHERE status = 'pending'"
            " AND (next_attempt_at IS NULL OR julianday(next_attempt_at) <= julianday(?))"
            " ORDER BY id",
            [when],
        )
        return [{**r, "payload": json.loads(r["payload"])} for r in rows]

    def mark_alert_sent(self, alert_id: int) -> None:
        with self.transaction():
            self.conn.execute(
                "UPDATE alerts SET status = 'sent', sent_at = ?, attempts = attempts + 1,"
                " last_error = NULL, next_attempt_at = NULL WHERE id = ? AND status = 'pending'",
                [self.now(), alert_id],
            )

    def mark_alert_failed(
        self, alert_id: int, error: str, next_attempt_at: datetime | None, permanent: bool = False
    ) -> None:
        """Record a failed attempt; a permanent error ends the alert as ``failed``."""
        with self.transaction():
            self.conn.execute(
                "UPDATE alerts SET attempts = attempts + 1, last_error = ?, status = ?,"
                " next_attempt_at = ? WHERE id = ? AND status = 'pending'",
                [
                    _first_line(error)[:500],
                    "failed" if permanent else "pending",
                    iso(next_attempt_at, self.tz) if next_attempt_at else None,
                    alert_id,
                ],
            )

    # -- source health ------------------------------------------------------------------------

    def record_source_result(
        self,
        source: str,
        error: str | None,
        threshold: int,
        reminder_seconds: float,
        at: datetime | None = None,
    ) -> str | None:
        """Track a source's consecutive failures; enqueue failure, reminder and recovery alerts.

        Returns the alert kind raised (``failure``, ``reminder``, ``recovery``) or None.
        """
        moment = at or now(self.tz)
        stamp = iso(moment, self.tz)
        with self.transaction():
            row = self.conn.execute(
                "SELECT consecutive_failures, alerted_at, reminded_at, first_failed_at"
                " FROM source_health WHERE source = ?",
                [source],
            ).fetchone()
            failures, alerted_at, reminded_at, first_failed = row or (0, None, None, None)
            raised: str | None = None
            if error is None:
                if alerted_at:
                    raised = "recovery"
                    self._enqueue_source_alert(source, raised, None, first_failed, stamp, failures)
                self.conn.execute(
                    "INSERT INTO source_health (source, consecutive_failures, last_ok_at)"
                    " VALUES (?, 0, ?) ON CONFLICT(source) DO UPDATE SET consecutive_failures = 0,"
                    " first_failed_at = NULL, alerted_at = NULL, reminded_at = NULL,"
                    " last_error = NULL, last_ok_at = excluded.last_ok_at",
                    [source, stamp],
                )
                return raised
            failures += 1
            first_failed = first_failed or stamp
            if failures >= threshold and not alerted_at:
                raised, alerted_at, reminded_at = "failure", stamp, stamp
            elif alerted_at and reminded_at:
                since = (moment - datetime.fromisoformat(reminded_at)).total_seconds()
                if since >= reminder_seconds:
                    raised, reminded_at = "reminder", stamp
            if raised:
                self._enqueue_source_alert(source, raised, error, first_failed, stamp, failures)
            self.conn.execute(
                "INSERT INTO source_health (source, consecutive_failures, first_failed_at,"
                " last_error, alerted_at, reminded_at) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(source) DO UPDATE SET consecutive_failures = excluded."
                "consecutive_failures, first_failed_at = excluded.first_failed_at, last_error ="
                " excluded.last_error, alerted_at = excluded.alerted_at, reminded_at ="
                " excluded.reminded_at",
                [source, failures, first_failed, _first_line(error)[:500], alerted_at, reminded_at],
            )
            return raised

    def _enqueue_source_alert(
        self,
        source: str,
        kind: str,
        error: str | None,
        since: str,
        at: str,
        failures: int,
    ) -> None:
        payload = {
            "source": source,
            "event": kind,
            "error": _first_line(error)[:500] if error else None,
            "since": since,
            "failures": failures,
        }
        self.enqueue_alert(f"source:{source}:{kind}:{at}", "source_failure", payload, None, at)

    def failing_sources(self) -> set[str]:
        """The sources whose last result was a failure."""
        rows = self.conn.execute("SELECT source FROM source_health WHERE consecutive_failures > 0")
        return {r[0] for r in rows}

    # -- conditional requests -----------------------------------------------------------------

    def save_page_version(self, version: PageVersion) -> None:
        """Remember the validators of a page that was just read and stored in full."""
        with self.transaction():
            self.conn.execute(
                "INSERT INTO page_versions (url, etag, last_modified, fetched_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET etag = excluded.etag,"
                " last_modified = excluded.last_modified, fetched_at = excluded.fetched_at",
                [version.url, version.etag, version.last_modified, self.now()],
            )

    def page_versions(self, read_since: datetime) -> dict[str, PageVersion]:
        """Validators by URL, of the pages read in full since ``read_since``."""
        rows = self.conn.execute(
            "SELECT url, etag, last_modified FROM page_versions"
            " WHERE julianday(fetched_at) >= julianday(?)",
            [iso(read_since, self.tz)],
        )
        return {url: PageVersion(url, etag, modified) for url, etag, modified in rows}

    # -- reading ------------------------------------------------------------------------------

    def count(self, table: str, where: str = "1", params: list[Any] | None = None) -> int:
        sql = f"SELECT count(*) FROM [{table}] WHERE {where}"
        return int(self.conn.execute(sql, params or []).fetchone()[0])


def connect(path: str | Path, readonly: bool = False) -> sqlite3.Connection:
    """A raw connection with the pragmas tracker relies on (WAL, busy timeout)."""
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
    return conn


def open_store(path: str | Path, tz: str = DEFAULT_TZ) -> Store:
    """Open (creating if needed) and migrate the database at ``path``."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = connect(path)
    conn.isolation_level = None
    store = Store(sqlite_utils.Database(conn), tz)
    store.migrate()
    return store
