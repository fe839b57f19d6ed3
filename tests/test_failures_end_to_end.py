"""Broken sources and a broken Slack: clear errors, nothing lost, nothing invented."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tracker.demo.replica.assembly import advance
from tracker.demo.replica.scenario import HAEOREUM_ACT

pytestmark = pytest.mark.e2e


def query(db, sql, *params):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def snapshot(db):
    """The bills and their history, but for when each was last read (its page still is)."""
    with sqlite3.connect(db) as conn:
        columns = [r[1] for r in conn.execute("PRAGMA table_info(bills)")]
    kept = ", ".join(c for c in columns if c != "last_checked_at")
    return query(db, f"SELECT {kept} FROM bills ORDER BY bill_id"), query(
        db, "SELECT * FROM bill_changes ORDER BY id"
    )


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("garbage", "not JSON"),
        ("error337", "ERROR-337"),
        ("html200", "not JSON"),
        ("http500", "HTTP 500"),
        ("slow", "TimeoutError"),
        ("truncated", "not JSON"),
        ("empty", "not JSON"),
        ("euckr", "not JSON"),
    ],
)
def test_api_failure_exits_3_records_error_and_changes_no_bill(env, replica, fault, expected):
    with env.config.open("a", encoding="utf-8") as f:
        f.write("")
    text = env.config.read_text(encoding="utf-8")
    env.config.write_text(
        text.replace("download_delay = 0", "download_delay = 0\ndownload_timeout = 1")
    )
    assert env.tracker("check").returncode == 0
    before = snapshot(env.db)
    replica.assembly.fault = fault
    advance(replica.assembly.row(HAEOREUM_ACT), "passed", "2026-11-20")

    result = env.tracker("check")

    assert result.returncode == 3, result.stdout + result.stderr
    assert "source failed: assembly_api" in result.stderr
    assert snapshot(env.db) == before
    status, stats = query(env.db, "SELECT status, stats FROM runs ORDER BY id DESC LIMIT 1")[0]
    assert status in ("partial", "failed")
    errors = json.loads(stats)["assembly_api"]["errors"]
    assert errors and expected in errors[0]


def test_an_empty_answer_is_no_reason_to_change_or_drop_a_bill(env, replica, slack):
    assert env.tracker("check").returncode == 0
    before = snapshot(env.db)
    sent = len(slack.messages)
    replica.assembly.fault = "nodata"
    assert env.tracker("check").returncode == 0
    assert snapshot(env.db)[1] == before[1]
    assert [b[0] for b in snapshot(env.db)[0]] == [b[0] for b in before[0]]
    assert len(slack.messages) == sent


def test_slack_down_keeps_alert_pending_then_sends_it_exactly_once(env, replica, slack):
    assert env.tracker("check").returncode == 0
    sent_before = len(slack.messages)
    advance(replica.assembly.row(HAEOREUM_ACT), "passed", "2026-11-20")
    pending_sql = "SELECT kind, status, attempts, last_error FROM alerts WHERE status != 'sent'"

    slack.failures = [500, 500]  # the first try and its one in-cycle retry
    assert env.tracker("check").returncode == 0
    assert len(slack.messages) == sent_before
    [(kind, status, attempts, error)] = query(env.db, pending_sql)
    assert (kind, status, attempts) == ("stage_change", "pending", 1)
    assert "HTTP 500" in error

    slack.failures = [429, 429]
    assert env.tracker("check").returncode == 0
    assert len(slack.messages) == sent_before
    [(kind, status, attempts, error)] = query(env.db, pending_sql)
    assert (status, attempts) == ("pending", 2)
    assert "HTTP 429" in error and "ratelimited" in error

    assert slack.failures == []
    env.tracker("check")
    env.tracker("check")
    assert len(slack.messages) == sent_before + 1
    # The first run's summary and the stage change.
    assert query(env.db, "SELECT status, count(*) FROM alerts GROUP BY status") == [("sent", 2)]


def test_invalid_config_exits_2_with_one_line_naming_the_key(env):
    env.config.write_text('[schedule]\ncheck_every_minutes = "often"\n', encoding="utf-8")
    result = env.tracker("check")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "schedule.check_every_minutes" in lines[0]
    assert "Traceback" not in result.stderr


def test_unknown_key_is_named(env):
    env.config.write_text('[watch]\nkeyword = ["x"]\n', encoding="utf-8")
    result = env.tracker("check")
    assert result.returncode == 2
    assert "watch.keyword" in result.stderr
