"""The digest's content model: summary counts, period checks and the stalled rule."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tracker.digest_model import Digest, DigestArticle, DigestChange, is_stalled

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
