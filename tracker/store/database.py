"""The store: the only module that writes the SQLite database.

Every change is written together with its outbox alert in one transaction, so a crash leaves
either nothing or a complete change with its pending alert.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import orjson
import sqlite_utils

from tracker import exit_codes
from tracker.domain import stages
from tracker.domain.article import Article
from tracker.domain.bills import BILL_FIELDS, AlternativeFold, BillRecord, Meeting
from tracker.domain.relevance import NewsHit, bill_for
from tracker.domain.stories import Story, dedupe, split_known
from tracker.domain.validators import StoredPage, Validators
from tracker.errors import DatabaseUnusable
from tracker.store.connection import BUSY_TIMEOUT_MS, connect
from tracker.timeutil import DEFAULT_TZ, iso, now

# Columns that describe where a bill stands: a change to either is a status change.
STATUS_FIELDS = ("stage", "result")
_STATUS_SET = frozenset(STATUS_FIELDS)


def _encode_json(payload: dict[str, Any]) -> str:
    """An alert payload as compact JSON text (UTF-8, not escaped): a pass over a term writes
    one for each of 20,000 bills, and orjson does it in a sixth of the stdlib's time."""
    return orjson.dumps(payload).decode()


def _migration_1(db: sqlite_utils.Database) -> None:
    # Statement by statement: executescript would commit the migration's transaction first,
    # and a crash midway would leave a half-made schema that no later start could repair.
    _execute_all(
        db,
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
        """,
    )
    db["stages"].insert_all(
        {"code": s.code, "label": s.label, "rank": s.rank, "final": int(s.final), "position": i}
        for i, s in enumerate(stages.STAGES, start=1)
    )


def _migration_2_alert_claims(db: sqlite_utils.Database) -> None:
    # Set while a send is in flight: after a crash the alert is checked, not blindly resent.
    db.execute("ALTER TABLE alerts ADD COLUMN claimed_at TEXT")


def _migration_3_digest_delivery(db: sqlite_utils.Database) -> None:
    db.execute("ALTER TABLE digests ADD COLUMN last_error TEXT")
    db.execute("ALTER TABLE digests ADD COLUMN sent_at TEXT")


def _migration_4_news_sources(db: sqlite_utils.Database) -> None:
    # other_sources: JSON list of the other outlets that ran the story. news_feeds: each
    # feed's validators, written with the articles so a 304 never hides an unstored article.
    db.execute("ALTER TABLE news_articles ADD COLUMN other_sources TEXT")
    db.execute("CREATE INDEX news_articles_run ON news_articles(run_id)")
    db.execute(
        "CREATE TABLE news_feeds (url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT,"
        " checked_at TEXT NOT NULL)"
    )


# Views for common questions, indexes for the usual access paths (by bill, by time, by kind)
# and trigram full-text search, which finds Korean substrings of three characters or more.
# One statement at a time: executescript would commit the migration's transaction midway.
_QUERY_SCHEMA = (
    """CREATE VIEW bill_status AS
        SELECT b.bill_id, b.bill_no, b.age, b.title, b.proposer, b.proposed_on, b.committee,
               b.stage, s.label AS stage_label, s.final AS is_final, b.result, b.matched_by,
               b.first_seen_at, b.last_changed_at, b.detail_url
        FROM bills b LEFT JOIN stages s ON s.code = b.stage""",
    """CREATE VIEW stage_changes AS
        SELECT c.id AS change_id, c.observed_at, c.bill_id, b.bill_no, b.title, c.kind,
               c.old_value AS old_stage, o.label AS old_label,
               c.new_value AS new_stage, n.label AS new_label, c.run_id
        FROM bill_changes c JOIN bills b USING (bill_id)
        LEFT JOIN stages o ON o.code = c.old_value
        LEFT JOIN stages n ON n.code = c.new_value
        WHERE c.field = 'stage'""",
    """CREATE VIEW bill_timeline AS
        SELECT e.bill_id, b.bill_no, b.title, e.happened_on, e.stage, s.label AS stage_label,
               s.position AS stage_order, e.description
        FROM bill_events e JOIN bills b USING (bill_id)
        LEFT JOIN stages s ON s.code = e.stage""",
    """CREATE VIEW news_by_bill AS
        SELECT n.bill_id, b.bill_no, b.title AS bill_title, n.id AS article_id, n.published_at,
               n.title, n.source, n.url, n.matched_keywords
        FROM news_articles n JOIN bills b USING (bill_id)""",
    # The contract's view, redefined so an index can serve it: the date prefilter is a plain
    # string comparison (8 days covers any UTC offset), julianday() then decides exactly.
    "DROP VIEW recent_changes",
    """CREATE VIEW recent_changes AS
        SELECT c.observed_at, c.bill_id, b.bill_no, b.title, c.kind, c.field,
               c.old_value, c.new_value, c.run_id
        FROM bill_changes c JOIN bills b USING (bill_id)
        WHERE c.observed_at >= date('now', '-8 days')
          AND julianday(c.observed_at) >= julianday('now', '-7 days')
        ORDER BY c.observed_at DESC, c.id DESC""",
    "CREATE INDEX bill_changes_kind ON bill_changes(kind, observed_at)",
    "CREATE INDEX bill_events_time ON bill_events(happened_on)",
    "CREATE INDEX news_articles_bill ON news_articles(bill_id, published_at)",
    "CREATE INDEX alerts_bill ON alerts(bill_id, created_at)",
    # Bills have no integer key (their implicit rowid may change on VACUUM), so the index
    # keeps its own copy of the title keyed by bill_id. Only the title: other columns come
    # and go in other migrations.
    "CREATE VIRTUAL TABLE bills_fts USING fts5(bill_id UNINDEXED, title, tokenize='trigram')",
    "INSERT INTO bills_fts (bill_id, title) SELECT bill_id, title FROM bills",
    """CREATE TRIGGER bills_fts_insert AFTER INSERT ON bills BEGIN
        INSERT INTO bills_fts (bill_id, title) VALUES (new.bill_id, new.title);
    END""",
    """CREATE TRIGGER bills_fts_update AFTER UPDATE OF bill_id, title ON bills BEGIN
        DELETE FROM bills_fts WHERE bill_id = old.bill_id;
        INSERT INTO bills_fts (bill_id, title) VALUES (new.bill_id, new.title);
    END""",
    """CREATE TRIGGER bills_fts_delete AFTER DELETE ON bills BEGIN
        DELETE FROM bills_fts WHERE bill_id = old.bill_id;
    END""",
    # rowid = news_articles.id. The insert trigger clears the rowid first, so a REPLACE
    # (which fires no delete trigger) cannot leave a duplicate behind.
    "CREATE VIRTUAL TABLE news_fts USING fts5(title, summary, tokenize='trigram')",
    "INSERT INTO news_fts (rowid, title, summary) SELECT id, title, summary FROM news_articles",
    """CREATE TRIGGER news_fts_insert AFTER INSERT ON news_articles BEGIN
        DELETE FROM news_fts WHERE rowid = new.id;
        INSERT INTO news_fts (rowid, title, summary) VALUES (new.id, new.title, new.summary);
    END""",
    """CREATE TRIGGER news_fts_update AFTER UPDATE OF id, title, summary ON news_articles BEGIN
        DELETE FROM news_fts WHERE rowid = old.id;
        INSERT INTO news_fts (rowid, title, summary) VALUES (new.id, new.title, new.summary);
    END""",
    """CREATE TRIGGER news_fts_delete AFTER DELETE ON news_articles BEGIN
        DELETE FROM news_fts WHERE rowid = old.id;
    END""",
)


def _execute_each(db: sqlite_utils.Database, statements: tuple[str, ...]) -> None:
    """Run statements (triggers included) one by one inside the current transaction."""
    for statement in statements:
        db.conn.execute(statement)


def _migration_query_schema(db: sqlite_utils.Database) -> None:
    _execute_each(db, _QUERY_SCHEMA)


def _migration_6_bill_pages(db: sqlite_utils.Database) -> None:
    """The bill pages: the 제안이유 summary, and the validators of each page last read whole."""
    db.execute("ALTER TABLE bills ADD COLUMN summary TEXT")
    db.execute(
        "CREATE TABLE page_versions (url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT,"
        " fetched_at TEXT NOT NULL)"
    )


# The bill-title index reads the titles from ``bills`` (external content, keyed by the bills'
# rowid) instead of keeping a second copy, and its triggers find an entry by rowid: the old ones
# looked it up by the unindexed bill_id, a scan of the whole index for each changed title.
# VACUUM keeps the rowids of a table that has an index, as bills has for its primary key.
_BILLS_FTS_FROM_BILLS = (
    "DROP TRIGGER bills_fts_insert",
    "DROP TRIGGER bills_fts_update",
    "DROP TRIGGER bills_fts_delete",
    "DROP TABLE bills_fts",
    """CREATE VIRTUAL TABLE bills_fts USING fts5(bill_id UNINDEXED, title, content='bills',
        content_rowid='rowid', tokenize='trigram')""",
    "INSERT INTO bills_fts (bills_fts) VALUES ('rebuild')",
    """CREATE TRIGGER bills_fts_insert AFTER INSERT ON bills BEGIN
        INSERT INTO bills_fts (rowid, bill_id, title) VALUES (new.rowid, new.bill_id, new.title);
    END""",
    """CREATE TRIGGER bills_fts_update AFTER UPDATE OF bill_id, title ON bills BEGIN
        INSERT INTO bills_fts (bills_fts, rowid, bill_id, title)
            VALUES ('delete', old.rowid, old.bill_id, old.title);
        INSERT INTO bills_fts (rowid, bill_id, title) VALUES (new.rowid, new.bill_id, new.title);
    END""",
    """CREATE TRIGGER bills_fts_delete AFTER DELETE ON bills BEGIN
        INSERT INTO bills_fts (bills_fts, rowid, bill_id, title)
            VALUES ('delete', old.rowid, old.bill_id, old.title);
    END""",
)


def _migration_7_bills_fts_from_bills(db: sqlite_utils.Database) -> None:
    _execute_each(db, _BILLS_FTS_FROM_BILLS)


def _migration_8_page_checks(db: sqlite_utils.Database) -> None:
    """When each page was last checked, a 304 included: quiet bills take turns by it."""
    db.execute("ALTER TABLE page_versions ADD COLUMN checked_at TEXT")
    db.execute("UPDATE page_versions SET checked_at = fetched_at")


def _migration_9_alternatives(db: sqlite_utils.Database) -> None:
    """Which bills each committee alternative (대안) took in, as its bill page lists them."""
    db.execute(
        "CREATE TABLE bill_alternatives (alternative_id TEXT NOT NULL, bill_no TEXT NOT NULL,"
        " bill_id TEXT, first_seen_at TEXT NOT NULL, PRIMARY KEY (alternative_id, bill_no))"
    )
    db.execute("CREATE INDEX bill_alternatives_bill ON bill_alternatives(bill_no)")


# The outbox's alert kinds before migration 10 added the first run's summary and the notice to
# the operator, and migration 11 the committee meeting.
_ALERT_KINDS_9 = ("stage_change", "new_bill", "news", "source_failure")


def _rebuild_alerts(db: sqlite_utils.Database, kinds: tuple[str, ...]) -> None:
    """Rebuild the outbox with ``kinds`` in its CHECK (SQLite cannot change a constraint),
    keeping every row and the columns it had before migration 12."""
    allowed = ", ".join(f"'{kind}'" for kind in kinds)
    _execute_all(
        db,
        f"""
        CREATE TABLE alerts_rebuilt (
            id INTEGER PRIMARY KEY, dedupe_key TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ({allowed})),
            bill_id TEXT, payload TEXT NOT NULL, created_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, sent_at TEXT,
            next_attempt_at TEXT, claimed_at TEXT
        );
        INSERT INTO alerts_rebuilt SELECT id, dedupe_key, kind, bill_id, payload, created_at,
            status, attempts, last_error, sent_at, next_attempt_at, claimed_at FROM alerts;
        DROP TABLE alerts;
        ALTER TABLE alerts_rebuilt RENAME TO alerts;
        CREATE INDEX alerts_status ON alerts(status, id);
        CREATE INDEX alerts_bill ON alerts(bill_id, created_at)
        """,
    )


def _migration_10_alert_kinds(db: sqlite_utils.Database) -> None:
    """The alert kinds of the first run's summary and of a notice to the operator about a
    refused configuration."""
    _rebuild_alerts(db, (*_ALERT_KINDS_9, "summary", "delivery_problem"))


def _migration_11_follows_meetings(db: sqlite_utils.Database) -> None:
    """Who follows what (by 의안번호: followed, unfollowed, muted until), the committee
    meetings each bill's page lists, and the outbox rebuilt with the alert kind ``meeting``."""
    _execute_all(
        db,
        """
        CREATE TABLE bill_follows (
            bill_no TEXT PRIMARY KEY,
            state TEXT CHECK (state IN ('followed', 'unfollowed')),
            muted_until TEXT, updated_at TEXT NOT NULL
        );
        CREATE TABLE bill_meetings (
            bill_id TEXT NOT NULL, committee TEXT NOT NULL, meeting TEXT NOT NULL,
            held_on TEXT NOT NULL, result TEXT, minutes_url TEXT, first_seen_at TEXT NOT NULL,
            PRIMARY KEY (bill_id, held_on, meeting)
        );
        CREATE INDEX bill_meetings_time ON bill_meetings(first_seen_at)
        """,
    )
    _rebuild_alerts(db, (*_ALERT_KINDS_9, "summary", "delivery_problem", "meeting"))


