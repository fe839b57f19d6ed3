"""Parser for the Assembly Open API (open.assembly.go.kr) JSON envelopes and bill rows."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from tracker import __version__
from tracker.domain import stages
from tracker.domain.bills import UNKNOWN, BillEvent, BillRecord
from tracker.errors import ParseError, SourceError

SOURCE = "assembly_api"
# The query parameter that carries the API key.
KEY_PARAM = "KEY"
NO_DATA = "INFO-200"
_BILL_ID = re.compile(r"^[A-Z]{3}_[A-Z0-9]+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
# Bump whenever what bill_from_row makes of a row changes: a page is then parsed again even
# when its body is the one last stored.
PARSER_REVISION = 1


def endpoint_url(api_base: str, endpoint: str) -> str:
    """The Open API endpoint's URL without a query."""
    return f"{api_base.rstrip('/')}/{endpoint}"


def api_url(
    api_base: str, endpoint: str, key: str, query: dict[str, Any], page: int = 1, size: int = 5
) -> str:
    """The URL of one page of the endpoint's answer to ``query`` (JSON, with the key if any)."""
    params: dict[str, Any] = {"Type": "json", "pIndex": page, "pSize": size}
    if key:
        params[KEY_PARAM] = key
    params.update(query)
    return f"{endpoint_url(api_base, endpoint)}?{urlencode(params)}"


@dataclass(frozen=True)
class ApiPage:
    """One page of an endpoint's answer: the total row count and this page's rows."""

    endpoint: str
    total: int
    rows: list[dict[str, Any]]


def parse_api_page(text: str | bytes, endpoint: str) -> ApiPage:
    """Parse one JSON answer; INFO-200 is an empty page, ERROR-* raises SourceError."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ParseError(
            SOURCE, f"{endpoint}: response is not JSON ({exc.__class__.__name__})"
        ) from None
    if not isinstance(data, dict):
        raise ParseError(SOURCE, f"{endpoint}: JSON is not an object")
    if endpoint not in data:
        result = data.get("RESULT")
        if isinstance(result, dict) and "CODE" in result:
            code, message = str(result["CODE"]), str(result.get("MESSAGE", ""))
            if code == NO_DATA:
                return ApiPage(endpoint, 0, [])
            raise SourceError(SOURCE, f"{endpoint}: {message}", code=code)
        raise ParseError(SOURCE, f"{endpoint}: neither '{endpoint}' nor 'RESULT' in response")
    try:
        head, body = data[endpoint][0]["head"], data[endpoint][1]
        total = int(head[0]["list_total_count"])
        code = head[1]["RESULT"]["CODE"]
        rows = body.get("row", [])
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise ParseError(SOURCE, f"{endpoint}: unexpected envelope ({exc!r})") from None
    if code != "INFO-000":
        raise SourceError(SOURCE, f"{endpoint}: {head[1]['RESULT'].get('MESSAGE', '')}", code)
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise ParseError(SOURCE, f"{endpoint}: 'row' is not a list of objects")
    return ApiPage(endpoint, total, rows)


def body_hash(body: bytes) -> str:
    """A hash of one API answer as this parser reads it: the same hash, the same records."""
    hasher = hashlib.blake2b(f"{__version__}/{PARSER_REVISION}\n".encode(), digest_size=16)
    hasher.update(body)
    return hasher.hexdigest()


def row_bill_id(row: dict[str, Any]) -> str | None:
    """The row's BILL_ID, when it is a valid one."""
    bill_id = row.get("BILL_ID")
    return bill_id if isinstance(bill_id, str) and _BILL_ID.match(bill_id) else None


def _pick(row: dict[str, Any], *names: str) -> Any:
    """The first of ``names`` with a value in ``row``; UNKNOWN if none has one. A ``null`` is
    unknown like a missing key: the API sends one where it does not know, not where a field
    became empty."""
    for name in names:
        value = row.get(name)
        if value is not None:
            return value.strip() or None if isinstance(value, str) else value
    return UNKNOWN


def _date(value: Any) -> str | None:
    if isinstance(value, str) and _DATE.match(value):
        return value[:10]
    return None


