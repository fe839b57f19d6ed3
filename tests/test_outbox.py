"""The outbox in the store: the first run's summary, waiting and re-queued alerts, old news."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlite_utils

from tracker.domain.article import Article
from tracker.domain.bills import BillRecord
from tracker.domain.relevance import NewsHit
from tracker.store.database import Store, open_store
from tracker.store.schema import MIGRATIONS

KST = ZoneInfo("Asia/Seoul")


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "t.db")
    yield s
    s.close()


def bill(n: int, stage: str, proposed_on: str = "2026-11-01") -> BillRecord:
    return BillRecord(
        bill_id=f"PRC_A{n:03d}",
        source="assembly_api",
        stage=stage,
        result=None,
        title=f"해오름산업벨트 특별법안 {n}",
        bill_no=f"22{n:05d}",
        proposed_on=proposed_on,
    )


def kinds(store: Store) -> list[tuple[str, str]]:
    return [tuple(r) for r in store.conn.execute("SELECT kind, status FROM alerts ORDER BY id")]


def test_a_quiet_run_writes_history_and_one_summary_by_stage(store):
    run = store.runs.start()
    records = [bill(n, "committee_review") for n in range(12)] + [bill(99, "promulgated")]
    store.bills.apply_bills(records, run, quiet=True)
    assert store.count("bill_changes") == 13 and kinds(store) == []

    store.runs.finish(run, "ok", {}, summarize=True)

    [alert] = store.outbox.to_review()
    assert (alert["kind"], alert["dedupe_key"]) == ("summary", "summary:first_run")
    payload = alert["payload"]
    assert payload["total"] == 13
    review, promulgated = payload["stages"]
    assert (review["stage"], review["count"], len(review["bills"])) == ("committee_review", 12, 10)
    assert (promulgated["stage"], promulgated["count"]) == ("promulgated", 1)
    assert not store.runs.is_first()


def test_a_first_run_killed_before_its_summary_leaves_the_next_one_quiet(store):
    store.bills.apply_bills([bill(1, "committee_review")], store.runs.start(), quiet=True)
    assert store.runs.is_first()
    run = store.runs.start()
    store.bills.apply_bills([bill(2, "received")], run, quiet=True)
    store.runs.finish(run, "ok", {}, summarize=True)
    [alert] = store.outbox.to_review()
    assert alert["payload"]["total"] == 2


def test_a_bill_found_late_or_far_along_is_newly_followed(store):
    store.bills.apply_bills(
        [
            bill(1, "received", proposed_on="2026-11-20"),
            bill(2, "plenary", proposed_on="2026-11-20"),
            bill(3, "committee_review", proposed_on="2025-01-01"),
        ],
        None,
    )
    followed = {a["bill_id"]: a["payload"]["newly_followed"] for a in store.outbox.to_review()}
    assert followed == {"PRC_A001": False, "PRC_A002": True, "PRC_A003": True}


def test_news_published_before_tracking_began_is_stored_not_alerted(store):
    def hit(key: str, hours: float) -> NewsHit:
        item = Article(
            url=f"https://k.kr/{key}",
            title=f"해오름산업벨트 기사 {key} " + key * 20,
            source="경상일보",
            published_at=datetime(2026, 6, 1, 9, tzinfo=KST) + timedelta(hours=hours),
            summary="",
            feed="feed",
        )
        return NewsHit("feed:k.kr", item, ("해오름산업벨트",))

    since = "2026-06-01T12:00:00+09:00"
    store.news.add([hit("a", 0), hit("b", 1)], [], None, alert_since=since)
    assert store.count("news_articles") == 2 and kinds(store) == []
    store.news.add([hit("c", 2), hit("d", 5)], [], None, alert_since=since)
    [alert] = store.outbox.to_review()
    assert [a["url"] for a in alert["payload"]["articles"]] == ["https://k.kr/d"]


def test_a_waiting_alert_counts_no_attempt_and_a_failed_one_can_be_requeued(store):
    store.outbox.enqueue("a", "news", {"total": 0})
    store.outbox.enqueue("b", "news", {"total": 0})
    first, second = (a["id"] for a in store.outbox.due())
    store.outbox.claim(first)
    store.outbox.note_waiting(first, "Slack refused the token (invalid_auth)\nmore")
    store.outbox.mark_failed(second, "invalid_blocks", None, permanent=True)

    waiting, failed = store.outbox.to_review()
    assert (waiting["status"], waiting["attempts"], waiting["claimed_at"]) == ("pending", 0, None)
    assert waiting["last_error"] == "Slack refused the token (invalid_auth)"
    assert failed["status"] == "failed"
    assert store.outbox.requeue_failed(first) == 0
    assert store.outbox.requeue_failed(second) == 1
    assert [a["id"] for a in store.outbox.due()] == [first, second]
    assert store.outbox.requeue_failed() == 0


def test_the_alert_kinds_migration_keeps_the_outbox_and_accepts_the_new_kinds(tmp_path):
    db = tmp_path / "t.db"
    with sqlite3.connect(db) as conn:
        conn.isolation_level = None
        old = Store(sqlite_utils.Database(conn))
        for number, migration in enumerate(MIGRATIONS[:8], start=1):
            migration(old.db)
            conn.execute(f"PRAGMA user_version = {number}")
        conn.execute(
            "INSERT INTO alerts (dedupe_key, kind, payload, created_at, status, attempts,"
            " claimed_at) VALUES ('k', 'news', '{}', 'c', 'pending', 2, 'x')"
        )
    store = open_store(db)
    assert store.schema_version == len(MIGRATIONS)
    [row] = store.conn.execute("SELECT dedupe_key, attempts, claimed_at FROM alerts").fetchall()
    assert row == ("k", 2, "x")
    assert store.outbox.enqueue("s", "summary", {}) and store.outbox.enqueue(
        "d", "delivery_problem", {}
    )
    assert store.outbox.enqueue("m", "meeting", {})
    # The CHECK still holds, and an alert of no known kind fails loudly instead of vanishing.
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        store.outbox.enqueue("z", "no_such_kind", {})
    assert not store.outbox.enqueue("m", "meeting", {"again": True})
    indexes = {
        r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type='index'")
    }
    assert {"alerts_status", "alerts_bill"} <= indexes
    store.close()
