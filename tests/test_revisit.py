"""The bill pages' revisit policy: active bills every cycle, quiet ones a few a cycle in turn."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tracker.domain.revisit import PageState, RevisitPolicy, Visit, plan_visits

NOW = datetime(2026, 7, 1, 9, 0, tzinfo=ZoneInfo("Asia/Seoul"))
POLICY = RevisitPolicy(active_days=14, quiet_per_cycle=2)
QUIET_DAY = date(2026, 3, 2)
ACTIVE_DAY = date(2026, 6, 25)


def ago(hours: float) -> datetime:
    return NOW - timedelta(hours=hours)


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        # Never read, or last read failed: read whatever else holds.
        (PageState(QUIET_DAY, None, None), Visit.READ),
        (PageState(ACTIVE_DAY, None, None), Visit.READ),
        (PageState(ACTIVE_DAY, ago(0.1), ago(0.1), failing=True), Visit.READ),
        # Active (a step in the last 14 days, or no step known): every cycle.
        (PageState(ACTIVE_DAY, ago(0.1), ago(0.1)), Visit.READ),
        (PageState(None, ago(0.1), ago(0.1)), Visit.READ),
        # A quiet bill alone is within the budget.
        (PageState(QUIET_DAY, ago(0.1), ago(0.1)), Visit.READ),
    ],
)
def test_one_bill(state, expected):
    assert plan_visits({"PRC_A": state}, NOW, POLICY) == {"PRC_A": expected}


def test_quiet_bills_take_turns_longest_unchecked_first_active_ones_always():
    states = {
        "PRC_Q1": PageState(QUIET_DAY, ago(5), ago(1)),
        "PRC_Q2": PageState(QUIET_DAY, ago(5), ago(3)),
        "PRC_Q3": PageState(QUIET_DAY, ago(5), ago(2)),
        "PRC_Q4": PageState(QUIET_DAY, ago(0.5), None),
        "PRC_A1": PageState(ACTIVE_DAY, ago(0.5), ago(0.5)),
        "PRC_N1": PageState(QUIET_DAY, None, None),
        "PRC_F1": PageState(QUIET_DAY, ago(0.1), ago(0.1), failing=True),
    }
    assert plan_visits(states, NOW, POLICY) == {
        "PRC_Q1": Visit.SKIP,
        "PRC_Q2": Visit.READ,
        "PRC_Q3": Visit.READ,
        "PRC_Q4": Visit.SKIP,
        "PRC_A1": Visit.READ,
        "PRC_N1": Visit.READ,
        "PRC_F1": Visit.READ,
    }


def test_activity_is_counted_in_days_before_today():
    none_quiet = RevisitPolicy(active_days=14, quiet_per_cycle=0)
    edge = NOW.date() - timedelta(days=14)
    states = {
        "PRC_EDGE": PageState(edge, ago(0.1), ago(0.1)),
        "PRC_BEFORE": PageState(edge - timedelta(days=1), ago(0.1), ago(0.1)),
    }
    assert plan_visits(states, NOW, none_quiet) == {
        "PRC_EDGE": Visit.READ,
        "PRC_BEFORE": Visit.SKIP,
    }


def test_a_term_of_quiet_bills_is_gone_through_in_turn():
    policy = RevisitPolicy(active_days=14, quiet_per_cycle=50)
    read = ago(0.5)
    states = {f"PRC_{n:04d}": PageState(QUIET_DAY, read, read) for n in range(200)}
    seen: list[str] = []
    for cycle in range(4):
        at = NOW + timedelta(minutes=30 * cycle)
        due = [b for b, v in plan_visits(states, at, policy).items() if v is not Visit.SKIP]
        assert len(due) == 50
        seen += due
        for bill_id in due:
            states[bill_id] = PageState(QUIET_DAY, read, at)
    assert sorted(seen) == sorted(states)
