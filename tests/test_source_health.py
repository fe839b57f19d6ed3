"""Source health as a pure rule: when a failing source is alerted, reminded of, recovered."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tracker.domain.health import FAILURE, RECOVERY, REMINDER, Health, after_result

T0 = datetime(2026, 7, 1, 9, 0, tzinfo=ZoneInfo("Asia/Seoul"))
DAY = 86_400


def stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def step(health: Health, failed: bool, hours: float = 0, threshold: int = 3):
    at = T0 + timedelta(hours=hours)
    return after_result(health, failed, at, stamp(at), threshold, DAY)


ALERTED = Health(3, stamp(T0), stamp(T0), stamp(T0))


@pytest.mark.parametrize(
    ("before", "failed", "hours", "event", "after"),
    [
        # Failures below the threshold pass silently, counted from the first.
        (Health(), True, 0, None, Health(1, stamp(T0))),
        (Health(1, stamp(T0)), True, 1, None, Health(2, stamp(T0))),
        # The threshold-th failure in a row is alerted; the reminder clock starts with it.
        (
            Health(2, stamp(T0)),
            True,
            2,
            FAILURE,
            Health(3, stamp(T0), *[stamp(T0 + timedelta(hours=2))] * 2),
        ),
        # While alerted: nothing until a day has passed since the last alert, then a reminder.
        (ALERTED, True, 23, None, Health(4, stamp(T0), stamp(T0), stamp(T0))),
        (
            ALERTED,
            True,
            24,
            REMINDER,
            Health(4, stamp(T0), stamp(T0), stamp(T0 + timedelta(hours=24))),
        ),
        # A success after an alert is a recovery; any success clears the row.
        (ALERTED, False, 30, RECOVERY, Health()),
        (Health(2, stamp(T0)), False, 1, None, Health()),
        (Health(), False, 0, None, Health()),
    ],
)
def test_one_result(before, failed, hours, event, after):
    transition = step(before, failed, hours)
    assert (transition.event, transition.health) == (event, after)


def test_a_recovery_reports_the_failures_it_ends_and_since_when():
    transition = step(Health(5, "2026-06-30T09:00:00+09:00", stamp(T0), stamp(T0)), False, 1)
    assert (transition.failures, transition.since) == (5, "2026-06-30T09:00:00+09:00")


def test_a_failure_alert_reports_the_run_of_failures():
    transition = step(Health(2, "2026-06-30T09:00:00+09:00"), True)
    assert (transition.failures, transition.since) == (3, "2026-06-30T09:00:00+09:00")


@pytest.mark.parametrize("threshold", [1, 2, 5])
def test_the_alert_comes_at_the_threshold_and_only_once(threshold):
    health, events = Health(), []
    for hour in range(threshold + 3):
        transition = step(health, True, hour, threshold)
        health = transition.health
        events.append(transition.event)
    assert events == [None] * (threshold - 1) + [FAILURE] + [None] * 3
