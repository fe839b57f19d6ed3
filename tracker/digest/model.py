"""The weekly digest's content: plain dataclasses the store fills and the notifiers render.

Nothing here touches the database; building a ``Digest`` from SQLite is the store's job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from tracker.domain.fields import INTERNAL_FIELDS
from tracker.domain.stages import is_final, stage_for_result

STALLED_AFTER_DAYS = 60


@dataclass(frozen=True)
class BillRef:
    """Another bill named on a bill's card: its number, title and page."""

    bill_id: str
    bill_no: str | None
    title: str
    url: str | None


@dataclass
class DigestBill:
    """A tracked bill as it stands at the end of the digest's period."""

    bill_id: str
    bill_no: str | None
    title: str
    proposer: str | None
    committee: str | None
    stage: str
    result: str | None
    detail_url: str | None
    matched_by: str | None
    last_changed_at: datetime | None = None
    stalled: bool = False
    # For a bill that ended without becoming law: the last progress stage it reached
    # (from bill_events), so the progress bar can show how far it got. None when unknown.
    reached_stage: str | None = None
    # The Assembly's date of the bill's latest step (bill_events); None when it has none.
    last_step_on: date | None = None
    # A bill folded into a committee alternative: that alternative.
    alternative: BillRef | None = None
    # A committee alternative: the bills folded into it.
    folded: list[BillRef] = field(default_factory=list)

    def last_moved(self, tz: tzinfo) -> datetime | None:
        """When the bill last moved: the day of its latest step at the Assembly, else when
        tracker saw it change."""
        if self.last_step_on is not None:
            return datetime.combine(self.last_step_on, time(), tz)
        return self.last_changed_at


@dataclass
class DigestChange:
    """One row of ``bill_changes`` inside the period."""

    bill_id: str
    bill_title: str
    field: str
    old_value: str | None
    new_value: str | None
    observed_at: datetime
    kind: str = "changed"  # "new" or "changed"


@dataclass
class DigestMeeting:
    """A committee meeting that took a bill up, first seen inside the period."""

    bill_id: str
    bill_no: str | None
    bill_title: str
    committee: str
    meeting: str
    held_on: str
    result: str | None = None
    minutes_url: str | None = None


@dataclass
class DigestArticle:
    """One news story: its first article and the other outlets that ran it."""

    title: str
    url: str
    source: str | None
    published_at: datetime | None = None
    other_sources: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DigestSummary:
    """The headline counts of a digest."""

    stage_changes: int
    new_bills: int
    articles: int

    @property
    def empty(self) -> bool:
        return not (self.stage_changes or self.new_bills or self.articles)


@dataclass
class Digest:
    """One digest: the period ``[period_start, period_end)`` and what happened in it.

    Both ends are timezone-aware (the configured zone, Asia/Seoul by default). Bills are
    every tracked bill, in the order to show them; changes and articles are those observed
    in the period.
    """

    period_start: datetime
    period_end: datetime
    bills: list[DigestBill] = field(default_factory=list)
    changes: list[DigestChange] = field(default_factory=list)
    articles: list[DigestArticle] = field(default_factory=list)
    meetings: list[DigestMeeting] = field(default_factory=list)

    def __post_init__(self) -> None:
        for name in ("period_start", "period_end"):
            value = getattr(self, name)
            if value.tzinfo is None or value.utcoffset() is None:
                raise ValueError(f"Digest.{name} must be timezone-aware")
        if self.period_end < self.period_start:
            raise ValueError("Digest.period_end is before period_start")

    @property
    def summary(self) -> DigestSummary:
        return DigestSummary(
            stage_changes=sum(
                1 for c in self.changes if c.kind == "changed" and c.field == "stage"
            ),
            new_bills=sum(1 for c in self.changes if c.kind == "new"),
            articles=len(self.articles),
        )

    @property
    def last_day(self) -> datetime:
        """The last instant inside the period (its end is exclusive): a period ending at
        Monday 00:00 is shown as ending on Sunday."""
        return self.period_end - timedelta(microseconds=1)


def shown_changes(changes: list[DigestChange]) -> list[DigestChange]:
    """The changes a reader is shown: no internal fields, and no result that only repeats the
    ending stage recorded with it (대안반영폐기 as both stage and result)."""
    endings = {(c.bill_id, c.observed_at, c.new_value) for c in changes if c.field == "stage"}
    return [
        c
        for c in changes
        if c.field not in INTERNAL_FIELDS
        and not (
            c.field == "result"
            and (c.bill_id, c.observed_at, stage_for_result(c.new_value)) in endings
        )
    ]


def is_stalled(
    last_changed_at: datetime | None,
    now: datetime,
    days: int = STALLED_AFTER_DAYS,
    *,
    stage: str | None = None,
) -> bool:
    """Whether a bill has not moved for at least ``days`` days (장기 계류).

    A bill with no recorded change is not called stalled, nor is one whose ``stage`` is
    final: a bill that ended is not waiting for anything.
    """
    if last_changed_at is None:
        return False
    if stage is not None and is_final(stage):
        return False
    return now - last_changed_at >= timedelta(days=days)
