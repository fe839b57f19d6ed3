"""News parsers on saved Google News, Naver and regional feed responses."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import get_testbytes
from tracker.errors import ParseError, SourceError
from tracker.parsers.news import (
    FeedResult,
    parse_date,
    parse_feed,
    parse_google_news,
    parse_naver,
)

KST = ZoneInfo("Asia/Seoul")
GOOGLE = "news/google_news_haeoreum.xml"
NAVER = "news/naver_news_haeoreum.json"
REGIONAL = "news/regional_allArticle.xml"
TRUNCATED = "news/malformed_truncated.xml"
EUC_KR_DECLARED = "news/euc_kr_declared_utf8.xml"

STORY_1 = "울산·포항·경주 '해오름산업벨트 특별법' 국회 발의…초광역 산업수도 시동"
KSILBO_1004211 = "https://www.ksilbo.co.kr/news/articleView.html?idxno=1004211"


def _parse(path: str) -> FeedResult:
    data = get_testbytes(path)
    if path.endswith(".json"):
        return parse_naver(data.decode("utf-8"))
    if "google" in path:
        return parse_google_news(data)
    return parse_feed(data)


@pytest.mark.parametrize(
    ("path", "count", "skipped", "first_title", "first_url", "feed"),
    [
        (
            GOOGLE,
            8,
            0,
            STORY_1,
            "https://news.google.com/rss/articles/CBMizEBTMj0x0vAdSnnzjv-cPCWOoamAANlHB9X1fyzK0DCB_"
            "9VjLlRSHhaNx0KIeDQ5MRIU2DOyj-ZwmLSJExnWzfu1vTa-VNkW?oc=5",
            "google_news",
        ),
        (NAVER, 6, 0, STORY_1, KSILBO_1004211, "naver"),
        (
            REGIONAL,
            10,
            0,
            "울산 태화강 국가정원 가을꽃 축제 개막",
            "https://www.ksilbo.co.kr/news/articleView.html?idxno=1004230",
            "feed",
        ),
        (
            TRUNCATED,
            3,
            1,
            "울산 태화강 국가정원 가을꽃 축제 개막",
            "https://www.ksilbo.co.kr/news/articleView.html?idxno=1004230",
            "feed",
        ),
        (
            EUC_KR_DECLARED,
            2,
            0,
            "경주시의회, 해오름 산업벨트 특별법 제정 촉구 결의안 채택",
            "https://www.kbsm.net/news/articleView.html?idxno=398812",
            "feed",
        ),
    ],
)
def test_each_fixture_parses_to_the_expected_items(
    path: str, count: int, skipped: int, first_title: str, first_url: str, feed: str
) -> None:
    result = _parse(path)
    assert len(result.items) == count
    assert result.skipped == skipped
    assert result.items[0].title == first_title
    assert result.items[0].url == first_url
    assert {item.feed for item in result.items} == {feed}
    for item in result.items:
        assert item.published_at is not None
        assert item.published_at.tzinfo is not None
        assert item.published_at.utcoffset() == KST.utcoffset(item.published_at)
        assert "<" not in item.title and "&" not in item.title


def test_google_news_splits_the_outlet_off_the_title_and_takes_it_from_source() -> None:
    items = parse_google_news(get_testbytes(GOOGLE)).items
    assert [(item.title, item.source) for item in items] == [
        (STORY_1, "경상일보"),
        ("울산·포항·경주 해오름산업벨트 특별법 국회 발의…초광역 산업수도 시동", "울산매일"),
        ('해오름동맹 "해오름 산업벨트 특별법 연내 제정해야" 공동선언', "경북일보"),
        ("해오름산업 벨트 특별법, 행안위 상정 언제쯤…지역 정치권 '속도전' 주문", "매일신문"),
        ('해오름동맹광역추진단 경주서 출범…"특별법 조속 입법이 첫 과제"', "뉴스1"),
        ("포항·경주·울산 상생협의회…해오름 산업벨트 특별법 공동 건의", "경북매일"),
        ("'2025 해오름 해맞이 축제' 간절곶서 개최…새해 첫 일출 함께", "울산신문"),
        ("한결건설, '해오름 리버뷰' 84㎡ 잔여세대 선착순 분양", "부동산정보신문"),
    ]


def test_google_news_converts_gmt_dates_to_seoul_time() -> None:
    items = parse_google_news(get_testbytes(GOOGLE)).items
    assert items[0].published_at == datetime(2024, 9, 1, 17, 12, tzinfo=KST)
    # 22:30 GMT on 18 March is the next morning in Seoul.
    assert items[3].published_at == datetime(2025, 3, 19, 7, 30, tzinfo=KST)


def test_google_news_keeps_the_redirect_and_no_original_url_when_the_item_has_none() -> None:
    items = parse_google_news(get_testbytes(GOOGLE)).items
    assert all(item.url.startswith("https://news.google.com/rss/articles/") for item in items)
    assert all(item.original_url is None for item in items)
    # The description only repeats headline and outlet, which is no summary.
    assert all(item.summary == "" for item in items)


GOOGLE_ITEM = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Google 뉴스</title>
<item><title>{title}</title>
<link>https://news.google.com/rss/articles/CBMiXYZ?oc=5</link>
<pubDate>Wed, 27 Nov 2024 09:05:00 GMT</pubDate>
<description>{description}</description>{source}</item>
</channel></rss>"""