def _migration_12_routes_and_threads(db: sqlite_utils.Database) -> None:
    """Routes and Slack threads: an alert's copy for one route (``route``, ``parent_id``;
    ``route = '*'`` marks an alert handed to its routes) and each bill's thread per channel.
    Columns are added, never the outbox rebuilt, so earlier rebuilds keep their column lists."""
    db.execute("ALTER TABLE alerts ADD COLUMN route TEXT")
    db.execute("ALTER TABLE alerts ADD COLUMN parent_id INTEGER REFERENCES alerts(id)")
    db.execute(
        "CREATE TABLE slack_threads (bill_id TEXT NOT NULL, channel TEXT NOT NULL,"
        " thread_ts TEXT NOT NULL, started_at TEXT NOT NULL, PRIMARY KEY (bill_id, channel))"
    )


def _execute_all(db: sqlite_utils.Database, script: str) -> None:
    """Run a script of plain statements (no triggers) inside the current transaction."""
    for statement in script.split(";"):
        if statement.strip():
            db.conn.execute(statement)


# Each entry migrates the schema from version N-1 to N; never edit a released entry.
MIGRATIONS: tuple[Callable[[sqlite_utils.Database], None], ...] = (
    _migration_1,
    _migration_2_alert_claims,
    _migration_3_digest_delivery,
    _migration_4_news_sources,
    _migration_query_schema,
    _migration_6_bill_pages,
    _migration_7_bills_fts_from_bills,
    _migration_8_page_checks,
    _migration_9_alternatives,
    _migration_10_alert_kinds,
    _migration_11_follows_meetings,
    _migration_12_routes_and_threads,
)

