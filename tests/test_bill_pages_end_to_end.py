"""Bill pages end to end: replica likms pages → tracker check → SQLite → fake Slack."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta

import pytest

from tests.helpers import COSMETIC_CHANGES, get_testdata
from tracker.demo.replica import scenario
from tracker.demo.replica.assembly import advance, bill_row
from tracker.demo.replica.bill_pages import (
    ALTERNATIVES_PATH as ALTERNATIVES,
)
from tracker.demo.replica.bill_pages import (
    INFO_PATH,
    MAINTENANCE,
    PageFault,
    alternative_of,
)

pytestmark = pytest.mark.e2e

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


def page_requests(replica, since=0):
    """How many bill-page requests (shell, billInfo.do, anBillInfo.do) each bill took."""
    counts: dict[str, int] = {}
    for request in replica.requests("/bill/")[since:]:
        bill_id = request.query.get("billId") or request.form().get("billId")
        counts[bill_id] = counts.get(bill_id, 0) + 1
    return counts


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
        assert posts(replica) > posted, "the changed page was read"
    assert history(env.db) == before
    assert len(slack.messages) == messages


def fold_haeoreum_act(replica, *, in_api=False):
    """The 해오름 act's page shows it folded into the alternative; ``in_api``: the Open API
    shows the ending in the same cycle."""
    row = scenario.alternative()
    alternative = alternative_of(row)
    if in_api:
        replica.advance(scenario.HAEOREUM_ACT, "replaced_by_alternative", "2026-06-24",
                        alternative=alternative)  # fmt: skip
    else:
        replica.pages.advance(
            scenario.HAEOREUM_ACT, "replaced_by_alternative", "2026-06-24", alternative=alternative
        )
    return row


def assert_alternative_followed(env, replica, slack):
    """The alternative is tracked, named as the folded bill's carrier, its relation stored,
    and its later stages alert."""
    [ending] = alerts(env.db, "stage_change", scenario.HAEOREUM_ACT)
    assert ending["new_stage"] == "replaced_by_alternative"
    [new] = alerts(env.db, "new_bill", scenario.ALTERNATIVE)
    assert new["matched_by"] == f"alternative:{scenario.HAEOREUM_ACT}"
    assert new["bill_no"] == "2214410" and new["detail_url"]
    assert query(
        env.db, "SELECT matched_by, stage FROM bills WHERE bill_id = ?", scenario.ALTERNATIVE
    ) == [(f"alternative:{scenario.HAEOREUM_ACT}", "received")]
    assert query(
        env.db,
        "SELECT alternative_id, bill_no, bill_id FROM bill_alternatives ORDER BY bill_no",
    ) == [(scenario.ALTERNATIVE, "2203257", scenario.HAEOREUM_ACT)]

    replica.pages.advance(scenario.ALTERNATIVE, "judiciary_review", "2026-07-01")
    check(env)
    replica.advance(scenario.ALTERNATIVE, "passed", "2026-07-03")
    check(env)
    replica.advance(scenario.ALTERNATIVE, "promulgated", "2026-07-14")
    check(env)
    later = alerts(env.db, "stage_change", scenario.ALTERNATIVE)
    assert [a["new_stage"] for a in later] == ["judiciary_review", "passed", "promulgated"]
    assert len(alerts(env.db, "stage_change", scenario.HAEOREUM_ACT)) == 1
    assert len(alerts(env.db, "new_bill", scenario.ALTERNATIVE)) == 1


def test_bill_folded_into_an_alternative_is_followed_by_it(env, replica, slack):
    check(env)
    row = fold_haeoreum_act(replica)
    replica.assembly.add(row)
    check(env)

    [ending] = alerts(env.db, "stage_change", scenario.HAEOREUM_ACT)
    assert ending["replaced_by"] == scenario.ALTERNATIVE
    assert ending["replaced_by_title"] == row["BILL_NAME"]
    ending_text = next(m["text"] for m in slack.messages if "대안반영폐기" in m["text"])
    assert row["BILL_NAME"] in ending_text
    lookups = [r for r in replica.requests("/portal/openapi/") if "BILL_NO" in r.query]
    assert [r.query["BILL_NO"] for r in lookups] == ["2214410"]
    assert_alternative_followed(env, replica, slack)


def test_api_and_page_reporting_the_fold_in_one_cycle_still_find_the_alternative(
    env, replica, slack
):
    check(env)
    row = fold_haeoreum_act(replica, in_api=True)
    replica.assembly.add(row)
    check(env)
    assert_alternative_followed(env, replica, slack)


def test_bill_a_source_ended_this_cycle_has_its_pages_read_in_that_cycle(env, replica):
    check(env)
    replica.advance(scenario.HAEOREUM_ACT, "withdrawn", "2026-07-01")
    since = len(replica.requests("/bill/bi/billDetailPage.do"))
    check(env)
    assert scenario.HAEOREUM_ACT in shells_asked(replica, since)
    # The committee's decision date: a step only the page shows.
    assert ("committee_review", "2026-07-01", "위원회 심사") in query(
        env.db,
        "SELECT stage, happened_on, description FROM bill_events WHERE bill_id = ?",
        scenario.HAEOREUM_ACT,
    )
    since = len(replica.requests("/bill/bi/billDetailPage.do"))
    check(env)
    assert scenario.HAEOREUM_ACT not in shells_asked(replica, since), "ended: left alone"


def test_government_bill_is_tracked_through_its_pages(env, replica):
    bill_id = "ARC_U2N6N0X3Z0G3U1K7D3G9G5V5G0W4H1"
    replica.assembly.add(
        bill_row(bill_id, "2217197", "해오름산업벨트 교통망 확충 특별법안(정부)", "정부",
                 "2026-06-01")
    )  # fmt: skip
    check(env)
    replica.pages.advance(bill_id, "committee_review", "2026-06-05")
    check(env)
    assert query(env.db, "SELECT stage, proposer FROM bills WHERE bill_id = ?", bill_id) == [
        ("committee_review", "정부")
    ]
    assert bill_id in shells_asked(replica, 0)


def alternatives_asked(replica, since):
    """The bills whose alternative endpoint was asked after the first ``since`` page requests."""
    return [
        r.form()["billId"] for r in replica.requests("/bill/")[since:] if r.path == ALTERNATIVES
    ]


def test_folded_bill_is_asked_again_until_its_alternative_is_known(env, replica, slack):
    check(env)
    row = fold_haeoreum_act(replica, in_api=True)
    for _ in range(2):
        # The Open API does not list the alternative yet: asked again each cycle.
        since = len(replica.requests("/bill/"))
        check(env)
        assert alternatives_asked(replica, since) == [scenario.HAEOREUM_ACT]
        assert query(env.db, "SELECT count(*) FROM bill_alternatives") == [(0,)]
    replica.assembly.add(row)
    check(env)
    since = len(replica.requests("/bill/"))
    check(env)
    # Known now: the folded bill is left alone; the alternative (a chair's bill) still asks.
    assert alternatives_asked(replica, since) == [scenario.ALTERNATIVE]
    assert_alternative_followed(env, replica, slack)


def test_a_broken_alternative_endpoint_keeps_what_bill_info_said_and_fails_the_bill(
    env, replica, slack
):
    check(env)
    row = fold_haeoreum_act(replica)
    replica.assembly.add(row)
    replica.pages.faults[scenario.HAEOREUM_ACT] = PageFault(alternatives="<html><body></body>")
    result = check(env, code=3)
    assert "tables captioned 대안반영/대안반영폐기 missing" in result.stderr
    assert query(env.db, "SELECT stage FROM bills WHERE bill_id = ?", scenario.HAEOREUM_ACT) == [
        ("replaced_by_alternative",)
    ]
    assert query(env.db, "SELECT count(*) FROM bill_alternatives") == [(0,)]
    assert query(env.db, "SELECT count(*) FROM bills WHERE bill_id = ?", scenario.ALTERNATIVE) == [
        (0,)
    ]
    stats = json.loads(query(env.db, "SELECT stats FROM runs ORDER BY id DESC LIMIT 1")[0][0])
    assert list(stats[f"bill_page:{scenario.HAEOREUM_ACT}"]["errors"]) == [
        "bill_alternative: tables captioned 대안반영/대안반영폐기 missing"
    ]

    del replica.pages.faults[scenario.HAEOREUM_ACT]
    check(env)
    assert query(env.db, "SELECT alternative_id FROM bill_alternatives") == [
        (scenario.ALTERNATIVE,)
    ]
    [new] = alerts(env.db, "new_bill", scenario.ALTERNATIVE)
    assert new["matched_by"] == f"alternative:{scenario.HAEOREUM_ACT}"


def test_a_cycle_costs_at_most_three_page_requests_a_bill(env, replica, slack):
    check(env)
    row = fold_haeoreum_act(replica)
    replica.assembly.add(row)
    since = len(replica.requests("/bill/"))
    check(env)
    counts = page_requests(replica, since)
    assert counts[scenario.HAEOREUM_ACT] == 3, "shell, billInfo.do and anBillInfo.do"
    assert counts[scenario.ALTERNATIVE] == 3, "a committee chair's bill names what it took in"
    assert counts[scenario.SECOND_ACT] == 2, "an ordinary bill needs no alternative"
    assert max(counts.values()) <= 3


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (
            PageFault(
                shell=get_testdata("likms/billDetailPage_layout_changed.html"),
                info=get_testdata("likms/billInfo_layout_changed.html"),
            ),
            "h3.detailh3 missing",
        ),
        (
            PageFault(info=get_testdata("likms/billInfo_layout_changed.html")),
            "bill_info: div.bill_step_list#insc-step-sect missing",
        ),
        (
            PageFault(info=get_testdata("likms/superseded/billInfo_haeoreum.html")),
            "bill_info: div.bill_step_list#insc-step-sect missing",
        ),
        (MAINTENANCE, "서비스 점검"),
    ],
    ids=["redesign", "fragment_redesign", "superseded_layout", "maintenance"],
)
def test_broken_page_alerts_once_changes_nothing_and_recovers(env, replica, slack, fault, error):
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


def test_unchanged_pages_are_read_and_store_nothing_but_the_time(env, replica):
    check(env)
    before, posted = history(env.db), posts(replica)
    alerts_before = query(env.db, "SELECT * FROM alerts")
    read = "SELECT url, fetched_at FROM page_versions WHERE url LIKE '%billDetailPage%'"
    first = query(env.db, read)

    check(env)

    assert posts(replica) == posted + 2, "both tracked bills read in full, never conditionally"
    shells = replica.requests("/bill/bi/billDetailPage.do")[-2:]
    assert not any("if-none-match" in r.headers for r in shells)
    assert history(env.db) == before
    assert query(env.db, "SELECT * FROM alerts") == alerts_before
    assert len(query(env.db, read)) == len(first) == 2
    stats = json.loads(query(env.db, "SELECT stats FROM runs ORDER BY id DESC LIMIT 1")[0][0])
    assert stats["bill_page"] | {"errors": []} == {
        "requests": 4, "items": 2, "changes": 0, "skipped": 0, "errors": []
    }  # fmt: skip


def shells_asked(replica, since):
    """Bill ids whose shell page was asked after the first ``since`` requests."""
    return {r.query["billId"] for r in replica.requests("/bill/bi/billDetailPage.do")[since:]}


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
    assert NEW_BILL in first
    quiet = first - {NEW_BILL}
    assert len(quiet) >= 2
    before = history(env.db)

    # Each later cycle: the bill proposed a week ago, and one quiet bill in turn.
    turns = []
    for n in range(1, len(quiet) + 1):
        asked = check_at(n)
        asked.remove(NEW_BILL)
        assert len(asked) == 1
        turns += asked
    assert set(turns) == quiet
    assert history(env.db) == before

    # A quiet bill that moved on the site is seen on its turn, and is active from then on.
    replica.pages.advance(scenario.HAEOREUM_ACT, "judiciary_review", "2026-07-01")
    turn = len(quiet) + turns.index(scenario.HAEOREUM_ACT) + 1
    for n in range(len(quiet) + 1, turn + 1):
        check_at(n)
    [change] = alerts(env.db, "stage_change", scenario.HAEOREUM_ACT)
    assert change["new_stage"] == "judiciary_review"
    assert scenario.HAEOREUM_ACT in check_at(turn + 1)
