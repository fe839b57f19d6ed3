"""Specification of the likms bill page parsers, against saved pages of every layout."""

from __future__ import annotations

import contextlib
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import FIXTURES, get_testdata
from tracker.errors import ParseError, SourceError
from tracker.parsers.likms import (
    AlternativeRef,
    is_error_page,
    parse_bill_info,
    parse_detail_page,
    parse_old_detail,
)

HAEOREUM_ID = "PRC_H2A4E0U8R1E5U2M0B2E3L1T6P0N8S4"
ALTERNATIVE_ID = "PRC_A2L4T0E8R1N5A2T0I3V1E6B0I8L1"
HAEOREUM = "해오름산업벨트 지원에 관한 특별법안"


def likms(name: str) -> str:
    return get_testdata(f"likms/{name}")


def changed(name: str, old: str, new: str) -> str:
    """A fixture with the first occurrence of some markup replaced (it must be there)."""
    text = likms(name)
    assert old in text, f"{old!r} not in {name}"
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("name", "bill_id", "bill_no", "title", "proposer", "step", "stage", "csrf"),
    [
        (
            "billDetailPage_haeoreum.html",
            HAEOREUM_ID,
            "2203257",
            HAEOREUM,
            "박성민의원 등 12인",
            "위원회 심사",
            "committee_review",
            "3f9c1d2e-7a4b-4c8e-9b1f-52d6e0a8c417",
        ),
        (
            "billDetailPage_real_sample.html",
            "PRC_G2G6E0D9E2Z3A1Y7Z5X1Y0W4E9E6D5",
            "2221798",
            "유아교육법 일부개정법률안",
            "김문수의원 등 12인",
            "위원회 심사",
            "committee_review",
            None,
        ),
        (
            "billDetailPage_promulgated.html",
            "PRC_P2R5O0M8U1L4G2A0T7E3D9S1H6J0K4",
            "2205118",
            "산업입지 및 개발에 관한 법률 일부개정법률안",
            "서범수의원 등 11인",
            "공포",
            "promulgated",
            "b81e4a07-2c6d-4f39-a5e2-0d7c93f1b6a8",
        ),
        (
            # The heading repeats the proposer: "(대안)(행정안전위원장)(행정안전위원장)". Only
            # the last group is the proposer, which leaves the API's BILL_NM as the title.
            "billDetailPage_alternative_promulgated.html",
            ALTERNATIVE_ID,
            "2214410",
            f"{HAEOREUM}(대안)(행정안전위원장)",
            "행정안전위원장",
            "공포",
            "promulgated",
            "3f2a9c1e-5e1c-4c1b-9f3a-7d0b2c4e6a81",
        ),
    ],
)
def test_detail_page_fields(name, bill_id, bill_no, title, proposer, step, stage, csrf):
    page = parse_detail_page(likms(name))
    assert page.bill_id == bill_id
    assert page.bill_no == bill_no
    assert page.title == title
    assert page.proposer == proposer
    assert page.current_step == step
    assert page.current_stage == stage
    assert page.csrf_token == csrf
    assert page.csrf_header == "X-CSRF-TOKEN"
    assert page.form_fields["billId"] == bill_id
    assert page.form_fields["currCmtName"] == step


def test_detail_page_form_fields_are_every_hidden_input():
    page = parse_detail_page(likms("billDetailPage_haeoreum.html"))
    assert list(page.form_fields) == [
        "billId",
        "billNo",
        "billKindCd",
        "currCmtName",
        "reexamYn",
        "mainUpdateBillYn",
        "billGbnCd",
        "tmprAnYn",
        "headMemo",
        "headMemoInfo",
        "withdrawCnt",
        "intrsBillCnt",
        "stageMemo",
    ]
    assert page.form_fields["billGbnCd"] == ""
    assert page.form_fields["headMemoInfo"] == "비용추계요구서 제출됨."


@pytest.mark.parametrize(
    ("heading", "title", "proposer"),
    [
        (f"[2203257] {HAEOREUM}(대안)(행정안전위원장)", f"{HAEOREUM}(대안)", "행정안전위원장"),
        (f"[2203257]  {HAEOREUM} (박성민의원 등 12인) ", HAEOREUM, "박성민의원 등 12인"),
        ("[2203257] 법(개정(안))(정부)", "법(개정(안))", "정부"),
        (f"[2203257] {HAEOREUM}", HAEOREUM, None),
    ],
)
def test_detail_title_loses_only_the_last_parenthesis(heading, title, proposer):
    html = changed(
        "billDetailPage_haeoreum.html",
        f"[2203257] {HAEOREUM}(박성민의원 등 12인)",
        heading,
    )
    page = parse_detail_page(html)
    assert (page.title, page.proposer) == (title, proposer)


