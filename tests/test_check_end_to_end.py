"""The first slice end to end: replica Open API → tracker check → SQLite → fake Slack."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tracker.demo.replica.assembly import advance
from tracker.demo.replica.scenario import HAEOREUM_ACT, SECOND_ACT

pytestmark = pytest.mark.e2e


def rows(db, sql, *params):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def test_first_check_stores_matched_bills_with_one_new_change_each(env):
    result = env.tracker("check")
    assert result.returncode == 0, result.stderr
    bills = dict(rows(env.db, "SELECT bill_id, stage FROM bills"))
    assert bills == {HAEOREUM_ACT: "committee_review", SECOND_ACT: "committee_review"}
    changes = rows(env.db, "SELECT bill_id, kind, field, new_value FROM bill_changes")
    assert sorted(changes) == sorted(
        [(b, "new", "stage", "committee_review") for b in (HAEOREUM_ACT, SECOND_ACT)]
    )
    matched = dict(rows(env.db, "SELECT bill_id, matched_by FROM bills"))
    assert matched[HAEOREUM_ACT] == "해오름 산업벨트"


def test_stage_change_is_stored_field_by_field_and_alerted_exactly_once(env, replica, slack):
    assert env.tracker("check").returncode == 0
    # A new database's first run: one summary, not one message per bill.
    new_bill_messages = len(slack.messages)
    assert new_bill_messages == 1
    assert slack.texts[0].startswith("📋 2건 추적 시작")

    second = env.tracker("check")
    assert second.returncode == 0, second.stderr
    assert rows(env.db, "SELECT count(*) FROM bill_changes") == [(2,)]
    assert len(slack.messages) == new_bill_messages

    advance(replica.assembly.row(HAEOREUM_ACT), "passed", "2026-11-20", "수정가결")
    third = env.tracker("check")
    assert third.returncode == 0, third.stderr
    changed = rows(
        env.db,
        "SELECT field, old_value, new_value FROM bill_changes WHERE kind = 'changed'"
        " AND bill_id = ? ORDER BY field",
        HAEOREUM_ACT,
    )
    assert changed == [("result", None, "수정가결"), ("stage", "committee_review", "passed")]
    assert len(slack.messages) == new_bill_messages + 1
    text = slack.messages[-1]["text"]
    assert "해오름산업벨트 지원에 관한 특별법안" in text
    assert "소관위 심사 → 본회의 의결" in text
    assert slack.messages[-1]["channel_id"] == slack.channels["haeoreum"]

    fourth = env.tracker("check")
    assert fourth.returncode == 0
    assert len(slack.messages) == new_bill_messages + 1
    assert rows(env.db, "SELECT count(*) FROM bill_changes") == [(4,)]
    statuses = rows(env.db, "SELECT status, count(*) FROM alerts GROUP BY status")
    assert statuses == [("sent", 2)]
    events = rows(env.db, "SELECT stage FROM bill_events WHERE bill_id = ?", HAEOREUM_ACT)
    assert ("passed",) in events


def test_unchanged_recrawl_writes_nothing_but_the_run(env):
    env.tracker("check")
    before = rows(env.db, "SELECT count(*) FROM bill_changes")[0][0]
    alerts = rows(env.db, "SELECT count(*) FROM alerts")[0][0]
    env.tracker("check")
    assert rows(env.db, "SELECT count(*) FROM bill_changes")[0][0] == before
    assert rows(env.db, "SELECT count(*) FROM alerts")[0][0] == alerts
    runs = rows(env.db, "SELECT status, stats FROM runs ORDER BY id")
    assert [r[0] for r in runs] == ["ok", "ok"]
    assert json.loads(runs[-1][1])["assembly_api"]["changes"] == 0


def test_null_fields_in_an_api_row_are_unknown_never_a_change(env, replica, slack):
    assert env.tracker("check").returncode == 0
    before = rows(env.db, "SELECT * FROM bills ORDER BY bill_id")
    messages = len(slack.messages)
    row = replica.assembly.row(HAEOREUM_ACT)
    saved = dict(row)
    for name in ("PROPOSER", "CURR_COMMITTEE", "LINK_URL", "PROC_RESULT"):
        row[name] = None

    for _ in range(2):
        result = env.tracker("check")
        assert result.returncode == 0, result.stderr
        row.update(saved)  # the second cycle: the values are back
    assert rows(env.db, "SELECT count(*) FROM bill_changes WHERE kind = 'changed'") == [(0,)]
    after = rows(env.db, "SELECT * FROM bills ORDER BY bill_id")
    assert [b[:9] for b in after] == [b[:9] for b in before]
    assert len(slack.messages) == messages
