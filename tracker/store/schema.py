"""The schema: each migration from version N-1 to N, in order (``PRAGMA user_version``)."""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

from tracker.domain import stages


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
    db.table("stages").insert_all(
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
