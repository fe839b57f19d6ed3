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

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from lxml import etree

from tracker.domain.bills import UNKNOWN, BillEvent, BillRecord, Meeting
from tracker.domain.stages import PASSING_RESULTS, later, squash, stage_for_result, stage_for_step
from tracker.errors import ParseError, SourceError

DETAIL_SOURCE = "bill_page"
# Where the pages are, under ``[sources.assembly] bill_page_base``.
DETAIL_PATH = "/bi/billDetailPage.do"
INFO_PATH = "/bi/bill/detail/billInfo.do"
ALTERNATIVES_PATH = "/bi/bill/detail/anBillInfo.do"
MENU_NO = "2600044"
INFO_SOURCE = "bill_info"
ALTERNATIVE_SOURCE = "bill_alternative"
# The header the token goes back in: the site names none (there is no _csrf_header meta).
CSRF_HEADER = "X-CSRF-TOKEN"
# What the card shows as the committee before the bill is referred.
UNDECIDED_COMMITTEE = "미확정"
# Results after which the alternative endpoint names the bill that carries the act on.
ALTERNATIVE_RESULTS = frozenset({"대안반영폐기", "본회의불부의"})

# Texts that mark a maintenance, error or block page; looked for in the page title and its
# top headings only, since bill summaries can mention "점검" or "오류" in passing.
_ERROR_MARKERS = (
    "서비스 점검",
    "시스템 점검",
    "점검 중",
    "점검 안내",
    "서비스 이용이 원활하지",
    "일시적인 오류",
    "오류가 발생",
    "페이지를 찾을 수 없",
    "접근이 차단",
    "접근이 제한",
    "비정상적인 접근",
)

# The step bar's steps (data-gbn) and the stage each stands for. The last step, DCS, is named
# for how the bill ended (공포, 대안반영폐기, 철회, 부결, …): its stage comes from its title.
STEP_STAGES: dict[str, str] = {
    "RECEIVE": "received",
    "CMT": "committee_review",
    "EXAM": "judiciary_review",
    "MAIN": "plenary",
    "GOVTRANS": "sent_to_government",
    # 정부재의: a vetoed bill back for a second vote, after its transfer to the government.
    "REEXAM": "sent_to_government",
}
ENDING_STEP = "DCS"
_IN_PROGRESS = "(현재 진행중)"

# Section captions, as the site writes them (spacing aside).
RECEIPT = "의안접수정보"
COMMITTEE = "소관위 심사정보"
SUBCOMMITTEE = "소위 심사정보"
JUDICIARY = "법사위 체계자구 심사정보"
PLENARY = "본회의 심의정보"
# Spelled so on the site.
GOVERNMENT = "정보이송정보"
PROMULGATION = "공포정보"
RECONSIDERATION = "정부재의안"
ALTERNATIVE = "대안반영"
FOLDED = "대안반영폐기"
# The meetings that took a bill up, by committee: each table lists one row a meeting.
MEETING_TABLES = {
    "소관위 회의정보": "소관위",
    "소위 회의정보": "소위",
    "법사위 회의정보": "법사위",
}


@dataclass(frozen=True)
class DetailPage:
    """The shell page ``billDetailPage.do``: what identifies the bill and what to POST next."""

    bill_id: str
    bill_no: str
    title: str
    proposer: str | None
    committee: str | None
    csrf_token: str | None
    form_fields: dict[str, str]


@dataclass(frozen=True)
class StepBarItem:
    """One step of the fragment's step bar (접수 … 공포), with the stage it stands for."""

    code: str
    title: str
    stage: str
    date: str | None
    current: bool


@dataclass(frozen=True)
class Promulgation:
    """One law a bill promulgated (a bill can promulgate several, each under its own name)."""

    date: str | None
    number: str | None
    law: str | None


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


@dataclass(frozen=True)
class BillRef:
    """A bill as a row of the alternative endpoint names it."""

    bill_no: str
    bill_id: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class Alternatives:
    """The ``anBillInfo.do`` answer: the committee alternative and the bills folded into it."""

    alternative: BillRef | None
    folded: tuple[BillRef, ...] = field(default=())
    # Whether the answer had the two tables at all (bills without an alternative tab may not).
    found: bool = True


