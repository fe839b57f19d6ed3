"""``tracker query``: read-only whatever the SQL, one-line errors, formats, fast start-up."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import clean_env
from tracker.query.sql import display_width
from tracker.store.connection import connect
from tracker.store.database import open_store

pytestmark = pytest.mark.e2e


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


RUNAWAY = "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT count(*) FROM r"


def rows_sql(n: int) -> str:
    return (
        f"WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < {n})"
        " SELECT x AS id, '해오름 ' || printf('%080d', x) AS title, x * 0.5 AS score FROM n"
    )


def peak_rss_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    return int(next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1])


@pytest.mark.parametrize(
    ("fmt", "n", "lines_per_row"), [("csv", 1_000_000, 1), ("json", 200_000, 5)]
)
def test_rows_stream_as_they_are_read_in_flat_memory(db: Path, fmt: str, n: int, lines_per_row):
    process = subprocess.Popen(
        [sys.executable, "-m", "tracker", "query", "--format", fmt, rows_sql(n)],
        env=clean_env(TRACKER_DB=str(db)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert process.poll() is None, "the first row came only after the query had ended"
        assert first.strip() in ("id,title,score", "[")
        lines, peak = 1, 0
        for _ in process.stdout:
            lines += 1
            if lines % 100_000 == 0:
                peak = max(peak, peak_rss_kb(process.pid))
        assert process.wait(timeout=60) == 0, process.stderr.read() if process.stderr else ""
    finally:
        process.kill()
        process.wait()
    assert lines == 1 + n * lines_per_row + (1 if fmt == "json" else 0)
    assert 0 < peak < 120_000, f"peak RSS {peak} KB"


def test_the_table_shows_a_bounded_preview_and_counts_every_row(db: Path):
    result = tracker("query", rows_sql(300_000), db=db)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2 + 1000 + 1
    assert lines[-1] == "(300000 rows, the first 1000 shown: --format csv or json prints every row)"


def test_repeated_column_names_are_kept_with_a_suffix(db: Path):
    sql = (
        "SELECT b.bill_id, c.bill_id, c.id, 1 AS id"
        " FROM bills b JOIN bill_changes c USING (bill_id) LIMIT 1"
    )
    as_json = json.loads(tracker("query", "--format", "json", sql, db=db).stdout)
    assert list(as_json[0]) == ["bill_id", "bill_id_2", "id", "id_2"]
    assert as_json[0]["bill_id"] == as_json[0]["bill_id_2"] and as_json[0]["id_2"] == 1
    header = tracker("query", "--format", "csv", sql, db=db).stdout.splitlines()[0]
    assert header == "bill_id,bill_id_2,id,id_2"


def test_ctrl_c_stops_a_runaway_query_at_once(db: Path):
    process = subprocess.Popen(
        [sys.executable, "-m", "tracker", "query", RUNAWAY],
        env=clean_env(TRACKER_DB=str(db)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.5)
    assert process.poll() is None
    process.send_signal(signal.SIGINT)
    started = time.monotonic()
    out, err = process.communicate(timeout=30)
    assert time.monotonic() - started < 3
    assert process.returncode == 130
    assert err == "query interrupted\n" and out == ""


def test_a_time_limit_stops_a_runaway_query_with_one_line(db: Path):
    started = time.monotonic()
    result = tracker("query", "--timeout", "1", RUNAWAY, db=db)
    assert time.monotonic() - started < 10
    assert result.returncode == 2
    assert result.stderr == "error: query stopped after --timeout 1 s\n"
