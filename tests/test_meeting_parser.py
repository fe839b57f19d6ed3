"""The committee meeting tables of billInfo.do (소관위 / 소위 / 법사위 회의정보): one Meeting a
row, with the minutes link of its 회의록 cell."""

from __future__ import annotations

import pytest

from tests.helpers import get_testdata
from tracker.demo.replica.likms_pages import render_bill_info
from tracker.domain.bills import Meeting
from tracker.errors import ParseError
from tracker.parsers.likms import parse_bill_info

MINUTES = "https://record.assembly.go.kr/assembly/viewer/minutes/download/pdf.do?id=56297"
BASE = "constructed/billInfo_2203257_replaced_by_alternative.html"


def cell(name: str, label: str, value: str) -> str:
    return f'<td class="{name}"><i>{label}</i><span>{value}</span></td>'


def meeting_table(caption: str, rows: list[tuple[str, str, str, str]]) -> str:
    """A meeting table as the site writes it; a row is (name, date, result, doc cell HTML)."""
    body = "".join(
        "<tr>"
        + cell("mtngName", "회의명", name)
        + cell("mtngDt", "회의일", day)
        + cell("procResultName", "회의결과", result)
        + f'<td class="doc"><i>회의록</i>{doc}</td></tr>'
        for name, day, result, doc in rows
    )
    return (
        f"<div><h4>{caption}</h4><table class='align_center'>"
        f"<caption>{caption} : 회의명, 회의일, 회의결과, 회의록</caption>"
        "<thead><tr><th>회의명</th><th>회의일</th><th>회의결과</th><th>회의록</th></tr></thead>"
        f"<tbody>{body}</tbody></table></div>"
    )


def with_tables(*tables: str) -> str:
    page = get_testdata(f"likms/{BASE}")
    return page.replace("</form>", "".join(tables) + "</form>", 1)


def link(href: str = MINUTES) -> str:
    return f'<a href="{href}" target="_blank" title="새창 열림">회의록</a>'


SUBCOMMITTEE = "제416회 국회(임시회) 제2차 행정안전위원회 법안심사제1소위원회"


@pytest.mark.parametrize(
    ("tables", "expected"),
    [
        pytest.param((), (), id="no-meeting-table"),
        pytest.param(
            (meeting_table("소관위 회의정보", [(SUBCOMMITTEE, "2026-06-20", "심사", link())]),),
            (Meeting("소관위", SUBCOMMITTEE, "2026-06-20", "심사", MINUTES),),
            id="committee-with-minutes",
        ),
        pytest.param(
            (
                meeting_table(
                    "소관위 회의정보",
                    [
                        ("제416회 국회(임시회) 제1차 행정안전위원회", "2026.06.02", "상정", link()),
                        (SUBCOMMITTEE, "2026-06-20", "", ""),
                    ],
                ),
                meeting_table(
                    "법사위 회의정보", [("법제사법위원회 전체회의", "2026-07-01", "의결", "")]
                ),
            ),
            (
                Meeting(
                    "소관위",
                    "제416회 국회(임시회) 제1차 행정안전위원회",
                    "2026-06-02",
                    "상정",
                    MINUTES,
                ),
                Meeting("소관위", SUBCOMMITTEE, "2026-06-20", None, None),
                Meeting("법사위", "법제사법위원회 전체회의", "2026-07-01", "의결", None),
            ),
            id="two-committees-dotted-date-no-result-no-link",
        ),
        pytest.param(
            (meeting_table("소위 회의정보 ", [(SUBCOMMITTEE, "2026-06-20", "심사", link())]),),
            (Meeting("소위", SUBCOMMITTEE, "2026-06-20", "심사", MINUTES),),
            id="subcommittee-table",
        ),
        pytest.param(
            (meeting_table("소관위 회의정보", [("", "", "", ""), (SUBCOMMITTEE, "", "", "")]),),
            (),
            id="empty-rows-are-no-meeting",
        ),
        pytest.param(
            (
                meeting_table(
                    "소관위 회의정보",
                    [(SUBCOMMITTEE, "2026-06-20", "", link("javascript:;") + link("/x.pdf"))],
                ),
            ),
            (Meeting("소관위", SUBCOMMITTEE, "2026-06-20", None, None),),
            id="only-a-minutes-pdf-link-counts",
        ),
    ],
)
def test_meeting_tables(tables, expected):
    info = parse_bill_info(with_tables(*tables))
    assert info.meetings == expected
    # The bill itself reads as before: meetings add nothing to its stage or steps.
    plain = parse_bill_info(with_tables())
    assert (info.stage, info.result, info.events) == (plain.stage, plain.result, plain.events)


def test_a_meeting_date_that_is_not_a_date_fails_loudly():
    page = with_tables(meeting_table("법사위 회의정보", [("법사위", "미정", "", "")]))
    with pytest.raises(ParseError, match=r"법사위 회의정보 td\.mtngDt is not a date"):
        parse_bill_info(page)


def test_the_replica_renders_what_the_parser_reads():
    bill = {
        "bill_no": "2203257",
        "proposer": "박성민의원 등 12인",
        "proposed_on": "2024-08-30",
        "session": "제22대(2024~2028)제417회",
        "committee": "행정안전위원회",
        "committee_referred_on": "2024-09-02",
        "current": "CMT",
        "meetings": [
            {
                "table": "소위 회의정보",
                "mtngName": "행정안전위원회 법안심사제1소위원회",
                "mtngDt": "2026-06-20",
                "procResultName": "심사",
                "doc_href": MINUTES,
            }
        ],
    }
    info = parse_bill_info(render_bill_info(bill, None))
    assert info.meetings == (
        Meeting("소위", "행정안전위원회 법안심사제1소위원회", "2026-06-20", "심사", MINUTES),
    )
