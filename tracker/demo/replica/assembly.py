"""Replica of the Assembly Open API: bill rows in the real TVBPMBILL11 format, changeable
between cycles, with switchable faults."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

from tracker.demo.replica.http import Request, Response

ENDPOINT = "TVBPMBILL11"
ROW_FIELDS = (
    "BILL_ID", "BILL_NO", "AGE", "BILL_NAME", "PROPOSER", "PROPOSER_KIND", "PROPOSE_DT",
    "CURR_COMMITTEE_ID", "CURR_COMMITTEE", "COMMITTEE_DT", "COMMITTEE_PROC_DT", "LINK_URL",
    "RST_PROPOSER", "LAW_PROC_RESULT_CD", "LAW_PROC_DT", "LAW_PRESENT_DT", "LAW_SUBMIT_DT",
    "CMT_PROC_RESULT_CD", "CMT_PROC_DT", "CMT_PRESENT_DT", "RST_MONA_CD", "PROC_RESULT_CD",
    "PROC_DT", "PROM_DT", "PROM_LAW_NM", "PROM_NO",
)  # fmt: skip

# Fault modes a test or the demo can switch on for a source.
FAULTS = (
    "http500", "garbage", "error337", "error290", "html200", "slow", "empty", "truncated",
    "euckr", "nodata",
)  # fmt: skip

_ENDINGS = {
    "withdrawn": "철회",
    "rejected": "부결",
    "replaced_by_alternative": "대안반영폐기",
    "discarded": "임기만료폐기",
}


def bill_row(
    bill_id: str,
    bill_no: str,
    title: str,
    proposer: str,
    proposed_on: str,
    committee: str | None = "행정안전위원회",
    age: int = 22,
    proposer_kind: str = "의원",
) -> dict[str, Any]:
    """A fresh TVBPMBILL11 row for a bill just received."""
    row: dict[str, Any] = dict.fromkeys(ROW_FIELDS)
    row.update(
        BILL_ID=bill_id,
        BILL_NO=bill_no,
        AGE=str(age),
        BILL_NAME=title,
        PROPOSER=proposer,
        PROPOSER_KIND=proposer_kind,
        PROPOSE_DT=proposed_on,
        CURR_COMMITTEE=committee,
        CURR_COMMITTEE_ID="9700513" if committee else None,
        LINK_URL=f"https://likms.assembly.go.kr/bill/billDetail.do?billId={bill_id}",
        RST_PROPOSER=proposer.split("의원")[0] if "의원" in proposer else None,
    )
    return row


def advance(row: dict[str, Any], stage: str, day: str, result: str = "원안가결") -> None:
    """Set the dated fields of ``row`` as the API shows a bill that reached ``stage`` on ``day``."""
    if stage in _ENDINGS:
        row.update(PROC_RESULT_CD=_ENDINGS[stage], PROC_DT=day)
        if stage == "replaced_by_alternative":
            row.update(CMT_PROC_RESULT_CD="대안반영폐기", CMT_PROC_DT=day, COMMITTEE_PROC_DT=day)
        return
    steps = {
        "committee_review": {"COMMITTEE_DT": day},
        "judiciary_review": {
            "CMT_PRESENT_DT": row["CMT_PRESENT_DT"] or day,
            "CMT_PROC_DT": day,
            "CMT_PROC_RESULT_CD": "수정가결",
            "COMMITTEE_PROC_DT": day,
            "LAW_SUBMIT_DT": day,
        },
        "plenary": {"LAW_PRESENT_DT": day, "LAW_PROC_DT": day, "LAW_PROC_RESULT_CD": "원안가결"},
        "passed": {"PROC_DT": day, "PROC_RESULT_CD": result},
        "sent_to_government": {},
        "promulgated": {
            "PROM_DT": day,
            "PROM_NO": str(20000 + int(row["BILL_NO"]) % 1000),
            "PROM_LAW_NM": row["BILL_NAME"].split("(")[0].removesuffix("안"),
        },
    }
    order = list(steps)
    for name in order[: order.index(stage) + 1]:
        for key, value in steps[name].items():
            if row.get(key) is None or name == stage:
                row[key] = value


@dataclass
class AssemblyApiReplica:
    """The Open API's bill search over ``rows``, answering like the real service."""

    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    fault: str | None = None
    api_key: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, row: dict[str, Any]) -> None:
        with self.lock:
            self.rows[row["BILL_ID"]] = row

    def row(self, bill_id: str) -> dict[str, Any]:
        return self.rows[bill_id]

    def _result(self, code: str, message: str) -> Response:
        body = json.dumps({"RESULT": {"CODE": code, "MESSAGE": message}}, ensure_ascii=False)
        return Response(200, body, "application/json;charset=UTF-8")

    def handle(self, request: Request) -> Response:
        endpoint = request.path.rstrip("/").rsplit("/", 1)[-1]
        if self.fault:
            return fault_response(self.fault, json_api=True)
        if endpoint != ENDPOINT:
            return self._result("ERROR-310", "해당하는 서비스를 찾을 수 없습니다.")
        if self.api_key and request.query.get("KEY") != self.api_key:
            return self._result("ERROR-290", "인증키가 유효하지 않습니다.")
        try:
            page = int(request.query.get("pIndex", "1"))
            size = int(request.query.get("pSize", "100"))
        except ValueError:
            return self._result("ERROR-300", "필수 값이 누락되어 있습니다.")
        if size > 1000:
            return self._result("ERROR-336", "데이터요청은 한번에 최대 1,000건을 넘을 수 없습니다.")
        if not self.api_key and not request.query.get("KEY"):
            size = min(size, 5)
        with self.lock:
            rows = [r for r in self.rows.values() if _matches(r, request.query)]
        rows.sort(key=lambda r: r["BILL_NO"], reverse=True)
        chunk = rows[(page - 1) * size : page * size]
        if not chunk:
            return self._result("INFO-200", "해당하는 데이터가 없습니다.")
        envelope = {
            ENDPOINT: [
                {
                    "head": [
                        {"list_total_count": len(rows)},
                        {"RESULT": {"CODE": "INFO-000", "MESSAGE": "정상 처리되었습니다."}},
                    ]
                },
                {"row": chunk},
            ]
        }
        return Response(200, json.dumps(envelope, ensure_ascii=False), "application/json")