# (row field, stage it marks, description) for the dated steps, across endpoints.
_STEP_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("PROPOSE_DT", "received", "접수"),
    ("PPSL_DT", "received", "접수"),
    ("COMMITTEE_DT", "committee_review", "소관위 회부"),
    ("JRCMIT_CMMT_DT", "committee_review", "소관위 회부"),
    ("CMT_PRESENT_DT", "committee_review", "소관위 상정"),
    ("JRCMIT_PRSNT_DT", "committee_review", "소관위 상정"),
    ("LAW_SUBMIT_DT", "judiciary_review", "법사위 회부"),
    ("LAW_CMMT_DT", "judiciary_review", "법사위 회부"),
    ("LAW_PRESENT_DT", "judiciary_review", "법사위 상정"),
    ("LAW_PRSNT_DT", "judiciary_review", "법사위 상정"),
    ("LAW_PROC_DT", "plenary", "법사위 처리"),
    ("RGS_PRSNT_DT", "plenary", "본회의 상정"),
    ("GVRN_TRSF_DT", "sent_to_government", "정부이송"),
    ("PROM_DT", "promulgated", "공포"),
)
_COMMITTEE_RESULT_FIELDS = ("CMT_PROC_RESULT_CD", "JRCMIT_PROC_RSLT")
_COMMITTEE_DATE_FIELDS = ("CMT_PROC_DT", "JRCMIT_PROC_DT")
_FINAL_RESULT_FIELDS = ("PROC_RESULT_CD", "PROC_RESULT", "RGS_CONF_RSLT")
_FINAL_DATE_FIELDS = ("PROC_DT", "RGS_RSLN_DT", "RGS_PROC_DT")


def events_from_row(row: dict[str, Any]) -> list[BillEvent]:
    """The dated steps a row carries, as stage events in the order they happened."""
    events: list[BillEvent] = []
    for name, stage, description in _STEP_FIELDS:
        day = _date(row.get(name))
        if day:
            events.append(BillEvent(stage, day, description))
    cmt_result = _pick(row, *_COMMITTEE_RESULT_FIELDS) or None
    cmt_day = next((_date(row.get(n)) for n in _COMMITTEE_DATE_FIELDS if _date(row.get(n))), None)
    if cmt_day and cmt_result:
        ending = stages.stage_for_result(cmt_result)
        events.append(BillEvent(ending or "committee_review", cmt_day, f"소관위 {cmt_result}"))
    result = _pick(row, *_FINAL_RESULT_FIELDS) or None
    day = next((_date(row.get(n)) for n in _FINAL_DATE_FIELDS if _date(row.get(n))), None)
    if result and day:
        final = stages.stage_for_result(result) or (
            "passed" if result in stages.PASSING_RESULTS else None
        )
        if final:
            events.append(
                BillEvent(final, day, f"본회의 {result}" if final == "passed" else result)
            )
    unique = {(e.stage, e.happened_on): e for e in reversed(events)}
    return sorted(unique.values(), key=lambda e: (e.happened_on, stages.rank(e.stage)))


def stage_from_row(
    row: dict[str, Any], events: list[BillEvent] | None = None
) -> tuple[str, str | None]:
    """The bill's stage code and final result text from one API row (and its events, if
    already read from it)."""
    result = _pick(row, *_FINAL_RESULT_FIELDS) or None
    stage = "received"
    for event in events_from_row(row) if events is None else events:
        stage = stages.later(stage, event.stage) or stage
    ending = stages.stage_for_result(result)
    if ending:
        return ending, result
    if result in stages.PASSING_RESULTS:
        stage = stages.later(stage, "passed") or stage
    step = _pick(row, "PROC_STAGE_CD")
    if isinstance(step, str):
        stage = stages.later(stage, stages.stage_for_step(step)) or stage
    return stage, result


def bill_from_row(row: dict[str, Any], source: str = SOURCE) -> BillRecord:
    """One API row (any of the bill endpoints) as a BillRecord; raises ParseError if unusable."""
    bill_id = row_bill_id(row)
    if bill_id is None:
        raise ParseError(SOURCE, f"row without a valid BILL_ID: {str(row.get('BILL_ID'))[:40]!r}")
    title = _pick(row, "BILL_NAME", "BILL_NM")
    if not title:
        raise ParseError(SOURCE, f"{bill_id}: row without a bill name")
    events = events_from_row(row)
    stage, result = stage_from_row(row, events)
    age = _pick(row, "AGE")
    if age is UNKNOWN and isinstance(row.get("ERACO"), str):
        age = re.sub(r"\D", "", row["ERACO"]) or UNKNOWN
    return BillRecord(
        bill_id=bill_id,
        source=source,
        stage=stage,
        result=result,
        title=title,
        bill_no=_pick(row, "BILL_NO"),
        age=int(age) if isinstance(age, str | int) and str(age).isdigit() else UNKNOWN,
        proposer=_pick(row, "PROPOSER", "PPSR_NM", "PPSR"),
        proposed_on=_date(_pick(row, "PROPOSE_DT", "PPSL_DT")) or UNKNOWN,
        committee=_pick(row, "CURR_COMMITTEE", "COMMITTEE", "JRCMIT_NM", "COMMITTEE_NM"),
        detail_url=_pick(row, "LINK_URL", "DETAIL_LINK"),
        events=events,
    )
