"""How a source's report changes a stored bill: the field diff, and a stage never moving back."""

from __future__ import annotations

import pytest

from tracker.domain.bills import Change, diff_bill, found_late, held_back, is_status_change

STORED = {
    "bill_id": "PRC_A",
    "stage": "plenary",
    "result": None,
    "title": "도로교통법 일부개정법률안",
    "age": 22,
    "proposed_on": "2026-05-01",
}


@pytest.mark.parametrize(
    ("known", "kept"),
    [
        # An older report (the API lags the bill pages) cannot move a bill back, nor its result.
        ({"stage": "committee_review", "result": "x"}, {}),
        ({"stage": "received", "title": "새 제목"}, {"title": "새 제목"}),
        # Forward, or to a final stage of the same rank as any other: kept.
        ({"stage": "passed", "result": "원안가결"}, {"stage": "passed", "result": "원안가결"}),
        ({"stage": "withdrawn"}, {"stage": "withdrawn"}),
        # Same stage with no result: the stored result stays.
        ({"stage": "plenary", "result": None}, {"stage": "plenary"}),
        ({"stage": "plenary", "result": "수정가결"}, {"stage": "plenary", "result": "수정가결"}),
        # No stage on either side: nothing to compare.
        ({"stage": None, "result": None}, {"stage": None, "result": None}),
    ],
)
def test_a_stage_never_moves_back(known, kept):
    assert {k: v for k, v in known.items() if k not in held_back(known, STORED)} == kept


@pytest.mark.parametrize(
    ("known", "changes"),
    [
        ({"title": STORED["title"], "age": 22}, []),
        # Compared as text: the stored "22" and a reported 22 are the same value.
        ({"age": "22"}, []),
        ({"age": 23}, [Change("PRC_A", "changed", "age", 22, 23)]),
        (
            {"stage": "passed", "result": "원안가결"},
            [
                Change("PRC_A", "changed", "stage", "plenary", "passed"),
                Change("PRC_A", "changed", "result", None, "원안가결"),
            ],
        ),
        ({"stage": "received"}, []),
        (
            {"committee": "법제사법위원회"},
            [Change("PRC_A", "changed", "committee", None, "법제사법위원회")],
        ),
    ],
)
def test_the_diff_lists_each_changed_field(known, changes):
    assert diff_bill("PRC_A", known, STORED) == changes


@pytest.mark.parametrize(
    ("names", "status"),
    [(["stage"], True), (["result", "title"], True), (["title", "summary"], False), ([], False)],
)
def test_a_status_change_is_one_of_stage_or_result(names, status):
    assert is_status_change(names) is status


@pytest.mark.parametrize(
    ("known", "late"),
    [
        ({"stage": "received", "proposed_on": "2026-06-20"}, False),
        ({"stage": "committee_review", "proposed_on": "2026-06-01"}, False),
        # Proposed over 30 days ago, or already past committee review: newly followed.
        ({"stage": "received", "proposed_on": "2026-05-01"}, True),
        ({"stage": "plenary", "proposed_on": "2026-06-30"}, True),
        ({"stage": None, "proposed_on": "not a date"}, False),
    ],
)
def test_a_bill_found_past_its_start_is_newly_followed(known, late):
    assert found_late(known, "2026-07-01T09:00:00+09:00") is late
