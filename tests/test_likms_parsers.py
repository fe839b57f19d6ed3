"""Specification of the likms bill page parsers: the real captures verbatim, later stages built
from measured facts, and every known layout change failing loudly."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import FIXTURES, cosmetic_variants, get_testdata
from tracker.domain.bills import UNKNOWN
from tracker.errors import ParseError, SourceError
from tracker.parsers.likms import (
    Alternatives,
    BillRef,
    bill_from_pages,
    is_error_page,
    needs_alternatives,
    parse_alternatives,
    parse_bill_info,
    parse_detail_page,
)

REAL_2220475 = "PRC_O2O6N0J7J3I0I1G5F0G5N0O0N1N3L2"
REAL_2220492 = "PRC_G2E6F0D8E0M6K1L6J0K6I4I5R1P1Q4"
AI_ACT = "PRC_R2V4H1W1T2K5M1O6E4Q9T0V7Q9S0U0"
ALL_PAGES = sorted(
    str(p.relative_to(FIXTURES / "likms")) for p in (FIXTURES / "likms").rglob("*.html")
)


def likms(name: str) -> str:
    return get_testdata(f"likms/{name}")


def changed(name: str, old: str, new: str) -> str:
    """A fixture with the first occurrence of some markup replaced (it must be there)."""
    text = likms(name)
    assert old in text, f"{old!r} not in {name}"
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("name", "bill_id", "bill_no", "title", "proposer", "committee", "csrf"),
    [
        (
            "real/2220475_billDetailPage.html",
            REAL_2220475,
            "2220475",
            "조세특례제한법 일부개정법률안",
            "권영세의원 등 10인",
            None,
            "REDACTED-FOR-FIXTURE",
        ),
        (
            "real/2220492_billDetailPage.html",
            REAL_2220492,
            "2220492",
            "빈집 및 소규모주택 정비에 관한 특례법 일부개정법률안",
            "김종양의원 등 11인",
            None,
            "REDACTED-FOR-FIXTURE",
        ),
        (
            "billDetailPage_real_sample.html",
            "PRC_G2G6E0D9E2Z3A1Y7Z5X1Y0W4E9E6D5",
            "2221798",
            "유아교육법 일부개정법률안",
            "김문수의원 등 12인",
            None,
            None,
        ),
        (
            "constructed/billDetailPage_2206772_promulgated.html",
            AI_ACT,
            "2206772",
            "인공지능 발전과 신뢰 기반 조성 등에 관한 기본법안(대안)",
            "과학기술정보방송통신위원장",
            "과학기술정보방송통신위원회",
            "REDACTED-FOR-FIXTURE",
        ),
    ],
)
def test_detail_page_fields(name, bill_id, bill_no, title, proposer, committee, csrf):
    page = parse_detail_page(likms(name))
    assert (page.bill_id, page.bill_no, page.title, page.proposer) == (
        bill_id,
        bill_no,
        title,
        proposer,
    )
    assert (page.committee, page.csrf_token) == (committee, csrf)


def test_detail_page_posts_exactly_form_form_and_not_the_history_form():
    page = parse_detail_page(likms("real/2220475_billDetailPage.html"))
    assert sorted(page.form_fields) == [
        "billGbnCd", "billId", "billKindCd", "billNo", "currCmtName", "headMemo",
        "headMemoInfo", "intrsBillCnt", "reexamYn", "stageMemo", "tmprAnYn", "withdrawCnt",
    ]  # fmt: skip
    assert page.form_fields["billNo"] == "2220475", "historyForm's empty billNo must not win"


def test_curr_cmt_name_is_never_the_stage():
    """The live site says 위원회 심사 in currCmtName of a bill whose step bar says 접수."""
    page = parse_detail_page(likms("real/2220475_billDetailPage.html"))
    info = parse_bill_info(likms("real/2220475_billInfo.html"))
    assert page.form_fields["currCmtName"] == "위원회 심사"
    assert bill_from_pages(page, info).stage == "received"


@pytest.mark.parametrize(
    ("heading", "title", "proposer"),
    [
        ("[2203257] 해오름산업벨트 지원에 관한 특별법안(박성민의원 등 12인)",
         "해오름산업벨트 지원에 관한 특별법안", "박성민의원 등 12인"),
        ("[2214410] 해오름산업벨트 지원에 관한 특별법안(대안)(행정안전위원장)",
         "해오름산업벨트 지원에 관한 특별법안(대안)", "행정안전위원장"),
        ("[2203257] 제목만 있는 법안", "제목만 있는 법안", None),
    ],
)  # fmt: skip
def test_detail_title_loses_only_the_last_parenthesis(heading, title, proposer):
    html = changed(
        "real/2220475_billDetailPage.html",
        "[2220475] 조세특례제한법 일부개정법률안(권영세의원 등 10인)</h3>",
        f"{heading}</h3>".replace("2203257", "2220475").replace("2214410", "2220475"),
    )
    page = parse_detail_page(html)
    assert (page.title, page.proposer) == (title, proposer)


@pytest.mark.parametrize(
    ("old", "new", "missing"),
    [
        ('class="detailh3"', 'class="detail_title"', "h3.detailh3 missing"),
        ('<form id="form" name="form">', '<form id="frm" name="form">', "form#form missing"),
        ('name="billId"', 'name="bill_id"', "input billId missing"),
        ('name="billNo" type="hidden" value="2220475"', 'name="billNo" type="hidden" value=""',
         "input billNo missing"),
        ('name="billNo" type="hidden" value="2220475"',
         'name="billNo" type="hidden" value="2220476"', "differs from h3.detailh3"),
    ],
)  # fmt: skip
def test_detail_page_layout_drift_is_a_parse_error(old, new, missing):
    with pytest.raises(ParseError, match=missing):
        parse_detail_page(changed("real/2220475_billDetailPage.html", old, new))


@pytest.mark.parametrize(
    ("name", "bill_no", "proposed_on", "proposer", "summary_start", "memo"),
    [
        ("real/2220475_billInfo.html", "2220475", "2026-08-06", "권영세의원 등 10인",
         "현행법은 「기업 활력 제고를 위한 특별법」에 따른", "비용추계요구서 제출됨."),
        ("real/2220492_billInfo.html", "2220492", "2026-08-07", "김종양의원 등 11인",
         None, "비용추계요구서 제출됨."),
    ],
)  # fmt: skip
def test_real_fragment_at_receipt(name, bill_no, proposed_on, proposer, summary_start, memo):
    info = parse_bill_info(likms(name))
    assert (info.bill_no, info.proposed_on, info.proposer) == (bill_no, proposed_on, proposer)
    assert info.session == "제22대(2024~2028)제438회"
    assert (info.stage, info.result, info.committee, info.current_step) == (
        "received",
        None,
        None,
        "접수",
    )
    assert [(e.stage, e.happened_on) for e in info.events] == [("received", proposed_on)]
    assert [item.code for item in info.step_bar] == [
        "RECEIVE", "CMT", "EXAM", "MAIN", "GOVTRANS", "DCS",
    ]  # fmt: skip
    assert [item.date for item in info.step_bar] == [proposed_on, *[None] * 5]
    assert info.memo == memo
    if summary_start:
        assert info.summary.startswith(summary_start)
        assert info.summary.endswith("지원하려는 것임(안 제121조의30제1항).")
        assert "제안이유 및 주요내용" not in info.summary
    else:
        assert info.summary is None


def test_real_capture_makes_a_bill_record():
    record = bill_from_pages(
        parse_detail_page(likms("real/2220475_billDetailPage.html")),
        parse_bill_info(likms("real/2220475_billInfo.html")),
    )
    assert (record.bill_id, record.source, record.stage, record.result) == (
        REAL_2220475,
        "bill_page",
        "received",
        None,
    )
    assert (record.title, record.proposer, record.proposed_on) == (
        "조세특례제한법 일부개정법률안",
        "권영세의원 등 10인",
        "2026-08-06",
    )
    assert record.committee is UNKNOWN, "미확정 is not a committee"
    assert record.detail_url is UNKNOWN and record.age is UNKNOWN


def test_promulgated_reference_bill():
    info = parse_bill_info(likms("constructed/billInfo_2206772_promulgated.html"))
    assert (info.stage, info.result, info.committee) == (
        "promulgated",
        "원안가결",
        "과학기술정보방송통신위원회",
    )
    [law] = info.promulgations
    assert (law.date, law.number, law.law) == (
        "2025-01-21",
        "20676",
        "인공지능 발전과 신뢰 기반 조성 등에 관한 기본법",
    )
    assert ("passed", "2024-12-26", "본회의 의결 (원안가결)") in [
        (e.stage, e.happened_on, e.description) for e in info.events
    ]
    page = parse_detail_page(likms("constructed/billDetailPage_2206772_promulgated.html"))
    assert needs_alternatives(page, info), "proposed by a committee chair"


def test_plenary_meeting_name_is_not_the_result():
    html = changed(
        "constructed/billInfo_2206772_promulgated.html",
        "<i>회의결과</i>\n<span>원안가결</span>",
        "<i>회의결과</i>\n<span></span>",
    )
    assert "<span>제419회 국회(정기회) 제14차 본회의</span>" in html
    assert parse_bill_info(html).result is None


@pytest.mark.parametrize(
    ("cell", "value", "stage", "result"),
    [
        ("procResultName", "원안가결", "passed", "원안가결"),
        ("inscResultCd", "수정가결", "passed", "수정가결"),
        ("procResultName", "부결", "rejected", "부결"),
    ],
)
def test_plenary_vote_from_either_result_cell(cell, value, stage, result):
    row = (
        f'<tr><td class="presentDt"><i>상정일</i><span>2026-10-01</span></td>'
        f'<td class="procDt"><i>의결일</i><span>2026-10-02</span></td>'
        f'<td class="mtngName"><i>회의명</i><span>제430회 국회 제3차 본회의</span></td>'
        f'<td class="{cell}"><i>회의결과</i><span>{value}</span></td></tr>'
    )
    html = changed(
        "real/2220475_billInfo.html",
        "<!-- //본회의 심의 -->",
        f"<table><caption>본회의 심의정보 : 상정일, 의결일, 회의명, 회의결과</caption>"
        f"<tbody>{row}</tbody></table>",
    )
    html = html.replace(
        '<div class="proc" data-gbn="MAIN">\n<div class="title">본회의 심의</div>\n'
        '<div class="stepdate"></div>',
        '<div class="on" data-gbn="MAIN">\n<div class="title">본회의 심의</div>\n'
        '<div class="stepdate">2026-10-02</div>',
    )
    info = parse_bill_info(html)
    assert (info.stage, info.result) == (stage, result)


def test_folded_bill_with_a_br_tail_and_a_short_step_bar():
    info = parse_bill_info(likms("constructed/billInfo_2203257_replaced_by_alternative.html"))
    assert (info.stage, info.result) == ("replaced_by_alternative", "대안반영폐기")
    assert [(i.code, i.title) for i in info.step_bar] == [
        ("RECEIVE", "접수"), ("CMT", "위원회 심사"), ("DCS", "대안반영폐기"),
    ]  # fmt: skip
    assert ("replaced_by_alternative", "2026-06-24") in [
        (e.stage, e.happened_on) for e in info.events
    ]


@pytest.mark.parametrize(
    ("title", "stage"),
    [
        ("철회", "withdrawn"),
        ("부결", "rejected"),
        ("임기만료폐기", "discarded"),
        ("공포", "promulgated"),
    ],
)
def test_the_last_step_is_named_for_the_ending(title, stage):
    html = changed(
        "real/2220475_billInfo.html",
        '<div class="proc" data-gbn="DCS">\n<div class="title">공포</div>\n'
        '<div class="stepdate"></div>',
        f'<div class="on" data-gbn="DCS">\n<div class="title">{title}</div>\n'
        f'<div class="stepdate">2026-09-01</div>',
    )
    assert parse_bill_info(html).stage == stage


def test_a_reached_step_nobody_knows_is_a_parse_error():
    html = changed(
        "real/2220475_billInfo.html",
        '<div class="proc" data-gbn="EXAM">\n<div class="title">체계자구 심사</div>\n'
        '<div class="stepdate"></div>',
        '<div class="on" data-gbn="NEWSTEP">\n<div class="title">새 단계</div>\n'
        '<div class="stepdate">2026-09-01</div>',
    )
    with pytest.raises(ParseError, match="NEWSTEP"):
        parse_bill_info(html)


def test_unknown_captions_are_ignored():
    html = changed(
        "real/2220475_billInfo.html",
        "<!-- //위원회 심사 -->",
        '<table><caption>새로운 정보 : 무엇</caption><tbody><tr><td class="x"><span>1</span>'
        "</td></tr></tbody></table>",
    )
    assert parse_bill_info(html) == parse_bill_info(likms("real/2220475_billInfo.html"))


def test_fragment_of_another_bill_is_a_parse_error():
    with pytest.raises(ParseError, match="의안번호 2220475 is not the page's 2220492"):
        bill_from_pages(
            parse_detail_page(likms("real/2220492_billDetailPage.html")),
            parse_bill_info(likms("real/2220475_billInfo.html")),
        )


@pytest.mark.parametrize(
    ("old", "new", "missing"),
    [
        ('id="insc-step-sect"', 'id="step-sect"', "div.bill_step_list#insc-step-sect missing"),
        ("<caption>의안접수정보 :", "<caption>접수 :", "table captioned 의안접수정보 missing"),
        ('<td class="billNo">', '<td class="bill_no">', "의안접수정보 td.billNo missing"),
        ('<td class="proposeDt">', '<td class="propose">', "의안접수정보 td.proposeDt missing"),
        ("<span>2026-08-06</span>", "<span>8월 6일</span>", "td.proposeDt is not a date"),
        ('data-gbn="RECEIVE"', 'data-step="RECEIVE"', None),
    ],
)
def test_bill_info_layout_drift_is_a_parse_error(old, new, missing):
    html = changed("real/2220475_billInfo.html", old, new)
    if missing is None:
        # One step lost its data-gbn: the others are still read.
        assert parse_bill_info(html).stage == "received"
        return
    with pytest.raises(ParseError, match=missing):
        parse_bill_info(html)


@pytest.mark.parametrize(
    "name",
    [
        "billInfo_layout_changed.html",
        "billInfo_real_sample.html",
        *(f"superseded/{p.name}" for p in sorted((FIXTURES / "likms/superseded").glob("*.html"))),
    ],
)
def test_superseded_and_redesigned_fragments_are_parse_errors(name):
    with pytest.raises(ParseError, match=r"div\.bill_step_list#insc-step-sect missing"):
        parse_bill_info(likms(name))


@pytest.mark.parametrize("name", ["billDetailPage_layout_changed.html", "old_billDetail.html"])
def test_redesigned_and_old_detail_pages_are_parse_errors(name):
    with pytest.raises(ParseError, match=r"h3\.detailh3 missing"):
        parse_detail_page(likms(name))


def test_alternatives_read_the_first_of_each_repeated_table():
    found = parse_alternatives(likms("constructed/anBillInfo_2214410.html"))
    assert found == Alternatives(
        BillRef("2214410", None, "해오름산업벨트 지원에 관한 특별법안(대안)(행정안전위원장)"),
        (
            BillRef("2203257", None, "해오름산업벨트 지원에 관한 특별법안"),
            BillRef("2209418", None, "해오름 산업벨트 육성 및 지원에 관한 특별법안"),
        ),
    )


def test_alternative_row_with_a_bill_id_attribute_gives_the_id():
    html = changed(
        "constructed/anBillInfo_2214410.html",
        '<td class="billNo"><i>의안번호</i><span>2214410</span></td>',
        '<td class="billNo"><i>의안번호</i><span>2214410</span>'
        '<input name="anBillDwnList" type="checkbox"'
        ' data-bill-id="PRC_A2L4T0E8R1N5A2T0I3V1E6B0I8L1"/></td>',
    )
    assert parse_alternatives(html).alternative.bill_id == "PRC_A2L4T0E8R1N5A2T0I3V1E6B0I8L1"


def test_alternatives_without_the_tables_are_not_found():
    found = parse_alternatives(likms("real/2220475_billInfo.html"))
    assert (found.found, found.alternative, found.folded) == (False, None, ())


def test_alternative_row_without_a_number_is_a_parse_error():
    html = changed(
        "constructed/anBillInfo_2214410.html", "<span>2214410</span>", "<span>대안</span>"
    )
    with pytest.raises(ParseError, match=r"td\.billNo is not a number"):
        parse_alternatives(html)


@pytest.mark.parametrize(
    "name", ["real/2220475_billInfo.html", "constructed/billInfo_2206772_promulgated.html"]
)
def test_cosmetic_changes_read_the_same(name):
    expected = parse_bill_info(likms(name))
    for html in cosmetic_variants(likms(name)):
        assert parse_bill_info(html) == expected


@pytest.mark.parametrize("parse", [parse_detail_page, parse_bill_info, parse_alternatives])
def test_maintenance_page_is_a_source_error(parse):
    with pytest.raises(SourceError, match="서비스 점검 중입니다"):
        parse(likms("error_page_200.html"))


@pytest.mark.parametrize("path", ALL_PAGES)
def test_only_the_maintenance_page_is_an_error_page(path):
    assert is_error_page(likms(path)) == (path == "error_page_200.html")


def test_summary_mentioning_maintenance_is_not_an_error_page():
    html = changed("real/2220475_billInfo.html", "과세특례", "시스템 점검 중 장애 대응")
    assert not is_error_page(html)
    parse_bill_info(html)


def test_script_text_is_not_page_text():
    html = changed(
        "real/2220475_billInfo.html", "</pre>", "<script>var h = '점검 중';</script></pre>"
    )
    assert not is_error_page("<h1>안내<script>'서비스 점검 중'</script></h1>")
    assert parse_bill_info(html) == parse_bill_info(likms("real/2220475_billInfo.html"))


@pytest.mark.parametrize(
    "prefix", ['<?xml version="1.0" encoding="euc-kr"?>\n', '<meta charset="euc-kr">', "\ufeff"]
)
def test_declared_encoding_of_a_decoded_page_is_ignored(prefix):
    name = "real/2220475_billDetailPage.html"
    assert parse_detail_page(prefix + likms(name)) == parse_detail_page(likms(name))


@pytest.mark.parametrize("parse", [parse_detail_page, parse_bill_info])
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
    '<div class="bill_step_list" id="insc-step-sect">',
    '<div class="on" data-gbn="DCS"><div class="title">공포</div>',
    '<div data-gbn="CMT"><div class="stepdate">2026-13-40</div></div>',
    '<div class="stepdate">2026-07-03</div></div>',
    "</div>",
    "<table><caption>의안접수정보 : 의안번호</caption><tbody><tr>",
    "<table><caption>대안반영 : 의안번호</caption><tbody><tr>",
    "<table><caption>본회의 심의정보</caption><tbody><tr>",
    '<td class="billNo"><i>의안번호</i><span>2203257</span></td>',
    '<td class="proposeDt"><span>2024-08-30</span></td>',
    '<td class="procResultName"><span>원안가결&lt;br&gt;메모</span></td>',
    '<td class="announceDt"><span>2025-01-21</span></td>',
    "</tr></tbody></table>",
    '<pre id="prntSummary">제안이유 및 주요내용\n\n  내용</pre>',
    "<h1>서비스 점검 중입니다</h1>",
]


@pytest.mark.parametrize("parse", [parse_detail_page, parse_bill_info, parse_alternatives])
@settings(max_examples=150, deadline=None)
@given(text=st.text() | st.lists(st.sampled_from(SNIPPETS) | st.text(max_size=8)).map("".join))
def test_arbitrary_text_gives_a_result_or_a_tracker_error(parse, text):
    with contextlib.suppress(ParseError, SourceError):
        parse(text)
