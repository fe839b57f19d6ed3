"""The digest's content model: summary counts, period checks and the stalled rule."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tracker.digest.model import (
    Digest,
    DigestArticle,
    DigestBill,
    DigestChange,
    is_stalled,
    shown_changes,
)

KST = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=KST)


def test_is_stalled_boundaries() -> None:
    assert is_stalled(NOW - timedelta(days=60), NOW)
    assert not is_stalled(NOW - timedelta(days=59, hours=23), NOW)
    assert is_stalled(NOW - timedelta(days=10), NOW, days=10)
    assert not is_stalled(None, NOW)


def test_final_stage_is_never_stalled() -> None:
    old = NOW - timedelta(days=400)
    assert is_stalled(old, NOW, stage="committee_review")
    assert not is_stalled(old, NOW, stage="discarded")
    assert not is_stalled(old, NOW, stage="promulgated")


def test_summary_counts() -> None:
    t = NOW - timedelta(days=1)
    digest = Digest(
        NOW - timedelta(days=7),
        NOW,
        changes=[
            DigestChange("A", "a", "stage", "received", "committee_review", t),
            DigestChange("A", "a", "committee", None, "행정안전위원회", t),
            DigestChange("B", "b", "stage", None, "received", t, kind="new"),
        ],
        articles=[DigestArticle("기사", "https://example.org/1", "경북일보")],
    )
    s = digest.summary
    assert (s.stage_changes, s.new_bills, s.articles) == (1, 1, 1)
    assert not s.empty
    assert Digest(NOW - timedelta(days=7), NOW).summary.empty


def test_period_must_be_aware_and_ordered() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Digest(datetime(2026, 11, 16), NOW)
    with pytest.raises(ValueError, match="before"):
        Digest(NOW, NOW - timedelta(days=1))


def test_last_day_treats_end_as_exclusive() -> None:
    midnight = datetime(2026, 11, 23, tzinfo=KST)
    assert Digest(midnight - timedelta(days=7), midnight).last_day.date().isoformat() == (
        "2026-11-22"
    )


def test_shown_changes_leave_out_internal_fields_and_a_result_naming_the_ending() -> None:
    t = NOW - timedelta(days=1)
    changes = [
        DigestChange("A", "a", "age", None, "22", t),
        DigestChange("A", "a", "detail_url", None, "https://x.example/", t),
        DigestChange("A", "a", "summary", None, "제안이유", t),
        DigestChange("A", "a", "stage", "committee_review", "replaced_by_alternative", t),
        DigestChange("A", "a", "result", None, "대안반영폐기", t),
        DigestChange("B", "b", "stage", "judiciary_review", "passed", t),
        DigestChange("B", "b", "result", None, "원안가결", t),
        # The same result text a day later, without a stage change beside it: shown.
        DigestChange("C", "c", "result", None, "대안반영폐기", NOW),
    ]
    shown = [(c.bill_id, c.field, c.new_value) for c in shown_changes(changes)]
    assert shown == [
        ("A", "stage", "replaced_by_alternative"),
        ("B", "stage", "passed"),
        ("B", "result", "원안가결"),
        ("C", "result", "대안반영폐기"),
    ]


def test_last_moved_is_the_assemblys_day_else_when_tracker_saw_it() -> None:
    seen = datetime(2026, 6, 1, 18, 0, tzinfo=KST)
    bill = DigestBill("A", "1", "법안", None, None, "committee_review", None, None, None, seen)
    assert bill.last_moved(KST) == seen
    bill.last_step_on = date(2024, 9, 2)
    assert bill.last_moved(KST) == datetime(2024, 9, 2, tzinfo=KST)
