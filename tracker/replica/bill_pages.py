"""Replica of the Assembly's bill pages (likms): the shell page, the ``billInfo.do`` fragment
and the old address that forwards to the shell, served like the live site.

A bill's page starts as its Open API row shows it the first time it is asked for, and from
then on moves only when told (:meth:`BillPagesReplica.advance`), so a test or the demo can
show a status on the page before the API has it, as the real site does. The site's manners
are kept: a session cookie with a CSRF token per session, 403 for a POST without both, and
``ETag`` / ``Last-Modified`` on the shell with 304 for a conditional GET of an unchanged one.
Per-bill faults serve another body (a redesigned page, a maintenance notice) or an HTTP error.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.cookies import SimpleCookie
from typing import Any

from tracker import stages
from tracker.replica.assembly import AssemblyApiReplica, fault_response
from tracker.replica.http import Request, Response
from tracker.replica.likms_pages import render_bill_info, render_detail_page

DETAIL_PATH = "/bill/bi/billDetailPage.do"
INFO_PATH = "/bill/bi/bill/detail/billInfo.do"
OLD_PATH = "/bill/billDetail.do"
SESSION_COOKIE = "JSESSIONID"
HTML = "text/html;charset=UTF-8"

# What the shell page's ``currCmtName`` shows once a bill reaches a stage: the step bar entry,
# or for a bill that ended without becoming law, its ending.
_CURRENT_STEP = {
    "received": "접수",
    "committee_review": "위원회 심사",
    "judiciary_review": "체계자구 심사",
    "plenary": "본회의 심의",
    "passed": "본회의 심의",
    "sent_to_government": "정부이송",
    "promulgated": "공포",
    "withdrawn": "철회",
    "rejected": "부결",
    "replaced_by_alternative": "대안반영폐기",
    "discarded": "임기만료폐기",
}


@dataclass
class BillPage:
    """What the site shows for one bill; ``bill`` holds the keys ``likms_pages`` renders."""

    bill: dict[str, Any]
    steps: list[dict[str, Any]] = field(default_factory=list)
    summary: str | None = None
    alternative: dict[str, Any] | None = None
    # A change of the page's chrome that leaves its data alone (whitespace, banner, ads).
    cosmetic: Callable[[str], str] | None = None

    def step(self, name: str, day: str, description: str) -> None:
        self.steps.append({"name": name, "date": day, "description": description})


@dataclass(frozen=True)
class PageFault:
    """What the site serves for one bill instead of its pages."""

    status: int = 200
    shell: str | None = None
    info: str | None = None


MAINTENANCE = PageFault(shell=str(fault_response("html200").body))


def page_from_row(row: dict[str, Any]) -> BillPage:
    """The page of a bill as its TVBPMBILL11 row shows it."""
    proposer = row["PROPOSER"]
    page = BillPage(
        {
            "bill_id": row["BILL_ID"],
            "bill_no": row["BILL_NO"],
            "title": row["BILL_NAME"],
            "proposer": proposer,
            "proposed_on": row["PROPOSE_DT"],
            "committee": row["CURR_COMMITTEE"],
            "current_step": _CURRENT_STEP["received"],
        }
    )
    page.step("접수", row["PROPOSE_DT"], f"{proposer} 발의")
    for stage, day, result in _row_progress(row):
        advance_page(page, stage, day, result)
    return page


def alternative_of(row: dict[str, Any]) -> dict[str, Any]:
    """How another bill's ``#altr_list`` names the bill of ``row`` as its alternative."""
    return {
        "bill_id": row["BILL_ID"],
        "bill_no": row["BILL_NO"],
        "title": row["BILL_NAME"],
        "proposed_on": row["PROPOSE_DT"],
    }


