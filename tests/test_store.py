"""The store on a real SQLite file: schema, diffing, the outbox and source health."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tracker.domain.bills import UNKNOWN, BillEvent, BillRecord
from tracker.store.database import open_store
from tracker.store.schema import MIGRATIONS

BILL = "PRC_H2A4E0U8R1E5U2M0B2E3L1T6P0N8S4"
KST = ZoneInfo("Asia/Seoul")


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "t.db")
    yield s
    s.close()


def record(**fields) -> BillRecord:
    base = dict(
        bill_id=BILL,
        source="assembly_api",
        stage="committee_review",
        result=None,
        title="해오름산업벨트 지원에 관한 특별법안",
        bill_no="2203257",
        committee="행정안전위원회",
    )
    base.update(fields)
    return BillRecord(**base)


def test_schema_has_the_contract_tables_views_and_wal(store):
    tables = set(store.db.table_names())
    assert {"bills", "bill_changes", "bill_events", "news_articles", "alerts", "runs"} <= tables
    assert {"digests", "stages"} <= tables
    assert {"stage_history", "recent_changes"} <= set(store.db.view_names())
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.schema_version == len(MIGRATIONS)
    codes = [r[0] for r in store.conn.execute("SELECT code FROM stages ORDER BY position")]
    assert codes[:7] == [
        "received", "committee_review", "judiciary_review", "plenary", "passed",
        "sent_to_government", "promulgated",
    ]  # fmt: skip


def test_migrate_twice_is_a_no_op(tmp_path):
    open_store(tmp_path / "t.db").close()
    again = open_store(tmp_path / "t.db")
    assert again.migrate() == len(MIGRATIONS)
    assert again.count("stages") == 11


def test_new_bill_is_one_new_change_and_one_alert(store):
    run = store.runs.start()
    changes = store.bills.apply_bill(record(), run)
    assert [(c.kind, c.field, c.new_value) for c in changes] == [
        ("new", "stage", "committee_review")
    ]
    assert store.count("alerts", "kind = 'new_bill'") == 1
    assert store.bills.apply_bill(record(), run) == []
    assert store.count("bill_changes") == 1


def test_unknown_field_is_never_a_change_to_empty(store):
    store.bills.apply_bill(record(), None)
    changes = store.bills.apply_bill(record(committee=UNKNOWN, title=UNKNOWN, result=UNKNOWN), None)
    assert changes == []
    assert store.bills.get(BILL)["committee"] == "행정안전위원회"


def test_known_none_is_a_change(store):
    store.bills.apply_bill(record(), None)
    changes = store.bills.apply_bill(record(committee=None), None)
    assert [(c.field, c.old_value, c.new_value) for c in changes] == [
        ("committee", "행정안전위원회", None)
    ]
    assert store.count("alerts", "kind = 'stage_change'") == 0


def test_stage_change_writes_each_field_and_one_alert(store):
    store.bills.apply_bill(record(), None)
    changes = store.bills.apply_bill(record(stage="passed", result="원안가결"), None)
    assert sorted((c.field, c.old_value, c.new_value) for c in changes) == [
        ("result", None, "원안가결"),
        ("stage", "committee_review", "passed"),
    ]
    [alert] = store.outbox.due()[1:]
    assert alert["kind"] == "stage_change"
    assert alert["payload"]["old_stage"] == "committee_review"
    assert alert["payload"]["new_stage"] == "passed"


def test_an_older_report_cannot_move_a_bill_back(store):
    store.bills.apply_bill(record(stage="passed", result="원안가결"), None)
    assert store.bills.apply_bill(record(stage="committee_review", result=None), None) == []
    assert store.bills.get(BILL)["stage"] == "passed"


def test_two_sources_agreeing_alert_once(store):
    store.bills.apply_bill(record(), None)
    store.bills.apply_bill(record(source="bill_page", stage="plenary"), None)
    store.bills.apply_bill(record(source="assembly_api", stage="plenary"), None)
    assert store.count("alerts", "kind = 'stage_change'") == 1


def test_events_are_unique_per_bill_stage_and_day(store):
    events = [BillEvent("received", "2024-08-30"), BillEvent("committee_review", "2024-09-02")]
    store.bills.apply_bill(record(events=events), None)
    store.bills.apply_bill(
        record(events=[*events, BillEvent("committee_review", "2024-09-02", "x")]), None
    )
    assert store.count("bill_events") == 2


def test_outbox_failure_keeps_alert_pending_until_due(store):
    store.bills.apply_bill(record(), None)
    [alert] = store.outbox.due()
    later = datetime.now(KST) + timedelta(minutes=5)
    store.outbox.mark_failed(alert["id"], "slack: HTTP 500", later)
    assert store.outbox.due() == []
    assert len(store.outbox.due(later + timedelta(seconds=1))) == 1
    store.outbox.mark_sent(alert["id"])
    store.outbox.mark_sent(alert["id"])
    row = store.conn.execute("SELECT status, attempts FROM alerts").fetchone()
    assert row == ("sent", 2)


def test_source_failure_alerts_once_reminds_daily_and_recovers_once(store):
    t0 = datetime(2026, 11, 25, 9, 0, tzinfo=KST)
    raised = [
        store.runs.record_source_result(
            "bill_page", "layout", 3, 86400, t0 + timedelta(minutes=30 * i)
        )
        for i in range(5)
    ]
    assert raised == [None, None, "failure", None, None]
    assert (
        store.runs.record_source_result(
            "bill_page", "layout", 3, 86400, t0 + timedelta(days=1, hours=2)
        )
        == "reminder"
    )
    assert (
        store.runs.record_source_result("bill_page", None, 3, 86400, t0 + timedelta(days=2))
        == "recovery"
    )
    assert (
        store.runs.record_source_result("bill_page", None, 3, 86400, t0 + timedelta(days=3)) is None
    )
    assert store.count("alerts", "kind = 'source_failure'") == 3


def test_prune_runs_keeps_runs_that_left_history(store):
    with_history = store.runs.start()
    store.bills.apply_bill(record(), with_history)
    store.runs.finish(with_history, "ok", {})
    idle = store.runs.start()
    store.runs.finish(idle, "ok", {})
    assert store.runs.prune(datetime.now(KST) + timedelta(days=1)) == 1
    assert [r[0] for r in store.conn.execute("SELECT id FROM runs")] == [with_history]
    assert store.count("bill_changes") == 1


def test_unfinished_runs_are_marked_failed(store):
    store.runs.start()
    assert store.runs.fail_unfinished("interrupted") == 1
    assert store.runs.last()["status"] == "failed"
    assert "interrupted" in store.runs.last()["stats"]


def test_a_migration_that_fails_midway_leaves_nothing_behind(tmp_path, monkeypatch):
    import tracker.store.database as store_module

    def broken(db):
        db.conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("crash in the middle of a migration")

    monkeypatch.setattr(store_module, "MIGRATIONS", (MIGRATIONS[0], broken))
    with pytest.raises(RuntimeError):
        open_store(tmp_path / "t.db")
    monkeypatch.undo()
    store = open_store(tmp_path / "t.db")
    assert store.schema_version == len(MIGRATIONS)
    assert "half_done" not in store.db.table_names()
    store.close()


def test_a_batch_beyond_one_statements_variable_limit_is_stored_whole(store):
    store.conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 30)
    records = [
        record(
            bill_id=f"{BILL[:-2]}{n:02d}",
            bill_no=str(2203200 + n),
            events=[
                BillEvent("received", "2024-08-30"),
                BillEvent("committee_review", f"2024-09-{n + 1:02d}"),
            ],
        )
        for n in range(7)
    ]
    changes = store.bills.apply_bills(records, store.runs.start())
    assert len(changes) == 7
    assert (store.count("bills"), store.count("bill_changes"), store.count("alerts")) == (7, 7, 7)
    assert store.count("bill_events") == 14
    hits = store.conn.execute("SELECT count(*) FROM bills_fts WHERE bills_fts MATCH '산업벨트'")
    assert hits.fetchone() == (7,)


def test_bills_seen_unchanged_move_only_their_check_time(store):
    ids = [f"{BILL[:-4]}{n:04d}" for n in range(1200)]  # more than one statement's chunk
    seen_at = datetime(2026, 7, 1, 9, 30, tzinfo=KST)
    with time_machine.travel(seen_at - timedelta(minutes=30), tick=False):
        store.bills.apply_bills(
            [record(bill_id=b, bill_no=b[-7:]) for b in ids], store.runs.start()
        )
    history = [store.count(t) for t in ("bill_changes", "bill_events", "alerts", "runs")]
    with time_machine.travel(seen_at, tick=False):
        store.bills.mark_checked([*ids[1:], ids[0], ids[0], "PRC_NOT_STORED"])
    times = store.conn.execute("SELECT DISTINCT last_checked_at, last_changed_at FROM bills")
    assert times.fetchall() == [
        (seen_at.isoformat(), (seen_at - timedelta(minutes=30)).isoformat())
    ]
    assert [store.count(t) for t in ("bill_changes", "bill_events", "alerts", "runs")] == history
    assert store.count("bills") == len(ids)
