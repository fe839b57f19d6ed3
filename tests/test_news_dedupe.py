"""Grouping news items into stories by canonical URL and near-identical headlines."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import get_testbytes
from tracker.domain.article import Article
from tracker.domain.keywords import DEFAULT_RULE
from tracker.domain.stories import (
    TITLE_SIMILARITY,
    canonical_url,
    dedupe,
    near_identical_titles,
    new_stories,
    same_story,
    title_key,
    title_similarity,
)
from tracker.parsers.news import parse_feed, parse_google_news, parse_naver

KST = ZoneInfo("Asia/Seoul")
KSILBO_1004211 = "https://www.ksilbo.co.kr/news/articleView.html?idxno=1004211"
STORY_1 = "울산·포항·경주 '해오름산업벨트 특별법' 국회 발의…초광역 산업수도 시동"


def _item(
    title: str,
    url: str,
    when: datetime | None = datetime(2024, 9, 1, 17, 12, tzinfo=KST),
    source: str | None = None,
    original_url: str | None = None,
) -> Article:
    return Article(
        url=url,
        title=title,
        source=source,
        published_at=when,
        summary="",
        feed="feed",
        original_url=original_url,
    )


def _all_fixture_items() -> list[Article]:
    return [
        *parse_google_news(get_testbytes("news/google_news_haeoreum.xml")).items,
        *parse_naver(get_testbytes("news/naver_news_haeoreum.json").decode("utf-8")).items,
        *parse_feed(get_testbytes("news/regional_allArticle.xml")).items,
        *parse_feed(get_testbytes("news/euc_kr_declared_utf8.xml")).items,
    ]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "HTTPS://WWW.KSILBO.CO.KR/news/articleView.html?idxno=1004211#comments",
            KSILBO_1004211,
        ),
        (
            "https://www.ksilbo.co.kr/news/articleView.html?utm_source=naver&idxno=1004211"
            "&utm_medium=news&fbclid=IwAR0abc",
            KSILBO_1004211,
        ),
        (
            "https://news.google.com/rss/articles/CBMiXYZ?oc=5",
            "https://news.google.com/rss/articles/CBMiXYZ",
        ),
        (
            "https://www.kbmaeil.com/article/20251124500321/",
            "https://www.kbmaeil.com/article/20251124500321",
        ),
        ("https://www.kbmaeil.com:443/a?b=2&a=1&gclid=x", "https://www.kbmaeil.com/a?a=1&b=2"),
        ("http://example.kr:8080/a/?from=main&ref=top", "http://example.kr:8080/a"),
        ("https://example.kr/", "https://example.kr"),
        ("  https://example.kr/a?q=해오름  ", "https://example.kr/a?q=%ED%95%B4%EC%98%A4%EB%A6%84"),
        # The host keeps www: example.kr and www.example.kr may be different sites.
        ("https://ksilbo.co.kr/x", "https://ksilbo.co.kr/x"),
        ("not a url", "not a url"),
        ("http://[::1", "http://[::1"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_canonical_url_keeps_params_that_identify_the_article() -> None:
    naver = "https://n.news.naver.com/mnews/article/421/0008012345?sid=102"
    assert canonical_url(naver) == naver
    assert canonical_url("https://example.kr/view.php?idxno=7&page=2") == (
        "https://example.kr/view.php?idxno=7&page=2"
    )


@given(st.text())
def test_canonical_url_is_idempotent_and_never_raises(url: str) -> None:
    once = canonical_url(url)
    assert canonical_url(once) == once


def test_title_key_ignores_tags_quotes_spacing_and_width() -> None:
    assert (
        title_key("[속보] 울산·포항·경주 ＂해오름 산업벨트 특별법＂ 국회 발의 (종합2)")
        == title_key("울산·포항·경주 해오름산업벨트 특별법 국회 발의")
        == "울산포항경주해오름산업벨트특별법국회발의"
    )


@pytest.mark.parametrize(
    "variant",
    [
        "울산·포항·경주 해오름산업벨트 특별법 국회 발의…초광역 산업수도 시동",
        "[속보] 울산·포항·경주 해오름 산업벨트 특별법 국회 발의…초광역 산업수도 시동",
        "울산·포항·경주 '해오름산업벨트 특별법' 국회 제출…초광역 산업수도 시동",
        "포항·경주·울산 '해오름산업벨트 특별법' 국회 발의…초광역 산업수도 시동",
        "울산·포항·경주 해오름산업벨트 특별법 국회 발의",
        "해오름산업벨트 특별법 국회 발의…초광역 산업수도 시동",
    ],
)
def test_lightly_edited_headlines_are_near_identical(variant: str) -> None:
    assert near_identical_titles(STORY_1, variant)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (STORY_1, "박성민 의원, 해오름산업벨트 특별법 대표발의"),
        (STORY_1, "포항·경주·울산 상생협의회…해오름 산업벨트 특별법 공동 건의"),
        ("해오름산업벨트 특별법 행안위 상정", "해오름산업벨트 특별법 법사위 상정"),
        (
            "해오름동맹 상생협의회 2024 하반기 정기회 포항서 개최",
            "해오름동맹 상생협의회 2025 상반기 정기회 울산서 개최",
        ),
        ("해오름 특별법", "해오름 특별법 본회의 통과…3개 도시 환영"),
    ],
)
def test_different_stories_on_the_same_act_are_not_near_identical(a: str, b: str) -> None:
    assert not near_identical_titles(a, b)
    assert title_similarity(a, b) < TITLE_SIMILARITY


def test_same_story_by_url_whatever_the_title_or_date() -> None:
    a = _item("제목 A", KSILBO_1004211 + "&utm_source=naver")
    b = _item(
        "전혀 다른 제목", "https://news.google.com/rss/articles/X", original_url=KSILBO_1004211
    )
    b.published_at = datetime(2025, 1, 1, tzinfo=KST)
    assert same_story(a, b)


def test_same_story_by_title_only_within_the_window() -> None:
    day = datetime(2024, 9, 1, 17, 12, tzinfo=KST)
    a = _item(STORY_1, "https://www.ksilbo.co.kr/1", day)
    b = _item(STORY_1.replace("'", ""), "https://www.iusm.co.kr/2", day + timedelta(days=2))
    assert same_story(a, b)
    assert not same_story(a, b, window_days=1)
    b.published_at = day + timedelta(days=4)
    assert not same_story(a, b)
    b.published_at = None
    assert same_story(a, b)


def test_fixture_story_from_google_naver_and_regional_feed_is_one_story() -> None:
    stories = dedupe(_all_fixture_items())
    [story] = [s for s in stories if any(i.title == STORY_1 for i in s.items)]
    assert len(story.items) == 5
    assert {i.feed for i in story.items} == {"google_news", "naver", "feed"}
    assert story.sources == ["경상일보", "울산매일"]
    # The earliest item with the publisher's own link, not Google's redirect.
    assert story.article.url == KSILBO_1004211
    assert story.article.feed == "naver"
    assert story.url == KSILBO_1004211


def test_fixtures_dedupe_to_eighteen_stories() -> None:
    items = _all_fixture_items()
    assert len(items) == 26
    stories = dedupe(items)
    assert len(stories) == 18
    assert sorted(len(s.items) for s in stories if len(s.items) > 1) == [2, 2, 2, 2, 5]
    # Google items 3-6 each pair with the Naver item for the same article.
    for story in stories:
        if len(story.items) == 2:
            assert [i.feed for i in story.items] == ["naver", "google_news"]


def test_relevant_fixture_stories() -> None:
    stories = [s for s in dedupe(_all_fixture_items()) if DEFAULT_RULE.is_relevant(s.article.title)]
    assert [s.article.title for s in stories] == [
        STORY_1,
        '박성민 의원 "해오름 산업벨트, 국가 성장엔진으로 키워야"',
        '해오름동맹 "해오름 산업벨트 특별법 연내 제정해야" 공동선언',
        '해오름동맹광역추진단 경주서 출범…"특별법 조속 입법이 첫 과제"',
        "해오름산업 벨트 특별법, 행안위 상정 언제쯤…지역 정치권 '속도전' 주문",
        "포항시, 해오름동맹 청년 일자리 박람회 개최",
        "경주시의회, 해오름 산업벨트 특별법 제정 촉구 결의안 채택",
        "포항·경주·울산 상생협의회…해오름 산업벨트 특별법 공동 건의",
    ]


def test_stories_come_out_earliest_first_undated_last() -> None:
    late = _item("늦은 기사", "https://a.kr/1", datetime(2025, 1, 2, tzinfo=KST))
    early = _item("이른 기사", "https://a.kr/2", datetime(2025, 1, 1, tzinfo=KST))
    undated = _item("날짜 없는 기사", "https://a.kr/3", None)
    assert [s.article for s in dedupe([undated, late, early])] == [early, late, undated]


def test_known_items_are_left_out() -> None:
    items = _all_fixture_items()
    known = [parse_feed(get_testbytes("news/regional_allArticle.xml")).items[5]]
    assert known[0].url == KSILBO_1004211
    stories = dedupe(items, known=known)
    assert len(stories) == 17
    assert all(STORY_1 not in (i.title for i in s.items) for s in stories)


STORED = Article(KSILBO_1004211, STORY_1, None, datetime(2024, 9, 1, 9, 0, tzinfo=KST), "")


@pytest.mark.parametrize(
    ("item", "new", "outlets"),
    [
        # The stored story again, at its URL or under a near-identical headline.
        (_item("다른 제목", KSILBO_1004211 + "&utm_source=x", source="경상일보"), [], ["경상일보"]),
        (_item(f"[속보] {STORY_1}", "https://b.kr/1", source="포항일보"), [], ["포항일보"]),
        # The same headline beyond the window is another story.
        (_item(STORY_1, "https://b.kr/2", datetime(2024, 9, 10, tzinfo=KST)), [STORY_1], []),
        (
            _item("경주시의회 예산안 의결", "https://b.kr/3", source="경주신문"),
            ["경주시의회 예산안 의결"],
            [],
        ),
    ],
)
def test_a_story_stored_in_an_earlier_cycle_is_not_new(item, new, outlets) -> None:
    stories, by_url = new_stories([item], [STORED])
    assert [s.article.title for s in stories] == new
    assert by_url.get(KSILBO_1004211, []) == outlets


def test_dedupe_of_nothing_is_nothing() -> None:
    assert dedupe([]) == []
