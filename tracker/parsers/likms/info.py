"""The ``billInfo.do`` fragment: what it says about a bill, and the bill it makes with the shell."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from tracker.domain.bills import UNKNOWN, BillEvent, BillRecord, Meeting
from tracker.domain.stages import later, squash, stage_for_result
from tracker.errors import ParseError
from tracker.parsers.likms.document import (
    STRINGS,
    first,
    optional_text,
    parse_date,
    parse_html,
    raise_if_error_page,
    required,
)
from tracker.parsers.likms.meetings import meetings, minutes_link
from tracker.parsers.likms.sections import RECEIPT, Promulgation, Sections, joined, read_tables
from tracker.parsers.likms.shell import DetailPage
from tracker.parsers.likms.steps import StepBarItem, read_step_bar, step_bar_events
from tracker.parsers.likms.urls import DETAIL_SOURCE, INFO_SOURCE


@dataclass(frozen=True)
class BillInfo:
    """What the ``billInfo.do`` fragment says about a bill."""

    bill_no: str
    proposed_on: str
    proposer: str | None
    session: str | None
    committee: str | None
    summary: str | None
    memo: str | None
    step_bar: tuple[StepBarItem, ...]
    events: tuple[BillEvent, ...]
    stage: str
    result: str | None
    promulgations: tuple[Promulgation, ...] = ()
    meetings: tuple[Meeting, ...] = ()

    @property
    def current_step(self) -> str | None:
        """The step bar's current step, as the site names it."""
        return next((item.title for item in self.step_bar if item.current), None)


def parse_bill_info(html: str) -> BillInfo:
    """Parse the fragment POST ``/bill/bi/bill/detail/billInfo.do`` returns."""
    root = parse_html(html)
    raise_if_error_page(root, INFO_SOURCE)
    step_bar = read_step_bar(root)
    tables = read_tables(root, minutes_link)
    receipt = tables.get(squash(RECEIPT))
    if not receipt:
        raise ParseError(INFO_SOURCE, f"table captioned {RECEIPT} missing")
    row = receipt[0]
    bill_no = required(row, "billNo", RECEIPT)
    proposed_on = parse_date(required(row, "proposeDt", RECEIPT), INFO_SOURCE, "td.proposeDt")
    proposer = row.get("proposer")
    sections = Sections(tables)
    events = [BillEvent("received", proposed_on, joined("접수", proposer))]
    events += sections.events()
    events += step_bar_events(step_bar, sections.plenary_stage())
    result = sections.result()
    stage = None
    for item in step_bar:
        if item.date or item.current:
            reached = sections.plenary_stage() if item.code == "MAIN" else item.stage
            stage = later(stage, reached)
    for event in events:
        stage = later(stage, event.stage)
    stage = later(stage, stage_for_result(result)) or "received"
    return BillInfo(
        bill_no=bill_no,
        proposed_on=proposed_on,
        proposer=proposer,
        session=row.get("sessionTitle"),
        committee=sections.committee(),
        summary=_summary(first(root, "pre#prntSummary")),
        memo=optional_text(root, "pre.bill_memo"),
        step_bar=step_bar,
        events=_first_of_each_step(events),
        stage=stage,
        result=result,
        promulgations=sections.promulgations(),
        meetings=meetings(tables),
    )


def bill_from_pages(page: DetailPage, info: BillInfo) -> BillRecord:
    """What the shell page and its fragment say about a bill, as a ``bill_page`` BillRecord.

    The fragment must prove it is of the bill asked for: its 의안번호 is the form's billNo.
    """
    if info.bill_no != page.bill_no:
        raise ParseError(INFO_SOURCE, f"의안번호 {info.bill_no} is not the page's {page.bill_no}")
    return BillRecord(
        bill_id=page.bill_id,
        source=DETAIL_SOURCE,
        stage=info.stage,
        result=info.result,
        title=page.title,
        bill_no=page.bill_no,
        proposer=page.proposer or info.proposer or UNKNOWN,
        proposed_on=info.proposed_on,
        committee=info.committee or page.committee or UNKNOWN,
        summary=info.summary or UNKNOWN,
        events=list(info.events),
        meetings=list(info.meetings),
    )


def _first_of_each_step(events: list[BillEvent]) -> tuple[BillEvent, ...]:
    """One event a stage and day, as the store keeps them: the most specific comes first."""
    kept: dict[tuple[str, str], BillEvent] = {}
    for event in events:
        kept.setdefault((event.stage, event.happened_on), event)
    return tuple(kept.values())


def _summary(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    lines = [" ".join(line.split()) for line in "".join(STRINGS(element)).splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    if lines and squash(lines[0]) == "제안이유및주요내용":
        lines.pop(0)
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    return "\n".join(kept).strip() or None