def _matches(row: dict[str, Any], query: dict[str, str]) -> bool:
    if query.get("AGE") and row["AGE"] != query["AGE"]:
        return False
    if query.get("BILL_ID") and row["BILL_ID"] != query["BILL_ID"]:
        return False
    if query.get("BILL_NO") and row["BILL_NO"] != query["BILL_NO"]:
        return False
    return not query.get("BILL_NAME") or query["BILL_NAME"] in row["BILL_NAME"]


def fault_response(fault: str, json_api: bool = False) -> Response:
    """What a broken source answers, by fault mode."""
    if fault == "http500":
        return Response(500, "Internal Server Error")
    if fault == "garbage":
        return Response(200, '{"TVBPMBILL11": [{"head": [', "application/json")
    if fault == "error337":
        body = '{"RESULT":{"CODE":"ERROR-337","MESSAGE":"일별 트래픽 제한을 넘은 호출입니다."}}'
        return Response(200, body, "application/json")
    if fault == "error290":
        body = '{"RESULT":{"CODE":"ERROR-290","MESSAGE":"인증키가 유효하지 않습니다."}}'
        return Response(200, body, "application/json")
    if fault == "euckr":
        answer = {
            "TVBPMBILL11": [{"head": [{"list_total_count": 1}]}, {"row": [{"BILL_NAME": "해오름"}]}]
        }
        return Response(
            200, json.dumps(answer, ensure_ascii=False).encode("euc-kr"), "application/json"
        )
    if fault == "nodata":
        body = '{"RESULT":{"CODE":"INFO-200","MESSAGE":"해당하는 데이터가 없습니다."}}'
        return Response(200, body, "application/json")
    if fault == "slow":
        return Response(200, "{}", "application/json", delay=120.0)
    if fault == "truncated":
        return Response(200, "<html><body><div id='tab", "text/html; charset=utf-8")
    if fault == "empty":
        return Response(200, "", "application/json" if json_api else "text/html")
    maintenance = (
        "<html><head><title>서비스 점검 안내</title></head><body><div class='maintenance'>"
        "<h1>서비스 점검 중입니다</h1><p>이용에 불편을 드려 죄송합니다.</p></div></body></html>"
    )
    return Response(200, maintenance, "text/html; charset=utf-8")