def test_detail_page_csrf_header_defaults_when_meta_missing():
    html = changed(
        "billDetailPage_haeoreum.html", '<meta name="_csrf_header" content="X-CSRF-TOKEN"/>', ""
    )
    assert parse_detail_page(html).csrf_header == "X-CSRF-TOKEN"


@pytest.mark.parametrize(
    ("old", "new", "missing"),
    [
        ('class="detailh3"', 'class="title"', "h3.detailh3 missing"),
        ('<form id="form"', '<form id="searchForm"', "form#form missing"),
        ('name="billId"', 'name="bill_id"', "billId missing"),
        ("[2203257] ", "", "is not '[bill number] title'"),
        ("[2203257]", "[2203258]", "differs"),
    ],
)
def test_detail_page_layout_drift_is_a_parse_error(old, new, missing):
    with pytest.raises(ParseError, match=re.escape(missing)):
        parse_detail_page(changed("billDetailPage_haeoreum.html", old, new))


def test_redesigned_detail_page_is_a_parse_error():
    with pytest.raises(ParseError) as error:
        parse_detail_page(likms("billDetailPage_layout_changed.html"))
    assert error.value.source == "bill_page"
    assert "h3.detailh3" in error.value.what


RECEIPT_ONLY = {"steps": [], "current_step": None, "stage": None, "result": None}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            # The live site fills #stage_list by script: the capture holds only its heading.
            "billInfo_real_sample.html",
            {"bill_no": "2221798", "proposed_on": "2026-10-06", "committee": None, **RECEIPT_ONLY},
        ),
        (
            "billInfo_haeoreum.html",
            {"bill_no": "2203257", "proposed_on": "2024-08-30", "proposer": None, **RECEIPT_ONLY},
        ),
        (
            "billInfo_stages_committee_review.html",
            {
                "bill_no": "2203257",
                "proposed_on": "2024-08-30",
                "proposer": "박성민의원 등 12인",
                "committee": "행정안전위원회",
                "steps": [
                    ("접수", "received", "2024-08-30", "박성민의원 등 12인 발의"),
                    ("소관위 회부", "committee_review", "2024-09-02", "행정안전위원회"),
                ],
                "current_step": "위원회 심사",
                "stage": "committee_review",
                "result": None,
                "alternative": None,
            },
        ),
        (
            "billInfo_stages_replaced_by_alternative.html",
            {
                "bill_no": "2203257",
                "steps": [
                    ("접수", "received", "2024-08-30", "박성민의원 등 12인 발의"),
                    ("소관위 회부", "committee_review", "2024-09-02", "행정안전위원회"),
                    ("소관위 상정", "committee_review", "2026-06-17", "행정안전위원회"),
                    ("소관위 처리", "committee_review", "2026-06-24", "대안반영폐기"),
                    (
                        "대안반영폐기",
                        "replaced_by_alternative",
                        "2026-06-24",
                        "위원회 대안에 반영되어 폐기",
                    ),
                ],
                # The step bar still points at the committee; the result ends the bill.
                "current_step": "위원회 심사",
                "stage": "replaced_by_alternative",
                "result": "대안반영폐기",
                "alternative": AlternativeRef(
                    bill_id=ALTERNATIVE_ID,
                    bill_no="2214410",
                    title=f"{HAEOREUM}(대안)(행정안전위원장)",
                    proposed_on="2026-06-24",
                ),
            },
        ),
        (
            "billInfo_stages_alternative_promulgated.html",
            {
                "bill_no": "2214410",
                "proposed_on": "2026-06-24",
                "proposer": "행정안전위원장",
                "committee": "행정안전위원회",
                "steps": [
                    ("접수", "received", "2026-06-24", "행정안전위원장 제안"),
                    ("체계자구심사 회부", "judiciary_review", "2026-06-25", "법제사법위원회"),
                    ("체계자구심사 상정", "judiciary_review", "2026-07-01", "법제사법위원회"),
                    ("체계자구심사 처리", "judiciary_review", "2026-07-02", "원안가결"),
                    ("본회의 부의", "plenary", "2026-07-02", "본회의 심의"),
                    ("본회의 의결", "passed", "2026-07-03", "원안가결"),
                    ("정부이송", "sent_to_government", "2026-07-07", "정부이송"),
                    (
                        "공포",
                        "promulgated",
                        "2026-07-14",
                        "법률 제20987호 해오름산업벨트 지원에 관한 특별법",
                    ),
                ],
                "current_step": "공포",
                "stage": "promulgated",
                "result": "원안가결",
                "alternative": None,
            },
        ),
    ],
)
def test_bill_info_fields(name, expected):
    info = parse_bill_info(likms(name))
    for field, value in expected.items():
        actual = getattr(info, field)
        if field == "steps":
            actual = [(s.name, s.stage, s.date, s.description) for s in actual]
        assert actual == value, field


