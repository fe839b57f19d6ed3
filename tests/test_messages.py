"""Alert texts: escaped for Slack's mrkdwn, within Slack's limits, failures staff can act on."""

from __future__ import annotations

import pytest

from notifiers.messages import format_alert, format_plain
from tracker.demo.replica.slack import MAX_TEXT, blocks_error


def blocks_text(kind: str, payload: dict) -> str:
    return "\n".join(b["text"]["text"] for b in format_alert(kind, payload).blocks)


def test_every_field_of_a_news_alert_is_escaped_and_links_survive():
    payload = {
        "articles": [
            {
                "title": "<단독> 해오름 특별법 A&B <b>통과</b>",
                "url": "https://news.example/a?x=1&y=<2>|3",
                "source": "<경상>&일보",
                "other_sources": ["x"],
                "published_at": "2026-06-01T09:00:00+09:00",
            }
        ],
        "total": 1,
    }
    shown = blocks_text("news", payload)
    assert (
        "<https://news.example/a?x=1&amp;y=%3C2%3E%7C3|&lt;단독&gt; 해오름 특별법 A&amp;B" in shown
    )
    assert "&lt;b&gt;통과&lt;/b&gt;>" in shown
    assert "(&lt;경상&gt;&amp;일보 외 1곳 · 2026-06-01 09:00)" in shown
    text = format_alert("news", payload).text
    assert "&lt;단독&gt;" in text and "<" not in text
    # The console shows the text as it is.
    assert "<단독> 해오름 특별법 A&B <b>통과</b>" in format_plain("news", payload)


@pytest.mark.parametrize(
    ("kind", "payload", "raw"),
    [
        (
            "stage_change",
            {"title": "법<안>", "new_stage": "passed", "new_result": "수정&가결", "changes": []},
            "수정&amp;가결",
        ),
        (
            "new_bill",
            {"title": "법안", "proposer": "<홍길동> 등 10인", "committee": "A&B위원회"},
            "&lt;홍길동&gt; 등 10인 · A&amp;B위원회",
        ),
        (
            "source_failure",
            {"source": "assembly_api", "event": "failure", "error": "HTTP 500 <html>&"},
            "`HTTP 500 &lt;html&gt;&amp;`",
        ),
        (
            "meeting",
            {"title": "법안", "meeting": "A&B <소위>", "held_on": "2026-06-20", "result": "<의결>"},
            "A&amp;B &lt;소위&gt; (2026-06-20)에서 심사\n회의 결과: &lt;의결&gt;",
        ),
    ],
)
def test_names_results_and_errors_are_escaped(kind, payload, raw):
    assert raw in blocks_text(kind, payload)


def test_twenty_long_articles_are_split_into_sections_slack_accepts():
    article = {
        "title": "해오름산업벨트 " + "가" * 290,
        "url": "https://news.google.com/rss/articles/" + "C" * 250 + "?oc=5",
        "source": "경상일보",
        "published_at": "2026-06-01T09:00:00+09:00",
    }
    payload = {"articles": [article] * 20, "total": 25}
    message = format_alert("news", payload)
    assert len(message.blocks) > 1
    assert blocks_error(message.blocks) is None
    assert len(message.text) <= MAX_TEXT
    shown = blocks_text("news", payload)
    assert shown.count("• <https://news.google.com/") == 20
    assert "… 외 5건" in shown


def test_a_url_too_long_to_link_leaves_the_title():
    article = {"title": "제목", "url": "https://x.example/" + "a" * 2000}
    assert "• 제목" in blocks_text("news", {"articles": [article], "total": 1})


def test_thousands_of_lines_stay_within_fifty_blocks():
    groups = [
        {"stage": "committee_review", "count": 2000, "bills": [{"title": "법안 " * 100}] * 10}
    ]
    payload = {"total": 2000, "stages": groups}
    message = format_alert("summary", payload)
    assert blocks_error(message.blocks) is None
    assert "… 외 1990건" in blocks_text("summary", payload)


@pytest.mark.parametrize(
    ("source", "extra", "name", "todo"),
    [
        ("assembly_api", {}, "국회 Open API (의안 목록)", "ASSEMBLY_API_KEY"),
        (
            "bill_page:PRC_X",
            {"bill_no": "2212345", "title": "해오름법"},
            "의안정보시스템 페이지 (의안 2212345 해오름법)",
            "likms.assembly.go.kr",
        ),
        ("google_news", {}, "구글 뉴스", "news.google.com"),
        ("naver_news", {}, "네이버 뉴스", "NAVER_CLIENT_ID"),
        ("feed:k.kr/rss/all.xml", {}, "뉴스 피드 k.kr/rss/all.xml", "[sources.news] feeds"),
    ],
)
def test_a_source_failure_says_which_since_when_impact_and_what_to_do(source, extra, name, todo):
    payload = {
        "source": source,
        "event": "failure",
        "error": f"{source.split(':')[0]}: HTTP 503 from https://x",
        "since": "2026-06-10T09:00:00+09:00",
        "failures": 3,
        **extra,
    }
    text = format_alert("source_failure", payload).text
    lines = text.splitlines()
    assert lines[0] == f"🚨 수집 실패: {name}"
    assert "언제부터: 2026-06-10 09:00 (연속 3회 실패)" in text
    assert "영향:" in text and "원인: 출처 서버 오류" in text
    assert todo in text
    assert source.split(":")[0] not in text.replace(todo, "")


def test_a_recovery_says_how_long_it_failed():
    payload = {
        "source": "naver_news",
        "event": "recovery",
        "since": "2026-06-10T09:00:00+09:00",
        "at": "2026-06-11T10:30:00+09:00",
        "failures": 5,
    }
    assert format_alert("source_failure", payload).text == (
        "✅ 수집 복구: 네이버 뉴스\n"
        "• 2026-06-10 09:00부터 5회 연속 실패 뒤 2026-06-11 10:30에 다시 정상 수집되었습니다."
    )


def test_a_bill_found_past_committee_is_newly_followed_not_new():
    payload = {"title": "법안", "new_stage": "passed", "newly_followed": True}
    assert format_alert("new_bill", payload).text.startswith("🔎 신규 추적: 법안")
    assert format_alert("new_bill", {"title": "법안"}).text.startswith("🆕 새 의안: 법안")


def test_a_meeting_names_the_bill_the_meeting_and_links_its_minutes():
    payload = {
        "bill_no": "2203257",
        "title": "해오름산업벨트 지원에 관한 특별법안",
        "detail_url": "https://likms.assembly.go.kr/bill/billDetail.do?billId=PRC_X",
        "meeting": "행정안전위원회 법안심사제1소위원회",
        "held_on": "2026-06-20",
        "result": "심사",
        "minutes_url": "https://record.assembly.go.kr/pdf.do?id=56297&x=<1>",
    }
    assert blocks_text("meeting", payload).splitlines() == [
        "🏛️ 위원회 회의: 2203257 <https://likms.assembly.go.kr/bill/billDetail.do?billId=PRC_X"
        "|해오름산업벨트 지원에 관한 특별법안>",
        "행정안전위원회 법안심사제1소위원회 (2026-06-20)에서 심사,"
        " <https://record.assembly.go.kr/pdf.do?id=56297&amp;x=%3C1%3E|회의록>",
    ]
    plain = format_plain("meeting", payload)
    assert plain.splitlines()[1] == (
        "행정안전위원회 법안심사제1소위원회 (2026-06-20)에서 심사, 회의록"
        " https://record.assembly.go.kr/pdf.do?id=56297&x=<1>"
    )
