"""Committee meetings end to end: the replica lists meetings on a bill's billInfo.do, tracker
stores them, alerts each once (not on the first run) and shows them in the digest and status."""

from __future__ import annotations

import json

import pytest

from tests.helpers import query
from tests.helpers import run_ok as run
from tracker.demo.replica import scenario
from tracker.demo.replica.bill_pages import MINUTES_BASE

pytestmark = pytest.mark.e2e

ACT = scenario.HAEOREUM_ACT
SUBCOMMITTEE = "행정안전위원회 법안심사제1소위원회"


def meeting_alerts(db):
    rows = query(db, "SELECT bill_id, payload FROM alerts WHERE kind = 'meeting' ORDER BY id")
    return [(bill_id, json.loads(payload)) for bill_id, payload in rows]


def test_each_meeting_is_stored_and_alerted_once(env, replica, slack):
    env.env["TRACKER_CLOCK"] = "2026-06-22T10:00:00+09:00"
    replica.pages.meet(
        ACT, "소관위 회의정보", "행정안전위원회 전체회의", "2024-09-10", "상정", 51000
    )
    run(env, "check")
    # The first run stores what the pages list, quietly.
    assert query(env.db, "SELECT bill_id, committee, meeting, held_on FROM bill_meetings") == [
        (ACT, "소관위", "행정안전위원회 전체회의", "2024-09-10")
    ]
    assert not meeting_alerts(env.db)

    replica.pages.meet(ACT, "소위 회의정보", SUBCOMMITTEE, "2026-06-20", "심사", 56297)
    messages = len(slack.messages)
    env.env["TRACKER_CLOCK"] = "2026-06-22T11:00:00+09:00"
    run(env, "check")
    [(bill_id, payload)] = meeting_alerts(env.db)
    assert bill_id == ACT
    assert (payload["meeting"], payload["held_on"], payload["committee_kind"]) == (
        SUBCOMMITTEE,
        "2026-06-20",
        "소위",
    )
    assert payload["minutes_url"] == f"{MINUTES_BASE}?id=56297"
    [text] = slack.texts[messages:]
    assert f"{SUBCOMMITTEE} (2026-06-20)에서 심사, 회의록" in text
    assert "2203257" in text
    blocks = json.dumps(slack.messages[-1].get("blocks"), ensure_ascii=False)
    assert f"<{MINUTES_BASE}?id=56297|회의록>" in blocks

    # Read again, the same meetings alert nothing more.
    env.env["TRACKER_CLOCK"] = "2026-06-22T12:00:00+09:00"
    run(env, "check")
    assert len(meeting_alerts(env.db)) == 1
    assert len(slack.texts) == messages + 1
    assert query(env.db, "SELECT count(*) FROM bill_meetings") == [(2,)]

    status = run(env, "status", "2203257").stdout
    assert f"2026-06-20  소위  {SUBCOMMITTEE} · 심사 · 회의록 {MINUTES_BASE}?id=56297" in status

    env.env["TRACKER_CLOCK"] = "2026-06-23T09:00:00+09:00"
    digest = run(env, "digest", "--dry-run", "--since", "2026-06-22").stdout
    assert "== 위원회 회의 ==" in digest
    assert f"{SUBCOMMITTEE}에서 심사, 회의록 {MINUTES_BASE}?id=56297" in digest


def test_a_bill_first_found_brings_its_meetings_without_alerts(env, replica, slack):
    run(env, "check")
    replica.pages.meet(
        scenario.COMPANION, "소관위 회의정보", "행정안전위원회 전체회의", "2026-06-02"
    )
    text = env.config.read_text(encoding="utf-8")
    env.config.write_text(text.replace("[watch]\n", '[watch]\nbill_nos = ["2203256"]\n', 1))
    run(env, "check")
    assert query(env.db, "SELECT bill_id FROM bill_meetings") == [(scenario.COMPANION,)]
    assert not meeting_alerts(env.db)
    kinds = query(env.db, "SELECT kind FROM alerts WHERE bill_id = ?", scenario.COMPANION)
    assert kinds == [("new_bill",)]


def test_a_muted_bills_meeting_is_stored_without_alert(env, replica):
    run(env, "check")
    run(env, "mute", "2203257")
    replica.pages.meet(ACT, "법사위 회의정보", "법제사법위원회 전체회의", "2026-07-01", "의결")
    run(env, "check")
    assert query(env.db, "SELECT meeting, result FROM bill_meetings") == [
        ("법제사법위원회 전체회의", "의결")
    ]
    assert not meeting_alerts(env.db)