def detail_url(base: str, bill_id: str) -> str:
    """The shell page of ``bill_id`` under ``base`` (``bill_page_base``)."""
    query = urlencode({"billId": bill_id, "currMenuNo": MENU_NO})
    return f"{base.rstrip('/')}{DETAIL_PATH}?{query}"


def is_error_page(html: str) -> bool:
    """Whether the page is a maintenance, error or block notice rather than a bill page."""
    return _is_error_document(_document(html))


def parse_detail_page(html: str) -> DetailPage:
    """Parse the shell page ``/bill/bi/billDetailPage.do``."""
    root = _document(html)
    _raise_if_error_page(root, DETAIL_SOURCE)
    heading = _one(root, "h3.detailh3", DETAIL_SOURCE)
    form = _one(root, "form#form", DETAIL_SOURCE)
    fields = {
        name: tag.get("value", "")
        for tag in _FIND["input[type=hidden]"](form)
        if (name := tag.get("name"))
    }
    bill_id = fields.get("billId", "").strip()
    if not bill_id:
        raise ParseError(DETAIL_SOURCE, "form#form input billId missing")
    heading_no, title, proposer = _split_heading(_text(heading), DETAIL_SOURCE, "h3.detailh3")
    bill_no = fields.get("billNo", "").strip()
    if not bill_no:
        raise ParseError(DETAIL_SOURCE, "form#form input billNo missing")
    if bill_no != heading_no:
        raise ParseError(DETAIL_SOURCE, f"billNo {bill_no} differs from h3.detailh3 {heading_no}")
    committee = _card(root).get("소관위원회")
    return DetailPage(
        bill_id=bill_id,
        bill_no=bill_no,
        title=title,
        proposer=proposer,
        committee=committee if committee != UNDECIDED_COMMITTEE else None,
        csrf_token=_meta(root, "_csrf"),
        form_fields=fields,
    )


def parse_bill_info(html: str) -> BillInfo:
    """Parse the fragment POST ``/bill/bi/bill/detail/billInfo.do`` returns."""
    root = _document(html)
    _raise_if_error_page(root, INFO_SOURCE)
    step_bar = _step_bar(root)
    tables = _tables(root, _minutes_link)
    receipt = tables.get(squash(RECEIPT))
    if not receipt:
        raise ParseError(INFO_SOURCE, f"table captioned {RECEIPT} missing")
    row = receipt[0]
    bill_no = _required(row, "billNo", RECEIPT)
    proposed_on = _date(_required(row, "proposeDt", RECEIPT), INFO_SOURCE, "td.proposeDt")
    proposer = row.get("proposer")
    sections = _Sections(tables)
    events = [BillEvent("received", proposed_on, _joined("접수", proposer))]
    events += sections.events()
    events += _step_bar_events(step_bar, sections.plenary_stage())
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
        summary=_summary(_first(root, "pre#prntSummary")),
        memo=_optional_text(root, "pre.bill_memo"),
        step_bar=step_bar,
        events=_first_of_each_step(events),
        stage=stage,
        result=result,
        promulgations=sections.promulgations(),
        meetings=sections.meetings(),
    )


def parse_alternatives(html: str) -> Alternatives:
    """Parse the fragment POST ``/bill/bi/bill/detail/anBillInfo.do`` returns.

    The site repeats each table; the first of each caption is read. A response with neither
    caption has ``found`` False: the caller knows whether it expected them.
    """
    root = _document(html)
    _raise_if_error_page(root, ALTERNATIVE_SOURCE)
    tables = _tables(root, _bill_id_of_row)
    if squash(ALTERNATIVE) not in tables and squash(FOLDED) not in tables:
        return Alternatives(None, (), found=False)
    refs = {
        caption: tuple(_bill_ref(row, caption) for row in tables.get(squash(caption), []))
        for caption in (ALTERNATIVE, FOLDED)
    }
    alternatives = refs[ALTERNATIVE]
    return Alternatives(alternatives[0] if alternatives else None, refs[FOLDED])


