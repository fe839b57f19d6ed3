"""The replica renders likms pages in the live site's layout, and the parsers read them back."""

from __future__ import annotations

import pytest
from lxml import etree

from tests.helpers import cosmetic_variants, get_testdata
from tracker.demo.replica import scenario
from tracker.demo.replica.bill_pages import FORM_FIELDS, advance_page, alternative_of, page_from_row
from tracker.demo.replica.likms_pages import (
    render_alternatives,
    render_bill_info,
    render_detail_page,
)
from tracker.parsers.likms import parse_alternatives, parse_bill_info, parse_detail_page

PROGRESS = (
    ("committee_review", "2024-09-02", "committee_review", None),
    ("judiciary_review", "2026-06-24", "judiciary_review", None),
    ("plenary", "2026-07-01", "plenary", None),
    ("passed", "2026-07-03", "passed", "원안가결"),
    ("sent_to_government", "2026-07-07", "sent_to_government", "원안가결"),
    ("promulgated", "2026-07-14", "promulgated", "원안가결"),
)


def skeleton(html: str, xpath: str) -> list[tuple[str, str, str]]:
    """The tags, classes and ids under the first element ``xpath`` finds, in document order."""
    root = etree.fromstring(html.encode(), etree.HTMLParser(encoding="utf-8"))
    [top] = root.xpath(xpath)[:1]
    return [
        (el.tag, el.get("class", ""), el.get("id", ""))
        for el in top.iter()
        if isinstance(el.tag, str)
    ]


def new_page():
    page = page_from_row(scenario.haeoreum_act())
    page.summary = "포항·경주·울산의 해오름산업벨트를 지원하려는 것임."
    return page


def read_back(page):
    shell = parse_detail_page(render_detail_page({**page.bill, "csrf": "token"}))
    return shell, parse_bill_info(render_bill_info(page.bill, page.summary))


def test_step_bar_and_receipt_table_have_the_real_captures_structure():
    real = get_testdata("likms/real/2220475_billInfo.html")
    ours = render_bill_info(page_from_row(scenario.alternative()).bill, "요약")
    for xpath in ("//*[@id='stage_list']", "//tbody[@id='insc-rcp-row']"):
        assert skeleton(ours, xpath) == skeleton(real, xpath)


def test_shell_has_the_real_pages_anchors_and_form():
    real = parse_detail_page(get_testdata("likms/real/2220475_billDetailPage.html"))
    shell, _ = read_back(new_page())
    assert sorted(shell.form_fields) == sorted(real.form_fields) == sorted(FORM_FIELDS)
    html = render_detail_page({**new_page().bill, "csrf": "token"})
    assert "_csrf_header" not in html and 'id="historyForm"' in html


def test_shell_fills_curr_cmt_name_as_the_live_site_does():
    page = page_from_row(scenario.alternative())
    shell, info = read_back(page)
    assert shell.form_fields["currCmtName"] == "위원회 심사"
    assert info.stage == "received"
    assert shell.committee is None, "미확정 before referral"


def test_each_stage_reads_back():
    page = new_page()
    shell, info = read_back(page)
    assert (info.stage, info.result, shell.committee) == (
        "committee_review",
        None,
        "행정안전위원회",
    )
    for stage, day, expected, result in PROGRESS[1:]:
        advance_page(page, stage, day)
        shell, info = read_back(page)
        assert (info.stage, info.result) == (expected, result), stage
        assert (expected, day) in [(e.stage, e.happened_on) for e in info.events]
    assert info.promulgations[0].date == "2026-07-14"
    assert info.summary == page.summary


@pytest.mark.parametrize(
    ("stage", "result"),
    [
        ("replaced_by_alternative", "대안반영폐기"),
        ("withdrawn", "철회"),
        ("discarded", "임기만료폐기"),
        ("rejected", "부결"),
    ],
)
def test_endings_read_back(stage, result):
    page = new_page()
    advance_page(page, stage, "2026-06-24")
    _, info = read_back(page)
    assert (info.stage, info.result) == (stage, result)
    assert info.step_bar[-1].title == result


def test_alternatives_are_sent_twice_and_read_once():
    alternative = alternative_of(scenario.alternative())
    folded = [alternative_of(scenario.haeoreum_act()), alternative_of(scenario.second_act())]
    html = render_alternatives(alternative, folded)
    assert html.count("<caption>대안반영 :") == 2 and html.count("<caption>대안반영폐기 :") == 2
    found = parse_alternatives(html)
    assert found.alternative.bill_no == "2214410"
    assert [ref.bill_no for ref in found.folded] == ["2203257", "2209418"]
    empty = parse_alternatives(render_alternatives(None, []))
    assert (empty.found, empty.alternative, empty.folded) == (True, None, ())


def test_cosmetic_changes_of_replica_pages_read_the_same():
    page = new_page()
    advance_page(page, "judiciary_review", "2026-06-24")
    html = render_bill_info(page.bill, page.summary)
    for variant in cosmetic_variants(html):
        assert parse_bill_info(variant) == parse_bill_info(html)
