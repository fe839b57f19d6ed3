"""A sample digest with every kind of entry (progress, law, ending, stalled, new bill, news),
for previews of the email layout and for tests."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from tracker.digest.model import (
    BillRef,
    Digest,
    DigestArticle,
    DigestBill,
    DigestChange,
    is_stalled,
)

KST = ZoneInfo("Asia/Seoul")
PAGE = "https://likms.assembly.go.kr/bill/bi/billDetailPage.do?currMenuNo=2600044&billId="


def sample_digest(period_end: datetime | None = None) -> Digest:
    """A week ending at ``period_end`` (default Monday 2026-11-23 00:00 KST)."""
    end = period_end or datetime(2026, 11, 23, tzinfo=KST)
    start = end - timedelta(days=7)

    def day(n: int, hour: int = 10) -> datetime:
        return (start + timedelta(days=n)).replace(hour=hour, minute=30)

    old_change = datetime(2025, 3, 4, 16, 0, tzinfo=KST)
    bills = [
        DigestBill(
            "PRC_H2O4I0A8Z3X0Y1W6V2U4T5S1R7Q3",
            "2203456",
            "해오름산업벨트 지원에 관한 특별법안",
            "박성민의원 등 12인",
            "행정안전위원회",
            "plenary",
            None,
            PAGE + "PRC_H2O4I0A8Z3X0Y1W6V2U4T5S1R7Q3",
            "해오름 산업벨트",
            day(2),
        ),
        DigestBill(
            "PRC_A1B2C3D4E5F6G7H8I9J0K1L2M3N4",
            "2209876",
            "해오름산업벨트 지원에 관한 특별법안(대안)",
            "행정안전위원장",
            "행정안전위원회",
            "received",
            None,
            PAGE + "PRC_A1B2C3D4E5F6G7H8I9J0K1L2M3N4",
            "alternative:PRC_Z9Y8X7W6V5U4T3S2R1Q0P9O8N7M6",
            day(3),
        ),
        DigestBill(
            "PRC_Z9Y8X7W6V5U4T3S2R1Q0P9O8N7M6",
            "2201111",
            "지방자치분권 및 지역균형발전에 관한 특별법 일부개정법률안",
            "박성민의원 등 11인",
            "행정안전위원회",
            "replaced_by_alternative",
            "대안반영폐기",
            PAGE + "PRC_Z9Y8X7W6V5U4T3S2R1Q0P9O8N7M6",
            "watchlist",
            day(3),
            reached_stage="committee_review",
        ),
        DigestBill(
            "PRC_Q1W2E3R4T5Y6U7I8O9P0A1S2D3F4",
            "2205555",
            "동해안 수소경제 특구 지정에 관한 법률안",
            "김철수의원 등 10인",
            "산업통상자원중소벤처기업위원회",
            "committee_review",
            None,
            PAGE + "PRC_Q1W2E3R4T5Y6U7I8O9P0A1S2D3F4",
            "해오름동맹",
            datetime(2026, 6, 1, 18, 0, tzinfo=KST),
            stalled=is_stalled(old_change, end, stage="committee_review"),
            last_step_on=old_change.date(),
        ),
        DigestBill(
            "PRC_M1N2B3V4C5X6Z7L8K9J0H1G2F3D4",
            "2104321",
            "해오름산업벨트 지원에 관한 특별법안",
            "이채익의원 등 10인",
            "행정안전위원회",
            "discarded",
            "임기만료폐기",
            PAGE + "PRC_M1N2B3V4C5X6Z7L8K9J0H1G2F3D4",
            "해오름 산업벨트",
            datetime(2024, 5, 29, 23, 59, tzinfo=KST),
            reached_stage="committee_review",
        ),
        DigestBill(
            "PRC_P0O9I8U7Y6T5R4E3W2Q1A2S3D4F5",
            "2200777",
            "포항·울산·경주 광역교통망 확충 지원법 일부개정법률안",
            "정부",
            "국토교통위원회",
            "promulgated",
            "수정가결",
            PAGE + "PRC_P0O9I8U7Y6T5R4E3W2Q1A2S3D4F5",
            "해오름동맹",
            datetime(2026, 10, 14, 10, 0, tzinfo=KST),
        ),
    ]
    # The Assembly's dates of the latest steps, and the fold into the committee alternative.
    steps = (day(2).date(), day(3).date(), day(3).date())
    for bill, day_of_step in zip(bills[:3], steps, strict=True):
        bill.last_step_on = day_of_step
    bills[4].last_step_on = date(2024, 5, 29)
    folded, alternative = bills[2], bills[1]
    folded.alternative = BillRef(
        alternative.bill_id, alternative.bill_no, alternative.title, alternative.detail_url
    )
    alternative.folded = [BillRef(folded.bill_id, folded.bill_no, folded.title, folded.detail_url)]
    changes = [
        DigestChange(
            bills[0].bill_id,
            bills[0].title,
            "stage",
            "judiciary_review",
            "plenary",
            day(2),
        ),
        DigestChange(
            bills[2].bill_id,
            bills[2].title,
            "stage",
            "committee_review",
            "replaced_by_alternative",
            day(3),
        ),
        DigestChange(bills[2].bill_id, bills[2].title, "result", None, "대안반영폐기", day(3)),
        DigestChange(
            bills[1].bill_id, bills[1].title, "stage", None, "received", day(3, 11), kind="new"
        ),
    ]
    articles = [
        DigestArticle(
            "해오름산업벨트 특별법, 법사위 통과…본회의 상정 눈앞",
            "https://www.example-kbnews.kr/news/articleView.html?idxno=100231",
            "경북일보",
            day(2, 15),
            ["경상매일신문", "울산매일", "대구일보"],
        ),
        DigestArticle(
            '해오름동맹 3개 시장 "특별법 연내 제정" 한목소리',
            "https://www.example-ulsan.co.kr/news/2026/11/19/0007",
            "울산매일",
            day(3, 9),
            ["경주신문"],
        ),
        DigestArticle(
            "행안위, 지역균형발전 특별법 개정안 대안으로 의결",
            "https://www.example-news.kr/article/55512",
            "연합뉴스",
            day(4, 17),
        ),
    ]
    return Digest(start, end, bills, changes, articles)
