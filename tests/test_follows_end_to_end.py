"""Following by 의안번호, unfollowing, muting, list and status: through the real command line
against the replica, the fake Slack and a real SQLite file."""

from __future__ import annotations

import json

import pytest

from tests.helpers import query
from tests.helpers import run_ok as run
from tracker.demo.replica import scenario

pytestmark = pytest.mark.e2e

SECOND_ACT_NO = "2209418"
UNRELATED = "PRC_U2N5R0E8L1A4T2E0D3B1I6L0L1A7"  # 2205118, a title no keyword matches
OTHER_UNRELATED = "PRC_U2N5R0E8L1A4T2E0D3B1I6L0L2B8"  # 2207402


def alerts_of(db, bill_id, kind=None):
    rows = query(
        db,
        "SELECT kind, payload FROM alerts WHERE bill_id = ? AND kind = coalesce(?, kind)"
        " ORDER BY id",
        bill_id,
        kind,
    )
    return [(k, json.loads(p)) for k, p in rows]


def page_requests(replica, bill_id, since=0):
    return [
        r
        for r in replica.requests("/bill/")[since:]
        if bill_id in (r.query.get("billId"), r.form().get("billId"))
    ]


def seed_bill_nos(env, *numbers):
    text = env.config.read_text(encoding="utf-8")
    listed = ", ".join(f'"{n}"' for n in numbers)
    env.config.write_text(text.replace("[watch]\n", f"[watch]\nbill_nos = [{listed}]\n", 1))


def test_bill_nos_and_follow_track_bills_no_keyword_matches(env, replica, slack):
    seed_bill_nos(env, "2205118")
    run(env, "check")
    [(matched_by, stage)] = query(
        env.db, "SELECT matched_by, stage FROM bills WHERE bill_id = ?", UNRELATED
    )
    assert (matched_by, stage) == ("number", "committee_review")
    assert any(r.query.get("BILL_NO") == "2205118" for r in replica.requests("/portal/"))
    # Its pages are read like any tracked bill's.
    assert page_requests(replica, UNRELATED)

    assert run(env, "follow", "2207402").stdout.startswith("following 2207402")
    assert not query(env.db, "SELECT 1 FROM bills WHERE bill_id = ?", OTHER_UNRELATED)
    run(env, "check")
    [(kind, payload)] = alerts_of(env.db, OTHER_UNRELATED)
    assert kind == "new_bill" and payload["bill_no"] == "2207402"
    assert any("2207402" in text for text in slack.texts)

    listing = run(env, "list").stdout
    lines = listing.splitlines()
    row = lines.index(next(line for line in lines if line.startswith("2205118")))
    assert "산업입지 및 개발에 관한 법률" in lines[row]
    assert "이유: 의안번호" in lines[row + 1]
    assert "단계: 소관위 심사" in lines[row + 1]
    assert "마지막 단계: 2025-01-13" in lines[row + 1]
    act = lines.index(next(line for line in lines if line.startswith("2203257")))
    assert "이유: 키워드 해오름 산업벨트" in lines[act + 1]
    assert any(line.startswith("2207402") for line in lines)

    # A number followed but not (yet) in the Open API is listed as such.
    run(env, "follow", "2299999")
    run(env, "check")
    assert "2299999  (아직 찾지 못함" in run(env, "list").stdout


def test_status_tells_one_bills_story_in_korean(env, replica):
    run(env, "check")
    replica.advance(scenario.HAEOREUM_ACT, "judiciary_review", "2026-06-25")
    run(env, "check")
    text = run(env, "status", "2203257").stdout
    assert text.startswith("[2203257] 해오름산업벨트 지원에 관한 특별법안\n")
    assert "단계: 법사위 체계자구심사" in text or "단계: 법사위" in text
    assert "진행 경과\n  2024-08-30  접수" in text
    assert "2026-06-25  법사위" in text
    assert "추적 시작 (소관위 심사)" in text
    assert "단계: 소관위 심사 → 법사위" in text
    assert "추적 이유: 키워드 해오름 산업벨트" in text


def test_bad_numbers_are_one_line_errors(env):
    run(env, "check")
    for args in (("follow", "22O3257"), ("mute", "12345"), ("status", "abc")):
        result = run(env, *args, code=2)
        assert result.stderr.startswith("error: not a 의안번호"), result.stderr
        assert len(result.stderr.splitlines()) == 1
    result = run(env, "status", "2299999", code=2)
    assert "no bill 2299999 in the database" in result.stderr
    result = run(env, "mute", "2299999", code=2)
    assert "nothing to mute" in result.stderr
    assert not query(env.db, "SELECT * FROM bill_follows")


