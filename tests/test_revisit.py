"""The bill pages' revisit policy: active bills every cycle, quiet ones once an interval."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tracker.revisit import PageState, RevisitPolicy, Visit, plan_visit, stagger

NOW = datetime(2026, 7, 1, 9, 0, tzinfo=ZoneInfo("Asia/Seoul"))
POLICY = RevisitPolicy(active_days=14, recheck_hours=4, refresh_hours=6)
QUIET_DAY = date(2026, 3, 2)
ACTIVE_DAY = date(2026, 6, 25)
BILL = "PRC_A1B2C3"


def ago(hours: float) -> datetime:
    return NOW - timedelta(hours=hours)


@pytest.mark.parametrize(
    ("last_step", "fetched", "checked", "blind", "failing", "expected"),
    [
        # Never read, or last read failed: in full whatever else holds.
        (QUIET_DAY, None, None, False, False, Visit.FULL),
        (QUIET_DAY, ago(0.1), ago(0.1), False, True, Visit.FULL),
        # Active (a step in the last 14 days, or no step known): every cycle.
        (ACTIVE_DAY, ago(0.1), ago(0.1), False, False, Visit.CONDITIONAL),
        (None, ago(0.1), ago(0.1), False, False, Visit.CONDITIONAL),
        (ACTIVE_DAY, ago(0.1), ago(0.1), True, False, Visit.FULL),
        (ACTIVE_DAY, ago(6), ago(0.1), False, False, Visit.FULL),
        # Quiet: skipped until the recheck interval (2-4 h for this policy) has passed.
        (QUIET_DAY, ago(0.1), ago(0.1), False, False, Visit.SKIP),
        (QUIET_DAY, ago(5), ago(1.9), False, False, Visit.SKIP),
        (QUIET_DAY, ago(5), ago(4), False, False, Visit.CONDITIONAL),
        (QUIET_DAY, ago(4), None, False, False, Visit.CONDITIONAL),
        (QUIET_DAY, ago(7), ago(4), False, False, Visit.FULL),
        (QUIET_DAY, ago(4), ago(4), True, False, Visit.FULL),
        (QUIET_DAY, ago(0.1), ago(0.1), True, False, Visit.SKIP),
    ],
)
def test_plan_visit(last_step, fetched, checked, blind, failing, expected):
    state = PageState(last_step, fetched, checked)
    visit = plan_visit(BILL, state, NOW, POLICY, shell_blind=blind, failing=failing)
    assert visit is expected


def test_activity_is_counted_in_days_before_today():
    fetched = ago(0.1)
    edge = NOW.date() - timedelta(days=14)
    assert plan_visit(BILL, PageState(edge, fetched, fetched), NOW, POLICY) is Visit.CONDITIONAL
    before = edge - timedelta(days=1)
    assert plan_visit(BILL, PageState(before, fetched, fetched), NOW, POLICY) is Visit.SKIP


def test_zero_recheck_hours_checks_quiet_bills_every_cycle():
    policy = RevisitPolicy(active_days=14, recheck_hours=0, refresh_hours=6)
    state = PageState(QUIET_DAY, ago(0.01), ago(0.01))
    assert plan_visit(BILL, state, NOW, policy) is Visit.CONDITIONAL


def test_quiet_bills_found_together_come_due_spread_over_the_interval():
    shares = [stagger(f"PRC_BENCH{n:015d}") for n in range(2000)]
    assert all(0.5 <= share < 1 for share in shares)
    # Spread, not bunched: every tenth of the half-interval holds some of the bills.
    buckets = {int((share - 0.5) * 20) for share in shares}
    assert buckets == set(range(10))
    assert stagger(BILL) == stagger(BILL)
