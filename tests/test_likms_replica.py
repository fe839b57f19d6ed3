"""The replica renders likms pages in the live format, and the parsers read them back."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import cosmetic_variants, get_testdata
from tracker.parsers.likms import (
    AlternativeRef,
    BillInfo,
    parse_bill_info,
    parse_detail_page,
)
from tracker.replica.likms_pages import render_bill_info, render_detail_page

HAEOREUM = "해오름산업벨트 지원에 관한 특별법안"
ALTERNATIVE = {
    "bill_id": "PRC_A2L4T0E8R1N5A2T0I3V1E6B0I8L1",
    "bill_no": "2214410",
    "title": f"{HAEOREUM}(대안)(행정안전위원장)",
    "proposed_on": "2026-06-24",
}
DETAIL_BILLS = {
    "billDetailPage_haeoreum.html": {
        "bill_id": "PRC_H2A4E0U8R1E5U2M0B2E3L1T6P0N8S4",
        "bill_no": "2203257",
        "title": HAEOREUM,
        "proposer": "박성민의원 등 12인",
        "current_step": "위원회 심사",
        "csrf": "3f9c1d2e-7a4b-4c8e-9b1f-52d6e0a8c417",
        "head_memo_info": "비용추계요구서 제출됨.",
    },
    "billDetailPage_promulgated.html": {
        "bill_id": "PRC_P2R5O0M8U1L4G2A0T7E3D9S1H6J0K4",
        "bill_no": "2205118",
        "title": "산업입지 및 개발에 관한 법률 일부개정법률안",
        "proposer": "서범수의원 등 11인",
        "current_step": "공포",
        "csrf": "b81e4a07-2c6d-4f39-a5e2-0d7c93f1b6a8",
    },
}


def step(name: str, date: str | None, description: str) -> dict[str, Any]:
    return {"name": name, "date": date, "description": description}


RECEIVED = step("접수", "2024-08-30", "박성민의원 등 12인 발의")
REFERRED = step("소관위 회부", "2024-09-02", "행정안전위원회")
SHORT_SUMMARY = "포항·경주·울산의 해오름산업벨트를 지원하려는 것임."
HAEOREUM_BILL = {
    "bill_no": "2203257",
    "proposed_on": "2024-08-30",
    "proposer": "박성민의원 등 12인",
    "committee": "행정안전위원회",
    "current_step": "위원회 심사",
    "committee_referred_on": "2024-09-02",
}
INFO_PAGES = {
    "billInfo_stages_committee_review.html": (
        HAEOREUM_BILL,
        [RECEIVED, REFERRED],
        SHORT_SUMMARY,
        None,
    ),
    "billInfo_stages_replaced_by_alternative.html": (
        {
            **HAEOREUM_BILL,
            "committee_presented_on": "2026-06-17",
            "committee_decided_on": "2026-06-24",
            "committee_result": "대안반영폐기",
            "plenary_on": "2026-06-24",
            "plenary_result": "대안반영폐기",
        },
        [
            RECEIVED,
            REFERRED,
            step("소관위 상정", "2026-06-17", "행정안전위원회"),
            step("소관위 처리", "2026-06-24", "대안반영폐기"),
            step("대안반영폐기", "2026-06-24", "위원회 대안에 반영되어 폐기"),
        ],
        SHORT_SUMMARY,
        ALTERNATIVE,
    ),
    "billInfo_stages_alternative_promulgated.html": (
        {
            "bill_no": "2214410",
            "proposed_on": "2026-06-24",
            "proposer": "행정안전위원장",
            "committee": "행정안전위원회",
            "current_step": "공포",
            "plenary_on": "2026-07-03",
            "plenary_result": "원안가결",
        },
        [
            step("접수", "2026-06-24", "행정안전위원장 제안"),
            step("체계자구심사 회부", "2026-06-25", "법제사법위원회"),
            step("체계자구심사 상정", "2026-07-01", "법제사법위원회"),
            step("체계자구심사 처리", "2026-07-02", "원안가결"),
            step("본회의 부의", "2026-07-02", "본회의 심의"),
            step("본회의 의결", "2026-07-03", "원안가결"),
            step("정부이송", "2026-07-07", "정부이송"),
            step("공포", "2026-07-14", "법률 제20987호 해오름산업벨트 지원에 관한 특별법"),
        ],
        "박성민의원이 대표발의한 「해오름산업벨트 지원에 관한 특별법안」(의안번호 제2203257호)을 "
        "통합하여 위원회 대안으로 제안함.",
        None,
    ),
}
# Values the templates must escape, and a page whose steps the site has not filled in yet.
AWKWARD = (
    {
        "bill_no": "2209999",
        "proposed_on": "2025-01-02",
        "proposer": "A&B <의원>",
        "current_step": "본회의 심의",
    },
    [step("접수", "2025-01-02", "<b>발의</b> & 접수"), step("본회의 부의", None, "")],
    "첫 문단 & <태그>\n\n참고사항\n둘째 줄",
    {**ALTERNATIVE, "title": 'x "대안" & <y>', "proposed_on": None},
)
NOT_FILLED = ({"bill_no": "2221798", "proposed_on": "2026-10-06"}, [], None, None)


@pytest.mark.parametrize("name", sorted(DETAIL_BILLS))
def test_detail_page_renders_exactly_as_the_site(name):
    assert render_detail_page(DETAIL_BILLS[name]) == get_testdata(f"likms/{name}")


@pytest.mark.parametrize("name", sorted(INFO_PAGES))
def test_bill_info_renders_exactly_as_the_site(name):
    assert render_bill_info(*INFO_PAGES[name]) == get_testdata(f"likms/{name}")


@pytest.mark.parametrize(
    "bill",
    [
        *DETAIL_BILLS.values(),
        {
            "bill_id": "PRC_X",
            "bill_no": "2214410",
            "title": f"{HAEOREUM}(대안)(행정안전위원장)",
            "proposer": "행정안전위원장",
            "current_step": "공포",
            "csrf": 'tok"en&',
        },
    ],
)
def test_detail_page_round_trip(bill):
    page = parse_detail_page(render_detail_page(bill))
    assert page.bill_id == bill["bill_id"]
    assert page.bill_no == bill["bill_no"]
    assert page.title == bill["title"]
    assert page.proposer == bill["proposer"]
    assert page.current_step == bill["current_step"]
    assert page.csrf_token == bill["csrf"]
    assert page.form_fields["billId"] == bill["bill_id"]


def assert_round_trip(info: BillInfo, bill, steps, summary, alternative) -> None:
    assert info.bill_no == bill["bill_no"]
    assert info.proposed_on == bill["proposed_on"]
    assert info.proposer == bill.get("proposer")
    assert info.committee == bill.get("committee")
    assert [(s.name, s.date, s.description) for s in info.steps] == [
        (s["name"], s["date"], s["description"]) for s in steps
    ]
    assert info.current_step == (bill.get("current_step") if steps else None)
    assert info.summary == summary
    assert info.alternative == (AlternativeRef(**alternative) if alternative else None)


@pytest.mark.parametrize(
    "case", [*INFO_PAGES.values(), AWKWARD, NOT_FILLED], ids=[*INFO_PAGES, "awkward", "not_filled"]
)
def test_bill_info_round_trip(case):
    assert_round_trip(parse_bill_info(render_bill_info(*case)), *case)


def test_not_filled_step_section_gives_no_stage():
    info = parse_bill_info(render_bill_info(*NOT_FILLED))
    assert (info.steps, info.stage, info.result) == ([], None, None)


@pytest.mark.parametrize("name", sorted(DETAIL_BILLS))
def test_cosmetic_changes_leave_the_detail_page_parse_alone(name):
    html = render_detail_page(DETAIL_BILLS[name])
    expected = parse_detail_page(html)
    for variant in cosmetic_variants(html):
        assert variant != html
        assert parse_detail_page(variant) == expected


@pytest.mark.parametrize("name", sorted(INFO_PAGES))
def test_cosmetic_changes_leave_the_bill_info_parse_alone(name):
    html = render_bill_info(*INFO_PAGES[name])
    expected = parse_bill_info(html)
    for variant in cosmetic_variants(html):
        assert variant != html
        assert parse_bill_info(variant) == expected
