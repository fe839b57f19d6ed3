"""The query schema: trigram full-text search kept in sync, backfilled, and indexed views."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracker.query.browse import METADATA_FILE
from tracker.query.canned import QUERIES
from tracker.store import database as store_module
from tracker.store.database import Store, open_store
from tracker.store.schema import MIGRATIONS

TITLE = "해오름산업벨트 지원에 관한 특별법안"
AT = "2026-11-25T09:00:00+09:00"


def add_bill(store: Store, bill_id: str, title: str) -> None:
    store.conn.execute(
        "INSERT INTO bills (bill_id, title, stage, first_seen_at, last_checked_at,"
        " last_changed_at) VALUES (?, ?, 'received', ?, ?, ?)",
        [bill_id, title, AT, AT, AT],
    )


def add_article(store: Store, url: str, title: str, summary: str, verb: str = "INSERT") -> int:
    cursor = store.conn.execute(
        f"{verb} INTO news_articles (url, title, summary, first_seen_at) VALUES (?, ?, ?, ?)",
        [url, title, summary, AT],
    )
    return int(cursor.lastrowid or 0)


def bill_hits(store: Store, text: str) -> list[str]:
    rows = store.conn.execute(
        "SELECT bill_id FROM bills_fts WHERE bills_fts MATCH ? ORDER BY bill_id", [f'"{text}"']
    )
    return [r[0] for r in rows]


def news_hits(store: Store, text: str) -> list[int]:
    rows = store.conn.execute(
        "SELECT rowid FROM news_fts WHERE news_fts MATCH ? ORDER BY rowid", [f'"{text}"']
    )
    return [r[0] for r in rows]


@pytest.fixture
def store(tmp_path: Path):
    opened = open_store(tmp_path / "tracker.db")
    yield opened
    opened.close()


def test_bill_titles_are_found_by_korean_substrings_and_stay_in_sync(store: Store):
    add_bill(store, "PRC_A", TITLE)
    add_bill(store, "PRC_B", "산업입지 및 개발에 관한 법률 일부개정법률안")
    assert bill_hits(store, "산업벨트") == ["PRC_A"]
    assert bill_hits(store, "에 관한 ") == ["PRC_A", "PRC_B"]

    store.conn.execute(
        "UPDATE bills SET title = '동해안 관광특구 지원법안' WHERE bill_id = 'PRC_A'"
    )
    assert bill_hits(store, "산업벨트") == []
    assert bill_hits(store, "관광특구") == ["PRC_A"]

    store.conn.execute("DELETE FROM bills WHERE bill_id = 'PRC_A'")
    assert bill_hits(store, "관광특구") == []
    assert store.count("bills_fts") == 1


def test_news_titles_and_summaries_are_searchable_and_stay_in_sync(store: Store):
    first = add_article(store, "https://a/1", "해오름동맹 특별법 발의", "포항·울산·경주가 함께")
    assert news_hits(store, "해오름동맹") == [first]
    assert news_hits(store, "울산·경주") == [first]

    store.conn.execute("UPDATE news_articles SET summary = '국회 통과' WHERE id = ?", [first])
    assert news_hits(store, "울산·경주") == []
    assert news_hits(store, "국회 통과") == [first]

    # REPLACE fires no delete trigger; the search table must still hold one entry per article.
    second = add_article(store, "https://a/1", "해오름동맹 특별법 통과", "요약", verb="REPLACE")
    assert news_hits(store, "해오름동맹") == [second]
    assert store.count("news_fts") == 1

    store.conn.execute("DELETE FROM news_articles WHERE id = ?", [second])
    assert news_hits(store, "해오름동맹") == []


def test_two_character_words_need_instr_rather_than_match(store: Store):
    add_article(store, "https://a/1", "울산 해오름 특별법 간담회", "")
    assert news_hits(store, "울산") == []
    rows = store.conn.execute(
        "SELECT count(*) FROM news_fts WHERE news_fts MATCH '특별법' AND instr(title, '울산') > 0"
    ).fetchone()
    assert rows == (1,)


def test_the_migration_backfills_search_from_existing_rows(tmp_path: Path, monkeypatch):
    path = tmp_path / "old.db"
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS[:1])
    old = open_store(path)
    add_bill(old, "PRC_A", TITLE)
    article = add_article(old, "https://a/1", "해오름동맹 출범", "")
    old.close()
    monkeypatch.undo()

    migrated = open_store(path)
    assert migrated.schema_version == len(MIGRATIONS)
    assert bill_hits(migrated, "산업벨트") == ["PRC_A"]
    assert news_hits(migrated, "해오름동맹") == [article]
    migrated.close()


@pytest.mark.parametrize(
    ("sql", "index"),
    [
        ("SELECT * FROM recent_changes", "bill_changes_time"),
        ("SELECT * FROM bill_changes WHERE bill_id = 'PRC_A'", "bill_changes_bill"),
        ("SELECT * FROM bill_changes WHERE kind = 'new' ORDER BY observed_at", "bill_changes_kind"),
        ("SELECT * FROM news_by_bill WHERE bill_id = 'PRC_A'", "news_articles_bill"),
        ("SELECT * FROM bill_events WHERE happened_on >= '2026-07-01'", "bill_events_time"),
    ],
)
def test_common_questions_use_an_index(store: Store, sql: str, index: str):
    plan = " ".join(r[-1] for r in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
    assert index in plan


def test_the_views_label_stages_in_korean(store: Store):
    add_bill(store, "PRC_A", TITLE)
    store.conn.execute(
        "INSERT INTO bill_changes (bill_id, kind, field, old_value, new_value, observed_at)"
        " VALUES ('PRC_A', 'changed', 'stage', 'received', 'committee_review', ?)",
        [AT],
    )
    status = store.conn.execute("SELECT stage_label FROM bill_status").fetchall()
    assert status == [("접수",)]
    change = store.conn.execute("SELECT old_label, new_label FROM stage_changes").fetchall()
    assert change == [("접수", "소관위 심사")]


def test_every_described_table_and_column_exists(store: Store):
    described = json.loads(METADATA_FILE.read_text(encoding="utf-8"))["tables"]
    for table, meta in described.items():
        columns = {r[1] for r in store.conn.execute(f"PRAGMA table_info([{table}])")}
        assert columns, f"{table} does not exist"
        assert set(meta.get("columns", {})) <= columns, table


def search_answers(store: Store) -> dict[str, list[tuple]]:
    """What the users' title searches answer: the canned ones and a few substrings."""
    canned = {q.name: q.sql for q in QUERIES if "bills_fts" in q.sql}
    answers = {name: store.conn.execute(sql).fetchall() for name, sql in canned.items()}
    for text in ("산업벨트", "에 관한 ", "특별법", "관광특구", "개정법률"):
        answers[text] = store.conn.execute(
            "SELECT bill_id, title FROM bills_fts WHERE bills_fts MATCH ? ORDER BY bill_id",
            [f'"{text}"'],
        ).fetchall()
    return answers


