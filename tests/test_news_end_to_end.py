"""The news watch end to end: replica news channels → tracker check → SQLite → fake Slack."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tracker.demo.replica import news
from tracker.demo.replica.scenario import HAEOREUM_ACT, SECOND_ACT

pytestmark = pytest.mark.e2e

PROPOSAL_URL = "https://www.ksilbo.co.kr/news/articleView.html?idxno=1004211"
FEED = "feed:127.0.0.1/rss/allArticle.xml"


def query(db, sql, *params):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def news_messages(slack):
    return [m["text"] for m in slack.messages if m["text"].startswith("📰")]


def at(env, when: str) -> None:
    """Run the next checks at ``when`` (the articles' dates are in June and July 2026)."""
    env.env["TRACKER_CLOCK"] = when


def last_run(db):
    status, stats = query(db, "SELECT status, stats FROM runs ORDER BY id DESC LIMIT 1")[0]
    return status, json.loads(stats)


def test_story_carried_by_three_outlets_on_three_channels_is_stored_once(env, replica, slack):
    replica.news.add(*news.proposal_coverage(), news.festival())

    result = env.tracker("check")

    assert result.returncode == 0, result.stderr
    [(url, title, source, published, matched, others)] = query(
        env.db,
        "SELECT url, title, source, published_at, matched_keywords, other_sources"
        " FROM news_articles",
    )
    assert url == PROPOSAL_URL
    assert title == "울산·포항·경주 '해오름산업벨트 특별법' 국회 발의…초광역 산업수도 시동"
    assert source == "경상일보"
    assert published == "2026-06-01T09:00:00+09:00"
    assert "해오름산업벨트" in json.loads(matched)
    assert json.loads(others) == ["울산매일", "경북일보"]
    _, stats = last_run(env.db)
    assert {name: stats[name]["items"] > 0 for name in ("google_news", "naver_news", FEED)} == {
        "google_news": True,
        "naver_news": True,
        FEED: True,
    }
    assert not any("축제" in text for text in news_messages(slack))


def test_second_cycle_with_the_same_feeds_stores_nothing_and_alerts_nothing(env, replica, slack):
    replica.news.add(*news.proposal_coverage(), news.alliance_meeting(), news.festival())
    assert env.tracker("check").returncode == 0
    articles = query(env.db, "SELECT * FROM news_articles ORDER BY id")
    messages = len(slack.messages)
    first_requests = len(replica.requests("/rss/"))

    second = env.tracker("check")

    assert second.returncode == 0, second.stderr
    assert query(env.db, "SELECT * FROM news_articles ORDER BY id") == articles
    assert len(slack.messages) == messages
    # The first run's news is older than the tracking: stored, not alerted.
    assert query(env.db, "SELECT count(*) FROM alerts WHERE kind = 'news'") == [(0,)]
    # The RSS feeds were asked conditionally and answered 304.
    again = replica.requests("/rss/")[first_requests:]
    assert again and all(r.headers.get("if-none-match") for r in again)


def test_news_alert_is_one_slack_message_per_cycle_listing_the_new_articles(env, replica, slack):
    at(env, "2026-05-31T09:00:00+09:00")
    assert env.tracker("check").returncode == 0
    replica.news.add(*news.proposal_coverage(), news.alliance_meeting())
    at(env, "2026-06-09T09:00:00+09:00")
    assert env.tracker("check").returncode == 0
    [first] = news_messages(slack)
    assert first.startswith("📰 새 기사 2건")
    assert "해오름동맹 3개 시장 상생협의회" in first and "(경상일보 · 2026-06-08 14:30)" in first
    assert "국회 발의" in first and "(경상일보 외 2곳 · 2026-06-01 09:00)" in first

    replica.news.add(*news.passage_coverage())
    at(env, "2026-07-04T09:00:00+09:00")
    assert env.tracker("check").returncode == 0
    [_, second] = news_messages(slack)
    assert second.startswith("📰 새 기사 1건")
    assert "본회의 통과 (연합뉴스 외 1곳 · 2026-07-03 15:02)" in second
    assert "상생협의회" not in second


def test_news_alerts_can_be_switched_off(env, replica, slack):
    text = env.config.read_text(encoding="utf-8")
    env.config.write_text(text.replace("[sources.news]\n", "[sources.news]\nalerts = false\n"))
    replica.news.add(*news.proposal_coverage())

    assert env.tracker("check").returncode == 0

    assert query(env.db, "SELECT count(*) FROM news_articles") == [(1,)]
    assert news_messages(slack) == []


def test_articles_naming_a_bill_get_its_bill_id(env, replica):
    replica.news.add(
        news.article(
            "7001", "해오름 특별법(의안번호 2203257) 행안위 법안소위 상정", "경상일보",
            "www.ksilbo.co.kr", "2026-06-02 10:00",
        ),
        news.article(
            "7002", "김정재 의원 '해오름 산업벨트 육성 및 지원에 관한 특별법' 공청회", "경북일보",
            "www.kyongbuk.co.kr", "2026-06-03 10:00",
        ),
        news.alliance_meeting(),
    )  # fmt: skip

    assert env.tracker("check").returncode == 0

    linked = dict(query(env.db, "SELECT url, bill_id FROM news_articles"))
    assert linked == {
        "https://www.ksilbo.co.kr/news/articleView.html?idxno=7001": HAEOREUM_ACT,
        "https://www.kyongbuk.co.kr/news/articleView.html?idxno=7002": SECOND_ACT,
        "https://www.ksilbo.co.kr/news/articleView.html?idxno=1004302": None,
    }


@pytest.mark.parametrize(
    ("channel", "source", "fault", "expected"),
    [
        ("regional", FEED, "down", "HTTP 500"),
        ("google", "google_news", "down", "HTTP 500"),
        ("naver", "naver_news", "down", "HTTP 500"),
        ("naver", "naver_news", "truncated", "not JSON"),
    ],
)
def test_a_source_that_is_down_makes_the_run_partial_and_costs_no_article(
    env, replica, slack, channel, source, fault, expected
):
    replica.news.add(*news.proposal_coverage())
    at(env, "2026-06-02T09:00:00+09:00")
    assert env.tracker("check").returncode == 0
    stored = query(env.db, "SELECT * FROM news_articles")
    replica.news.add(news.alliance_meeting())
    replica.news.faults[channel] = fault
    at(env, "2026-06-09T09:00:00+09:00")

    result = env.tracker("check")

    assert result.returncode == 3, result.stdout + result.stderr
    assert f"source failed: {source}" in result.stderr
    status, stats = last_run(env.db)
    assert status == "partial"
    assert expected in stats[source]["errors"][0]
    after = query(env.db, "SELECT * FROM news_articles ORDER BY id")
    assert after[: len(stored)] == stored
    # The other channels still carry the new story.
    assert [row[2] for row in after[len(stored) :]] == [news.alliance_meeting().title]
    assert "상생협의회" in news_messages(slack)[-1]


def test_naver_without_valid_credentials_is_a_source_failure(env, replica):
    env.env["NAVER_CLIENT_SECRET"] = "not-the-replica-secret"
    replica.news.add(*news.proposal_coverage())

    result = env.tracker("check")

    assert result.returncode == 3
    _, stats = last_run(env.db)
    assert "HTTP 401" in stats["naver_news"]["errors"][0]
    assert "not-the-replica-secret" not in result.stdout + result.stderr
    assert query(env.db, "SELECT count(*) FROM news_articles") == [(1,)]


@pytest.mark.parametrize(
    ("fault", "skipped"),
    [
        # The oldest item is cut off mid-way; the two before it are whole.
        ("truncated", 1),
        # The bytes are UTF-8 while the XML declaration says EUC-KR: nothing is lost.
        ("wrong-encoding", 0),
        # Relevant items without a date are skipped: the proposal and the meeting.
        ("no-dates", 2),
    ],
)
def test_malformed_feed_never_crashes_the_cycle_and_bad_items_are_counted(
    env, replica, fault, skipped
):
    replica.news.add(
        *[a for a in news.proposal_coverage() if "regional" in a.channels],
        news.alliance_meeting(),
        news.festival(),
    )
    replica.news.faults["regional"] = fault

    result = env.tracker("check")

    assert result.returncode == 0, result.stdout + result.stderr
    status, stats = last_run(env.db)
    assert status == "ok"
    assert stats[FEED]["skipped"] == skipped
    assert stats[FEED]["errors"] == []
    titles = {row[0] for row in query(env.db, "SELECT title FROM news_articles")}
    assert news.alliance_meeting().title in titles
    assert not any("축제" in title for title in titles)
