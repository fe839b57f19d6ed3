"""``tracker verify`` against the replica: one line a source, exit 3 when one no longer reads."""

from __future__ import annotations

import pytest

from tests.helpers import get_testdata
from tracker.demo.replica import scenario
from tracker.demo.replica.bill_pages import MAINTENANCE, PageFault
from tracker.demo.replica.news import alliance_meeting

pytestmark = pytest.mark.e2e

SOURCES = ["Open API", "bill page", "billInfo.do", "anBillInfo.do", "news"]


def verify(env, code):
    result = env.tracker("verify")
    assert result.returncode == code, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(": ", 1)[0][5:] for line in lines] == SOURCES
    return {line.split(": ", 1)[0][5:]: line for line in lines}


def test_every_source_still_reads_the_reference_bill(env):
    lines = verify(env, 0)
    assert lines["Open API"] == (
        "ok   Open API: 2206772 인공지능 발전과 신뢰 기반 조성 등에 관한 기본법안(대안): "
        "promulgated, 원안가결"
    )
    assert lines["billInfo.do"] == (
        "ok   billInfo.do: promulgated, 원안가결, 공포 2025-01-21 제20676호"
    )
    assert lines["anBillInfo.do"].startswith("ok   anBillInfo.do: 대안 2206772")
    assert lines["news"] == "ok   news: Google News: 1 article(s) for '인공지능 기본법'"
    assert not env.db.exists(), "verify stores nothing"


@pytest.mark.parametrize(
    ("fault", "failing", "says"),
    [
        (
            PageFault(info=get_testdata("likms/billInfo_layout_changed.html")),
            "billInfo.do",
            "div.bill_step_list#insc-step-sect missing",
        ),
        (
            PageFault(info=get_testdata("likms/superseded/billInfo_haeoreum.html")),
            "billInfo.do",
            "div.bill_step_list#insc-step-sect missing",
        ),
        (MAINTENANCE, "bill page", "서비스 점검"),
        (PageFault(status=500), "bill page", "HTTP 500"),
    ],
)
def test_a_page_that_no_longer_reads_is_named(env, replica, fault, failing, says):
    replica.pages.faults[scenario.REFERENCE] = fault
    lines = verify(env, 3)
    assert lines[failing].startswith(f"FAIL {failing}: ") and says in lines[failing]
    assert lines["Open API"].startswith("ok") and lines["news"].startswith("ok")


def test_an_api_that_no_longer_agrees_is_named(env, replica):
    replica.assembly.row(scenario.REFERENCE)["PROC_RESULT_CD"] = "수정가결"
    lines = verify(env, 3)
    assert lines["Open API"] == "FAIL Open API: result is '수정가결', expected '원안가결'"


def test_an_api_that_is_down_is_named(env, replica):
    replica.assembly.fault = "http500"
    lines = verify(env, 3)
    assert lines["Open API"].startswith("FAIL Open API: HTTP 500")
    assert lines["billInfo.do"].startswith("ok")


def test_news_that_finds_nothing_is_named(env, replica):
    replica.news.articles.clear()
    lines = verify(env, 3)
    assert lines["news"] == "FAIL news: Google News found nothing for '인공지능 기본법'"


def test_the_reference_bill_is_configurable(env, replica):
    replica.advance(scenario.HAEOREUM_ACT, "passed", "2026-07-03")
    replica.advance(scenario.HAEOREUM_ACT, "promulgated", "2026-07-14")
    row = replica.assembly.row(scenario.HAEOREUM_ACT)
    with env.config.open("a", encoding="utf-8") as config:
        config.write(
            "\n[verify]\n"
            f'bill_id = "{scenario.HAEOREUM_ACT}"\n'
            'bill_no = "2203257"\n'
            f'promulgation_no = "{row["PROM_NO"]}"\n'
            'promulgated_on = "2026-07-14"\n'
            'news_query = "해오름동맹"\n'
        )
    replica.news.add(alliance_meeting())
    lines = verify(env, 0)
    assert lines["billInfo.do"].startswith("ok   billInfo.do: promulgated, 원안가결")
    assert lines["anBillInfo.do"] == (
        "ok   anBillInfo.do: not asked: the bill is neither an alternative nor folded into one"
    )
    assert lines["news"] == "ok   news: Google News: 1 article(s) for '해오름동맹'"