def assert_index_matches_bills(store: Store) -> None:
    store.conn.execute("INSERT INTO bills_fts (bills_fts, rank) VALUES ('integrity-check', 1)")


def test_migration_7_keeps_every_title_search_answer(tmp_path: Path, monkeypatch):
    path = tmp_path / "v6.db"
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS[:6])
    old = open_store(path)
    assert old.schema_version == 6
    for n, title in enumerate(
        [TITLE, "산업입지 및 개발에 관한 법률 일부개정법률안", "울산 특별법안(대안)", "임시 제목"]
    ):
        add_bill(old, f"PRC_{n}", title)
    old.conn.execute("UPDATE bills SET title = '동해안 관광특구 특별법안' WHERE bill_id = 'PRC_3'")
    old.conn.execute("DELETE FROM bills WHERE bill_id = 'PRC_1'")
    before = search_answers(old)
    old.close()
    monkeypatch.undo()

    migrated = open_store(path)
    assert migrated.schema_version == len(MIGRATIONS)
    assert search_answers(migrated) == before
    assert before["산업벨트"] == [("PRC_0", TITLE)] and before["개정법률"] == []
    assert_index_matches_bills(migrated)
    migrated.close()


def test_search_follows_titles_through_updates_deletes_and_vacuum(store: Store):
    for n in range(6):
        add_bill(store, f"PRC_{n}", f"지방세법 일부개정법률안 제{n}호")
    store.conn.execute("DELETE FROM bills WHERE bill_id IN ('PRC_1', 'PRC_3')")
    store.conn.execute("UPDATE bills SET title = ? WHERE bill_id = 'PRC_4'", [TITLE])
    # VACUUM must keep the rowids the index refers to (bills has an index: its primary key).
    store.conn.execute("VACUUM")
    assert bill_hits(store, "지방세법") == ["PRC_0", "PRC_2", "PRC_5"]
    assert bill_hits(store, "산업벨트") == ["PRC_4"]
    assert store.conn.execute(
        "SELECT bill_id FROM bills_fts WHERE bills_fts MATCH '제5호'"
    ).fetchall() == [("PRC_5",)]
    assert_index_matches_bills(store)
