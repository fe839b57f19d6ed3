"""The schema a fresh database gets, compared exactly with ``tests/fixtures/schema.sql``.

A schema change must go through a migration and show up here as a reviewed diff. After a
deliberate change, rewrite the snapshot with ``TRACKER_UPDATE_SCHEMA=1 pytest
tests/test_schema_snapshot.py`` and commit it with the migration.
"""

from __future__ import annotations

import difflib
import os
import sqlite3
from contextlib import closing
from pathlib import Path

from tracker.store.database import open_store
from tracker.store.schema import MIGRATIONS

SNAPSHOT = Path(__file__).parent / "fixtures" / "schema.sql"


def schema_dump(db: Path) -> str:
    """Every table, index, view and trigger (SQLite's own excepted), then the schema version."""
    with closing(sqlite3.connect(db)) as conn:
        rows = conn.execute(
            "SELECT type, name, sql FROM sqlite_master"
            " WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'"
            " ORDER BY type, name"
        ).fetchall()
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    parts = [f"-- {kind} {name}\n{sql};\n" for kind, name, sql in rows]
    return "\n".join(parts) + f"\n-- schema version\nPRAGMA user_version = {version};\n"


def test_a_fresh_database_has_exactly_the_snapshot_schema(tmp_path: Path) -> None:
    open_store(tmp_path / "fresh.db").close()
    actual = schema_dump(tmp_path / "fresh.db")
    if os.environ.get("TRACKER_UPDATE_SCHEMA"):
        SNAPSHOT.write_text(actual, encoding="utf-8")
    expected = SNAPSHOT.read_text(encoding="utf-8")
    diff = "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            actual.splitlines(keepends=True),
            "tests/fixtures/schema.sql",
            "fresh database",
        )
    )
    assert actual == expected, f"the schema changed:\n{diff}"


def test_the_snapshot_is_of_the_latest_migration() -> None:
    assert SNAPSHOT.read_text(encoding="utf-8").endswith(
        f"PRAGMA user_version = {len(MIGRATIONS)};\n"
    )
