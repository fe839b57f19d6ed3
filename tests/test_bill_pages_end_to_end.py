"""Bill pages end to end: replica likms pages → tracker check → SQLite → fake Slack."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta

import pytest

from tests.helpers import COSMETIC_CHANGES, get_testdata
from tracker.replica import scenario
from tracker.replica.assembly import advance, bill_row
from tracker.replica.bill_pages import (
    INFO_PATH,
    MAINTENANCE,
    PageFault,
    alternative_of,
    page_from_row,
)

NEW_BILL = "PRC_N2E5W0B8I1L4L2A0L1L3I6A0N9C4"
PROGRESS = (
    ("committee_review", "2026-09-02"),
    ("judiciary_review", "2026-09-20"),
    ("plenary", "2026-10-01"),
    ("passed", "2026-10-02"),
    ("sent_to_government", "2026-10-08"),
    ("promulgated", "2026-10-15"),
)


def query(db, sql, *params):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def alerts(db, kind, bill_id=None):
    rows = query(
        db,
        "SELECT payload FROM alerts WHERE kind = ? AND coalesce(bill_id, '') = coalesce(?, '')"
        " ORDER BY id",
        kind,
        bill_id,
    )
    return [json.loads(r[0]) for r in rows]


def history(db):
    """What a check writes about bills (alerts aside), except the time each was last checked."""
    return (
        query(db, "SELECT * FROM bill_changes ORDER BY id"),
        query(db, "SELECT * FROM bill_events ORDER BY bill_id, stage, happened_on"),
        query(db, "SELECT bill_id, stage, result, title, summary FROM bills ORDER BY bill_id"),
    )


def check(env, *args, code=0):
    result = env.tracker("check", *args)
    assert result.returncode == code, result.stdout + result.stderr
    return result


def posts(replica):
    return len(replica.requests(INFO_PATH))


def test_bill_through_every_stage_alerts_once_per_step_in_order(env, replica, slack):
    check(env)  # the first run sums up the bills already there
    replica.assembly.add(
        bill_row(NEW_BILL, "2215001", "해오름동맹 광역교통 지원 특별법안", "김정재의원 등 10인",
                 "2026-08-28")
    )  # fmt: skip
    check(env)
    assert [a["new_stage"] for a in alerts(env.db, "new_bill", NEW_BILL)] == ["received"]

    for stage, day in PROGRESS:
        replica.pages.advance(NEW_BILL, stage, day)
        check(env)

    changes = alerts(env.db, "stage_change", NEW_BILL)
    assert [(a["old_stage"], a["new_stage"]) for a in changes] == list(
        zip(["received", *[s for s, _ in PROGRESS[:-1]]], [s for s, _ in PROGRESS], strict=True)
    )
    assert [a["new_result"] for a in changes][3:] == ["원안가결"] * 3
    events = query(
        env.db,
        "SELECT stage, min(happened_on) FROM bill_events WHERE bill_id = ? GROUP BY stage",
        NEW_BILL,
    )
    assert sorted(events, key=lambda e: e[1]) == [("received", "2026-08-28"), *PROGRESS]
    stored = query(
        env.db, "SELECT field, new_value FROM bill_changes WHERE bill_id = ? ORDER BY id", NEW_BILL
    )
    stage_rows = [("stage", "received"), *(("stage", s) for s, _ in PROGRESS)]
    assert stored == [*stage_rows[:5], ("result", "원안가결"), *stage_rows[5:]]
    assert "정부이송 → 공포" in slack.messages[-1]["text"]


def test_api_and_page_that_agree_alert_once(env, replica, slack):
    check(env)
    replica.advance(scenario.HAEOREUM_ACT, "judiciary_review", "2026-09-20")
    check(env)
    replica.pages.advance(scenario.HAEOREUM_ACT, "plenary", "2026-10-01")
    check(env)
    advance(replica.assembly.row(scenario.HAEOREUM_ACT), "plenary", "2026-10-01")
    check(env)
    check(env, "--full")

    changes = alerts(env.db, "stage_change", scenario.HAEOREUM_ACT)
    assert [a["new_stage"] for a in changes] == ["judiciary_review", "plenary"]
    assert len(slack.messages) == 1 + 2  # the first run's summary, then the two changes


def test_cosmetic_page_changes_change_nothing(env, replica, slack):
    check(env)
    before, messages = history(env.db), len(slack.messages)
    page = replica.pages.page(scenario.HAEOREUM_ACT)
    for change in COSMETIC_CHANGES:
        page.cosmetic = change
        posted = posts(replica)
        check(env)
        assert posts(replica) == posted + 1, "the changed page was read again"
    assert history(env.db) == before
    assert len(slack.messages) == messages


def test_bill_folded_into_an_alternative_is_followed_by_it(env, replica, slack):
    row = scenario.alternative()
    check(env)
    replica.pages.add(page_from_row(row))
    replica.pages.advance(
        scenario.HAEOREUM_ACT,
        "replaced_by_alternative",
        "2026-06-24",
        alternative=alternative_of(row),
    )
    check(env)

    [ending] = alerts(env.db, "stage_change", scenario.HAEOREUM_ACT)
    assert ending["new_stage"] == "replaced_by_alternative"
    assert ending["replaced_by"] == scenario.ALTERNATIVE
    ending_text = next(m["text"] for m in slack.messages if "대안반영폐기" in m["text"])
    assert row["BILL_NAME"] in ending_text
    assert query(
        env.db, "SELECT matched_by, stage FROM bills WHERE bill_id = ?", row["BILL_ID"]
    ) == [(f"alternative:{scenario.HAEOREUM_ACT}", "received")]

    replica.pages.advance(scenario.ALTERNATIVE, "judiciary_review", "2026-07-01")
    check(env)
    replica.assembly.add(row)
    replica.advance(scenario.ALTERNATIVE, "passed", "2026-07-03")
    check(env)
    later = alerts(env.db, "stage_change", scenario.ALTERNATIVE)
    assert [a["new_stage"] for a in later] == ["judiciary_review", "passed"]
    assert len(alerts(env.db, "stage_change", scenario.HAEOREUM_ACT)) == 1


def _page_refresh_always(env):
    text = env.config.read_text(encoding="utf-8")
    env.config.write_text(
        text.replace("[sources.assembly]\n", "[sources.assembly]\npage_refresh_hours = 0\n"),
        encoding="utf-8",
    )


@pytest.mark.parametrize(
    ("fault", "refresh_always", "error"),
    [
        (
            PageFault(
                shell=get_testdata("likms/billDetailPage_layout_changed.html"),
                info=get_testdata("likms/billInfo_layout_changed.html"),
            ),
            False,
            "h3.detailh3 missing",
        ),
        (
            PageFault(info=get_testdata("likms/billInfo_layout_changed.html")),
            True,
            "bill_info: #rcp_list tbody#insc-rcp-row missing",
        ),
        (MAINTENANCE, False, "서비스 점검"),
    ],
    ids=["redesign", "fragment_redesign", "maintenance"],
)
def test_broken_page_alerts_once_changes_nothing_and_recovers(
    env, replica, slack, fault, refresh_always, error
):
    if refresh_always:
        _page_refresh_always(env)
    source = f"bill_page:{scenario.HAEOREUM_ACT}"
    check(env)
    before = history(env.db)
    replica.pages.faults[scenario.HAEOREUM_ACT] = fault

    for _ in range(4):
        assert error in check(env, code=3).stderr

    [failure] = alerts(env.db, "source_failure")
    assert failure["source"] == source and failure["event"] == "failure"
    assert error in failure["error"] and failure["failures"] == 3
    assert history(env.db) == before
    stats = json.loads(query(env.db, "SELECT stats FROM runs ORDER BY id DESC LIMIT 1")[0][0])
    assert error in stats[source]["errors"][0]
    assert [name for name, counts in stats.items() if counts["errors"]] == [source]

    del replica.pages.faults[scenario.HAEOREUM_ACT]
    check(env)
    events = [a["event"] for a in alerts(env.db, "source_failure")]
    assert events == ["failure", "recovery"]
    assert "수집 복구" in slack.messages[-1]["text"]


def test_unchanged_pages_answering_304_store_and_parse_nothing(env, replica):
    check(env)
    before, posted = history(env.db), posts(replica)
    validators = "SELECT url, etag, last_modified, fetched_at FROM page_versions"
    versions = query(env.db, validators)
    alerts_before = query(env.db, "SELECT * FROM alerts")

    check(env)

    assert posts(replica) == posted
    assert query(env.db, validators) == versions
    # Only the time of the check moved.
    assert query(env.db, "SELECT count(*) FROM page_versions WHERE checked_at > fetched_at") == [
        (len(versions),)
    ]
    assert query(env.db, "SELECT * FROM alerts") == alerts_before
    shells = replica.requests("/bill/bi/billDetailPage.do")[-2:]
    assert all("if-none-match" in r.headers for r in shells)
    assert history(env.db) == before
    stats = json.loads(query(env.db, "SELECT stats FROM runs ORDER BY id DESC LIMIT 1")[0][0])
    assert stats["bill_page"] | {"errors": []} == {
        "requests": 2, "items": 0, "changes": 0, "skipped": 2, "errors": []
    }  # fmt: skip

    check(env, "--full")
    assert posts(replica) == posted + 2
    assert history(env.db) == before


def shells_asked(replica, since):
    """Bill ids whose shell page was asked after the first ``since`` requests, conditionally?"""
    return {
        r.query["billId"]: "if-none-match" in r.headers
        for r in replica.requests("/bill/bi/billDetailPage.do")[since:]
    }


def test_quiet_bills_take_turns_active_ones_are_checked_every_cycle(env, replica):
    text = env.config.read_text(encoding="utf-8")
    env.config.write_text(
        text.replace("quiet_pages_per_cycle = 100000\n", "quiet_pages_per_cycle = 1\n"),
        encoding="utf-8",
    )
    replica.assembly.add(
        bill_row(NEW_BILL, "2215001", "해오름동맹 광역교통 지원 특별법안", "김정재의원 등 10인",
                 "2026-06-25")
    )  # fmt: skip
    start = datetime.fromisoformat("2026-07-01T09:00:00+09:00")

    def check_at(minutes):
        env.env["TRACKER_CLOCK"] = (start + timedelta(minutes=minutes)).isoformat()
        asked = len(replica.requests("/bill/bi/billDetailPage.do"))
        check(env)
        return shells_asked(replica, asked)

    first = check_at(0)
    assert NEW_BILL in first and not any(first.values())
    quiet = set(first) - {NEW_BILL}
    assert len(quiet) >= 2
    before, posted = history(env.db), posts(replica)

    # Each later cycle: the bill proposed a week ago, and one quiet bill in turn, conditionally.
    turns = []
    for n in range(1, len(quiet) + 1):
        asked = check_at(n)
        assert asked.pop(NEW_BILL) is True and list(asked.values()) == [True]
        turns += asked
    assert set(turns) == quiet
    assert posts(replica) == posted and history(env.db) == before

    # A quiet bill that moved on the site is seen on its turn, and is active from then on.
    replica.pages.advance(scenario.HAEOREUM_ACT, "judiciary_review", "2026-07-01")
    turn = len(quiet) + turns.index(scenario.HAEOREUM_ACT) + 1
    for n in range(len(quiet) + 1, turn + 1):
        check_at(n)
    [change] = alerts(env.db, "stage_change", scenario.HAEOREUM_ACT)
    assert change["new_stage"] == "judiciary_review"
    assert scenario.HAEOREUM_ACT in check_at(turn + 1)
