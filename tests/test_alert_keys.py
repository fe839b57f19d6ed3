"""The outbox's dedupe keys and alert payloads, as pure functions."""

from __future__ import annotations

import pytest

from tracker.domain import alerts
from tracker.domain.bills import Change, Meeting

AT = "2026-07-01T09:00:00+09:00"
MEETING = Meeting("소관위", "제1차 법안심사소위", "2026-06-30", "대안반영", None)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (alerts.new_bill_key("PRC_A"), "new_bill:PRC_A"),
        (alerts.stage_key("PRC_A", "passed", "원안가결"), "stage:PRC_A:passed:원안가결"),
        (alerts.stage_key("PRC_A", "plenary", None), "stage:PRC_A:plenary:"),
        (
            alerts.fields_key("PRC_A", AT, ["title", "committee"]),
            f"fields:PRC_A:{AT}:committee,title",
        ),
        (alerts.meeting_key("PRC_A", MEETING), "meeting:PRC_A:2026-06-30:제1차 법안심사소위"),
        (alerts.news_key(7, AT), "news:7"),
        (alerts.news_key(None, AT), f"news:{AT}"),
        (
            alerts.source_key("bill_page:PRC_A", "failure", AT),
            f"source:bill_page:PRC_A:failure:{AT}",
        ),
    ],
)
def test_keys(key, expected):
    assert key == expected


def test_a_status_is_alerted_once_whichever_source_reports_it():
    assert alerts.stage_key("PRC_A", "passed", None) == alerts.stage_key("PRC_A", "passed", "")


BILL = {
    "bill_id": "PRC_A",
    "bill_no": "2201234",
    "title": "도로교통법 일부개정법률안",
    "proposer": "홍길동의원 등 10인",
    "committee": "행정안전위원회",
    "detail_url": "https://likms.assembly.go.kr/bill/billDetail.do?billId=PRC_A",
    "matched_by": "keyword:도로교통",
    "stage": "passed",
    "result": "원안가결",
    "summary": "not in an alert",
}


def test_a_stage_change_says_what_it_was_and_what_it_is():
    changes = [Change("PRC_A", "changed", "stage", "plenary", "passed")]
    payload = alerts.stage_change_payload(BILL, changes, None, None)
    assert "summary" not in payload
    assert (payload["old_stage"], payload["new_stage"]) == ("plenary", "passed")
    # The result did not change: old and new are both the current one.
    assert (payload["old_result"], payload["new_result"]) == ("원안가결", "원안가결")
    assert payload["changes"] == [{"field": "stage", "old": "plenary", "new": "passed"}]


def article(n: int) -> dict:
    day = f"2026-06-{n:02d}T09:00:00+09:00" if n else None
    return {
        "title": f"기사 {n}",
        "url": f"https://n.example/{n}",
        "source": "연합뉴스",
        "published_at": day,
        "other_sources": [],
        "summary": "not in an alert",
    }


@pytest.mark.parametrize(
    ("count", "listed", "more"), [(3, 3, False), (20, 20, False), (25, 20, True)]
)
def test_a_news_alert_lists_the_newest_articles_and_links_to_the_rest(count, listed, more):
    payload = alerts.news_payload([article(n) for n in range(count)], "https://more.example")
    assert payload["total"] == count
    assert len(payload["articles"]) == listed
    assert ("more_url" in payload) is more
    dates = [a["published_at"] or "" for a in payload["articles"]]
    assert dates == sorted(dates, reverse=True)
    assert "summary" not in payload["articles"][0]


@pytest.mark.parametrize(
    ("error", "stored"),
    [
        ("timeout\nTraceback ...", "timeout"),
        ("x" * 600, "x" * 500),
        ("  \n", "  \n"),
    ],
)
def test_an_error_is_kept_to_its_first_line(error, stored):
    assert alerts.error_line(error) == stored


def test_the_summary_counts_every_bill_and_lists_the_first_of_each_stage():
    bills = [{**BILL, "bill_id": f"PRC_{n}"} for n in range(12)]
    payload = alerts.summary_payload([("passed", bills), ("plenary", [])], articles=4)
    assert payload["total"] == 12
    assert payload["articles"] == 4
    [group] = payload["stages"]
    assert (group["stage"], group["count"], len(group["bills"])) == ("passed", 12, 10)
    assert set(group["bills"][0]) == {"bill_id", "bill_no", "title", "detail_url"}