def test_unfollowed_keyword_match_stays_unfollowed(env, replica, slack):
    run(env, "check")
    second = scenario.SECOND_ACT
    assert run(env, "unfollow", SECOND_ACT_NO).stdout.startswith(f"unfollowed {SECOND_ACT_NO}")
    replica.advance(second, "judiciary_review", "2026-06-25")
    since = len(replica.requests("/bill/"))
    messages = len(slack.messages)
    run(env, "check")
    # The keyword scan still sees it; nothing is read, stored or alerted about it.
    assert not page_requests(replica, second, since)
    assert query(env.db, "SELECT stage FROM bills WHERE bill_id = ?", second) == [
        ("committee_review",)
    ]
    assert query(env.db, "SELECT count(*) FROM bill_changes WHERE bill_id = ?", second) == [(1,)]
    assert not alerts_of(env.db, second, "stage_change")
    assert len(slack.messages) == messages
    listing = run(env, "list").stdout
    assert not any(line.startswith(SECOND_ACT_NO) for line in listing.splitlines())
    assert listing.rstrip().endswith(f"추적 해제: {SECOND_ACT_NO}")
    assert "추적 이유: 추적 해제됨" in run(env, "status", SECOND_ACT_NO).stdout

    run(env, "follow", SECOND_ACT_NO)
    run(env, "check")
    [(_, payload)] = alerts_of(env.db, second, "stage_change")
    assert payload["new_stage"] == "judiciary_review"


def test_a_muted_bill_is_stored_and_digested_but_not_alerted_until_the_mute_ends(
    env, replica, slack
):
    act = scenario.HAEOREUM_ACT
    env.env["TRACKER_CLOCK"] = "2026-06-22T10:00:00+09:00"
    run(env, "check")
    out = run(env, "mute", "2203257", "--days", "7").stdout
    assert out.startswith("muted 2203257 해오름산업벨트") and "2026-06-29 10:0" in out
    replica.advance(act, "judiciary_review", "2026-06-23")
    env.env["TRACKER_CLOCK"] = "2026-06-23T10:00:00+09:00"
    messages = len(slack.messages)
    run(env, "check")
    assert query(
        env.db, "SELECT old_value, new_value FROM bill_changes WHERE bill_id = ? AND kind = ?",
        act, "changed",
    ) == [("committee_review", "judiciary_review")]  # fmt: skip
    assert not alerts_of(env.db, act, "stage_change")
    assert len(slack.messages) == messages
    assert "알림 끔: 2026-06-29 10:0" in run(env, "list").stdout
    digest = run(env, "digest", "--dry-run", "--since", "2026-06-22").stdout
    assert "해오름산업벨트 지원에 관한 특별법안" in digest and "법사위" in digest

    # Eight days later the mute has ended by itself.
    replica.advance(act, "plenary", "2026-07-01")
    env.env["TRACKER_CLOCK"] = "2026-07-01T10:00:00+09:00"
    run(env, "check")
    [(_, payload)] = alerts_of(env.db, act, "stage_change")
    assert payload["new_stage"] == "plenary"
    assert "알림 끔" not in run(env, "list").stdout


def test_unmute_alerts_again(env, replica):
    act = scenario.HAEOREUM_ACT
    run(env, "check")
    run(env, "mute", "2203257", "--days", "30")
    assert run(env, "unmute", "2203257").stdout.startswith("unmuted 2203257")
    replica.advance(act, "judiciary_review", "2026-06-23")
    run(env, "check")
    assert [k for k, _ in alerts_of(env.db, act)] == ["stage_change"]


def test_an_unfollowed_bill_of_the_config_bill_ids_is_not_read(env, replica):
    text = env.config.read_text(encoding="utf-8")
    env.config.write_text(text.replace("[watch]\n", f'[watch]\nbill_ids = ["{UNRELATED}"]\n', 1))
    run(env, "check")
    assert page_requests(replica, UNRELATED)
    run(env, "unfollow", "2205118")
    since = len(replica.requests("/bill/"))
    run(env, "check")
    assert not page_requests(replica, UNRELATED, since)
    assert page_requests(replica, scenario.HAEOREUM_ACT, since)