def needs_alternatives(page: DetailPage, info: BillInfo) -> bool:
    """Whether the alternative endpoint has something to say about this bill: it was folded
    into an alternative, or it is one (proposed by a committee chair)."""
    proposer = page.proposer or info.proposer or ""
    return info.result in ALTERNATIVE_RESULTS or proposer.endswith("위원장")


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


class _Sections:
    """The caption tables of a fragment, read into dated steps, a result and a committee."""

    def __init__(self, tables: dict[str, list[dict[str, str]]]) -> None:
        self.tables = tables

    def rows(self, caption: str) -> list[dict[str, str]]:
        return self.tables.get(squash(caption), [])

    def row(self, caption: str) -> dict[str, str]:
        rows = self.rows(caption)
        return rows[0] if rows else {}

    def date(self, caption: str, cell: str) -> str | None:
        value = self.row(caption).get(cell)
        return _date(value, INFO_SOURCE, f"{caption} td.{cell}") if value else None

    def committee(self) -> str | None:
        return self.row(COMMITTEE).get("committeeName")

    def outcome(self) -> str | None:
        # The site's own parsers disagree on the cell's class: both are read.
        row = self.row(PLENARY)
        outcome = row.get("procResultName") or row.get("inscResultCd")
        return squash(outcome) if outcome else None

    def plenary_stage(self) -> str:
        """``passed`` or ``rejected`` once the plenary has voted, else ``plenary``."""
        outcome = self.outcome()
        if outcome in PASSING_RESULTS:
            return "passed"
        return stage_for_result(outcome) or "plenary"

    def result(self) -> str | None:
        cells = (
            self.row(COMMITTEE).get("inscResultCd"),
            self.row(JUDICIARY).get("inscResultCd"),
            self.outcome(),
            self.row(RECONSIDERATION).get("procResultName"),
        )
        endings = [squash(text) for text in cells if text and stage_for_result(text)]
        if endings:
            return endings[-1]
        plenary = self.outcome()
        return plenary if plenary in PASSING_RESULTS else None

    def promulgations(self) -> tuple[Promulgation, ...]:
        return tuple(
            Promulgation(
                _date(row["announceDt"], INFO_SOURCE, f"{PROMULGATION} td.announceDt")
                if row.get("announceDt")
                else None,
                row.get("announceNo"),
                row.get("lawName"),
            )
            for row in self.rows(PROMULGATION)
        )

    def meetings(self) -> tuple[Meeting, ...]:
        """Every row of the meeting tables; a row without a name or a date is not a meeting
        (the site shows an empty row before the first one)."""
        found = []
        for caption, committee in MEETING_TABLES.items():
            for row in self.rows(caption):
                name, day = row.get("mtngName"), row.get("mtngDt")
                if not (name and day):
                    continue
                held_on = _date(day, INFO_SOURCE, f"{caption} td.mtngDt")
                result = row.get("procResultName") or row.get("inscResultCd")
                found.append(Meeting(committee, name, held_on, result, row.get(_MINUTES)))
        return tuple(found)

    def events(self) -> list[BillEvent]:
        """The dated steps the tables show, each with the stage it stands for."""
        committee = self.row(COMMITTEE)
        judiciary = self.row(JUDICIARY)
        dated = [
            (COMMITTEE, "submitDt", "committee_review", _joined("소관위 회부", self.committee())),
            (COMMITTEE, "presentDt", "committee_review", "소관위 상정"),
            (
                COMMITTEE,
                "procDt",
                stage_for_result(committee.get("inscResultCd")) or "committee_review",
                _joined("소관위 처리", committee.get("inscResultCd")),
            ),
            (SUBCOMMITTEE, "presentDt", "committee_review", "소위 상정"),
            (SUBCOMMITTEE, "procDt", "committee_review", "소위 처리"),
            (JUDICIARY, "submitDt", "judiciary_review", "법사위 회부"),
            (JUDICIARY, "presentDt", "judiciary_review", "법사위 상정"),
            (
                JUDICIARY,
                "procDt",
                stage_for_result(judiciary.get("inscResultCd")) or "judiciary_review",
                _joined("법사위 처리", judiciary.get("inscResultCd")),
            ),
            (PLENARY, "presentDt", "plenary", "본회의 상정"),
            (PLENARY, "procDt", self.plenary_stage(), _joined("본회의 의결", self.outcome())),
            (GOVERNMENT, "govTransDt", "sent_to_government", "정부이송"),
        ]
        events = [
            BillEvent(stage, day, description)
            for caption, cell, stage, description in dated
            if (day := self.date(caption, cell))
        ]
        for law in self.promulgations():
            if law.date:
                number = f"법률 제{law.number}호" if law.number else None
                events.append(BillEvent("promulgated", law.date, _joined("공포", number, law.law)))
        return events