def test_google_news_exposes_the_real_link_from_the_description() -> None:
    description = (
        "&lt;ol&gt;&lt;li&gt;&lt;a href=&quot;https://www.kyongbuk.co.kr/news/articleView.html"
        "?idxno=2187654&amp;amp;utm_source=google&quot;&gt;해오름동맹 공동선언&lt;/a&gt;"
        "&amp;nbsp;&lt;font&gt;경북일보&lt;/font&gt;&lt;/li&gt;"
        "&lt;li&gt;3개 도시 시장 참석&lt;/li&gt;&lt;/ol&gt;"
    )
    xml = GOOGLE_ITEM.format(
        title="해오름동맹 공동선언 - 경북일보", description=description, source=""
    )
    [item] = parse_google_news(xml).items
    assert item.url == "https://news.google.com/rss/articles/CBMiXYZ?oc=5"
    assert item.original_url == (
        "https://www.kyongbuk.co.kr/news/articleView.html?idxno=2187654&utm_source=google"
    )
    assert item.title == "해오름동맹 공동선언"
    assert item.source == "경북일보"
    assert item.summary == "해오름동맹 공동선언 경북일보 3개 도시 시장 참석"


def test_google_news_title_with_a_dash_inside_keeps_it() -> None:
    xml = GOOGLE_ITEM.format(
        title="울산 - 포항 - 경주 해오름동맹 회의 - 울산매일",
        description="",
        source='<source url="https://www.iusm.co.kr">울산매일</source>',
    )
    [item] = parse_google_news(xml).items
    assert (item.title, item.source) == ("울산 - 포항 - 경주 해오름동맹 회의", "울산매일")


def test_naver_strips_bold_tags_and_entities_and_uses_originallink() -> None:
    items = parse_naver(get_testbytes(NAVER).decode("utf-8")).items
    assert [(item.title, item.url, item.source) for item in items] == [
        (STORY_1, KSILBO_1004211, "경상일보"),
        (
            "울산·포항·경주 해오름산업벨트 특별법 국회 발의…초광역 산업수도 시동",
            "https://www.iusm.co.kr/news/articleView.html?idxno=602318",
            "울산매일",
        ),
        (
            '해오름동맹 "해오름 산업벨트 특별법 연내 제정해야" 공동선언',
            "https://www.kyongbuk.co.kr/news/articleView.html?idxno=2187654",
            "경북일보",
        ),
        (
            '해오름동맹광역추진단 경주서 출범…"특별법 조속 입법이 첫 과제"',
            "https://www.news1.kr/local/daegu-gyeongbuk/5671234",
            "뉴스1",
        ),
        (
            "해오름산업 벨트 특별법, 행안위 상정 언제쯤…지역 정치권 '속도전' 주문",
            "https://www.imaeil.com/page/view/2025031907301234567",
            "매일신문",
        ),
        (
            "포항·경주·울산 상생협의회…해오름 산업벨트 특별법 공동 건의",
            "https://www.kbmaeil.com/article/20251124500321",
            "경북매일",
        ),
    ]
    assert items[0].published_at == datetime(2024, 9, 1, 17, 12, tzinfo=KST)
    assert items[0].summary.startswith(
        "국민의힘 박성민(울산 중구) 의원이 30일 포항·경주·울산을 하나의 산업권으로 묶는 "
        "'해오름산업벨트 지원에 관한 특별법안'을 대표발의했다."
    )


