"""Parsers for the Assembly's bill information system on likms.assembly.go.kr.

Three responses, as the live site serves them (DESIGN.md, "The bill information system as it
really is"): the shell page ``billDetailPage.do`` (title, CSRF token, the hidden ``form#form``
to POST, the ``law_meta_table`` card), the ``billInfo.do`` fragment that POST returns (the step
bar and one table per section) and the ``anBillInfo.do`` fragment (the committee alternative
and the bills folded into it). Every parser raises ``ParseError`` naming the missing part when
a response no longer has the expected shape, and ``SourceError`` when the site served a
maintenance or block page with HTTP 200.

Sections are tables found by their caption (the text before " :"), never by position or
wrapper id; a cell is found by its ``td`` class and its value is the cell's ``<span>`` (the
``<i>`` is a label for narrow screens, buttons may follow). Captions this module does not know
are ignored. The meeting tables (소관위 / 소위 / 법사위 회의정보: ``mtngName mtngDt
procResultName doc``) give one ``Meeting`` a row, with the minutes link of its 회의록 cell.

Stage and result of a ``billInfo.do`` fragment:

- ``stage`` is the furthest stage (``stages.later``) among the step bar's reached steps (a
  non-empty ``div.stepdate``) and its current one (class ``on`` or a title ending "(현재
  진행중)"), the dated cells of the tables, and the stage the result implies. The class of a
  finished step is not relied on. The bar's last step (DCS) is titled with the bill's ending
  (공포, 대안반영폐기, 철회, …); a reached step the parser does not know is a ParseError.
  본회의 심의 reached is ``passed`` (or ``rejected``) once 본회의 심의정보 holds the vote.
  The shell's ``currCmtName`` is never read as a stage: the
  live site fills it with "위원회 심사" for a bill at 접수.
- ``result`` is an ending (대안반영폐기, 철회, 부결, 폐기, …) written in the result cell of
  the committee, the judiciary committee, the plenary or the reconsideration table, else the
  plenary's 원안가결/수정가결. A committee's own 원안가결/수정가결 is not the bill's result.
"""

from tracker.parsers.likms.alternatives import (
    ALTERNATIVE_RESULTS,
    Alternatives,
    BillRef,
    needs_alternatives,
    parse_alternatives,
)
from tracker.parsers.likms.document import is_error_page
from tracker.parsers.likms.info import BillInfo, bill_from_pages, parse_bill_info
from tracker.parsers.likms.meetings import MEETING_TABLES
from tracker.parsers.likms.sections import (
    ALTERNATIVE,
    COMMITTEE,
    FOLDED,
    GOVERNMENT,
    JUDICIARY,
    PLENARY,
    PROMULGATION,
    RECEIPT,
    RECONSIDERATION,
    SUBCOMMITTEE,
    Promulgation,
)
from tracker.parsers.likms.shell import UNDECIDED_COMMITTEE, DetailPage, parse_detail_page
from tracker.parsers.likms.steps import ENDING_STEP, STEP_STAGES, StepBarItem
from tracker.parsers.likms.urls import (
    ALTERNATIVE_SOURCE,
    ALTERNATIVES_PATH,
    CSRF_HEADER,
    DETAIL_PATH,
    DETAIL_SOURCE,
    INFO_PATH,
    INFO_SOURCE,
    MENU_NO,
    detail_url,
)

__all__ = [
    "ALTERNATIVE",
    "ALTERNATIVES_PATH",
    "ALTERNATIVE_RESULTS",
    "ALTERNATIVE_SOURCE",
    "COMMITTEE",
    "CSRF_HEADER",
    "DETAIL_PATH",
    "DETAIL_SOURCE",
    "ENDING_STEP",
    "FOLDED",
    "GOVERNMENT",
    "INFO_PATH",
    "INFO_SOURCE",
    "JUDICIARY",
    "MEETING_TABLES",
    "MENU_NO",
    "PLENARY",
    "PROMULGATION",
    "RECEIPT",
    "RECONSIDERATION",
    "STEP_STAGES",
    "SUBCOMMITTEE",
    "UNDECIDED_COMMITTEE",
    "Alternatives",
    "BillInfo",
    "BillRef",
    "DetailPage",
    "Promulgation",
    "StepBarItem",
    "bill_from_pages",
    "detail_url",
    "is_error_page",
    "needs_alternatives",
    "parse_alternatives",
    "parse_bill_info",
    "parse_detail_page",
]