def _first_of_each_step(events: list[BillEvent]) -> tuple[BillEvent, ...]:
    """One event a stage and day, as the store keeps them: the most specific comes first."""
    kept: dict[tuple[str, str], BillEvent] = {}
    for event in events:
        kept.setdefault((event.stage, event.happened_on), event)
    return tuple(kept.values())


def _joined(name: str, *details: str | None) -> str:
    """``name`` with the details the page gave, as ``소관위 처리 (대안반영폐기)``."""
    given = [d for d in details if d]
    return f"{name} ({', '.join(given)})" if given else name


def _step_bar_events(step_bar: Iterable[StepBarItem], plenary_stage: str) -> list[BillEvent]:
    """The step bar's dates (접수: 제안일, the reviews: 처리일, 본회의: 의결일) as steps."""
    events = []
    for item in step_bar:
        if item.date:
            stage = plenary_stage if item.code == "MAIN" else item.stage
            events.append(BillEvent(stage, item.date, item.title.replace(_IN_PROGRESS, "").strip()))
    return events


def _step_bar(root: etree._Element) -> tuple[StepBarItem, ...]:
    bar = _one(root, "div.bill_step_list#insc-step-sect", INFO_SOURCE)
    items = []
    for step in _FIND["div[data-gbn]"](bar):
        code = step.get("data-gbn", "").strip()
        title = _optional_text(step, "div.title") or step.get("title", "").strip()
        date_text = _optional_text(step, "div.stepdate")
        current = _has_class(step, "on") or step.get("title", "").strip().endswith(_IN_PROGRESS)
        stage = stage_for_step(title) if code == ENDING_STEP else STEP_STAGES.get(code)
        if stage is None:
            if date_text or current:
                raise ParseError(INFO_SOURCE, f"step bar step {code} '{title}' is not known")
            continue
        date = _date(date_text, INFO_SOURCE, f"step {code} div.stepdate") if date_text else None
        items.append(StepBarItem(code, title, stage, date, current))
    if not items:
        raise ParseError(INFO_SOURCE, "div.bill_step_list#insc-step-sect has no div[data-gbn]")
    return tuple(items)


def _tables(
    root: etree._Element, row_extra: Callable[[etree._Element], dict[str, str]] | None = None
) -> dict[str, list[dict[str, str]]]:
    """Each captioned table's rows (cell class → value), by squashed caption; the first table
    of a caption wins."""
    tables: dict[str, list[dict[str, str]]] = {}
    for caption in _FIND["table > caption"](root):
        name = squash(_text(caption).split(" :")[0].split(":")[0])
        if name in tables:
            continue
        table = caption.getparent()
        rows = []
        for tr in _FIND["tr with td"](table):
            cells: dict[str, str] = {}
            for td in tr.iterchildren("td"):
                value = _cell_value(td)
                for name_ in td.get("class", "").split():
                    cells.setdefault(name_, value)
            if row_extra is not None:
                cells.update(row_extra(tr))
            if any(cells.values()):
                rows.append({k: v for k, v in cells.items() if v})
        tables[name] = rows
    return tables


def _cell_value(td: etree._Element) -> str:
    span = next(td.iterchildren("span"), None)
    text = _text(span) if span is not None else _own_text(td)
    # Some values carry a double-escaped "<br>" and a note after it: keep what comes before.
    return _BR_TAIL.split(text, maxsplit=1)[0].strip()


