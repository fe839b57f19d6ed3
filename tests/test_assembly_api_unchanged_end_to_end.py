"""Open API pages answered as before are not parsed again, end to end: replica → tracker check
→ SQLite, several cycles at set times."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.test_secrets import database_bytes
from tracker.demo.replica.assembly import advance
from tracker.demo.replica.scenario import HAEOREUM_ACT

pytestmark = pytest.mark.e2e

API_KEY = "assembly-key-51c0e2aa"
START = datetime.fromisoformat("2026-07-01T09:00:00+09:00")
# Bill columns a check may move without anything having changed.
BILL_COLUMNS = "bill_id, bill_no, title, stage, result, committee, summary, last_changed_at"


def query(db, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql, params).fetchall()


def stamp(minutes: float) -> str:
    return (START + timedelta(minutes=minutes)).isoformat()


def during(minutes: float, time: str) -> bool:
    """Whether ``time`` is within the cycle started ``minutes`` after START (its clock runs on)."""
    return stamp(minutes) <= time < stamp(minutes + 1)


def check_at(env, minutes: float, *args: str) -> None:
    env.env["TRACKER_CLOCK"] = stamp(minutes)
    result = env.tracker("check", *args)
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]


def history(db) -> dict[str, list[tuple[Any, ...]]]:
    """What the store holds of the bills' history, and the bills but for their check time."""
    return {
        "changes": query(db, "SELECT * FROM bill_changes ORDER BY id"),
        "events": query(db, "SELECT * FROM bill_events ORDER BY bill_id, stage, happened_on"),
        "alerts": query(db, "SELECT id, dedupe_key, kind, bill_id FROM alerts ORDER BY id"),
        "bills": query(db, f"SELECT {BILL_COLUMNS} FROM bills ORDER BY bill_id"),
    }


def api_pages(db) -> dict[str, tuple[str, str, str]]:
    """The Open API pages' hashes and read and check times, by page."""
    rows = query(
        db,
        "SELECT url, etag, fetched_at, checked_at FROM page_versions"
        " WHERE url LIKE '%/portal/openapi/%'",
    )
    return {url: (etag, fetched, checked) for url, etag, fetched, checked in rows}


def last_run(db) -> tuple[str, dict[str, Any]]:
    status, stats = query(db, "SELECT status, stats FROM runs ORDER BY id DESC LIMIT 1")[0]
    return status, json.loads(stats)["assembly_api"]


def test_an_idle_cycle_stores_nothing_and_a_changed_row_is_recorded_once(env, replica, slack):
    replica.assembly.api_key = API_KEY
    env.env["ASSEMBLY_API_KEY"] = API_KEY
    check_at(env, 0)
    pages = api_pages(env.db)
    assert pages and all("KEY=" not in url for url in pages)
    before, (_, first_stats), messages = history(env.db), last_run(env.db), len(slack.messages)

    check_at(env, 30)

    assert history(env.db) == before
    again = api_pages(env.db)
    assert {url: page[:2] for url, page in again.items()} == {u: p[:2] for u, p in pages.items()}
    assert all(during(30, checked) for _, _, checked in again.values())
    assert all(during(30, at) for (at,) in query(env.db, "SELECT last_checked_at FROM bills"))
    status, stats = last_run(env.db)
    assert (status, stats) == ("ok", first_stats | {"changes": 0})
    assert len(slack.messages) == messages

    advance(replica.assembly.row(HAEOREUM_ACT), "judiciary_review", "2026-07-01")
    check_at(env, 60)

    after = history(env.db)
    [change] = after["changes"][len(before["changes"]) :]
    assert change[2:7] == (HAEOREUM_ACT, "changed", "stage", "committee_review", "judiciary_review")
    new_alerts = after["alerts"][len(before["alerts"]) :]
    assert [(kind, bill) for _, _, kind, bill in new_alerts] == [("stage_change", HAEOREUM_ACT)]
    assert len(slack.messages) == messages + 1
    reread = {url for url, page in api_pages(env.db).items() if during(60, page[1])}
    assert reread and reread != set(pages)  # the pages with the bill, not the others

    check_at(env, 90)
    assert history(env.db) == after
    assert len(slack.messages) == messages + 1
    assert API_KEY.encode() not in database_bytes(env.db)


def test_unchanged_pages_are_parsed_again_when_their_read_is_old_and_in_a_full_check(env):
    check_at(env, 0)
    before = history(env.db)

    for minutes, args in ((6 * 60 + 1, ()), (6 * 60 + 30, ("--full",))):
        check_at(env, minutes, *args)
        assert all(during(minutes, page[1]) for page in api_pages(env.db).values())
        assert history(env.db) == before
        assert last_run(env.db)[0] == "ok"