def test_naver_falls_back_to_link_and_skips_items_without_title_or_link() -> None:
    body = json.dumps(
        {
            "total": 3,
            "items": [
                {
                    "title": "<b>해오름동맹</b> 회의",
                    "originallink": "",
                    "link": "https://n.news.naver.com/mnews/article/001/0000000001",
                    "description": "",
                    "pubDate": "",
                },
                {"title": "", "link": "https://example.kr/1"},
                {"title": "제목만 있음"},
                "not an item",
            ],
        }
    )
    result = parse_naver(body)
    assert [(i.title, i.url, i.original_url) for i in result.items] == [
        ("해오름동맹 회의", "https://n.news.naver.com/mnews/article/001/0000000001", None)
    ]
    assert result.items[0].published_at is None
    assert result.skipped == 3


def test_naver_error_body_is_a_source_error() -> None:
    body = '{"errorMessage": "Authentication failed (인증에 실패했습니다.)", "errorCode": "024"}'
    with pytest.raises(SourceError) as info:
        parse_naver(body)
    assert info.value.code == "024"


@pytest.mark.parametrize(
    "body", ["", "<html><body>502 Bad Gateway</body></html>", "[]", '{"total": 0}', "null"]
)
def test_naver_non_response_is_a_parse_error(body: str) -> None:
    with pytest.raises(ParseError):
        parse_naver(body)


def test_naver_empty_result_is_no_items_not_an_error() -> None:
    body = '{"lastBuildDate": "Tue, 24 Feb 2026 11:10:31 +0900", "total": 0, "items": []}'
    assert parse_naver(body) == FeedResult()


def test_regional_feed_reads_naive_cms_dates_as_korean_time() -> None:
    items = parse_feed(get_testbytes(REGIONAL)).items
    story = next(item for item in items if item.url == KSILBO_1004211)
    assert story.published_at == datetime(2024, 9, 1, 17, 12, tzinfo=KST)
    assert story.title == STORY_1
    assert story.summary.startswith("국민의힘 박성민(울산 중구) 의원이")


def test_regional_feed_source_is_the_feed_title_or_the_given_name() -> None:
    data = get_testbytes(REGIONAL)
    assert {item.source for item in parse_feed(data).items} == {"경상일보"}
    assert {item.source for item in parse_feed(data, "Kyongsang Ilbo").items} == {"Kyongsang Ilbo"}


def test_truncated_feed_keeps_complete_items_and_reports_the_cut() -> None:
    result = parse_feed(get_testbytes(TRUNCATED))
    assert [item.url.rsplit("=", 1)[1] for item in result.items] == [
        "1004230",
        "1004229",
        "1004227",
    ]
    assert result.skipped == 1
    assert result.errors and "well-formed" in result.errors[0]


def test_euc_kr_declared_utf8_feed_decodes_without_mojibake() -> None:
    result = parse_feed(get_testbytes(EUC_KR_DECLARED))
    assert [item.title for item in result.items] == [
        "경주시의회, 해오름 산업벨트 특별법 제정 촉구 결의안 채택",
        "포항시, 해오름동맹 청년 일자리 박람회 개최",
    ]
    assert result.items[0].source == "경북신문"
    assert result.errors == []


def test_a_real_euc_kr_feed_still_decodes_by_its_declaration() -> None:
    data = get_testbytes(EUC_KR_DECLARED).decode("utf-8").encode("euc-kr")
    result = parse_feed(data)
    assert result.items[1].title == "포항시, 해오름동맹 청년 일자리 박람회 개최"