_BR_TAIL = re.compile(r"<\s*br\s*/?\s*>", re.IGNORECASE)


def _own_text(td: etree._Element) -> str:
    """A cell's text without its label (``<i>``): a value not in a ``<span>`` (공포정보's law
    name is a link)."""
    parts = [td.text or ""]
    for child in td:
        if child.tag not in ("i", "button") and isinstance(child.tag, str):
            parts.append(_text(child))
        parts.append(child.tail or "")
    return " ".join(" ".join(parts).split())


# The extra cell a row's minutes link is kept under (no td class of the site has this name).
_MINUTES = "minutesUrl"


def _minutes_link(tr: etree._Element) -> dict[str, str]:
    """The link to a meeting's minutes (``a[href*="pdf.do?id="]`` in its 회의록 cell)."""
    for href in _FIND["a[href*=pdf.do?id=] @href"](tr):
        if href.strip().startswith(("http://", "https://")):
            return {_MINUTES: href.strip()}
    return {}


_BILL_ID = re.compile(r"[A-Z]{3}_[A-Z0-9]+")


def _bill_id_of_row(tr: etree._Element) -> dict[str, str]:
    """The bill id a row carries in a ``data-bill-id`` attribute, if any (not in a capture)."""
    for value in _FIND["@data-bill-id"](tr):
        if _BILL_ID.fullmatch(value.strip()):
            return {"billId": value.strip()}
    return {}


def _bill_ref(row: dict[str, str], caption: str) -> BillRef:
    bill_no = _required(row, "billNo", caption, ALTERNATIVE_SOURCE)
    if not bill_no.isdigit():
        raise ParseError(ALTERNATIVE_SOURCE, f"{caption} td.billNo is not a number: {bill_no!r}")
    title = row.get("billName") or row.get("billNm") or row.get("subject")
    return BillRef(bill_no, row.get("billId"), title)


def _required(row: dict[str, str], cell: str, caption: str, source: str = INFO_SOURCE) -> str:
    value = row.get(cell)
    if not value:
        raise ParseError(source, f"{caption} td.{cell} missing")
    return value


def _card(root: etree._Element) -> dict[str, str]:
    """The shell's ``law_meta_table`` card: each ``<strong>`` label and the text after it."""
    card: dict[str, str] = {}
    for table in _FIND["div.law_meta_table"](root):
        children = list(table)
        for label, value in itertools.pairwise(children):
            if label.tag == "strong":
                card.setdefault(_text(label), _text(value))
    return {k: v for k, v in card.items() if v}


# Parsing bytes in the encoding given lets a page declare another (an XML declaration, a
# meta charset) without lxml refusing the text or decoding it again.
_PARSER = etree.HTMLParser(encoding="utf-8")


def _class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def _id(name: str) -> str:
    # //*[@id = ...] finds the same, four times slower: libxml2 is slow to test a predicate on
    # every element and quick to walk the attributes.
    return f"//@id[. = '{name}']/.."


# What the parsers look for, by the CSS selector their errors name.
_FIND = {
    css: etree.XPath(xpath)
    for css, xpath in {
        "#maintenance": _id("maintenance"),
        "title, h1, h2": "//title | //h1 | //h2",
        "h1": "//h1",
        "title": "//title",
        "h3.detailh3": f"//h3[{_class('detailh3')}]",
        "form#form": "//form[@id = 'form']",
        "input[type=hidden]": "descendant::input[translate(@type, 'HIDEN', 'hiden') = 'hidden']",
        "div.law_meta_table": f"//div[{_class('law_meta_table')}]",
        "div.bill_step_list#insc-step-sect": (
            f"//div[@id = 'insc-step-sect'][{_class('bill_step_list')}]"
        ),
        "div[data-gbn]": "child::div[@data-gbn]",
        "div.title": f"descendant::div[{_class('title')}]",
        "div.stepdate": f"descendant::div[{_class('stepdate')}]",
        "table > caption": "//table/caption",
        "tr with td": "descendant::tr[td]",
        "@data-bill-id": "descendant::*/@data-bill-id",
        "a[href*=pdf.do?id=] @href": "descendant::a[contains(@href, 'pdf.do?id=')]/@href",
        "pre#prntSummary": "//pre[@id = 'prntSummary']",
        "pre.bill_memo": f"//pre[{_class('bill_memo')}]",
    }.items()
}
# Script, style and template contents and ruby annotations are not text a reader sees.
_STRINGS = etree.XPath(
    "descendant::text()[not(ancestor::script or ancestor::style or ancestor::template"
    " or ancestor::rt or ancestor::rp)]",
    smart_strings=False,
)
_META = etree.XPath("string((//meta[@name = $name])[1]/@content)")


