"""Parsers for the Assembly's bill pages on likms.assembly.go.kr.

Three layouts: the current shell page ``billDetailPage.do`` (title, CSRF token and the hidden
form to POST), the ``billInfo.do`` fragment that POST returns (receipt data, summary, dated
steps, alternative), and the old ``billDetail.do`` page. Every parser raises ``ParseError``
naming the missing part when the page no longer has the expected shape, and ``SourceError``
when the site served a maintenance or block page with HTTP 200.

Stage and result rules for ``billInfo.do``:

- ``stage`` is the furthest stage (``stages.later``) among the dated steps, the finished and
  current entries of the step bar, and the stage the result implies.
- ``result`` is the last result found in the dated steps: an ending result (대안반영폐기, 철회,
  부결, 임기만료폐기, …) written as a step name or a step description anywhere, or a passing
  result (원안가결, 수정가결) only when written on a plenary step (본회의 부의/상정/의결/처리).
  A committee's or the judiciary committee's 원안가결/수정가결 is not the bill's result.
- The live site fills ``#stage_list`` by script: a ``#stage_list`` holding nothing but its
  heading (as in the real capture) gives no steps, ``current_step``/``stage``/``result`` None,
  meaning "not known from this page". Any other ``#stage_list`` must contain
  ``tbody#stage-rows`` with at least one row, so empty steps never pass for a bill without
  progress.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from lxml import etree

from tracker.errors import ParseError, SourceError
from tracker.models import UNKNOWN, BillEvent, BillRecord
from tracker.stages import PASSING_RESULTS, later, squash, stage_for_result, stage_for_step

DETAIL_SOURCE = "bill_page"
INFO_SOURCE = "bill_info"
OLD_SOURCE = "bill_page_old"

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
_PLENARY_STAGES = frozenset({"plenary", "passed"})


@dataclass(frozen=True)
class DetailPage:
    """The shell page ``billDetailPage.do``: what identifies the bill and what to POST next."""

    bill_id: str
    bill_no: str
    title: str
    proposer: str | None
    current_step: str | None
    current_stage: str | None
    csrf_token: str | None
    csrf_header: str
    form_fields: dict[str, str]


@dataclass(frozen=True)
class Step:
    """One dated progress step as the site lists it."""

    name: str
    stage: str | None
    date: str | None
    description: str


@dataclass(frozen=True)
class AlternativeRef:
    """The committee alternative (대안) a bill was folded into."""

    bill_id: str
    bill_no: str | None
    title: str
    proposed_on: str | None


@dataclass(frozen=True)
class BillInfo:
    """The details of a bill from ``billInfo.do`` (or the old ``billDetail.do`` page)."""

    bill_no: str
    proposed_on: str
    proposer: str | None
    committee: str | None
    summary: str | None
    steps: list[Step]
    current_step: str | None
    stage: str | None
    result: str | None
    alternative: AlternativeRef | None
    title: str | None = None


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
    bill_no = fields.get("billNo", "").strip() or heading_no
    if bill_no != heading_no:
        raise ParseError(DETAIL_SOURCE, f"billNo {bill_no} differs from h3.detailh3 {heading_no}")
    current_step = fields.get("currCmtName", "").strip() or None
    return DetailPage(
        bill_id=bill_id,
        bill_no=bill_no,
        title=title,
        proposer=proposer,
        current_step=current_step,
        current_stage=stage_for_step(current_step) if current_step else None,
        csrf_token=_meta(root, "_csrf"),
        csrf_header=_meta(root, "_csrf_header") or "X-CSRF-TOKEN",
        form_fields=fields,
    )


def parse_bill_info(html: str) -> BillInfo:
    """Parse the fragment POST ``/bill/bi/bill/detail/billInfo.do`` returns."""
    root = _document(html)
    _raise_if_error_page(root, INFO_SOURCE)
    receipt = _one(root, "#rcp_list tbody#insc-rcp-row", INFO_SOURCE)
    bill_no = _required_text(receipt, "td.billNo span", INFO_SOURCE)
    proposed_on = _date(
        _required_text(receipt, "td.proposeDt span", INFO_SOURCE), INFO_SOURCE, "td.proposeDt"
    )
    committee = _optional_text(receipt, "td.cmtName span") or _optional_text(
        root, "#cmt_list td.cmtName"
    )
    steps, bar = _stage_list(root)
    current_step = _current_step(bar)
    result = _result(steps)
    stage = None
    for step in steps:
        stage = later(stage, step.stage)
    for item in bar:
        if item.done or item.current:
            stage = later(stage, stage_for_step(item.name))
    stage = later(stage, stage_for_result(result))
    if result in PASSING_RESULTS:
        stage = later(stage, "passed")
    return BillInfo(
        bill_no=bill_no,
        proposed_on=proposed_on,
        proposer=_optional_text(receipt, "td.proposer span"),
        committee=committee,
        summary=_summary(_first(root, "pre#prntSummary")),
        steps=steps,
        current_step=current_step,
        stage=stage,
        result=result,
        alternative=_alternative(root),
    )


def bill_from_pages(page: DetailPage, info: BillInfo) -> BillRecord:
    """What the shell page and its fragment say about a bill, as a ``bill_page`` BillRecord.

    A part the pages did not show stays UNKNOWN, never None: with no dated steps the stage is
    the shell's current step and the result is unknown. The two pages must be of one bill.
    """
    if info.bill_no != page.bill_no:
        raise ParseError(INFO_SOURCE, f"td.billNo {info.bill_no} is not the page's {page.bill_no}")
    stage = info.stage if info.steps else page.current_stage
    alternative = info.alternative if stage == "replaced_by_alternative" else None
    return BillRecord(
        bill_id=page.bill_id,
        source=DETAIL_SOURCE,
        stage=stage or UNKNOWN,
        result=info.result if info.steps else UNKNOWN,
        title=page.title,
        bill_no=page.bill_no,
        proposer=page.proposer or info.proposer or UNKNOWN,
        proposed_on=info.proposed_on,
        committee=info.committee or UNKNOWN,
        summary=info.summary or UNKNOWN,
        events=[
            BillEvent(step.stage, step.date, step.description or step.name)
            for step in info.steps
            if step.stage and step.date
        ],
        replaced_by=alternative.bill_id if alternative else None,
        replaced_by_title=alternative.title if alternative else None,
    )


def parse_old_detail(html: str) -> BillInfo:
    """Parse the old ``/bill/billDetail.do`` page; it has no dated steps or committee."""
    root = _document(html)
    _raise_if_error_page(root, OLD_SOURCE)
    heading_no, title, proposer = _split_heading(
        _text(_one(root, "h3.titCont", OLD_SOURCE)), OLD_SOURCE, "h3.titCont"
    )
    row = _one(root, "div.tableCol01 table tbody tr", OLD_SOURCE)
    cells = [_text(td) for td in row.iterdescendants("td")]
    if len(cells) < 3:
        raise ParseError(OLD_SOURCE, "div.tableCol01 row has fewer than 3 cells")
    bill_no = cells[0] or heading_no
    steps_bar = list(_one(root, "div.stepType01", OLD_SOURCE).iterdescendants("span"))
    if not steps_bar:
        raise ParseError(OLD_SOURCE, "div.stepType01 has no steps")
    current = next((_text(s) for s in steps_bar if _has_class(s, "on")), None)
    return BillInfo(
        bill_no=bill_no,
        proposed_on=_date(cells[1], OLD_SOURCE, "div.tableCol01 제안일자"),
        proposer=cells[2] or proposer,
        committee=None,
        summary=_summary(_first(root, "#summaryContentDiv"), line_breaks=True),
        steps=[],
        current_step=current,
        stage=stage_for_step(current) if current else None,
        result=None,
        alternative=None,
        title=title,
    )


@dataclass(frozen=True)
class _BarItem:
    name: str
    done: bool
    current: bool


# Parsing bytes in the encoding given lets a page declare another (an XML declaration, a
# meta charset) without lxml refusing the text or decoding it again.
_PARSER = etree.HTMLParser(encoding="utf-8")


def _class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def _id(name: str) -> str:
    # //*[@id = ...] finds the same, four times slower: libxml2 is slow to test a predicate on
    # every element and quick to walk the attributes.
    return f"//@id[. = '{name}']/.."


# What the parsers look for, by the CSS selector their errors name. As for a CSS selector, the
# ancestors a relative expression asks for may lie outside the element it is applied to.
# Compound selectors go from the right, the way browsers match them: the few candidates
# first, then their ancestors.
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
        "#rcp_list tbody#insc-rcp-row": (
            "//tbody[@id = 'insc-rcp-row'][ancestor::*[@id = 'rcp_list']]"
        ),
        "td.billNo span": f"descendant::span[ancestor::td[{_class('billNo')}]]",
        "td.proposeDt span": f"descendant::span[ancestor::td[{_class('proposeDt')}]]",
        "td.proposer span": f"descendant::span[ancestor::td[{_class('proposer')}]]",
        "td.cmtName span": f"descendant::span[ancestor::td[{_class('cmtName')}]]",
        "#cmt_list td.cmtName": f"//td[{_class('cmtName')}][ancestor::*[@id = 'cmt_list']]",
        "#stage_list": _id("stage_list"),
        ":scope > :not(.theme_title_wrap)": f"*[not({_class('theme_title_wrap')})]",
        "#stage_list table tbody#stage-rows": (
            "//tbody[@id = 'stage-rows'][ancestor::table[ancestor::*[@id = 'stage_list']]]"
        ),
        "td.stage": f"descendant::td[{_class('stage')}]",
        "td.date": f"descendant::td[{_class('date')}]",
        "td.desc": f"descendant::td[{_class('desc')}]",
        "ul.stage_step": f"descendant::ul[{_class('stage_step')}]",
        "pre#prntSummary": "//pre[@id = 'prntSummary']",
        "#altr_list": _id("altr_list"),
        "#altr_list a[data-bill-id]": "//a[@data-bill-id][ancestor::*[@id = 'altr_list']]",
        "td.proposeDt": f"descendant::td[{_class('proposeDt')}]",
        "td.billNo": f"descendant::td[{_class('billNo')}]",
        "h3.titCont": f"//h3[{_class('titCont')}]",
        "div.tableCol01 table tbody tr": (
            f"//tr[ancestor::tbody[ancestor::table[ancestor::div[{_class('tableCol01')}]]]]"
        ),
        "div.stepType01": f"//div[{_class('stepType01')}]",
        "#summaryContentDiv": _id("summaryContentDiv"),
    }.items()
}
# Script, style and template contents and ruby annotations are not text a reader sees.
_STRINGS = etree.XPath(
    "descendant::text()[not(ancestor::script or ancestor::style or ancestor::template"
    " or ancestor::rt or ancestor::rp)]",
    smart_strings=False,
)
_STRINGS_AND_BREAKS = etree.XPath(f"{_STRINGS.path} | descendant::br", smart_strings=False)
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


def _required_text(root: etree._Element, selector: str, source: str) -> str:
    text = _text(_one(root, selector, source))
    if not text:
        raise ParseError(source, f"{selector} empty")
    return text


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


def _stage_list(root: etree._Element) -> tuple[list[Step], list[_BarItem]]:
    section = _one(root, "#stage_list", INFO_SOURCE)
    if _first(section, ":scope > :not(.theme_title_wrap)") is None:
        return [], []
    body = _one(root, "#stage_list table tbody#stage-rows", INFO_SOURCE)
    steps = []
    for row in body.iterdescendants("tr"):
        name = _required_text(row, "td.stage", INFO_SOURCE)
        date = _text(_one(row, "td.date", INFO_SOURCE))
        steps.append(
            Step(
                name=name,
                stage=stage_for_step(name),
                date=_date(date, INFO_SOURCE, "td.date") if date else None,
                description=_text(_one(row, "td.desc", INFO_SOURCE)),
            )
        )
    if not steps:
        raise ParseError(INFO_SOURCE, "tbody#stage-rows has no rows")
    bar = []
    step_bar = _first(section, "ul.stage_step")
    if step_bar is not None:
        for li in step_bar.iterdescendants("li"):
            bar.append(
                _BarItem(_text(li), done=_has_class(li, "end"), current=_has_class(li, "on"))
            )
        if not bar:
            raise ParseError(INFO_SOURCE, "ul.stage_step has no items")
    return steps, bar


def _current_step(bar: list[_BarItem]) -> str | None:
    for item in bar:
        if item.current:
            return item.name
    done = [item.name for item in bar if item.done]
    return done[-1] if done else None


def _result(steps: list[Step]) -> str | None:
    result = None
    for step in steps:
        for text in (step.name, step.description):
            squashed = squash(text)
            if stage_for_result(squashed) or (
                squashed in PASSING_RESULTS and step.stage in _PLENARY_STAGES
            ):
                result = squashed
    return result


def _summary(element: etree._Element | None, line_breaks: bool = False) -> str | None:
    # The old page ends the summary's lines with <br>, the fragment's <pre> with newlines.
    if element is None:
        return None
    parts = (_STRINGS_AND_BREAKS if line_breaks else _STRINGS)(element)
    text = "".join(part if isinstance(part, str) else "\n" for part in parts)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    if lines and squash(lines[0]) == "제안이유및주요내용":
        lines.pop(0)
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    return "\n".join(kept).strip() or None


def _alternative(root: etree._Element) -> AlternativeRef | None:
    section = _first(root, "#altr_list")
    if section is None:
        return None
    link = _one(root, "#altr_list a[data-bill-id]", INFO_SOURCE)
    row = next(link.iterancestors("tr"), section)
    proposed = _optional_text(row, "td.proposeDt")
    title = _text(link)
    if not title:
        raise ParseError(INFO_SOURCE, "#altr_list a[data-bill-id] has no title")
    return AlternativeRef(
        bill_id=link.get("data-bill-id", "").strip(),
        bill_no=_optional_text(row, "td.billNo"),
        title=title,
        proposed_on=_date(proposed, INFO_SOURCE, "#altr_list td.proposeDt") if proposed else None,
    )