def _row_progress(row: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    progress = [
        (stage, row[name], None)
        for name, stage in (
            ("COMMITTEE_DT", "committee_review"),
            ("LAW_SUBMIT_DT", "judiciary_review"),
            ("LAW_PROC_DT", "plenary"),
        )
        if row.get(name)
    ]
    result, day = row.get("PROC_RESULT_CD"), row.get("PROC_DT")
    if result and day:
        progress.append((stages.stage_for_result(result) or "passed", day, result))
    if row.get("PROM_DT"):
        progress.append(("promulgated", row["PROM_DT"], None))
    return progress


def advance_page(
    page: BillPage,
    stage: str,
    day: str,
    result: str | None = None,
    alternative: dict[str, Any] | None = None,
) -> None:
    """Add the steps the site lists when a bill reaches ``stage`` on ``day``.

    ``result`` is the plenary result of ``passed`` (default 원안가결); ``alternative``
    (``bill_id``, ``bill_no``, ``title``, ``proposed_on``) the bill that replaces this one.
    """
    bill = page.bill
    if stage == "committee_review":
        page.step("소관위 회부", day, bill.get("committee") or "")
        bill["committee_referred_on"] = day
    elif stage in ("judiciary_review", "replaced_by_alternative"):
        outcome = "수정가결" if stage == "judiciary_review" else "대안반영폐기"
        page.step("소관위 처리", day, outcome)
        bill.update(committee_decided_on=day, committee_result=outcome)
        if stage == "judiciary_review":
            page.step("체계자구심사 회부", day, "법제사법위원회")
        else:
            page.step("대안반영폐기", day, "위원회 대안에 반영되어 폐기")
            page.alternative = alternative
    elif stage == "plenary":
        page.step("체계자구심사 처리", day, "원안가결")
        page.step("본회의 부의", day, "본회의 심의")
    elif stage == "passed":
        page.step("본회의 의결", day, result or "원안가결")
        bill.update(plenary_on=day, plenary_result=result or "원안가결")
    elif stage == "sent_to_government":
        page.step("정부이송", day, "정부이송")
    elif stage == "promulgated":
        law = bill["title"].removesuffix("안").split("(")[0]
        page.step("공포", day, f"법률 제{20000 + int(bill['bill_no']) % 1000}호 {law}")
    else:
        page.step(_CURRENT_STEP[stage], day, _CURRENT_STEP[stage])
    bill["current_step"] = _CURRENT_STEP[stage]


@dataclass
class BillPagesReplica:
    """The bill pages of every bill in ``assembly`` plus any added with :meth:`add`."""

    assembly: AssemblyApiReplica
    pages: dict[str, BillPage] = field(default_factory=dict)
    faults: dict[str, PageFault] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)
    versions: dict[str, tuple[str, str]] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def add(self, page: BillPage) -> None:
        with self.lock:
            self.pages[page.bill["bill_id"]] = page

    def page(self, bill_id: str) -> BillPage:
        """The page of ``bill_id``; taken from its API row the first time. KeyError if none."""
        with self.lock:
            if bill_id not in self.pages:
                with self.assembly.lock:
                    row = self.assembly.rows[bill_id]
                self.pages[bill_id] = page_from_row(row)
            return self.pages[bill_id]

    def advance(self, bill_id: str, stage: str, day: str, **kwargs: Any) -> None:
        """Move the page of ``bill_id`` on to ``stage`` (see :func:`advance_page`)."""
        with self.lock:
            advance_page(self.page(bill_id), stage, day, **kwargs)

    def handle(self, request: Request) -> Response:
        if request.path == OLD_PATH:
            target = f"{DETAIL_PATH}?billId={request.query.get('billId', '')}&currMenuNo=2600044"
            return Response(302, "", HTML, {"Location": target})
        if request.path == DETAIL_PATH and request.method in ("GET", "HEAD"):
            return self._detail(request)
        if request.path == INFO_PATH and request.method == "POST":
            return self._info(request)
        return Response(404, "not found")

    def _detail(self, request: Request) -> Response:
        bill_id = request.query.get("billId", "")
        with self.lock:
            try:
                page = self.page(bill_id)
            except KeyError:
                return Response(404, "not found")
            fault = self.faults.get(bill_id, PageFault())
            if fault.status != 200:
                return Response(fault.status, "error")
            session, headers = self._session(request)
            etag, modified = self._version(bill_id, self._shell(page, fault, ""))
            headers.update({"ETag": etag, "Last-Modified": modified, "Cache-Control": "no-cache"})
            if _not_modified(request, etag, modified):
                return Response(304, "", HTML, headers)
            body = self._shell(page, fault, self.sessions[session])
        return Response(200, body, HTML, headers)

    def _info(self, request: Request) -> Response:
        form = request.form()
        with self.lock:
            session = _cookie(request)
            token = self.sessions.get(session or "")
            if not token or request.headers.get("x-csrf-token") != token:
                return Response(403, "Forbidden: invalid CSRF token or session")
            page = self.pages.get(form.get("billId", ""))
            if page is None:
                return Response(404, "not found")
            fault = self.faults.get(page.bill["bill_id"], PageFault())
            if fault.status != 200:
                return Response(fault.status, "error")
            body = fault.info or _dress(
                page, render_bill_info(page.bill, page.steps, page.summary, page.alternative)
            )
        return Response(200, body, HTML)

    def _session(self, request: Request) -> tuple[str, dict[str, str]]:
        session = _cookie(request)
        if session in self.sessions:
            return session, {}
        session = secrets.token_hex(16)
        self.sessions[session] = secrets.token_urlsafe(24)
        return session, {"Set-Cookie": f"{SESSION_COOKIE}={session}; Path=/bill; HttpOnly"}

    @staticmethod
    def _shell(page: BillPage, fault: PageFault, csrf: str) -> str:
        return fault.shell or _dress(page, render_detail_page({**page.bill, "csrf": csrf}))

    def _version(self, bill_id: str, shell: str) -> tuple[str, str]:
        """The shell's ETag and the time it last changed, as an HTTP date."""
        etag = '"' + hashlib.sha256(shell.encode()).hexdigest()[:20] + '"'
        known = self.versions.get(bill_id)
        if known is None or known[0] != etag:
            self.versions[bill_id] = (etag, formatdate(usegmt=True))
        return self.versions[bill_id]


def _dress(page: BillPage, html: str) -> str:
    return page.cosmetic(html) if page.cosmetic else html


def _cookie(request: Request) -> str | None:
    cookie = SimpleCookie(request.headers.get("cookie", ""))
    return cookie[SESSION_COOKIE].value if SESSION_COOKIE in cookie else None


def _not_modified(request: Request, etag: str, modified: str) -> bool:
    # RFC 9110 13.2.2: If-None-Match, when sent, decides alone.
    if "if-none-match" in request.headers:
        return etag in [tag.strip() for tag in request.headers["if-none-match"].split(",")]
    try:
        since = parsedate_to_datetime(request.headers["if-modified-since"])
    except (KeyError, TypeError, ValueError):
        return False
    return since >= parsedate_to_datetime(modified)