def _document(html: str) -> etree._Element:
    # A lone surrogate, which no page holds, cannot be encoded; it becomes "?".
    root = etree.fromstring(html.encode(errors="replace"), _PARSER)
    # lxml gives no tree for a page without an element (empty, blank, a lone comment).
    return root if root is not None else etree.Element("html")


def _text(element: etree._Element) -> str:
    return " ".join(" ".join(_STRINGS(element)).split())


def _has_class(element: etree._Element, name: str) -> bool:
    return name in element.get("class", "").split()


def _first(root: etree._Element, selector: str) -> etree._Element | None:
    found = _FIND[selector](root)
    return found[0] if found else None


def _one(root: etree._Element, selector: str, source: str) -> etree._Element:
    found = _first(root, selector)
    if found is None:
        raise ParseError(source, f"{selector} missing")
    return found


def _optional_text(root: etree._Element, selector: str) -> str | None:
    found = _first(root, selector)
    return (_text(found) or None) if found is not None else None


def _meta(root: etree._Element, name: str) -> str | None:
    return _META(root, name=name).strip() or None


def _is_error_document(root: etree._Element) -> bool:
    if _first(root, "#maintenance") is not None:
        return True
    for tag in _FIND["title, h1, h2"](root):
        text = _text(tag)
        if any(marker in text for marker in _ERROR_MARKERS):
            return True
    return False


def _raise_if_error_page(root: etree._Element, source: str) -> None:
    if _is_error_document(root):
        notice = _first(root, "h1")
        if notice is None:
            notice = _first(root, "title")
        message = _text(notice) if notice is not None else "error page served with HTTP 200"
        raise SourceError(source, message)


_HEADING = re.compile(r"\[\s*(\d+)\s*\]\s*(.+)")


def _split_heading(text: str, source: str, selector: str) -> tuple[str, str, str | None]:
    """Split "[의안번호] 의안명(제안자)" into number, title and proposer."""
    match = _HEADING.fullmatch(text)
    if match is None:
        raise ParseError(source, f"{selector} is not '[bill number] title'")
    bill_no, rest = match.groups()
    title, proposer = _split_trailing_parenthesis(rest)
    if not title:
        raise ParseError(source, f"{selector} has no title")
    return bill_no, title, proposer


def _split_trailing_parenthesis(text: str) -> tuple[str, str | None]:
    # Only the last balanced group is the proposer: alternatives read "…법안(대안)(위원장)".
    text = text.strip()
    if not text.endswith(")"):
        return text, None
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        if text[i] == ")":
            depth += 1
        elif text[i] == "(":
            depth -= 1
            if depth == 0:
                return text[:i].rstrip(), text[i + 1 : -1].strip() or None
    return text, None


_DATE = re.compile(r"(\d{4})\s*[-./]?\s*(\d{1,2})\s*[-./]?\s*(\d{1,2})\.?")


def _date(text: str, source: str, what: str) -> str:
    """Normalise a date cell to YYYY-MM-DD."""
    match = _DATE.fullmatch(text.strip())
    try:
        if match is None:
            raise ValueError(text)
        return dt.date(*(int(part) for part in match.groups())).isoformat()
    except ValueError:
        raise ParseError(source, f"{what} is not a date: {text[:40]!r}") from None


def _summary(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    lines = [" ".join(line.split()) for line in "".join(_STRINGS(element)).splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    if lines and squash(lines[0]) == "제안이유및주요내용":
        lines.pop(0)
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    return "\n".join(kept).strip() or None
