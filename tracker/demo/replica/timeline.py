"""The scripted weeks the demo plays against the replica: what changes before each cycle, and
when the cycle runs (the story's clock: an article is never listed before it is published)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tracker.demo.replica import news, scenario
from tracker.demo.replica.assembly import advance
from tracker.demo.replica.bill_pages import alternative_of
from tracker.demo.replica.sources import Replica
from tracker.timeutil import DEFAULT_TZ


@dataclass(frozen=True)
class Step:
    day: str
    title: str
    apply: Callable[[Replica], None]
    time: str = "18:00"  # when that day's check runs, Korean time

    @property
    def at(self) -> datetime:
        """The moment of the step's check."""
        when = datetime.strptime(f"{self.day} {self.time}", "%Y-%m-%d %H:%M")
        return when.replace(tzinfo=ZoneInfo(DEFAULT_TZ))


def _noop(replica: Replica) -> None:
    return None


def _both(*changes: Callable[[Replica], None]) -> Callable[[Replica], None]:
    def apply(replica: Replica) -> None:
        for change in changes:
            change(replica)

    return apply


def _publish(*articles: news.Article) -> Callable[[Replica], None]:
    def apply(replica: Replica) -> None:
        replica.news.add(*articles)

    return apply


def _truncate_regional_feed(replica: Replica) -> None:
    replica.news.faults["regional"] = "truncated"


def _fix_regional_feed(replica: Replica) -> None:
    replica.news.faults.clear()


def _break_api(replica: Replica) -> None:
    replica.assembly.fault = "http500"


def _fix_api(replica: Replica) -> None:
    replica.assembly.fault = None


def _fold_into_alternative(replica: Replica) -> None:
    """The bill pages show the ending and name the alternative; the Open API lists the new
    alternative but not yet the ending of the bills folded into it."""
    row = scenario.alternative()
    replica.assembly.add(row)
    for bill_id in (scenario.HAEOREUM_ACT, scenario.SECOND_ACT):
        replica.pages.advance(
            bill_id, "replaced_by_alternative", "2026-06-24", alternative=alternative_of(row)
        )


def _api_catches_up(replica: Replica) -> None:
    for bill_id in (scenario.HAEOREUM_ACT, scenario.SECOND_ACT):
        advance(replica.assembly.row(bill_id), "replaced_by_alternative", "2026-06-24")


def _alternative_to(stage: str, day: str) -> Callable[[Replica], None]:
    def apply(replica: Replica) -> None:
        replica.advance(scenario.ALTERNATIVE, stage, day)

    return apply


def _alternative_page_to(stage: str, day: str) -> Callable[[Replica], None]:
    def apply(replica: Replica) -> None:
        replica.pages.advance(scenario.ALTERNATIVE, stage, day)

    return apply


STEPS: tuple[Step, ...] = (
    Step(
        "2026-06-01",
        "첫 점검: 해오름 법안과 기사를 찾습니다 (한 기사를 세 언론사가, 축제 기사는 제외)",
        _publish(*news.proposal_coverage(), news.festival()),
    ),
    # In the morning: the alliance's meeting that afternoon is news only at the next check.
    Step("2026-06-08", "변화 없는 한 주", _noop, time="09:00"),
    Step(
        "2026-06-10",
        "해오름동맹 상생협의회 기사; 지역 신문 RSS는 잘린 채로 내려옴",
        _both(_publish(news.alliance_meeting()), _truncate_regional_feed),
    ),
    Step("2026-06-15", "국회 Open API 장애 (HTTP 500)", _both(_fix_regional_feed, _break_api)),
    Step("2026-06-16", "장애 지속", _noop),
    Step("2026-06-17", "장애 지속", _noop),
    Step("2026-06-18", "Open API 복구", _fix_api),
    Step(
        "2026-06-24",
        "의안 페이지: 두 의원안이 대안반영폐기 (대안은 의안 페이지의 대안 탭에서 발견)",
        _both(
            _fold_into_alternative,
            _publish(*news.committee_coverage(scenario.alternative()["BILL_NO"])),
        ),
    ),
    Step("2026-06-25", "Open API도 대안반영폐기를 반영 (알림 없음)", _api_catches_up),
    Step(
        "2026-07-01",
        "대안이 법사위 체계자구심사로",
        _alternative_to("judiciary_review", "2026-07-01"),
    ),
    Step(
        "2026-07-03",
        "본회의 의결",
        _both(_alternative_to("passed", "2026-07-03"), _publish(*news.passage_coverage())),
    ),
    Step(
        "2026-07-07",
        "의안 페이지에 먼저 보이는 정부이송",
        _alternative_page_to("sent_to_government", "2026-07-07"),
    ),
    Step("2026-07-14", "공포", _alternative_to("promulgated", "2026-07-14")),
)

STORY_START = STEPS[0].at.date()
# The next morning: the time the demo's epilogue (digest, queries) is told at.
STORY_END = STEPS[-1].at.replace(hour=9, minute=0) + timedelta(days=1)
