"""A long Slack ``Retry-After`` leaves the alert pending for a later cycle, never holds one up."""

from __future__ import annotations

import sqlite3
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tracker.demo.replica.assembly import advance
from tracker.demo.replica.scenario import HAEOREUM_ACT

pytestmark = pytest.mark.e2e


def pending(db):
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT status, attempts, last_error, next_attempt_at FROM alerts"
            " WHERE status != 'sent'"
        ).fetchall()


def test_a_long_retry_after_leaves_the_alert_pending_instead_of_blocking(env, replica, slack):
    assert env.tracker("check").returncode == 0
    sent = len(slack.messages)
    advance(replica.assembly.row(HAEOREUM_ACT), "passed", "2026-11-20")
    slack.retry_after = 100
    slack.failures = [429]

    started = time.monotonic()
    result = env.tracker("check")
    took = time.monotonic() - started

    assert result.returncode == 0, result.stderr
    assert took < 30, f"the check waited {took:.0f}s"
    assert len(slack.messages) == sent
    [(status, attempts, error, next_attempt)] = pending(env.db)
    assert (status, attempts) == ("pending", 1) and "HTTP 429" in error
    delay = datetime.fromisoformat(next_attempt) - datetime.now(ZoneInfo("Asia/Seoul"))
    assert timedelta(seconds=60) < delay <= timedelta(seconds=101)
    assert "1 pending" in result.stdout

    # Not due in the next cycle; due, and sent once, after the wait Slack asked for.
    assert env.tracker("check").returncode == 0
    assert len(slack.messages) == sent
    later = (datetime.now(ZoneInfo("Asia/Seoul")) + timedelta(seconds=150)).isoformat()
    env.env["TRACKER_CLOCK"] = later
    assert env.tracker("check").returncode == 0
    assert len(slack.messages) == sent + 1 and pending(env.db) == []