def test_items_without_dates_are_kept_and_without_title_or_link_skipped() -> None:
    xml = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>
    <title>울산신문</title>
    <item><title>해오름동맹 회의</title><link>https://www.ulsanpress.net/news/1</link></item>
    <item><title>날짜가 이상함</title><link>https://www.ulsanpress.net/news/2</link>
      <pubDate>어제 오후</pubDate></item>
    <item><title></title><link>https://www.ulsanpress.net/news/3</link></item>
    <item><title>링크 없음</title></item>
    </channel></rss>"""
    result = parse_feed(xml.encode("utf-8"))
    assert [(i.title, i.published_at) for i in result.items] == [
        ("해오름동맹 회의", None),
        ("날짜가 이상함", None),
    ]
    assert result.skipped == 2


def test_atom_feed() -> None:
    atom = """<?xml version="1.0" encoding="utf-8"?>
    <feed xmlns="http://www.w3.org/2005/Atom"><title>울산매일 - 정치</title>
    <entry><title>해오름 산업벨트 특별법 상정</title>
      <link href="https://www.iusm.co.kr/news/articleView.html?idxno=7"/>
      <updated>2025-03-19T07:30:00+09:00</updated><summary>행안위 상정</summary></entry>
    </feed>"""
    [item] = parse_feed(atom.encode("utf-8")).items
    assert item.url == "https://www.iusm.co.kr/news/articleView.html?idxno=7"
    assert item.source == "울산매일"
    assert item.published_at == datetime(2025, 3, 19, 7, 30, tzinfo=KST)
    assert item.summary == "행안위 상정"


def test_a_well_formed_feed_without_items_is_empty_not_an_error() -> None:
    xml = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
    assert parse_feed(xml) == FeedResult()


NOT_FEEDS = [
    b"",
    b"garbage",
    b"<html><head><title>503</title></head><body>Service Unavailable</body></html>",
    b'{"items": []}',
    b"<?xml version='1.0'?><error><code>500</code></error>",
    b'<?xml version="1.0"?><rss version="2.0"><chan',
    # A path or URL must be read as content, never opened or fetched.
    b"/etc/hostname",
    b"http://127.0.0.1:9/feed.xml",
]


@pytest.mark.parametrize("data", NOT_FEEDS)
@pytest.mark.parametrize("parser", [parse_feed, parse_google_news])
def test_non_feed_input_is_a_parse_error(
    parser: Callable[[bytes], FeedResult], data: bytes
) -> None:
    with pytest.raises(ParseError):
        parser(data)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sun, 01 Sep 2024 08:12:00 GMT", datetime(2024, 9, 1, 17, 12, tzinfo=KST)),
        ("Mon, 25 Nov 2024 14:03:00 +0900", datetime(2024, 11, 25, 14, 3, tzinfo=KST)),
        ("2024-09-01 17:12:00", datetime(2024, 9, 1, 17, 12, tzinfo=KST)),
        ("2024-09-01T08:12:00Z", datetime(2024, 9, 1, 17, 12, tzinfo=KST)),
        ("2024.09.01 17:12", datetime(2024, 9, 1, 17, 12, tzinfo=KST)),
        ("", None),
        ("어제", None),
        (None, None),
    ],
)
def test_parse_date(text: str | None, expected: datetime | None) -> None:
    assert parse_date(text) == expected


@settings(max_examples=200, deadline=None)
@given(st.binary())
def test_arbitrary_bytes_into_feed_parsers_raise_only_parse_error(data: bytes) -> None:
    for parser in (parse_feed, parse_google_news):
        with contextlib.suppress(ParseError):
            parser(data)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_arbitrary_text_into_each_parser_raises_only_parse_error(text: str) -> None:
    for parser in (parse_google_news, parse_naver):
        with contextlib.suppress(ParseError):
            parser(text)


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(
                st.sampled_from(["items", "title", "link", "originallink", "pubDate", "x"]),
                inner,
                max_size=5,
            )
        ),
        max_leaves=20,
    )
)
def test_arbitrary_json_into_naver_raises_only_parse_error(value: object) -> None:
    with contextlib.suppress(ParseError):
        parse_naver(json.dumps(value))
