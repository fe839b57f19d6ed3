"""Faults that must lose nothing and duplicate nothing: kill -9 mid-cycle, a flaky Slack."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from tracker.demo.replica.assembly import advance, bill_row
from tracker.demo.replica.scenario import HAEOREUM_ACT

pytestmark = pytest.mark.e2e

TRIALS = 20
STAGES = ["judiciary_review", "plenary", "passed", "promulgated"]


def query(db, sql, *params):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def assert_consistent(db) -> None:
    """Every stored change has its outbox alert, and the file is sound."""
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    if query(db, "PRAGMA user_version") == [(0,)]:
        # Killed before the schema's first migration committed: an empty database.
        assert query(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'") == [(0,)]
        return
    keys = {k for (k,) in query(db, "SELECT dedupe_key FROM alerts")}
    # The first run's bills are in its one summary; every later one has its own alert.
    summed_up = {
        bill["bill_id"]
        for (payload,) in query(db, "SELECT payload FROM alerts WHERE kind = 'summary'")
        for group in json.loads(payload)["stages"]
        for bill in group["bills"]
    }
    for (bill_id,) in query(db, "SELECT bill_id FROM bills"):
        assert f"new_bill:{bill_id}" in keys or bill_id in summed_up
    for bill_id, stage in query(
        db, "SELECT bill_id, new_value FROM bill_changes WHERE kind = 'changed' AND field = 'stage'"
    ):
        assert any(k.startswith(f"stage:{bill_id}:{stage}:") for k in keys)
    new_rows = query(db, "SELECT count(*) FROM bill_changes WHERE kind = 'new'")[0][0]
    assert new_rows == query(db, "SELECT count(*) FROM bills")[0][0]


def trial_change(replica, n: int, rng: random.Random) -> None:
    bill_id = f"PRC_K9I8L7L{n:02d}X0X0X0X0X0X0X0X0X0"
    row = bill_row(
        bill_id,
        f"22190{n:02d}",
        f"해오름산업벨트 지원에 관한 특별법안 제{n}차",
        "김의원 등 10인",
        "2026-01-05",
    )
    replica.assembly.add(row)
    if n % 5 == 4:
        advance(replica.assembly.row(HAEOREUM_ACT), STAGES[n // 5], f"2026-02-{n + 1:02d}")
    if rng.random() < 0.5:
        advance(row, "committee_review", "2026-01-06")


def kill_checks_at_random_points(env, replica, slack, rng: random.Random) -> None:
    """TRIALS checks, each with a change to find and killed at a random point; the database
    is consistent after each. Slack is slowed meanwhile, so kills land mid-send too."""
    slack.delay = 0.1
    command = [sys.executable, "-m", "tracker", "--config", str(env.config), "check"]
    for n in range(TRIALS):
        trial_change(replica, n, rng)
        process = subprocess.Popen(
            command, cwd=env.path, env=env.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0.3, 1.8))
        process.send_signal(signal.SIGKILL)
        process.wait()
        if env.db.exists():
            assert_consistent(env.db)
    slack.delay = 0


def test_kill_9_at_random_points_then_each_alert_is_delivered_exactly_once(env, replica, slack):
    # The act is stored before the trials, so the stages it passes meanwhile must be alerted
    # however early the kills come on a slow machine.
    assert env.tracker("check").returncode == 0
    kill_checks_at_random_points(env, replica, slack, random.Random(20261125))

    for _ in range(2):
        assert env.tracker("check").returncode == 0
    assert_consistent(env.db)
    keys = {k for (k,) in query(env.db, "SELECT dedupe_key FROM alerts")}
    assert query(env.db, "SELECT DISTINCT status FROM alerts") == [("sent",)]
    counts = slack.count_by_key()
    assert set(counts) == keys
    assert all(count == 1 for count in counts.values()), {k: c for k, c in counts.items() if c > 1}
    assert sum(k.startswith("new_bill:") for k in keys) == TRIALS
    assert "summary:first_run" in keys
    # Stages passed while a check was killed are seen as one jump, so count at least one.
    assert any(k.startswith(f"stage:{HAEOREUM_ACT}:") for k in keys)


def test_slack_timeout_then_check_finds_the_message_and_does_not_resend(env, replica, slack):
    text = env.config.read_text(encoding="utf-8").replace(
        "timeout_seconds = 5", "timeout_seconds = 1"
    )
    env.config.write_text(text, encoding="utf-8")
    slack.failures = ["timeout"]
    assert env.tracker("check").returncode == 0
    [(_claimed_at, error)] = query(
        env.db, "SELECT claimed_at, last_error FROM alerts WHERE claimed_at IS NOT NULL"
    )
    assert "Timeout" in error
    assert len(slack.messages) == 1
    time.sleep(1.5)
    assert env.tracker("check").returncode == 0
    counts = slack.count_by_key()
    assert counts and all(c == 1 for c in counts.values()), counts
    assert query(env.db, "SELECT DISTINCT status FROM alerts") == [("sent",)]


def test_slack_answering_invalid_json_keeps_the_alert_pending(env, slack):
    slack.failures = ["badjson"]
    assert env.tracker("check").returncode == 0
    assert query(env.db, "SELECT count(*) FROM alerts WHERE status = 'pending'")[0][0] >= 1
    assert env.tracker("check").returncode == 0
    assert all(c == 1 for c in slack.count_by_key().values())
    assert query(env.db, "SELECT DISTINCT status FROM alerts") == [("sent",)]