@pytest.mark.parametrize(
    ("name", "starts"),
    [
        ("billInfo_haeoreum.html", "포항ㆍ경주ㆍ울산 세 도시는"),
        ("billInfo_real_sample.html", "현행 「유아교육법」은"),
        ("billInfo_stages_committee_review.html", "포항·경주·울산의"),
    ],
)
def test_summary_drops_heading_and_normalises_each_line(name, starts):
    summary = parse_bill_info(likms(name)).summary
    assert summary is not None
    assert summary.startswith(starts)
    for line in summary.splitlines():
        assert line == " ".join(line.split())
    assert "\n\n\n" not in summary


def test_summary_keeps_its_paragraphs():
    summary = parse_bill_info(likms("billInfo_haeoreum.html")).summary
    assert summary is not None
    assert "\n\n참고사항\n\n이 법률안은 박성민의원이" in summary


def with_step(stage: str, desc: str) -> str:
    """The committee-review fragment with one more dated step."""
    row = (
        f'<tr><td class="stage">{stage}</td><td class="date">2025-03-04</td>'
        f'<td class="desc">{desc}</td></tr>\n'
    )
    return changed(
        "billInfo_stages_committee_review.html", "</tbody></table>", row + "</tbody></table>"
    )


def test_committee_amendment_is_not_the_bills_result():
    info = parse_bill_info(with_step("소관위 처리", "수정가결"))
    assert info.steps[-1].description == "수정가결"
    assert info.result is None
    assert info.stage == "committee_review"


@pytest.mark.parametrize(
    ("step", "desc", "result", "stage"),
    [
        ("본회의 의결", "수정가결", "수정가결", "passed"),
        ("본회의 심의", "원안가결", "원안가결", "passed"),
        ("본회의 의결", "부결", "부결", "rejected"),
        ("철회", "제안자 철회", "철회", "withdrawn"),
        ("임기만료폐기", "제21대 국회 임기만료", "임기만료폐기", "discarded"),
    ],
)
def test_result_and_ending_stage(step, desc, result, stage):
    info = parse_bill_info(with_step(step, desc))
    assert (info.result, info.stage) == (result, stage)


def test_current_step_is_last_finished_when_none_is_current():
    html = changed(
        "billInfo_stages_alternative_promulgated.html",
        '<li class="on"><span>공포</span>',
        '<li class=""><span>공포</span>',
    )
    assert parse_bill_info(html).current_step == "정부이송"


def test_dates_in_dotted_form_are_normalised():
    html = changed(
        "billInfo_stages_committee_review.html",
        '<td class="date">2024-09-02</td>',
        '<td class="date">2024. 9. 2.</td>',
    )
    assert parse_bill_info(html).steps[1].date == "2024-09-02"


@pytest.mark.parametrize(
    ("name", "old", "new", "missing"),
    [
        ("billInfo_stages_committee_review.html", 'id="stage-rows"', 'id="rows"', "stage-rows"),
        ("billInfo_stages_committee_review.html", "<table class", "<div class", "stage-rows"),
        ("billInfo_stages_committee_review.html", 'id="stage_list"', 'id="steps"', "stage_list"),
        ("billInfo_stages_committee_review.html", 'class="stage"', 'class="name"', "td.stage"),
        ("billInfo_stages_committee_review.html", "2024-09-02</td>", "곧</td>", "not a date"),
        ("billInfo_stages_committee_review.html", "<i>제안일자</i><span>", "<span>-", "date"),
        ("billInfo_stages_committee_review.html", 'class="billNo"', 'class="no"', "billNo"),
        ("billInfo_real_sample.html", 'id="rcp_list"', 'id="receipt"', "rcp_list"),
        (
            "billInfo_stages_replaced_by_alternative.html",
            "data-bill-id=",
            "data-id=",
            "#altr_list",
        ),
    ],
)
def test_bill_info_layout_drift_is_a_parse_error(name, old, new, missing):
    with pytest.raises(ParseError, match=missing):
        parse_bill_info(changed(name, old, new))


def test_stage_table_without_rows_is_a_parse_error_not_a_bill_without_steps():
    text = likms("billInfo_stages_committee_review.html")
    start = text.index('<tbody id="stage-rows">') + len('<tbody id="stage-rows">')
    end = text.index("</tbody>", start)
    with pytest.raises(ParseError, match="no rows"):
        parse_bill_info(text[:start] + text[end:])


def test_redesigned_bill_info_is_a_parse_error():
    with pytest.raises(ParseError, match="rcp_list"):
        parse_bill_info(likms("billInfo_layout_changed.html"))


