"""Replica of the Assembly's bill pages (likms): the shell page, the ``billInfo.do`` and
``anBillInfo.do`` fragments and the old address that forwards to the shell, served like the
live site (see ``tracker.demo.replica.likms_pages`` for the markup).

A bill's page starts as its Open API row shows it the first time it is asked for, and from
then on moves only when told (:meth:`BillPagesReplica.advance`), so a test or the demo can
show a status on the page before the API has it, as the real site does. The site's manners
are kept: a session cookie with a CSRF token per session, 403 for a POST without both, 400
"Bad Request." for a POST without the whole form. Per-bill faults serve another body (a
redesigned page, a maintenance notice) or an HTTP error.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

from tracker.demo.replica.assembly import AssemblyApiReplica, fault_response
from tracker.demo.replica.http import Request, Response
from tracker.demo.replica.likms_pages import (
    render_alternatives,
    render_bill_info,
    render_detail_page,
)
from tracker.domain import stages

DETAIL_PATH = "/bill/bi/billDetailPage.do"
INFO_PATH = "/bill/bi/bill/detail/billInfo.do"
ALTERNATIVES_PATH = "/bill/bi/bill/detail/anBillInfo.do"
OLD_PATH = "/bill/billDetail.do"
SESSION_COOKIE = "JSESSIONID"
# Where the site links a meeting's minutes (a link only: tracker never fetches it).
MINUTES_BASE = "https://record.assembly.go.kr/assembly/viewer/minutes/download/pdf.do"
HTML = "text/html;charset=UTF-8"
# The fields of the shell's form#form: a POST without any of them is a 400, as on the site.
FORM_FIELDS = (
    "billId", "billNo", "billKindCd", "currCmtName", "reexamYn", "billGbnCd", "tmprAnYn",
    "headMemo", "headMemoInfo", "withdrawCnt", "intrsBillCnt", "stageMemo",
)  # fmt: skip
# The step bar's current step once a bill reaches a stage; a bill that ended has none.
_CURRENT = {
    "received": "RECEIVE",
    "committee_review": "CMT",
    "judiciary_review": "EXAM",
    "plenary": "MAIN",
    "passed": "MAIN",
    "sent_to_government": "GOVTRANS",
    "promulgated": "DCS",
}
# Where the site writes an ending: the committee's result, or the plenary's.
_COMMITTEE_ENDINGS = {
    "withdrawn": "철회",
    "replaced_by_alternative": "대안반영폐기",
    "discarded": "임기만료폐기",
}


@dataclass
class BillPage:
    """What the site shows for one bill; ``bill`` holds the keys ``likms_pages`` renders."""

    bill: dict[str, Any]
    summary: str | None = None
    alternative: dict[str, Any] | None = None
    # A change of the page's chrome that leaves its data alone (whitespace, banner, ads).
    cosmetic: Callable[[str], str] | None = None


@dataclass(frozen=True)
class PageFault:
    """What the site serves for one bill instead of its pages."""

    status: int = 200
    shell: str | None = None
    info: str | None = None
    alternatives: str | None = None


MAINTENANCE = PageFault(shell=str(fault_response("html200").body))


def page_from_row(row: dict[str, Any]) -> BillPage:
    """The page of a bill as its TVBPMBILL11 row shows it."""
    page = BillPage(
        {
            "bill_id": row["BILL_ID"],
            "bill_no": row["BILL_NO"],
            "title": row["BILL_NAME"],
            "proposer": row["PROPOSER"],
            "proposed_on": row["PROPOSE_DT"],
            "session": f"제{row['AGE']}대(2024~2028)제{400 + int(row['BILL_NO']) % 40}회",
            "committee": row["CURR_COMMITTEE"],
            "bill_gbn_cd": "대안" if row["PROPOSER"].endswith("위원장") else "",
            # What the live site puts there, whatever the bill's step.
            "curr_cmt_name": "위원회 심사",
            "current": "RECEIVE",
        }
    )
    for stage, day, result in _row_progress(row):
        advance_page(page, stage, day, result)
    if row.get("PROM_DT"):
        law = {"announceDt": row["PROM_DT"], "announceNo": row["PROM_NO"]}
        page.bill["laws"] = [{**law, "lawName": row["PROM_LAW_NM"]}]
    return page


def alternative_of(row: dict[str, Any]) -> dict[str, Any]:
    """How the alternative endpoint lists the bill of ``row``."""
    return {
        "bill_id": row["BILL_ID"],
        "bill_no": row["BILL_NO"],
        "title": row["BILL_NAME"],
        "proposer": row["PROPOSER"],
        "proposed_on": row["PROPOSE_DT"],
    }


def _row_progress(row: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    progress: list[tuple[str, str, str | None]] = [
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
    """Fill in what the site shows when a bill reaches ``stage`` on ``day``.

    ``result`` is the plenary result of ``passed`` (default 원안가결); ``alternative``
    (``bill_id``, ``bill_no``, ``title``, ``proposer``, ``proposed_on``) the bill that
    replaces this one.
    """
    bill = page.bill
    if stage == "committee_review":
        bill.update(committee_referred_on=day)
    elif stage == "judiciary_review":
        bill.update(
            committee_presented_on=bill.get("committee_presented_on") or day,
            subcommittee=f"{bill.get('committee') or ''} 법안심사제1소위원회".strip(),
            committee_decided_on=day,
            committee_result="수정가결",
            judiciary_referred_on=day,
        )
    elif stage == "plenary":
        bill.update(judiciary_decided_on=day, judiciary_result="원안가결", plenary_presented_on=day)
    elif stage in ("passed", "rejected"):
        outcome = result or ("부결" if stage == "rejected" else "원안가결")
        bill.update(
            plenary_presented_on=bill.get("plenary_presented_on") or day,
            plenary_on=day,
            plenary_meeting=f"제{bill['session'].rsplit('제', 1)[-1]} 제1차 본회의",
            plenary_result=outcome,
        )
        if stage == "rejected":
            bill.update(ending=outcome, ended_on=day)
    elif stage == "sent_to_government":
        bill.update(sent_on=day)
    elif stage == "promulgated":
        law = bill["title"].split("(")[0].removesuffix("안")
        number = str(20000 + int(bill["bill_no"]) % 1000)
        bill.update(laws=[{"announceDt": day, "announceNo": number, "lawName": law}])
    else:
        bill.update(
            committee_referred_on=bill.get("committee_referred_on") or day,
            committee_decided_on=day,
            committee_result=_COMMITTEE_ENDINGS[stage],
            ending=_COMMITTEE_ENDINGS[stage],
            ended_on=day,
        )
        page.alternative = alternative
    bill["current"] = _CURRENT.get(stage, "DCS")


@dataclass
class BillPagesReplica:
    """The bill pages of every bill in ``assembly`` plus any added with :meth:`add`."""

    assembly: AssemblyApiReplica
    pages: dict[str, BillPage] = field(default_factory=dict)
    faults: dict[str, PageFault] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)
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

    def meet(
        self, bill_id: str, table: str, name: str, day: str, result: str = "", minutes: int = 0
    ) -> None:
        """List a meeting on the page of a bill in committee: ``table`` is the caption
        (소관위 회의정보, 소위 회의정보, 법사위 회의정보), ``minutes`` the id of its minutes."""
        url = f"{MINUTES_BASE}?id={minutes}" if minutes else None
        row = {"table": table, "mtngName": name, "mtngDt": day, "procResultName": result}
        with self.lock:
            self.page(bill_id).bill.setdefault("meetings", []).append(row | {"doc_href": url})

    def handle(self, request: Request) -> Response:
        if request.path == OLD_PATH:
            target = f"{DETAIL_PATH}?billId={request.query.get('billId', '')}&currMenuNo=2600044"
            return Response(302, "", HTML, {"Location": target})
        if request.path == DETAIL_PATH and request.method in ("GET", "HEAD"):
            return self._detail(request)
        if request.path in (INFO_PATH, ALTERNATIVES_PATH) and request.method == "POST":
            return self._fragment(request)
        return Response(404, "not found")

    def folded_into(self, alternative_id: str) -> list[dict[str, Any]]:
        """The bills whose pages name ``alternative_id`` as their alternative."""
        with self.lock:
            return [
                alternative_of_page(page)
                for page in self.pages.values()
                if page.alternative and page.alternative["bill_id"] == alternative_id
            ]

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
            body = self._shell(page, fault, self.sessions[session])
        return Response(200, body, HTML, headers)

    def _fragment(self, request: Request) -> Response:
        form = request.form()
        with self.lock:
            session = _cookie(request)
            token = self.sessions.get(session or "")
            if not token or request.headers.get("x-csrf-token") != token:
                return Response(403, "Forbidden: invalid CSRF token or session")
            if any(name not in form for name in FORM_FIELDS):
                return Response(400, "Bad Request.")
            page = self.pages.get(form["billId"])
            if page is None:
                return Response(404, "not found")
            fault = self.faults.get(page.bill["bill_id"], PageFault())
            if fault.status != 200:
                return Response(fault.status, "error")
            served = fault.info if request.path == INFO_PATH else fault.alternatives
            if served is not None:
                return Response(200, served, HTML)
            if request.path == INFO_PATH:
                body = render_bill_info(page.bill, page.summary)
            else:
                body = self._alternatives(page)
        return Response(200, _dress(page, body), HTML)

    def _alternatives(self, page: BillPage) -> str:
        """Asked about either side, the endpoint names the alternative and every bill in it."""
        alternative = page.alternative
        if alternative is None and page.bill["bill_gbn_cd"] == "대안":
            alternative = alternative_of_page(page)
        folded = self.folded_into(alternative["bill_id"]) if alternative else []
        return render_alternatives(alternative, folded)

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


def alternative_of_page(page: BillPage) -> dict[str, Any]:
    """How the alternative endpoint lists the bill of ``page``."""
    keys = ("bill_id", "bill_no", "title", "proposer", "proposed_on")
    return {key: page.bill[key] for key in keys}


def _dress(page: BillPage, html: str) -> str:
    return page.cosmetic(html) if page.cosmetic else html


def _cookie(request: Request) -> str | None:
    cookie = SimpleCookie(request.headers.get("cookie", ""))
    return cookie[SESSION_COOKIE].value if SESSION_COOKIE in cookie else None
