"""The bills the replica starts with: the Haeoreum special act, its companions and unrelated
bills the keyword scan must not pick up."""

from __future__ import annotations

from typing import Any

from tracker.demo.replica.assembly import advance, bill_row

HAEOREUM_ACT = "PRC_H2A4E0U8R1E5U2M0B2E3L1T6P0N8S4"
COMPANION = "PRC_K2J4H0W8N1O5B2L0T2Y3G1M6Q0R8Z1"
SECOND_ACT = "PRC_S2E7O0N8G1J4A2E0J6U3N1G6K0Y5B9"
ALTERNATIVE = "PRC_A2L4T0E8R1N5A2T0I3V1E6B0I8L1"
EXPIRED_21ST = "PRC_E2X4P0I8R1E5D2H0A3E7O1R6E0U9M2"
REFERENCE = "PRC_R2V4H1W1T2K5M1O6E4Q9T0V7Q9S0U0"


def haeoreum_act() -> dict[str, Any]:
    row = bill_row(
        HAEOREUM_ACT, "2203257", "해오름산업벨트 지원에 관한 특별법안", "박성민의원 등 12인",
        "2024-08-30",
    )  # fmt: skip
    advance(row, "committee_review", "2024-09-02")
    return row


def companion() -> dict[str, Any]:
    row = bill_row(
        COMPANION, "2203256", "지방자치분권 및 지역균형발전에 관한 특별법 일부개정법률안",
        "박성민의원 등 12인", "2024-08-30",
    )  # fmt: skip
    advance(row, "committee_review", "2024-09-02")
    return row


def second_act() -> dict[str, Any]:
    row = bill_row(
        SECOND_ACT, "2209418", "해오름 산업벨트 육성 및 지원에 관한 특별법안", "김정재의원 등 11인",
        "2025-03-12",
    )  # fmt: skip
    advance(row, "committee_review", "2025-03-13")
    return row


def alternative() -> dict[str, Any]:
    """The committee alternative both Haeoreum bills are folded into: a title the keywords do
    not match, so that tracker finds it only through the folded bills' pages."""
    return bill_row(
        ALTERNATIVE, "2214410", "동해안 산업벨트 지원에 관한 특별법안(대안)",
        "행정안전위원장", "2026-06-24", proposer_kind="위원장",
    )  # fmt: skip


def reference_bill() -> dict[str, Any]:
    """The bill ``tracker verify`` reads: 인공지능 기본법, promulgated as law no. 20676 (its
    number, id, result and promulgation are the real ones; the other dates are not)."""
    row = bill_row(
        REFERENCE, "2206772", "인공지능 발전과 신뢰 기반 조성 등에 관한 기본법안(대안)",
        "과학기술정보방송통신위원장", "2024-11-26", "과학기술정보방송통신위원회",
        proposer_kind="위원장",
    )  # fmt: skip
    for stage, day in (
        ("committee_review", "2024-11-26"),
        ("judiciary_review", "2024-11-26"),
        ("plenary", "2024-12-17"),
        ("passed", "2024-12-26"),
        ("promulgated", "2025-01-21"),
    ):
        advance(row, stage, day)
    row.update(PROM_NO="20676", PROM_LAW_NM="인공지능 발전과 신뢰 기반 조성 등에 관한 기본법")
    return row


def expired_21st() -> dict[str, Any]:
    row = bill_row(
        EXPIRED_21ST, "2126271", "해오름산업벨트 지원에 관한 특별법안", "이채익의원 등 10인",
        "2024-01-29", age=21,
    )  # fmt: skip
    advance(row, "committee_review", "2024-01-30")
    advance(row, "discarded", "2024-05-29")
    return row


def unrelated() -> list[dict[str, Any]]:
    titles = [
        ("PRC_U2N5R0E8L1A4T2E0D3B1I6L0L1A7", "2205118", "산업입지 및 개발에 관한 법률 일부개정법률안"),
        ("PRC_U2N5R0E8L1A4T2E0D3B1I6L0L2B8", "2207402", "산업집적활성화 및 공장설립에 관한 법률 일부개정법률안"),
        ("PRC_U2N5R0E8L1A4T2E0D3B1I6L0L3C9", "2208877", "해양산업클러스터의 지정 및 육성 등에 관한 법률 일부개정법률안"),
        ("PRC_U2N5R0E8L1A4T2E0D3B1I6L0L4D0", "2210532", "동해안 해오름 관광특구 지원법안"),
    ]  # fmt: skip
    rows = []
    for bill_id, no, title in titles:
        row = bill_row(bill_id, no, title, "서범수의원 등 11인", "2025-01-10", "국토교통위원회")
        advance(row, "committee_review", "2025-01-13")
        rows.append(row)
    return rows


def initial_rows() -> list[dict[str, Any]]:
    """The state of the replica's Open API at the start of a scenario."""
    return [
        haeoreum_act(),
        companion(),
        second_act(),
        expired_21st(),
        *unrelated(),
        reference_bill(),
    ]
