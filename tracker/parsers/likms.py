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

from bs4 import BeautifulSoup, Tag

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
    return _is_error_soup(_soup(html))


def parse_detail_page(html: str) -> DetailPage:
    """Parse the shell page ``/bill/bi/billDetailPage.do``."""
    soup = _soup(html)
    _raise_if_error_page(soup, DETAIL_SOURCE)
    heading = _one(soup, "h3.detailh3", DETAIL_SOURCE)
    form = _one(soup, "form#form", DETAIL_SOURCE)
    fields = {
        str(tag["name"]): str(tag.get("value", ""))
        for tag in form.select("input[type=hidden]")
        if tag.get("name")
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
        csrf_token=_meta(soup, "_csrf"),
        csrf_header=_meta(soup, "_csrf_header") or "X-CSRF-TOKEN",
        form_fields=fields,
    )


def parse_bill_info(html: str) -> BillInfo:
    """Parse the fragment POST ``/bill/bi/bill/detail/billInfo.do`` returns."""
    soup = _soup(html)
    _raise_if_error_page(soup, INFO_SOURCE)
    receipt = _one(soup, "#rcp_list tbody#insc-rcp-row", INFO_SOURCE)
    bill_no = _required_text(receipt, "td.billNo span", INFO_SOURCE)
    proposed_on = _date(
        _required_text(receipt, "td.proposeDt span", INFO_SOURCE), INFO_SOURCE, "td.proposeDt"
    )
    committee = _optional_text(receipt, "td.cmtName span") or _optional_text(
        soup, "#cmt_list td.cmtName"
    )
    steps, bar = _stage_list(soup)
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
        summary=_summary(soup.select_one("pre#prntSummary")),
        steps=steps,
        current_step=current_step,
        stage=stage,
        result=result,
        alternative=_alternative(soup),
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
    soup = _soup(html)
    _raise_if_error_page(soup, OLD_SOURCE)
    heading_no, title, proposer = _split_heading(
        _text(_one(soup, "h3.titCont", OLD_SOURCE)), OLD_SOURCE, "h3.titCont"
    )
    cells = [_text(td) for td in _one(soup, "div.tableCol01 table tbody tr", OLD_SOURCE)("td")]
    if len(cells) < 3:
        raise ParseError(OLD_SOURCE, "div.tableCol01 row has fewer than 3 cells")
    bill_no = cells[0] or heading_no
    steps_bar = _one(soup, "div.stepType01", OLD_SOURCE).select("span")
    if not steps_bar:
        raise ParseError(OLD_SOURCE, "div.stepType01 has no steps")
    current = next((_text(s) for s in steps_bar if "on" in s.get("class", [])), None)
    summary_div = soup.select_one("#summaryContentDiv")
    if summary_div is not None:
        for br in summary_div.find_all("br"):
            br.replace_with("\n")
    return BillInfo(
        bill_no=bill_no,
        proposed_on=_date(cells[1], OLD_SOURCE, "div.tableCol01 제안일자"),
        proposer=cells[2] or proposer,
        committee=None,
        summary=_summary(summary_div),
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


def _soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "lxml")


def _text(tag: Tag) -> str:
    return " ".join(tag.get_text(" ").split())


def _one(root: Tag, selector: str, source: str) -> Tag:
    found = root.select_one(selector)
    if found is None:
        raise ParseError(source, f"{selector} missing")
    return found


def _required_text(root: Tag, selector: str, source: str) -> str:
    text = _text(_one(root, selector, source))
    if not text:
        raise ParseError(source, f"{selector} empty")
    return text


def _optional_text(root: Tag, selector: str) -> str | None:
    found = root.select_one(selector)
    return (_text(found) or None) if found is not None else None


def _meta(soup: BeautifulSoup, name: str) -> str | None:
    tag = soup.find("meta", attrs={"name": name})
    if tag is None:
        return None
    return str(tag.get("content", "")).strip() or None


def _is_error_soup(soup: BeautifulSoup) -> bool:
    if soup.find(id="maintenance") is not None:
        return True
    for tag in soup.find_all(["title", "h1", "h2"]):
        text = _text(tag)
        if any(marker in text for marker in _ERROR_MARKERS):
            return True
    return False


def _raise_if_error_page(soup: BeautifulSoup, source: str) -> None:
    if _is_error_soup(soup):
        notice = soup.find("h1") or soup.find("title")
        raise SourceError(source, _text(notice) if notice else "error page served with HTTP 200")


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


def _stage_list(soup: BeautifulSoup) -> tuple[list[Step], list[_BarItem]]:
    section = _one(soup, "#stage_list", INFO_SOURCE)
    content = [
        child
        for child in section.find_all(True, recursive=False)
        if "theme_title_wrap" not in child.get("class", [])
    ]
    if not content:
        return [], []
    body = _one(soup, "#stage_list table tbody#stage-rows", INFO_SOURCE)
    steps = []
    for row in body.find_all("tr"):
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
    step_bar = section.select_one("ul.stage_step")
    if step_bar is not None:
        for li in step_bar.find_all("li"):
            classes = li.get("class", [])
            bar.append(_BarItem(_text(li), done="end" in classes, current="on" in classes))
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


def _summary(tag: Tag | None) -> str | None:
    if tag is None:
        return None
    lines = [" ".join(line.split()) for line in tag.get_text().splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    if lines and squash(lines[0]) == "제안이유및주요내용":
        lines.pop(0)
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    return "\n".join(kept).strip() or None


def _alternative(soup: BeautifulSoup) -> AlternativeRef | None:
    section = soup.select_one("#altr_list")
    if section is None:
        return None
    link = _one(soup, "#altr_list a[data-bill-id]", INFO_SOURCE)
    row = link.find_parent("tr") or section
    proposed = _optional_text(row, "td.proposeDt")
    title = _text(link)
    if not title:
        raise ParseError(INFO_SOURCE, "#altr_list a[data-bill-id] has no title")
    return AlternativeRef(
        bill_id=str(link["data-bill-id"]).strip(),
        bill_no=_optional_text(row, "td.billNo"),
        title=title,
        proposed_on=_date(proposed, INFO_SOURCE, "#altr_list td.proposeDt") if proposed else None,
    )