def test_old_detail_page():
    info = parse_old_detail(likms("old_billDetail.html"))
    assert info.title == HAEOREUM
    assert info.bill_no == "2203257"
    assert info.proposed_on == "2024-08-30"
    assert info.proposer == "박성민의원 등 12인"
    assert info.current_step == "위원회 심사"
    assert info.stage == "committee_review"
    assert (info.steps, info.result, info.committee, info.alternative) == ([], None, None, None)
    assert info.summary is not None
    assert info.summary.startswith("포항ㆍ경주ㆍ울산 세 도시는")
    assert len(info.summary.splitlines()) == 2


@pytest.mark.parametrize(
    ("old", "new", "missing"),
    [
        ('class="titCont"', 'class="tit"', "h3.titCont"),
        ('class="tableCol01"', 'class="table"', "tableCol01"),
        ('class="stepType01"', 'class="steps"', "stepType01"),
    ],
)
def test_old_detail_layout_drift_is_a_parse_error(old, new, missing):
    with pytest.raises(ParseError, match=missing):
        parse_old_detail(changed("old_billDetail.html", old, new))


@pytest.mark.parametrize("parse", [parse_detail_page, parse_bill_info, parse_old_detail])
def test_maintenance_page_is_a_source_error(parse):
    with pytest.raises(SourceError, match="서비스 점검 중입니다"):
        parse(likms("error_page_200.html"))


@pytest.mark.parametrize("path", sorted(p.name for p in (FIXTURES / "likms").glob("*.html")))
def test_only_the_maintenance_page_is_an_error_page(path):
    assert is_error_page(likms(path)) == (path == "error_page_200.html")


def test_summary_mentioning_maintenance_is_not_an_error_page():
    html = changed("billInfo_haeoreum.html", "참고사항", "시스템 점검 중 장애 대응에 관한 사항")
    assert not is_error_page(html)
    parse_bill_info(html)


def test_script_text_is_not_page_text():
    html = changed("billInfo_haeoreum.html", "</pre>", "<script>var h = '점검 중';</script></pre>")
    assert not is_error_page("<h1>안내<script>'서비스 점검 중'</script></h1>")
    assert parse_bill_info(html) == parse_bill_info(likms("billInfo_haeoreum.html"))


@pytest.mark.parametrize(
    "prefix", ['<?xml version="1.0" encoding="euc-kr"?>\n', '<meta charset="euc-kr">', "\ufeff"]
)
def test_declared_encoding_of_a_decoded_page_is_ignored(prefix):
    name = "billDetailPage_haeoreum.html"
    assert parse_detail_page(prefix + likms(name)) == parse_detail_page(likms(name))


@pytest.mark.parametrize("parse", [parse_detail_page, parse_bill_info, parse_old_detail])
@pytest.mark.parametrize("html", ["", " \n", "<!-- 빈 페이지 -->", "<!DOCTYPE html>"])
def test_page_without_elements_is_a_parse_error(parse, html):
    assert not is_error_page(html)
    with pytest.raises(ParseError, match="missing"):
        parse(html)


SNIPPETS = [
    '<h3 class="detailh3">',
    "[2203257] 법안(의원)",
    "</h3>",
    '<form id="form">',
    '<input type="hidden" name="billId" value="PRC_X">',
    '<input type="hidden" name="billNo" value="2203257">',
    "</form>",
    '<div id="stage_list">',
    '<div class="theme_title_wrap"><h3>심사진행단계</h3></div>',
    '<ul class="stage_step"><li class="on"><span>공포</span></li></ul>',
    '<table><tbody id="stage-rows">',
    '<tr><td class="stage">본회의 의결</td><td class="date">2026-07-03</td>',
    '<td class="desc">원안가결</td></tr>',
    "</tbody></table>",
    "</div>",
    '<div id="rcp_list"><table><tbody id="insc-rcp-row"><tr>',
    '<td class="billNo"><span>2203257</span></td>',
    '<td class="proposeDt"><span>2024-08-30</span></td>',
    '<div id="altr_list"><a data-bill-id="PRC_Y">대안</a>',
    '<pre id="prntSummary">제안이유 및 주요내용\n\n  내용</pre>',
    '<h3 class="titCont">',
    '<div class="stepType01"><span class="on">위원회 심사</span></div>',
    '<div class="tableCol01"><table><tbody><tr><td>1</td><td>2024-13-40</td><td>x</td>',
    "<h1>서비스 점검 중입니다</h1>",
]


@pytest.mark.parametrize("parse", [parse_detail_page, parse_bill_info, parse_old_detail])
@settings(max_examples=150, deadline=None)
@given(text=st.text() | st.lists(st.sampled_from(SNIPPETS) | st.text(max_size=8)).map("".join))
def test_arbitrary_text_gives_a_result_or_a_tracker_error(parse, text):
    with contextlib.suppress(ParseError, SourceError):
        parse(text)
