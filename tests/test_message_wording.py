"""Alert texts as staff read them: bills named by 의안번호 and title with a link, the next
step, no line that repeats another, and a committee alternative naming the bills folded into
it (from a real store's alert payload)."""

from __future__ import annotations

import json
from pathlib import Path

from notifiers.messages import format_alert
from tracker.domain.bills import BillRecord
from tracker.domain.links import PUBLIC_BILL_PAGE
from tracker.store.database import open_store

ACT = "PRC_H2A4E0U8R1E5U2M0B2E3L1T6P0N8S4"
OTHER = "PRC_S2E7O0N8G1J4A2E0J6U3N1G6K0Y5B9"
ALTERNATIVE = "PRC_A2L4T0E8R1N5A2T0I3V1E6B0I8L1"
ACT_PAGE = "https://likms.assembly.go.kr/bill/billDetail.do?billId=" + ACT


def mrkdwn(kind: str, payload: dict) -> str:
    return format_alert(kind, payload).blocks[0]["text"]["text"]


def test_a_stage_change_names_number_title_link_and_next_step() -> None:
    payload = {
        "bill_id": ACT,
        "bill_no": "2203257",
        "title": "해오름산업벨트 지원에 관한 특별법안",
        "detail_url": ACT_PAGE,
        "old_stage": "judiciary_review",
        "new_stage": "passed",
        "old_result": None,
        "new_result": "원안가결",
        "changes": [
            {"field": "stage", "old": "judiciary_review", "new": "passed"},
            {"field": "result", "old": None, "new": "원안가결"},
            {"field": "age", "old": None, "new": "22"},
            {"field": "committee", "old": None, "new": "행정안전위원회"},
        ],
    }
    message = format_alert("stage_change", payload)
    assert message.text.splitlines() == [
        "📌 의안 상태 변경: 2203257 해오름산업벨트 지원에 관한 특별법안",
        "법사위 체계자구심사 → 본회의 의결 (원안가결)",
        "소관위원회: - → 행정안전위원회",
        "다음 단계: 정부이송",
    ]
    assert mrkdwn("stage_change", payload).startswith(
        f"📌 의안 상태 변경: 2203257 <{ACT_PAGE}|해오름산업벨트 지원에 관한 특별법안>"
    )


def test_a_fold_says_the_ending_once_and_links_the_alternative() -> None:
    payload = {
        "bill_id": ACT,
        "bill_no": "2203257",
        "title": "특별법안",
        "detail_url": ACT_PAGE,
        "old_stage": "committee_review",
        "new_stage": "replaced_by_alternative",
        "old_result": None,
        "new_result": "대안반영폐기",
        "changes": [],
        "replaced_by": ALTERNATIVE,
        "replaced_by_title": "특별법안(대안)",
    }
    text = format_alert("stage_change", payload).text
    assert text.count("대안반영폐기") == 1
    assert "처리 결과" not in text and "다음 단계" not in text
    assert f"위원회 대안 「<{PUBLIC_BILL_PAGE}{ALTERNATIVE}|특별법안(대안)>」" in mrkdwn(
        "stage_change", payload
    )


def test_a_bill_without_a_stored_link_links_its_public_page() -> None:
    payload = {
        "bill_id": ALTERNATIVE,
        "bill_no": "2214410",
        "title": "대안",
        "new_stage": "received",
    }
    assert f"2214410 <{PUBLIC_BILL_PAGE}{ALTERNATIVE}|대안>" in mrkdwn("new_bill", payload)
    assert format_alert("new_bill", payload).text.splitlines()[-1] == "다음 단계: 소관위 심사"


def record(bill_id: str, no: str, **fields) -> BillRecord:
    return BillRecord(bill_id, "bill_page", bill_no=no, title=f"의안 {no}", **fields)


def test_the_alternative_names_the_folded_bills_by_number(tmp_path: Path) -> None:
    store = open_store(tmp_path / "tracker.db")
    try:
        store.bills.apply_bills(
            [record(ACT, "2203257", stage="committee_review"), record(OTHER, "2209418")], None
        )
        folded = {"stage": "replaced_by_alternative", "result": "대안반영폐기"}
        alternative = record(ALTERNATIVE, "2214410", stage="received")
        alternative.matched_by = f"alternative:{ACT}"
        # The alternative's page, then its Open API row, in the same batch.
        again = record(ALTERNATIVE, "2214410", stage="received", committee="행정안전위원회")
        store.bills.apply_bills(
            [
                record(ACT, "2203257", replaced_by=ALTERNATIVE, **folded),
                alternative,
                record(OTHER, "2209418", replaced_by=ALTERNATIVE, **folded),
                again,
            ],
            None,
        )
        [(raw,)] = store.conn.execute(
            "SELECT payload FROM alerts WHERE kind = 'new_bill' AND bill_id = ?", [ALTERNATIVE]
        ).fetchall()
    finally:
        store.close()
    payload = json.loads(raw)
    assert [f["bill_no"] for f in payload["folded"]] == ["2203257", "2209418"]
    text = format_alert("new_bill", payload).text
    assert "반영된 의안 2203257, 2209418: 이 위원회 대안으로 추적을 이어갑니다." in text
    assert "PRC_" not in text
    assert text.startswith("🆕 새 의안: 2214410 의안 2214410")
