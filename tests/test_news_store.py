"""Storing news: one row per story, dedupe against what is stored, one alert per run."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
import sqlite_utils

from tracker.config import load_config
from tracker.domain.article import Article
from tracker.domain.keywords import RelevanceRule
from tracker.domain.relevance import NewsHit, bill_for, relevant_hits
from tracker.domain.validators import Validators
from tracker.errors import ConfigError
from tracker.parsers.news import KST
from tracker.store.database import Store, open_store
from tracker.store.schema import MIGRATIONS

RULE = RelevanceRule.from_keywords(["해오름 산업벨트", "해오름동맹"])
DAY = datetime(2026, 6, 1, 9, 0, tzinfo=KST)
BILLS = [
    {"bill_id": "A", "bill_no": "2203257", "title": "해오름산업벨트 지원에 관한 특별법안",
     "proposed_on": "2024-08-30"},
    {"bill_id": "OLD", "bill_no": "2126271", "title": "해오름산업벨트 지원에 관한 특별법안",
     "proposed_on": "2024-01-29"},
    {"bill_id": "B", "bill_no": "2209418", "title": "해오름 산업벨트 육성 및 지원에 관한 특별법안",
     "proposed_on": "2025-03-12"},
]  # fmt: skip


def hit(title: str, url: str, source: str = "경상일보", hours: float = 0, feed: str = "feed"):
    item = Article(url, title, source, DAY + timedelta(hours=hours), "", "feed")
    return NewsHit(feed, item, tuple(RULE.matched_keywords(title)))


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "tracker.db")
    yield s
    s.close()


def articles(store: Store) -> list[dict]:
    return list(store.db.query("SELECT * FROM news_articles ORDER BY id"))


def test_one_story_from_three_outlets_is_one_row_remembering_the_others(store):
    stored = store.news.add(
        [
            hit("해오름산업벨트 특별법 국회 발의 (종합)", "https://iusm.co.kr/1", "울산매일", 1),
            hit("해오름산업벨트 특별법 국회 발의", "https://ksilbo.co.kr/1?utm_source=x"),
            hit("[속보] 해오름 산업벨트 특별법 국회 발의", "https://kb.co.kr/1", "경북일보", 2),
        ],
        [],
        store.runs.start(),
    )
    [row] = articles(store)
    assert [h.item.source for h in stored] == ["경상일보"]
    assert row["url"] == "https://ksilbo.co.kr/1"
    assert row["published_at"] == "2026-06-01T09:00:00+09:00"
    assert json.loads(row["other_sources"]) == ["울산매일", "경북일보"]
    assert json.loads(row["matched_keywords"])[0] == "해오름산업벨트"


def test_a_story_already_stored_is_not_stored_or_alerted_again(store):
    store.news.add(
        [hit("해오름산업벨트 특별법 국회 발의", "https://ksilbo.co.kr/1")], [], store.runs.start()
    )
    again = store.news.add(
        [
            hit("해오름산업벨트 특별법 국회 발의", "https://ksilbo.co.kr/1#top"),
            hit("해오름 산업벨트 특별법, 국회 발의", "https://iusm.co.kr/9", "울산매일", 30),
        ],
        [],
        store.runs.start(),
    )
    assert again == []
    assert len(articles(store)) == 1
    assert store.count("alerts", "kind = 'news'") == 1


def test_an_outlet_that_carries_a_stored_story_later_joins_its_other_sources(store):
    store.news.add(
        [hit("해오름산업벨트 특별법 국회 발의", "https://ksilbo.co.kr/1")], [], store.runs.start()
    )
    later = [
        hit("해오름산업벨트 특별법 국회 발의", "https://ksilbo.co.kr/1"),
        hit("해오름 산업벨트 특별법, 국회 발의", "https://iusm.co.kr/9", "울산매일", 30),
        hit("[종합] 해오름산업벨트 특별법 국회 발의", "https://kb.co.kr/3", "경북일보", 40),
    ]
    for _ in range(2):  # the same feeds again the cycle after: nothing more
        assert store.news.add(later, [], store.runs.start()) == []
        [row] = articles(store)
        assert row["source"] == "경상일보"
        assert json.loads(row["other_sources"]) == ["울산매일", "경북일보"]
    assert store.count("alerts", "kind = 'news'") == 1


def test_the_same_headline_a_week_later_is_a_new_story(store):
    store.news.add(
        [hit("해오름동맹 시장 상생협의회 개최", "https://ksilbo.co.kr/1")], [], store.runs.start()
    )
    later = store.news.add(
        [hit("해오름동맹 시장 상생협의회 개최", "https://ksilbo.co.kr/2", hours=24 * 7)],
        [],
        store.runs.start(),
    )
    assert len(later) == 1


def test_one_news_alert_per_run_lists_the_new_articles_newest_first(store):
    run_id = store.runs.start()
    store.news.add(
        [
            hit("해오름산업벨트 특별법 국회 발의", "https://ksilbo.co.kr/1"),
            hit("해오름동맹 시장 상생협의회 개최", "https://ksilbo.co.kr/2", hours=5),
        ],
        [],
        run_id,
    )
    [alert] = store.outbox.due()
    assert (alert["kind"], alert["dedupe_key"]) == ("news", f"news:{run_id}")
    payload = alert["payload"]
    assert payload["total"] == 2
    assert [a["title"] for a in payload["articles"]] == [
        "해오름동맹 시장 상생협의회 개최",
        "해오름산업벨트 특별법 국회 발의",
    ]
    assert set(payload["articles"][0]) == {
        "title", "url", "source", "published_at", "other_sources",
    }  # fmt: skip


def test_no_alert_when_switched_off_or_nothing_new(store):
    store.news.add(
        [hit("해오름산업벨트 특별법 국회 발의", "https://k.kr/1")],
        [],
        store.runs.start(),
        alert=False,
    )
    store.news.add([], [Validators("https://k.kr/rss", '"v1"', None)], store.runs.start())
    assert store.count("alerts") == 0
    assert len(articles(store)) == 1


def test_feed_validators_are_kept_per_url_and_replaced(store):
    store.news.add(
        [],
        [Validators("https://k.kr/rss", '"v1"', "Mon, 01 Jun 2026 00:00:00 GMT")],
        store.runs.start(),
    )
    store.news.add([], [Validators("https://k.kr/rss", '"v2"', None)], store.runs.start())
    assert store.validators.feeds() == {
        "https://k.kr/rss": Validators("https://k.kr/rss", '"v2"', None)
    }


def test_articles_are_linked_to_bills_found_later(store):
    store.news.add(
        [hit("해오름산업벨트 특별법(의안번호 2203257) 소위 상정", "https://k.kr/1")],
        [],
        store.runs.start(),
    )
    assert articles(store)[0]["bill_id"] is None
    store.conn.execute(
        "INSERT INTO bills (bill_id, bill_no, title, first_seen_at, last_checked_at,"
        " last_changed_at) VALUES ('A', '2203257', ?, 'x', 'x', 'x')",
        [BILLS[0]["title"]],
    )
    assert store.news.link_to_bills() == 1
    assert articles(store)[0]["bill_id"] == "A"


def test_migration_2_keeps_articles_of_a_version_1_database(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    MIGRATIONS[0](db)
    db.conn.execute("PRAGMA user_version = 1")
    db["news_articles"].insert({"url": "https://k.kr/1", "title": "t", "first_seen_at": "x"})
    db.conn.commit()
    db.close()

    store = open_store(path)

    assert store.schema_version == len(MIGRATIONS)
    assert articles(store)[0]["other_sources"] is None
    store.close()


@pytest.mark.parametrize(
    ("text", "bill_id"),
    [
        ("해오름 특별법(의안번호 2203257) 소위 상정", "A"),
        ("의안 2209418호 공청회", "B"),
        ("'해오름산업벨트 지원에 관한 특별법' 상임위 통과", "A"),
        ("해오름 산업벨트 육성 및 지원에 관한 특별법안 공청회", "B"),
        ("해오름산업벨트 특별법 국회 발의", None),
        ("번호 22032570 은 다른 숫자", None),
    ],
)
def test_bill_for_finds_a_bill_by_number_or_title(text, bill_id):
    assert bill_for(text, "", BILLS) == bill_id


def test_relevant_hits_keep_relevant_dated_items_and_count_undated_ones():
    items = [
        Article("https://k.kr/1", "해오름산업벨트 특별법 발의", "경상일보", DAY, "", "feed"),
        Article("https://k.kr/2", "해오름동맹 회의", "경상일보", None, "", "feed"),
        Article("https://k.kr/3", "호미곶 해오름 축제", "경상일보", None, "", "feed"),
    ]
    hits, undated = relevant_hits(items, "feed:k.kr", RULE)
    assert [h.item.url for h in hits] == ["https://k.kr/1"]
    assert hits[0].source == "feed:k.kr" and hits[0].matched_keywords
    assert undated == 1


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ('[watch]\ncompanions = ["특별법", " ·· "]\n', "watch.companions[1]"),
        ('[sources.news]\nfeeds = ["ftp://x/rss"]\n', "sources.news.feeds[0]"),
        ('[sources.news]\ngoogle_news_base = "news.google.com"\n', "sources.news.google_news_base"),
    ],
)
def test_bad_news_config_names_the_key(tmp_path, toml, key):
    path = tmp_path / "tracker.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError, match=key.replace("[", r"\[").replace("]", r"\]")):
        load_config(str(path), env={})


def test_companions_and_a_disabled_google_search_are_valid(tmp_path):
    path = tmp_path / "tracker.toml"
    path.write_text('[watch]\ncompanions = ["특별법"]\n[sources.news]\ngoogle_news_base = ""\n')
    config = load_config(str(path), env={})
    assert config.watch.companions == ["특별법"]
