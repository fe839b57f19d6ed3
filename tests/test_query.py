"""``tracker query``: read-only whatever the SQL, one-line errors, formats, fast start-up."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import clean_env
from tracker.connection import connect
from tracker.query import display_width
from tracker.store import open_store


def tracker(*args: str, db: Path | None = None, cwd: Path | None = None, **env: str):
    extra = {"TRACKER_DB": str(db)} if db else {}
    return subprocess.run(
        [sys.executable, "-m", "tracker", *args],
        cwd=cwd,
        env=clean_env(**extra, **env),
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def db(tmp_path: Path, demo_db: Path) -> Path:
    """A private copy of the demo database."""
    copy = tmp_path / "tracker.db"
    source, target = connect(demo_db, readonly=True), sqlite3.connect(copy)
    source.backup(target)
    source.close()
    target.close()
    return copy


def count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def fingerprint(db: Path) -> str:
    """The database's content: the main file and its WAL (absent counts as empty)."""
    digest = hashlib.sha256(db.read_bytes())
    wal = db.with_name(db.name + "-wal")
    digest.update(wal.read_bytes() if wal.exists() else b"")
    return digest.hexdigest()


REFUSED = [
    "DELETE FROM bills",
    "UPDATE bills SET title = 'x'",
    "INSERT INTO runs (started_at) VALUES ('now')",
    "DROP TABLE bills",
    "DROP VIEW stage_history",
    "CREATE TABLE t (x)",
    "CREATE TEMP TABLE t (x)",
    "ATTACH DATABASE '{dir}/attached.db' AS other",
    "PRAGMA writable_schema = 1",
    "PRAGMA query_only = 0",
    "PRAGMA journal_mode = DELETE",
    "PRAGMA user_version = 99",
    "UPDATE sqlite_master SET sql = 'x'",
    "VACUUM",
    "VACUUM INTO '{dir}/copy.db'",
    "REINDEX",
    "ANALYZE",
    "INSERT INTO bills_fts (bills_fts) VALUES ('delete-all')",
]


@pytest.mark.parametrize("sql", REFUSED)
def test_statements_that_would_change_anything_fail_and_leave_the_database_as_it_was(
    db: Path, tmp_path: Path, sql: str
):
    # A writer with a committed, not yet checkpointed change keeps a live WAL next to the file.
    writer = connect(db)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute(
        "INSERT INTO runs (started_at, status) VALUES ('2026-11-25T09:00:00+09:00', 'ok')"
    )
    writer.commit()
    before = fingerprint(db)
    files = sorted(p.name for p in tmp_path.iterdir())

    result = tracker("query", sql.format(dir=tmp_path), db=db)

    assert result.returncode == 2, result.stdout
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert fingerprint(db) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == files
    writer.close()


def test_query_reads_committed_rows_while_another_process_holds_a_write_transaction(db: Path):
    alerts = count(db, "alerts")
    writer = connect(db)
    writer.isolation_level = None
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM alerts")

    result = tracker("query", "--format", "csv", "SELECT count(*) AS n FROM alerts", db=db)

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"n\n{alerts}\n"
    writer.execute("ROLLBACK")
    writer.close()


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELEC * FROM bills", 'near "SELEC": syntax error'),
        ("SELECT nope FROM bills", "no such column: nope"),
        ("SELECT 1; SELECT 2", "one statement at a time"),
        ("   ", "no SQL given"),
    ],
)
def test_bad_sql_is_one_line_and_exit_2(db: Path, sql: str, message: str):
    result = tracker("query", sql, db=db)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr


def test_a_missing_database_is_an_error_and_is_not_created(tmp_path: Path):
    missing = tmp_path / "nope.db"
    result = tracker("query", "SELECT 1", db=missing)
    assert result.returncode == 2
    assert result.stderr == f"error: database not found: {missing} (run `tracker check` first," \
        " or set [tracker] db in the config or $TRACKER_DB)\n"  # fmt: skip
    assert not missing.exists()
    assert list(tmp_path.iterdir()) == []


def test_the_database_comes_from_the_config_and_tracker_db_overrides_it(db: Path, tmp_path: Path):
    empty = tmp_path / "empty.db"
    open_store(empty).close()
    config = tmp_path / "tracker.toml"
    config.write_text(f'[tracker]\ndb = "{db.name}"\n', encoding="utf-8")
    sql = "SELECT count(*) AS n FROM bills"
    bills = f"n\n{count(db, 'bills')}\n"

    assert tracker("query", "--format", "csv", sql, cwd=tmp_path).stdout == bills
    from_option = tracker("--config", str(config), "query", "--format", "csv", sql, cwd=tmp_path)
    assert from_option.stdout == bills
    overridden = tracker("query", "--format", "csv", sql, cwd=tmp_path, TRACKER_DB=str(empty))
    assert overridden.stdout == "n\n0\n"


def test_table_columns_line_up_with_korean_text(db: Path):
    result = tracker("query", "SELECT bill_no, title, stage_label, age FROM bill_status", db=db)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    bills = count(db, "bills")
    assert lines[-1] == f"({bills} rows)"

    def bar_columns(line: str) -> list[int]:
        return [display_width(line[:i]) for i, char in enumerate(line) if char in "|+"]

    table = lines[:-1]
    assert len(table) == bills + 2
    assert all(bar_columns(line) == bar_columns(table[0]) for line in table)
    assert "해오름산업벨트 지원에 관한 특별법안" in result.stdout


def test_csv_has_a_header_and_json_is_a_list_of_objects_with_korean_unescaped(db: Path):
    sql = "SELECT bill_no, title, result FROM bills ORDER BY bill_no"
    as_csv = tracker("query", "--format", "csv", sql, db=db)
    rows = list(csv.reader(io.StringIO(as_csv.stdout)))
    assert rows[0] == ["bill_no", "title", "result"]
    assert rows[1] == ["2203257", "해오름산업벨트 지원에 관한 특별법안", "대안반영폐기"]
    assert len(rows) == count(db, "bills") + 1

    as_json = tracker("query", "--format", "json", sql, db=db)
    assert "해오름산업벨트" in as_json.stdout
    objects = json.loads(as_json.stdout)
    assert objects[0] == {
        "bill_no": "2203257",
        "title": "해오름산업벨트 지원에 관한 특별법안",
        "result": "대안반영폐기",
    }


def test_reporting_pragmas_are_allowed(db: Path):
    result = tracker("query", "--format", "csv", "PRAGMA table_info(stages)", db=db)
    assert result.returncode == 0, result.stderr
    assert "label" in result.stdout


HEAVY = ("scrapy", "twisted", "sqlite_utils", "rich", "datasette", "lxml", "jinja2", "slack_sdk")


@pytest.mark.parametrize(
    "args",
    [("--help",), ("query", "SELECT * FROM bills"), ("query", "--format", "csv", "SELECT 1")],
)
def test_help_and_query_import_nothing_heavy(db: Path, args: tuple[str, ...]):
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "tracker", *args],
        env=clean_env(TRACKER_DB=str(db)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    modules = {
        line.rsplit("|", 1)[1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "tracker.cli" in modules
    loaded = {m for m in modules if m.split(".")[0] in HEAVY}
    assert not loaded