# Digest statuses that close a period: it is never sent again.
DIGEST_DONE = ("sent", "skipped")

# Bills listed per stage in the first run's summary (the rest are counted).
SUMMARY_BILLS_PER_STAGE = 10

# How far apart two outlets' reports of one story can be published.
NEWS_WINDOW_DAYS = 3
# A news alert lists at most this many articles (Slack truncates long messages); it says how
# many more there were.
NEWS_ALERT_MAX_ARTICLES = 20


class Change(NamedTuple):
    """One stored field change of one bill (a tuple: a pass makes one per changed bill)."""

    bill_id: str
    kind: str
    field: str
    old_value: Any
    new_value: Any


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


_T = TypeVar("_T")


def _chunks(items: Sequence[_T], size: int = 500) -> Iterator[Sequence[_T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _in_chunks(
    conn: sqlite3.Connection, sql: str, ids: Sequence[Any], *before: Any
) -> Iterator[sqlite3.Cursor]:
    """Run ``sql``, whose ``{}`` is an ``IN`` list of ``ids``, a chunk of ids at a time (SQLite
    bounds a statement's parameters); ``before`` are the parameters ahead of the list."""
    for chunk in _chunks(ids):
        yield conn.execute(sql.format(",".join("?" * len(chunk))), [*before, *chunk])


def _insert_rows(
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


_INSERT_CHANGE = (
    "INSERT INTO bill_changes (run_id, bill_id, kind, field, old_value, new_value, observed_at)"
    " VALUES"
)
_INSERT_EVENT = (
    "INSERT OR IGNORE INTO bill_events (bill_id, stage, happened_on, description) VALUES"
)
_INSERT_MEETING = (
    "INSERT INTO bill_meetings (bill_id, committee, meeting, held_on, result, minutes_url,"
    " first_seen_at) VALUES"
)
# An alert already queued under its key is left alone; any other refusal (an unknown kind)
# fails loudly, with the change it belongs to.
_INSERT_ALERT = "INSERT INTO alerts (dedupe_key, kind, bill_id, payload, created_at) VALUES"
_ALERT_CONFLICT = " ON CONFLICT(dedupe_key) DO NOTHING"


@dataclass
class _Batch:
    """The writes of one ``apply_bills`` call, grouped so each kind goes out in one call."""

    run_id: int | None
    at: str
    alert_fields: tuple[str, ...]
    # The first run of a database: history is written, the run's summary replaces the alerts.
    quiet: bool = False
    stored: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: set[tuple[str, str, str]] = field(default_factory=set)
    changes: list[Change] = field(default_factory=list)
    inserts: dict[tuple[str, ...], list[list[Any]]] = field(default_factory=dict)
    updates: dict[tuple[str, ...], list[list[Any]]] = field(default_factory=dict)
    new_events: list[tuple[str, str, str, str]] = field(default_factory=list)
    alerts: list[tuple[str, str, str | None, str, str]] = field(default_factory=list)
    # Committee alternative → the bills of this batch whose pages say they went into it.
    folded: dict[str, list[str]] = field(default_factory=dict)
    # New committee alternatives and their alerts' payloads, alerted at the end of the batch.
    alternatives: list[tuple[BillRecord, dict[str, Any]]] = field(default_factory=list)
    # Bills whose changes are stored without alerts (muted), and those first stored in this
    # run, whose meetings so far are history rather than news.
    muted: set[str] = field(default_factory=set)
    new_in_run: set[str] = field(default_factory=set)
    meetings: set[tuple[str, str, str]] = field(default_factory=set)
    new_meetings: list[tuple[Any, ...]] = field(default_factory=list)

    def insert(self, row: dict[str, Any]) -> None:
        self.inserts.setdefault(tuple(row), []).append(list(row.values()))

    def update(self, bill_id: str, assignments: dict[str, Any]) -> None:
        self.updates.setdefault(tuple(assignments), []).append([*assignments.values(), bill_id])

    def add_changes(self, changes: list[Change]) -> None:
        self.changes += changes

    def add_events(self, record: BillRecord) -> None:
        for event in record.events:
            key = (record.bill_id, event.stage, event.happened_on)
            if key not in self.events:
                self.events.add(key)
                self.new_events.append((*key, event.description))

    def add_meetings(self, bill_id: str, meetings: list[Meeting]) -> list[Meeting]:
        """Queue the meetings not stored yet; return them."""
        added = []
        for meeting in meetings:
            key = (bill_id, meeting.held_on, meeting.name)
            if key not in self.meetings:
                self.meetings.add(key)
                self.new_meetings.append(
                    (bill_id, meeting.committee, meeting.name, meeting.held_on, meeting.result,
                     meeting.minutes_url, self.at)
                )  # fmt: skip
                added.append(meeting)
        return added

    def alert(self, key: str, kind: str, payload: dict[str, Any], bill_id: str | None) -> None:
        if self.quiet or bill_id in self.muted:
            return
        self.alerts.append((key, kind, bill_id, _encode_json(payload), self.at))

    def flush(self, conn: sqlite3.Connection) -> None:
        for names, rows in self.inserts.items():
            _insert_rows(conn, f"INSERT INTO bills ({', '.join(names)}) VALUES", rows)
        for names, rows in self.updates.items():
            sets = ", ".join(f"{name} = ?" for name in names)
            conn.executemany(f"UPDATE bills SET {sets} WHERE bill_id = ?", rows)
        _insert_rows(
            conn,
            _INSERT_CHANGE,
            [
                (
                    self.run_id,
                    c.bill_id,
                    c.kind,
                    c.field,
                    _text(c.old_value),
                    _text(c.new_value),
                    self.at,
                )
                for c in self.changes
            ],
        )
        _insert_rows(conn, _INSERT_EVENT, self.new_events)
        _insert_rows(conn, _INSERT_MEETING, self.new_meetings)
        _insert_rows(conn, _INSERT_ALERT, self.alerts, _ALERT_CONFLICT)


def _followed(table: str = "bills") -> str:
    """The condition that a row of ``bills`` (named ``table``) is not unfollowed."""
    return (
        f"NOT EXISTS (SELECT 1 FROM bill_follows f WHERE f.bill_no = {table}.bill_no"
        " AND f.state = 'unfollowed')"
    )


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def _after_prefix(prefix: str) -> str:
    """The least string greater than every string that starts with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


# A bill first seen this long after it was proposed was not news: it is newly followed.
NEW_BILL_DAYS = 30


def _found_late(known: dict[str, Any], at: str) -> bool:
    """Whether a bill seen for the first time is past the start of its life (beyond committee
    review, or proposed over NEW_BILL_DAYS ago): "newly followed", not a new bill."""
    stage = known.get("stage")
    if stage in stages.BY_CODE and stages.rank(stage) > stages.rank("committee_review"):
        return True
    proposed = _date(str(known.get("proposed_on") or ""))
    return proposed is not None and (date.fromisoformat(at[:10]) - proposed).days > NEW_BILL_DAYS


def _not_before(when: str | None, since: str) -> bool:
    return when is None or datetime.fromisoformat(when) >= datetime.fromisoformat(since)


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

    # -- runs ---------------------------------------------------------------------------------

    def start_run(self) -> int:
        with self.transaction():
            cursor = self.conn.execute(
                "INSERT INTO runs (started_at, status) VALUES (?, 'running')", [self.now()]
            )
        return int(cursor.lastrowid or 0)

    def fail_unfinished_runs(self, reason: str) -> int:
        """Mark runs left ``running`` by a process that died or was killed as ``failed``."""
        stats = json.dumps({"crawl": {"errors": [reason]}}, ensure_ascii=False)
        with self.transaction():
            cursor = self.conn.execute(
                "UPDATE runs SET status = 'failed', finished_at = ?, stats = ?"
                " WHERE status = 'running'",
                [self.now(), stats],
            )
        return cursor.rowcount

    def last_run(self) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM runs ORDER BY id DESC LIMIT 1"))
        return rows[0] if rows else None

    def prune_runs(self, older_than: datetime) -> int:
        """Delete old runs that left no history; runs referenced by history are provenance."""
        with self.transaction():
            cursor = self.conn.execute(
                "DELETE FROM runs WHERE julianday(started_at) < julianday(?)"
                " AND status != 'running'"
                " AND id NOT IN (SELECT run_id FROM bill_changes WHERE run_id IS NOT NULL)"
                " AND id NOT IN (SELECT run_id FROM news_articles WHERE run_id IS NOT NULL)",
                [iso(older_than, self.tz)],
            )
        return cursor.rowcount

    def finish_run(
        self, run_id: int, status: str, stats: dict[str, Any], summarize: bool = False
    ) -> None:
        """Close the run; with ``summarize`` (a quiet first run), enqueue in the same
        transaction the one alert that sums up every bill stored so far."""
        with self.transaction():
            self.conn.execute(
                "UPDATE runs SET finished_at = ?, status = ?, stats = ? WHERE id = ?",
                [self.now(), status, json.dumps(stats, ensure_ascii=False), run_id],
            )
            if summarize:
                self._alert_summary()

    def fail_run(self, run_id: int, source: str, reason: str) -> None:
        """Mark a run failed, finished or not, keeping the stats it has and adding ``reason``
        under ``source`` (a run recorded ``ok`` may fail after, while its alerts go out)."""
        with self.transaction():
            self.conn.execute(
                "UPDATE runs SET finished_at = coalesce(finished_at, ?), status = 'failed',"
                " stats = json_set(coalesce(stats, '{}'), ?, json(?)) WHERE id = ?",
                [
                    self.now(),
                    f"$.{source}",
                    json.dumps({"errors": [reason]}, ensure_ascii=False),
                    run_id,
                ],
            )

    def is_first_run(self) -> bool:
        """Whether no bill was ever alerted or summed up: a new database (or one whose first
        run ended before its summary; that run's bills are in the next one's)."""
        return not self.count("alerts", "kind IN ('new_bill', 'stage_change', 'summary')")

    def tracking_since(self) -> str | None:
        """When the first run began: news published earlier is not news to alert."""
        row = self.conn.execute("SELECT min(started_at) FROM runs").fetchone()
        return row[0] if row else None

    def _alert_summary(self) -> None:
        payload = self.summary_payload()
        if payload["total"]:
            self.enqueue_alert("summary:first_run", "summary", payload)

    def summary_payload(
        self, keep: Callable[[dict[str, Any]], bool] | None = None
    ) -> dict[str, Any]:
        """The first run's summary of the bills stored so far (those ``keep`` accepts)."""
        keys = ("bill_id", "bill_no", "title", "detail_url")
        groups = []
        total = 0
        for stage in stages.STAGES:
            rows = [
                r
                for r in self.db.query(
                    "SELECT * FROM bills WHERE stage = ? ORDER BY proposed_on DESC, bill_id",
                    [stage.code],
                )
                if keep is None or keep(r)
            ]
            if rows:
                listed = [{k: r[k] for k in keys} for r in rows[:SUMMARY_BILLS_PER_STAGE]]
                groups.append({"stage": stage.code, "count": len(rows), "bills": listed})
                total += len(rows)
        return {"total": total, "articles": self.count("news_articles"), "stages": groups}

    # -- bills --------------------------------------------------------------------------------

    def get_bill(self, bill_id: str) -> dict[str, Any] | None:
        cursor = self.conn.execute("SELECT * FROM bills WHERE bill_id = ?", [bill_id])
        row = cursor.fetchone()
        if row is None:
            return None
        return dict(zip([d[0] for d in cursor.description], row, strict=True))

    def bills(self, where: str = "1", params: list[Any] | None = None) -> list[dict[str, Any]]:
        return list(self.db.query(f"SELECT * FROM bills WHERE {where}", params or []))

    def tracked_bill_ids(self, include_final: bool = False) -> list[str]:
        """The bills to re-check: every one not in a final stage (or all, for a full check)."""
        sql = f"SELECT bill_id FROM bills WHERE {_followed()}"
        if not include_final:
            finals = ",".join(f"'{c}'" for c in sorted(stages.FINAL_CODES))
            sql += f" AND (stage IS NULL OR stage NOT IN ({finals}))"
        return [r[0] for r in self.conn.execute(sql + " ORDER BY bill_id")]

    def bills_ended_in_run(self, run_id: int | None) -> list[str]:
        """The bills a source moved to a final stage in this run (their pages are still read)."""
        finals = ",".join(f"'{c}'" for c in sorted(stages.FINAL_CODES))
        rows = self.conn.execute(
            "SELECT DISTINCT bill_id FROM bill_changes WHERE run_id = ? AND field = 'stage'"
            f" AND new_value IN ({finals}) ORDER BY bill_id",
            [run_id],
        )
        return [r[0] for r in rows]

    def folded_without_alternative(self) -> list[str]:
        """Bills folded into an alternative (대안반영폐기) that no alternative is known to hold."""
        rows = self.conn.execute(
            "SELECT bill_id FROM bills WHERE stage = 'replaced_by_alternative' AND NOT EXISTS"
            " (SELECT 1 FROM bill_alternatives a WHERE a.bill_no = bills.bill_no)"
            f" AND {_followed()} ORDER BY bill_id"
        )
        return [r[0] for r in rows]

    def bill_ids_by_number(self) -> dict[str, str]:
        """Stored bills by 의안번호 (a number is the bill's in its term; the latest id wins)."""
        rows = self.conn.execute(
            "SELECT bill_no, bill_id FROM bills WHERE bill_no IS NOT NULL ORDER BY first_seen_at"
        )
        return dict(rows.fetchall())

    def record_alternative(self, fold: AlternativeFold) -> None:
        """Remember which bills the alternative took in; a bill id learnt later fills a gap."""
        at = self.now()
        with self.transaction():
            self.conn.executemany(
                "INSERT INTO bill_alternatives (alternative_id, bill_no, bill_id, first_seen_at)"
                " VALUES (?, ?, coalesce(?, (SELECT bill_id FROM bills WHERE bill_no = ?)), ?)"
                " ON CONFLICT(alternative_id, bill_no) DO UPDATE SET"
                " bill_id = coalesce(bill_alternatives.bill_id, excluded.bill_id)",
                [
                    (fold.alternative_id, bill_no, bill_id, bill_no, at)
                    for bill_no, bill_id in fold.folded
                ],
            )

    def apply_bill(
        self, record: BillRecord, run_id: int | None, alert_fields: tuple[str, ...] = ()
    ) -> list[Change]:
        """Diff ``record`` against the stored bill; store changes, events and alerts at once."""
        return self.apply_bills([record], run_id, alert_fields)

    def apply_bills(
        self,
        records: list[BillRecord],
        run_id: int | None,
        alert_fields: tuple[str, ...] = (),
        quiet: bool = False,
    ) -> list[Change]:
        """Apply records in one transaction, each change with its alert: all or none.

        The stored rows are read once for the whole batch and the writes go out grouped, which
        is what makes a full scan of a term fast. ``quiet`` (a database's first run) writes
        the history without alerts: :meth:`finish_run` sums the bills up in one.
        """
        batch = _Batch(run_id, self.now(), alert_fields, quiet)
        with self.transaction():
            ids = list(dict.fromkeys(r.bill_id for r in records))
            batch.stored = self._fetch_bills(ids)
            records = self._without_unfollowed(records, batch.stored)
            batch.events = self._fetch_events(ids)
            batch.meetings = self._fetch_meetings(ids)
            batch.muted = self._muted_among(records, batch.stored, batch.at)
            batch.new_in_run = self._new_in_run(ids, run_id)
            for record in records:
                self._diff(record, batch)
            for record, payload in batch.alternatives:
                payload["folded"] = self._folded_bills(record, batch)
                batch.alert(f"new_bill:{record.bill_id}", "new_bill", payload, record.bill_id)
            batch.flush(self.conn)
        return batch.changes

    def mark_bills_checked(self, bill_ids: Sequence[str]) -> None:
        """Record that these bills were seen unchanged now: only ``last_checked_at`` moves."""
        ids = list(dict.fromkeys(bill_ids))
        if not ids:
            return
        at = self.now()
        with self.transaction():
            sql = "UPDATE bills SET last_checked_at = ? WHERE bill_id IN ({})"
            for _ in _in_chunks(self.conn, sql, ids, at):
                pass

    def _fetch_bills(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for cursor in _in_chunks(self.conn, "SELECT * FROM bills WHERE bill_id IN ({})", ids):
            names = [d[0] for d in cursor.description]
            found.update((row[0], dict(zip(names, row, strict=True))) for row in cursor)
        return found

    def _without_unfollowed(
        self, records: list[BillRecord], stored: dict[str, dict[str, Any]]
    ) -> list[BillRecord]:
        """The records of bills not unfollowed (by their number, reported or stored)."""
        unfollowed = self.unfollowed_numbers()
        if not unfollowed:
            return records
        return [
            r
            for r in records
            if r.bill_no not in unfollowed
            and stored.get(r.bill_id, {}).get("bill_no") not in unfollowed
        ]

    def _muted_among(
        self, records: list[BillRecord], stored: dict[str, dict[str, Any]], at: str
    ) -> set[str]:
        numbers = self.muted_numbers(at)
        if not numbers:
            return set()
        return {
            r.bill_id
            for r in records
            if r.bill_no in numbers or stored.get(r.bill_id, {}).get("bill_no") in numbers
        }

    def _new_in_run(self, ids: list[str], run_id: int | None) -> set[str]:
        if run_id is None:
            return set()
        sql = (
            "SELECT bill_id FROM bill_changes WHERE kind = 'new' AND run_id = ? AND bill_id IN ({})"
        )
        return {row[0] for cursor in _in_chunks(self.conn, sql, ids, run_id) for row in cursor}

    def _fetch_meetings(self, ids: list[str]) -> set[tuple[str, str, str]]:
        found: set[tuple[str, str, str]] = set()
        sql = "SELECT bill_id, held_on, meeting FROM bill_meetings WHERE bill_id IN ({})"
        for cursor in _in_chunks(self.conn, sql, ids):
            found.update(cursor)
        return found

    def _fetch_events(self, ids: list[str]) -> set[tuple[str, str, str]]:
        found: set[tuple[str, str, str]] = set()
        sql = "SELECT bill_id, stage, happened_on FROM bill_events WHERE bill_id IN ({})"
        for cursor in _in_chunks(self.conn, sql, ids):
            found.update(cursor)
        return found

    def _diff(self, record: BillRecord, batch: _Batch) -> None:
        known = record.known()
        stored = batch.stored.get(record.bill_id)
        batch.add_events(record)
        if record.replaced_by:
            batch.folded.setdefault(record.replaced_by, []).append(record.bill_id)
        if stored is None:
            self._insert_bill(record, known, batch)
            batch.add_meetings(record.bill_id, record.meetings)
            return
        self._alert_meetings(record, stored, batch)
        if "stage" in known and stored["stage"] and known["stage"]:
            if stages.rank(known["stage"]) < stages.rank(stored["stage"]):
                # An older report (the API lags the bill pages): it cannot move a bill back.
                known.pop("stage")
                known.pop("result", None)
            elif known["stage"] == stored["stage"] and known.get("result") is None:
                known.pop("result", None)
        changes: list[Change] = []
        assignments: dict[str, Any] = {}
        for name, value in known.items():
            old = stored.get(name)
            # Same type and equal means the same text; anything else is compared as text.
            if (type(value) is type(old) and value == old) or _text(value) == _text(old):
                continue
            changes.append(Change(record.bill_id, "changed", name, old, value))
            assignments[name] = value
        status_changed = not _STATUS_SET.isdisjoint(assignments)
        alerting = status_changed or not assignments.keys().isdisjoint(batch.alert_fields)
        assignments["last_checked_at"] = batch.at
        if changes:
            assignments["last_changed_at"] = batch.at
            batch.add_changes(changes)
        batch.update(record.bill_id, assignments)
        # The batch owns the fetched row: a later record of the same bill diffs against this.
        stored.update(assignments)
        if alerting:
            self._alert_status_change(record, stored, changes, status_changed, batch)

    def _alert_meetings(self, record: BillRecord, bill: dict[str, Any], batch: _Batch) -> None:
        """One ``meeting`` alert for each meeting first seen, unless the bill itself is new
        in this run (its meetings so far are its history)."""
        for meeting in batch.add_meetings(record.bill_id, record.meetings):
            if record.bill_id in batch.new_in_run:
                continue
            payload = {
                **self._bill_payload(bill),
                "committee_kind": meeting.committee,
                "meeting": meeting.name,
                "held_on": meeting.held_on,
                "result": meeting.result,
                "minutes_url": meeting.minutes_url,
            }
            key = f"meeting:{record.bill_id}:{meeting.held_on}:{meeting.name}"
            batch.alert(key, "meeting", payload, record.bill_id)

    def _insert_bill(self, record: BillRecord, known: dict[str, Any], batch: _Batch) -> None:
        row = {
            **known,
            "bill_id": record.bill_id,
            "matched_by": record.matched_by,
            "first_seen_at": batch.at,
            "last_checked_at": batch.at,
            "last_changed_at": batch.at,
        }
        batch.insert(row)
        batch.add_changes([Change(record.bill_id, "new", "stage", None, known.get("stage"))])
        payload = {
            **self._bill_payload(row),
            "new_stage": known.get("stage"),
            "newly_followed": _found_late(known, batch.at),
        }
        batch.stored[record.bill_id] = dict.fromkeys(BILL_FIELDS) | row
        if record.matched_by and record.matched_by.startswith("alternative:"):
            # Alerted once the whole batch is read: the bills folded into it may follow it.
            batch.alternatives.append((record, payload))
        else:
            batch.alert(f"new_bill:{record.bill_id}", "new_bill", payload, record.bill_id)

    def _folded_bills(self, record: BillRecord, batch: _Batch) -> list[dict[str, Any]]:
        """The bills folded into the committee alternative ``record``, with their numbers,
        for its first alert: the one it was found through, those whose fold was alerted
        before and those of this batch."""
        found_through = record.matched_by.split(":", 1)[1] if record.matched_by else ""
        earlier = self.conn.execute(
            "SELECT bill_id FROM alerts WHERE kind = 'stage_change'"
            " AND json_extract(payload, '$.replaced_by') = ?",
            [record.bill_id],
        )
        ids = [found_through, *(r[0] for r in earlier), *batch.folded.get(record.bill_id, [])]
        ids = list(dict.fromkeys(ids))
        missing = [i for i in ids if i not in batch.stored]
        known = batch.stored | self._fetch_bills(missing)
        return [
            {
                "bill_id": i,
                "bill_no": known.get(i, {}).get("bill_no"),
                "title": known.get(i, {}).get("title"),
            }
            for i in ids
            if i
        ]

    @staticmethod
    def _bill_payload(bill: dict[str, Any]) -> dict[str, Any]:
        keys = ("bill_id", "bill_no", "title", "proposer", "committee", "detail_url", "matched_by")
        return {k: bill.get(k) for k in keys}

    def _alert_status_change(
        self,
        record: BillRecord,
        bill: dict[str, Any],
        changes: list[Change],
        status_changed: bool,
        batch: _Batch,
    ) -> None:
        """Alert on ``changes`` to ``bill``, the stored row already updated with them."""
        before = {c.field: c.old_value for c in changes}
        payload = {
            **self._bill_payload(bill),
            "old_stage": before.get("stage", bill["stage"]),
            "new_stage": bill["stage"],
            "old_result": before.get("result", bill["result"]),
            "new_result": bill["result"],
            "changes": [
                {"field": c.field, "old": _text(c.old_value), "new": _text(c.new_value)}
                for c in changes
            ],
            "replaced_by": record.replaced_by,
            "replaced_by_title": record.replaced_by_title,
        }
        if status_changed:
            key = f"stage:{record.bill_id}:{bill['stage']}:{bill['result'] or ''}"
        else:
            fields = ",".join(sorted(before))
            key = f"fields:{record.bill_id}:{batch.at}:{fields}"
        batch.alert(key, "stage_change", payload, record.bill_id)

    # -- following ----------------------------------------------------------------------------

    def set_follow(self, bill_no: str, state: str | None) -> None:
        """Follow (``followed``), unfollow (``unfollowed``) or leave to the config (None)."""
        with self.transaction():
            self.conn.execute(
                "INSERT INTO bill_follows (bill_no, state, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT(bill_no) DO UPDATE SET state = excluded.state,"
                " updated_at = excluded.updated_at",
                [bill_no, state, self.now()],
            )

    def set_mute(self, bill_no: str, until: datetime | None) -> None:
        """Mute a bill's alerts until ``until`` (None: unmute)."""
        with self.transaction():
            self.conn.execute(
                "INSERT INTO bill_follows (bill_no, muted_until, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT(bill_no) DO UPDATE SET muted_until = excluded.muted_until,"
                " updated_at = excluded.updated_at",
                [bill_no, iso(until, self.tz) if until else None, self.now()],
            )

    def follows(self) -> dict[str, dict[str, Any]]:
        """Every ``bill_follows`` row by 의안번호."""
        return {r["bill_no"]: r for r in self.db.query("SELECT * FROM bill_follows")}

    def followed_numbers(self, seeded: Sequence[str] = ()) -> list[str]:
        """The numbers followed: those of the config (``seeded``) and of ``tracker follow``,
        less those unfollowed."""
        follows = self.follows()
        chosen = [*seeded, *(n for n, r in follows.items() if r["state"] == "followed")]
        return [n for n in dict.fromkeys(chosen) if follows.get(n, {}).get("state") != "unfollowed"]

    def unfollowed_numbers(self) -> set[str]:
        rows = self.conn.execute("SELECT bill_no FROM bill_follows WHERE state = 'unfollowed'")
        return {r[0] for r in rows}

    def unfollowed_bill_ids(self) -> set[str]:
        """The stored bills whose number is unfollowed."""
        rows = self.conn.execute(
            "SELECT bill_id FROM bills WHERE bill_no IN"
            " (SELECT bill_no FROM bill_follows WHERE state = 'unfollowed')"
        )
        return {r[0] for r in rows}

    def muted_numbers(self, at: str | None = None) -> set[str]:
        """The numbers muted at ``at`` (now by default): a mute ends by itself."""
        rows = self.conn.execute(
            "SELECT bill_no FROM bill_follows WHERE muted_until IS NOT NULL"
            " AND julianday(muted_until) > julianday(?)",
            [at or self.now()],
        )
        return {r[0] for r in rows}

    def bill_by_number(self, bill_no: str) -> dict[str, Any] | None:
        """The stored bill with this 의안번호 (the latest found, if several terms share it)."""
        rows = list(
            self.db.query(
                "SELECT * FROM bills WHERE bill_no = ? ORDER BY first_seen_at DESC LIMIT 1",
                [bill_no],
            )
        )
        return rows[0] if rows else None

    def bill_events(self, bill_id: str) -> list[dict[str, Any]]:
        """A bill's dated steps, oldest first."""
        return list(
            self.db.query(
                "SELECT * FROM bill_events WHERE bill_id = ? ORDER BY happened_on, rowid",
                [bill_id],
            )
        )

    def bill_history(self, bill_id: str) -> list[dict[str, Any]]:
        """A bill's ``bill_changes``, oldest first."""
        return list(
            self.db.query(
                "SELECT * FROM bill_changes WHERE bill_id = ? ORDER BY observed_at, id", [bill_id]
            )
        )

    def bill_meetings(self, bill_id: str) -> list[dict[str, Any]]:
        """The meetings that took a bill up, oldest first."""
        return list(
            self.db.query(
                "SELECT * FROM bill_meetings WHERE bill_id = ? ORDER BY held_on, meeting",
                [bill_id],
            )
        )

    def meetings_between(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """Meetings first seen in ``[start, end)`` with their bill's number and title."""
        return list(
            self.db.query(
                "SELECT m.*, b.bill_no, b.title AS bill_title, b.detail_url FROM bill_meetings m"
                f" JOIN bills b USING (bill_id) WHERE {_followed('b')}"
                " AND julianday(m.first_seen_at) >= julianday(?)"
                " AND julianday(m.first_seen_at) < julianday(?) ORDER BY m.held_on, m.meeting",
                [iso(start, self.tz), iso(end, self.tz)],
            )
        )

    def last_steps(self) -> dict[str, dict[str, Any]]:
        """Each bill's latest dated step (``bill_events`` row)."""
        rows = self.db.query("SELECT * FROM bill_events ORDER BY bill_id, happened_on, rowid")
        return {row["bill_id"]: row for row in rows}

    def feed_changes(self, limit: int) -> list[dict[str, Any]]:
        """The newest ``bill_changes`` of followed bills, with the bill's number, title and
        page, newest first."""
        return list(
            self.db.query(
                "SELECT c.*, b.bill_no, b.title AS bill_title, b.detail_url FROM bill_changes c"
                f" JOIN bills b USING (bill_id) WHERE {_followed('b')}"
                " ORDER BY c.observed_at DESC, c.id DESC LIMIT ?",
                [limit],
            )
        )

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
            f"{_INSERT_ALERT} (?, ?, ?, ?, ?){_ALERT_CONFLICT}",
            [dedupe_key, kind, bill_id, _encode_json(payload), at or self.now()],
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

    def claim_alert(self, alert_id: int) -> None:
        """Note that a send is about to start (kept if the process dies during it)."""
        with self.transaction():
            self.conn.execute(
                "UPDATE alerts SET claimed_at = coalesce(claimed_at, ?) WHERE id = ?",
                [self.now(), alert_id],
            )

    def mark_alert_sent(self, alert_id: int, thread: tuple[str, str, str] | None = None) -> None:
        """The alert arrived; ``thread`` (bill, channel, ts): the thread it started."""
        with self.transaction():
            self.conn.execute(
                "UPDATE alerts SET status = 'sent', sent_at = ?, attempts = attempts + 1,"
                " last_error = NULL, next_attempt_at = NULL, claimed_at = NULL"
                " WHERE id = ? AND status = 'pending'",
                [self.now(), alert_id],
            )
            if thread:
                self._save_thread(*thread)

    def mark_alert_failed(
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
        with self.transaction():
            self.conn.execute(
                "UPDATE alerts SET attempts = attempts + 1, last_error = ?, status = ?,"
                " next_attempt_at = ?, claimed_at = CASE WHEN ? THEN claimed_at END"
                " WHERE id = ? AND status = 'pending'",
                [
                    _first_line(error)[:500],
                    "failed" if permanent else "pending",
                    iso(next_attempt_at, self.tz) if next_attempt_at else None,
                    maybe_delivered,
                    alert_id,
                ],
            )

    def note_alert_waiting(self, alert_id: int, error: str) -> None:
        """An alert held up by the configuration (Slack refused it: it was not posted): why,
        and no attempt counted against it."""
        with self.transaction():
            self.conn.execute(
                "UPDATE alerts SET last_error = ?, next_attempt_at = NULL, claimed_at = NULL"
                " WHERE id = ? AND status = 'pending'",
                [_first_line(error)[:500], alert_id],
            )

    def alerts_to_review(self) -> list[dict[str, Any]]:
        """Alerts not (yet) delivered: pending and failed ones, oldest first."""
        rows = self.db.query(
            "SELECT * FROM alerts WHERE status IN ('pending', 'failed') ORDER BY id"
        )
        return [{**r, "payload": json.loads(r["payload"])} for r in rows]

    def route_alert(self, alert_id: int, copies: list[tuple[str, dict[str, Any], str]]) -> None:
        """Hand a pending alert to its routes in one transaction: one outbox row per copy
        (its own dedupe key, payload and route name), the alert itself marked ``route = '*'``
        and ``sent`` (it is never sent as it is)."""
        at = self.now()
        with self.transaction():
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
                    (key, kind, bill_id, _encode_json(payload), at, route, alert_id)
                    for key, payload, route in copies
                ],
            )
            self.conn.execute(
                "UPDATE alerts SET status = 'sent', sent_at = ?, route = '*', claimed_at = NULL"
                " WHERE id = ?",
                [at, alert_id],
            )

    def article_bills(self, urls: list[str]) -> dict[str, dict[str, Any]]:
        """The bill each stored article (by URL) names, where it names one."""
        found: dict[str, dict[str, Any]] = {}
        sql = (
            "SELECT n.url, b.bill_no, b.title FROM news_articles n JOIN bills b USING (bill_id)"
            " WHERE n.url IN ({})"
        )
        for cursor in _in_chunks(self.conn, sql, urls):
            found.update((url, {"bill_no": no, "title": title}) for url, no, title in cursor)
        return found

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
            [bill_id, channel, thread_ts, self.now()],
        )

    def requeue_failed_alerts(self, alert_id: int | None = None) -> int:
        """Make failed alerts (one, or all with None) pending again, due now; how many."""
        where = "status = 'failed'" + (" AND id = ?" if alert_id is not None else "")
        with self.transaction():
            cursor = self.conn.execute(
                "UPDATE alerts SET status = 'pending', next_attempt_at = NULL, claimed_at = NULL"
                f" WHERE {where}",
                [alert_id] if alert_id is not None else [],
            )
        return cursor.rowcount

    # -- news ---------------------------------------------------------------------------------

    def add_news(
        self,
        hits: list[NewsHit],
        feeds: list[Validators],
        run_id: int | None,
        alert: bool = True,
        window_days: float = NEWS_WINDOW_DAYS,
        alert_since: str | None = None,
        more_url: str | None = None,
    ) -> list[NewsHit]:
        """Store the new stories among ``hits`` and the feeds' validators in one transaction.

        Hits are grouped into stories (:func:`~tracker.domain.stories.dedupe`); a story already
        stored (same canonical URL, or a near-identical headline within ``window_days``) is
        left out. Each new story is one ``news_articles`` row: its earliest article, the other
        outlets in ``other_sources``, the bill it names in ``bill_id``. With ``alert``, one
        ``news`` alert lists the run's new articles published since ``alert_since`` (older
        ones are not news: stored only); beyond its first articles it links to ``more_url``.
        Returns the hit stored for each new story.
        """
        with self.transaction():
            at = self.now()
            by_item = {id(hit.item): hit for hit in hits}
            items = [hit.item for hit in hits]
            fresh, outlets = split_known(
                items, self._known_articles(items, window_days), window_days
            )
            self._add_other_sources(outlets)
            bills = self._bills_for_news()
            stored: list[NewsHit] = []
            rows: list[dict[str, Any]] = []
            for story in dedupe(fresh, window_days=window_days):
                matched = {k: 1 for i in story.items for k in by_item[id(i)].matched_keywords}
                row = self._article_row(story, list(matched), bills, run_id, at)
                cursor = self.conn.execute(
                    f"INSERT OR IGNORE INTO news_articles ({', '.join(row)})"
                    f" VALUES ({', '.join('?' for _ in row)})",
                    list(row.values()),
                )
                if cursor.rowcount == 1:
                    stored.append(by_item[id(story.article)])
                    rows.append(row)
            self.conn.executemany(
                "INSERT INTO news_feeds (url, etag, last_modified, checked_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(url) DO UPDATE SET etag = excluded.etag,"
                " last_modified = excluded.last_modified, checked_at = excluded.checked_at",
                [(f.url, f.etag, f.last_modified, at) for f in feeds],
            )
            if alert_since:
                rows = [r for r in rows if _not_before(r["published_at"], alert_since)]
            if alert and rows:
                self._alert_news(rows, run_id, at, more_url)
        return stored

    def _article_row(
        self,
        story: Story,
        matched: list[str],
        bills: list[dict[str, Any]],
        run_id: int | None,
        at: str,
    ) -> dict[str, Any]:
        article = story.article
        published = article.published_at
        return {
            "url": story.url,
            "title": article.title,
            "source": article.source,
            "published_at": iso(published, self.tz) if published else None,
            "summary": article.summary or None,
            "matched_keywords": json.dumps(matched, ensure_ascii=False),
            "bill_id": bill_for(article.title, article.summary, bills),
            "first_seen_at": at,
            "run_id": run_id,
            "other_sources": json.dumps(
                [s for s in story.sources if s != article.source], ensure_ascii=False
            ),
        }

    def _add_other_sources(self, outlets: dict[str, list[str]]) -> None:
        """Outlets that carried a stored story later join its ``other_sources``."""
        for url, names in outlets.items():
            row = self.conn.execute(
                "SELECT source, other_sources FROM news_articles WHERE url = ?", [url]
            ).fetchone()
            if row is None:
                continue
            source, others = row[0], json.loads(row[1] or "[]")
            joined = others + [n for n in names if n != source and n not in others]
            if joined != others:
                self.conn.execute(
                    "UPDATE news_articles SET other_sources = ? WHERE url = ?",
                    [json.dumps(joined, ensure_ascii=False), url],
                )

    def _known_articles(self, items: list[Article], window_days: float) -> list[Article]:
        """Stored articles the new items could repeat: published near them, or at their URL."""
        dates = [i.published_at for i in items if i.published_at is not None]
        if not dates:
            return []
        window = timedelta(days=window_days)
        rows = self.conn.execute(
            "SELECT url, title, source, published_at, summary FROM news_articles"
            " WHERE julianday(published_at) BETWEEN julianday(?) AND julianday(?)"
            " OR published_at IS NULL",
            [iso(min(dates) - window, self.tz), iso(max(dates) + window, self.tz)],
        )
        return [
            Article(
                url=url,
                title=title,
                source=source,
                published_at=datetime.fromisoformat(published) if published else None,
                summary=summary or "",
            )
            for url, title, source, published, summary in rows
        ]

    def _bills_for_news(self) -> list[dict[str, Any]]:
        return list(self.db.query("SELECT bill_id, bill_no, title, proposed_on FROM bills"))

    def _alert_news(
        self, rows: list[dict[str, Any]], run_id: int | None, at: str, more_url: str | None
    ) -> None:
        """One ``news`` alert for the run: its newest articles, and how many there were."""
        keys = ("title", "url", "source", "published_at")
        newest = sorted(rows, key=lambda r: r["published_at"] or "", reverse=True)
        payload = {
            "articles": [
                {**{k: r[k] for k in keys}, "other_sources": json.loads(r["other_sources"])}
                for r in newest[:NEWS_ALERT_MAX_ARTICLES]
            ],
            "total": len(rows),
        }
        if more_url and len(rows) > NEWS_ALERT_MAX_ARTICLES:
            payload["more_url"] = more_url
        key = f"news:{run_id if run_id is not None else at}"
        self.enqueue_alert(key, "news", payload, None, at)

    def link_news_to_bills(self) -> int:
        """Set ``bill_id`` on stored articles that name a bill found since; return how many."""
        with self.transaction():
            bills = self._bills_for_news()
            rows = self.conn.execute(
                "SELECT id, title, summary FROM news_articles WHERE bill_id IS NULL"
            ).fetchall()
            links = [
                (bill_id, article_id)
                for article_id, title, summary in rows
                if (bill_id := bill_for(title, summary or "", bills))
            ]
            self.conn.executemany("UPDATE news_articles SET bill_id = ? WHERE id = ?", links)
        return len(links)

    def feed_validators(self) -> dict[str, Validators]:
        """Each feed URL's validators from its last full read, for a conditional GET."""
        rows = self.conn.execute("SELECT url, etag, last_modified FROM news_feeds")
        return {url: Validators(url, etag, modified) for url, etag, modified in rows}

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
        payload: dict[str, Any] = {
            "source": source,
            "event": kind,
            "error": _first_line(error)[:500] if error else None,
            "since": since,
            "at": at,
            "failures": failures,
        }
        name, _, subject = source.partition(":")
        if name == "bill_page" and (bill := self.get_bill(subject)):
            payload |= {"bill_no": bill["bill_no"], "title": bill["title"]}
        self.enqueue_alert(f"source:{source}:{kind}:{at}", "source_failure", payload, None, at)

    # -- digests ------------------------------------------------------------------------------

    def digest_covered_until(self) -> datetime | None:
        """The end of the latest digest period that is done (sent, or skipped as empty)."""
        row = self.conn.execute(
            "SELECT period_end FROM digests WHERE status IN (?, ?)"
            " ORDER BY julianday(period_end) DESC LIMIT 1",
            DIGEST_DONE,
        ).fetchone()
        return datetime.fromisoformat(row[0]) if row else None

    def record_digest(
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
        start, end = iso(period_start, self.tz), iso(period_end, self.tz)
        to = ", ".join(recipients)
        with self.transaction():
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
                [start, end, self.now(), status, to],
            )
        return int(cursor.lastrowid or 0)

    def mark_digest_sent(self, digest_id: int, note: str | None = None) -> None:
        """The digest went out; ``note`` records recipients the server refused, if any."""
        with self.transaction():
            self.conn.execute(
                "UPDATE digests SET status = 'sent', sent_at = ?, last_error = ? WHERE id = ?",
                [self.now(), _first_line(note)[:500] if note else None, digest_id],
            )

    def mark_digest_failed(self, digest_id: int, error: str) -> None:
        with self.transaction():
            self.conn.execute(
                "UPDATE digests SET status = 'failed', last_error = ? WHERE id = ?",
                [_first_line(error)[:500], digest_id],
            )

    def digest_bills(self, until: datetime) -> list[dict[str, Any]]:
        """Bills first seen before ``until``: open ones first, most recently changed first."""
        return list(
            self.db.query(
                "SELECT b.* FROM bills b LEFT JOIN stages s ON s.code = b.stage"
                f" WHERE julianday(b.first_seen_at) < julianday(?) AND {_followed('b')}"
                " ORDER BY coalesce(s.final, 0), julianday(b.last_changed_at) DESC, b.bill_no",
                [iso(until, self.tz)],
            )
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
        return list(
            self.db.query(
                "SELECT c.*, b.title AS bill_title FROM bill_changes c JOIN bills b"
                f" USING (bill_id) WHERE {_followed('b')}"
                " AND julianday(c.observed_at) >= julianday(?)"
                " AND julianday(c.observed_at) < julianday(?) ORDER BY c.observed_at, c.id",
                [iso(start, self.tz), iso(end, self.tz)],
            )
        )

    def articles_between(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """``news_articles`` first seen in ``[start, end)``, in the order they were stored."""
        return list(
            self.db.query(
                "SELECT * FROM news_articles WHERE julianday(first_seen_at) >= julianday(?)"
                " AND julianday(first_seen_at) < julianday(?) ORDER BY id",
                [iso(start, self.tz), iso(end, self.tz)],
            )
        )

    def failing_sources(self) -> set[str]:
        """The sources whose last result was a failure."""
        rows = self.conn.execute("SELECT source FROM source_health WHERE consecutive_failures > 0")
        return {r[0] for r in rows}

    # -- conditional requests -----------------------------------------------------------------

    def save_page_versions(self, versions: list[Validators]) -> None:
        """Remember the validators of pages that were just read and stored in full."""
        at = self.now()
        with self.transaction():
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
        at = self.now()
        with self.transaction():
            self.conn.executemany(
                "UPDATE page_versions SET checked_at = ? WHERE url = ?", [(at, u) for u in urls]
            )

    def page_versions(self, prefix: str = "") -> dict[str, StoredPage]:
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

    def last_step_dates(self, before: date | None = None) -> dict[str, date]:
        """Each bill's latest dated step (its proposal date when it has no step yet), only
        steps before ``before`` when given."""
        rows = self.conn.execute(
            "SELECT b.bill_id, coalesce(max(e.happened_on), b.proposed_on) FROM bills b"
            " LEFT JOIN bill_events e ON e.bill_id = b.bill_id AND e.happened_on < ?"
            " GROUP BY b.bill_id",
            [before.isoformat() if before else "9999"],
        )
        days = {bill_id: _date(day) for bill_id, day in rows}
        return {bill_id: day for bill_id, day in days.items() if day}

    # -- reading ------------------------------------------------------------------------------

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
