"""The store's side of following, muting and meetings, on real SQLite files."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlite_utils

from tracker.domain.bills import BillRecord, Meeting
from tracker.store.database import Store, open_store
from tracker.store.schema import MIGRATIONS

SEOUL = ZoneInfo("Asia/Seoul")
SUBCOMMITTEE = Meeting("소위", "행정안전위원회 법안심사제1소위원회", "2026-06-20", "심사")


def record(bill_no="2203257", stage="committee_review", meetings=()):
    return BillRecord(
        f"PRC_{bill_no}", "bill_page", stage=stage, bill_no=bill_no, title=f"법안 {bill_no}",
        meetings=list(meetings),
    )  # fmt: skip


@pytest.fixture
def store(tmp_path):
    opened = open_store(tmp_path / "t.db")
    yield opened
    opened.close()


def kinds(store):
    return [r[0] for r in store.conn.execute("SELECT kind FROM alerts ORDER BY id")]


def test_migration_from_the_last_version_keeps_the_outbox(tmp_path):
    db = tmp_path / "old.db"
    before = len(MIGRATIONS) - 1
    with sqlite3.connect(db) as conn:
        conn.isolation_level = None
        old = Store(sqlite_utils.Database(conn))
        for number, migration in enumerate(MIGRATIONS[:before], start=1):
            migration(old.db)
            conn.execute(f"PRAGMA user_version = {number}")
        conn.execute(
            "INSERT INTO alerts (dedupe_key, kind, payload, created_at, status, attempts,"
            " claimed_at, next_attempt_at) VALUES ('k', 'summary', '{}', 'c', 'pending', 2,"
            " 'x', 'n')"
        )
    store = open_store(db)
    assert store.schema_version == len(MIGRATIONS)
    assert store.conn.execute(
        "SELECT dedupe_key, kind, attempts, claimed_at, next_attempt_at FROM alerts"
    ).fetchall() == [("k", "summary", 2, "x", "n")]
    assert store.outbox.enqueue("m", "meeting", {})
    with pytest.raises(sqlite3.IntegrityError):
        store.outbox.enqueue("z", "no_such_kind", {})
    store.close()


def test_followed_numbers_are_the_seed_and_the_commands_less_the_unfollowed(store):
    store.follows.set_state("2209418", "followed")
    store.follows.set_state("2205118", "unfollowed")
    assert store.follows.followed_numbers(["2203257", "2205118"]) == ["2203257", "2209418"]
    store.follows.set_state("2205118", "followed")
    assert store.follows.followed_numbers(["2203257", "2205118"]) == [
        "2203257",
        "2205118",
        "2209418",
    ]
    assert store.follows.unfollowed_numbers() == set()


def test_an_unfollowed_bill_is_neither_stored_nor_tracked(store):
    store.bills.apply_bills([record(), record("2209418")], run_id=None)
    store.follows.set_state("2209418", "unfollowed")
    changes = store.bills.apply_bills(
        [record(stage="judiciary_review"), record("2209418", "judiciary_review")], None
    )
    assert [c.bill_id for c in changes] == ["PRC_2203257"]
    assert list(store.bills.tracked_stages()) == ["PRC_2203257"]
    assert kinds(store) == ["new_bill", "new_bill", "stage_change"]


def test_a_mute_ends_by_itself(store):
    store.bills.apply_bills([record()], None)
    start = datetime.now(SEOUL)
    store.follows.set_mute("2203257", start + timedelta(days=7))
    assert store.follows.muted_numbers() == {"2203257"}
    assert store.follows.muted_numbers((start + timedelta(days=8)).isoformat()) == set()
    store.bills.apply_bills([record(stage="judiciary_review", meetings=[SUBCOMMITTEE])], None)
    assert kinds(store) == ["new_bill"]
    assert store.count("bill_changes", "field = 'stage'") == 2
    assert store.count("bill_meetings") == 1
    store.follows.set_mute("2203257", None)
    store.bills.apply_bills([record(stage="plenary")], None)
    assert kinds(store) == ["new_bill", "stage_change"]


def test_a_meeting_is_alerted_once(store):
    store.bills.apply_bills([record(meetings=[SUBCOMMITTEE])], None)
    assert kinds(store) == ["new_bill"]  # a bill's meetings when it is found are history
    later = Meeting(
        "법사위", "법제사법위원회 전체회의", "2026-07-01", None, "https://x/pdf.do?id=1"
    )
    for _ in range(2):
        store.bills.apply_bills([record(meetings=[SUBCOMMITTEE, later])], None)
    assert kinds(store) == ["new_bill", "meeting"]
    [payload] = [
        r[0] for r in store.conn.execute("SELECT payload FROM alerts WHERE kind = 'meeting'")
    ]
    assert '"meeting":"법제사법위원회 전체회의"' in payload
    assert '"minutes_url":"https://x/pdf.do?id=1"' in payload
