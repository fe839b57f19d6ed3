"""The Open API parser and stage model on every saved response in tests/fixtures/assembly/."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import FIXTURES, get_testdata
from tracker.domain.bills import UNKNOWN
from tracker.errors import ParseError, SourceError
from tracker.parsers.assembly import bill_from_row, parse_api_page, stage_from_row

# file, endpoint, total, [(BILL_ID, stage, result)] for every row shown
SUCCESS = [
    (
        "TVBPMBILL11_promulgated.json",
        "TVBPMBILL11",
        3,
        [
            ("PRC_P2R5O0M8U1L4G2A0T7E3D9S1H6J0K4", "promulgated", "수정가결"),
            ("PRC_D2I4S0C8A1R5D2E0D3B7Y1A6L0T9X2", "replaced_by_alternative", "대안반영폐기"),
            ("PRC_A2L5T0E8R1N4A2T0I6V3E9B1I6L0L3", "promulgated", "원안가결"),
        ],
    ),
    (
        "TVBPMBILL11_withdrawn.json",
        "TVBPMBILL11",
        1,
        [("PRC_W2I7T0H8D1R4A2W0N5B3I1L6L0E8D5", "withdrawn", "철회")],
    ),
    (
        "TVBPMBILL11_expired_21st.json",
        "TVBPMBILL11",
        1,
        [("PRC_E2X4P0I8R1E5D2H0A3E7O1R6E0U9M2", "discarded", "임기만료폐기")],
    ),
    (
        "nzmimeepazxkubdpn_haeoreum.json",
        "nzmimeepazxkubdpn",
        2,
        [
            ("PRC_H2A4E0U8R1E5U2M0B2E3L1T6P0N8S4", "committee_review", None),
            ("PRC_K2J4H0W8N1O5B2L0T2Y3G1M6Q0R8Z1", "committee_review", None),
        ],
    ),
    (
        "ALLBILLV2_alternative_promulgated.json",
        "ALLBILLV2",
        1,
        [("PRC_A2L4T0E8R1N5A2T0I3V1E6B0I8L1", "promulgated", "원안가결")],
    ),
    (
        "BILLINFODETAIL_alternative_promulgated.json",
        "BILLINFODETAIL",
        1,
        [("PRC_A2L4T0E8R1N5A2T0I3V1E6B0I8L1", "promulgated", "원안가결")],
    ),
]


@pytest.mark.parametrize(("name", "endpoint", "total", "expected"), SUCCESS)
def test_success_envelopes_parse_to_bills_with_stage_and_result(name, endpoint, total, expected):
    page = parse_api_page(get_testdata(f"assembly/{name}"), endpoint)
    assert page.total == total
    got = [(r.bill_id, r.stage, r.result) for r in map(bill_from_row, page.rows)]
    assert got == expected


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("error_290_bad_key.json", "ERROR-290"),
        ("error_300_missing_param.json", "ERROR-300"),
        ("error_336_too_many_rows.json", "ERROR-336"),
        ("error_337_daily_limit.json", "ERROR-337"),
    ],
)
def test_error_codes_raise_source_error_with_the_code(name, code):
    with pytest.raises(SourceError) as info:
        parse_api_page(get_testdata(f"assembly/{name}"), "TVBPMBILL11")
    assert info.value.code == code
    assert code in str(info.value)


def test_info_200_is_an_empty_page_not_an_error():
    page = parse_api_page(get_testdata("assembly/info_200_no_data.json"), "TVBPMBILL11")
    assert (page.total, page.rows) == (0, [])


def test_paging_page_parses_every_row():
    page = parse_api_page(
        get_testdata("assembly/nzmimeepazxkubdpn_page2_of_3.json"), "nzmimeepazxkubdpn"
    )
    assert page.total == 250 and len(page.rows) == 100
    records = [bill_from_row(r) for r in page.rows]
    stages = {r.stage for r in records}
    assert "withdrawn" in stages and "replaced_by_alternative" in stages
    assert all(r.bill_no and r.title for r in records)


def test_xml_answer_is_a_parse_error_not_an_empty_result():
    with pytest.raises(ParseError):
        parse_api_page(get_testdata("assembly/nwbpacrgavhjryiph_real.xml"), "nwbpacrgavhjryiph")


def test_fields_of_the_member_bill_endpoint_are_mapped():
    page = parse_api_page(
        get_testdata("assembly/nzmimeepazxkubdpn_haeoreum.json"), "nzmimeepazxkubdpn"
    )
    record = bill_from_row(page.rows[0])
    assert record.title == "해오름산업벨트 지원에 관한 특별법안"
    assert record.bill_no == "2203257"
    assert record.age == 22
    assert record.proposer == "박성민의원 등 12인"
    assert record.proposed_on == "2024-08-30"
    assert record.committee == "행정안전위원회"
    assert [(e.stage, e.happened_on) for e in record.events] == [
        ("received", "2024-08-30"),
        ("committee_review", "2024-09-02"),
    ]
    assert record.summary is UNKNOWN


def test_detail_endpoint_gives_every_dated_step_in_order():
    page = parse_api_page(
        get_testdata("assembly/BILLINFODETAIL_alternative_promulgated.json"), "BILLINFODETAIL"
    )
    record = bill_from_row(page.rows[0])
    assert [e.stage for e in record.events] == [
        "received",
        "judiciary_review",
        "judiciary_review",
        "plenary",
        "passed",
        "sent_to_government",
        "promulgated",
    ]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"PROPOSE_DT": "2025-01-01"}, ("received", None)),
        ({"PROPOSE_DT": "2025-01-01", "COMMITTEE_DT": "2025-01-02"}, ("committee_review", None)),
        ({"COMMITTEE_DT": "2025-01-02", "LAW_SUBMIT_DT": "2025-02-01"}, ("judiciary_review", None)),
        ({"LAW_PROC_DT": "2025-02-03"}, ("plenary", None)),
        ({"PROC_RESULT_CD": "원안가결", "PROC_DT": "2025-02-04"}, ("passed", "원안가결")),
        ({"PROC_RESULT_CD": "부결", "PROC_DT": "2025-02-04"}, ("rejected", "부결")),
        ({"PROC_RESULT_CD": "수정안반영폐기"}, ("replaced_by_alternative", "수정안반영폐기")),
        ({"PROC_RESULT": "폐기"}, ("discarded", "폐기")),
        ({"PROM_DT": "2025-03-01", "PROC_RESULT_CD": "수정가결"}, ("promulgated", "수정가결")),
    ],
)
def test_stage_from_row_table(row, expected):
    assert stage_from_row(row) == expected


@pytest.mark.parametrize(
    ("bill_id", "bill_no", "title"),
    [
        ("PRC_H2A4E0U8R1E5U2M0B2E3L1T6P0N8S4", "2203257", "해오름산업벨트 지원에 관한 특별법안"),
        ("ARC_U2N6N0X3Z0G3U1K7D3G9G5V5G0W4H1", "2217197", "공소청법안(정부)"),
        # ALLBILL answers a vetoed bill with its reconsideration row first.
        ("GOV_R2E8X3A0M1I9N4E7D2B6I5L0L3S8Q1", "2208496", "상법 일부개정법률안(재의)"),
    ],
)
def test_any_kind_of_bill_id_is_accepted(bill_id, bill_no, title):
    record = bill_from_row({"BILL_ID": bill_id, "BILL_NO": bill_no, "BILL_NAME": title})
    assert (record.bill_id, record.bill_no, record.title) == (bill_id, bill_no, title)


@pytest.mark.parametrize("bill_id", ["", "prc_abc", "PRC-ABC", "PRCX_ABC", "PRC_", "12_ABC"])
def test_malformed_bill_id_is_a_parse_error(bill_id):
    with pytest.raises(ParseError):
        bill_from_row({"BILL_ID": bill_id, "BILL_NAME": "x"})


def test_row_without_bill_id_is_a_parse_error():
    with pytest.raises(ParseError):
        bill_from_row({"BILL_NAME": "x"})


@given(st.text())
def test_arbitrary_text_raises_only_parser_errors(text):
    with contextlib.suppress(ParseError, SourceError):
        parse_api_page(text, "TVBPMBILL11")


@given(st.dictionaries(st.sampled_from(["BILL_ID", "BILL_NAME", "PROC_DT", "PROM_DT"]), st.text()))
def test_arbitrary_rows_raise_only_parse_errors(row):
    with contextlib.suppress(ParseError):
        bill_from_row(row)


def test_every_fixture_is_covered():
    names = {p.name for p in (FIXTURES / "assembly").glob("*.json")}
    covered = {s[0] for s in SUCCESS} | {
        "error_290_bad_key.json",
        "error_300_missing_param.json",
        "error_336_too_many_rows.json",
        "error_337_daily_limit.json",
        "info_200_no_data.json",
        "nzmimeepazxkubdpn_page2_of_3.json",
    }
    assert names == covered
    assert json.loads(get_testdata("assembly/info_200_no_data.json"))
