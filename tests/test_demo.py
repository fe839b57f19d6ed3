"""``tracker demo`` end to end: the story it plays, as the database, Slack and the digest say."""

from __future__ import annotations

import email
import html
import json
import sqlite3
import subprocess
import sys
import tomllib
import urllib.request
from collections import Counter
from contextlib import closing
from datetime import datetime
from email.message import Message
from pathlib import Path

import pytest

from tests.conftest import Demo, clean_env
from tracker.demo.command import DEMO_TOKEN
from tracker.demo.replica import scenario
from tracker.demo.replica.sources import Replica
from tracker.demo.replica.timeline import STEPS, STORY_END, STORY_START

MEMBER_BILLS = (scenario.HAEOREUM_ACT, scenario.SECOND_ACT)
ALTERNATIVE_STAGES = [
    (None, "received"),
    ("received", "judiciary_review"),
    ("judiciary_review", "passed"),
    ("passed", "sent_to_government"),
    ("sent_to_government", "promulgated"),
]


def rows(db: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)) as conn:
        return conn.execute(sql).fetchall()


def slack_messages(demo: Demo) -> list[dict]:
    """Every message the demo's Slack stand-in received, asked over its Web API."""
    api_base = tomllib.loads(demo.config.read_text(encoding="utf-8"))["slack"]["api_base"]
    request = urllib.request.Request(
        f"{api_base}conversations.history?oldest=0&channel=C0HAEOREUM",
        headers={"Authorization": f"Bearer {DEMO_TOKEN}"},
    )
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)["messages"]


def tracker(demo: Demo, *args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The user's own ``tracker`` command with the demo's config."""
    return subprocess.run(
        [sys.executable, "-m", "tracker", "--config", str(demo.config), *args],
        cwd=cwd,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_article_is_published_before_the_check_that_first_lists_it():
    replica = Replica()
    for row in scenario.initial_rows():
        replica.assembly.add(row)
    listed = 0
    for step in STEPS:
        step.apply(replica)
        for article in replica.news.articles[listed:]:
            assert article.published <= step.at, (article.title, step.day)
        listed = len(replica.news.articles)
    moments = [step.at for step in STEPS]
    assert moments == sorted(moments) and moments[-1] < STORY_END


@pytest.mark.e2e
def test_the_stage_changes_of_the_story(demo_db: Path):
    changes: dict[str, list[tuple]] = {}
    for bill_id, old, new in rows(
        demo_db,
        "SELECT bill_id, old_value, new_value FROM bill_changes WHERE field = 'stage' ORDER BY id",
    ):
        changes.setdefault(bill_id, []).append((old, new))
    member = [(None, "committee_review"), ("committee_review", "replaced_by_alternative")]
    assert changes == {
        scenario.HAEOREUM_ACT: member,
        scenario.SECOND_ACT: member,
        scenario.ALTERNATIVE: ALTERNATIVE_STAGES,
    }


@pytest.mark.e2e
def test_the_alternative_is_followed_from_a_member_bill(demo_db: Path):
    [(matched_by,)] = rows(
        demo_db, f"SELECT matched_by FROM bills WHERE bill_id = '{scenario.ALTERNATIVE}'"
    )
    assert matched_by.removeprefix("alternative:") in MEMBER_BILLS


@pytest.mark.e2e
def test_one_alert_for_each_event_sent_once_to_slack(demo: Demo):
    alerts = rows(demo.db, "SELECT dedupe_key, kind, bill_id, status FROM alerts ORDER BY id")
    kinds = Counter(kind for _, kind, _, _ in alerts)
    # The first check sums up the two member bills (its news is older than the tracking);
    # the alternative found later is a new bill.
    assert kinds == {
        "summary": 1,
        "stage_change": 6,
        "new_bill": 1,
        "news": 3,
        "source_failure": 2,
    }
    stage_alerts = Counter(
        (bill, key.split(":")[2]) for key, kind, bill, _ in alerts if kind == "stage_change"
    )
    expected = [(b, "replaced_by_alternative") for b in MEMBER_BILLS] + [
        (scenario.ALTERNATIVE, new) for _, new in ALTERNATIVE_STAGES[1:]
    ]
    assert stage_alerts == Counter(expected)
    assert {status for *_, status in alerts} == {"sent"}
    at_slack = Counter(m["metadata"]["event_payload"]["dedupe_key"] for m in slack_messages(demo))
    assert at_slack == Counter(key for key, *_ in alerts)


@pytest.mark.e2e
def test_the_source_failure_is_alerted_once_and_its_recovery_once(demo: Demo):
    keys = [
        key
        for (key,) in rows(demo.db, "SELECT dedupe_key FROM alerts WHERE kind = 'source_failure'")
    ]
    assert [key.split(":")[:3] for key in keys] == [
        ["source", "assembly_api", "failure"],
        ["source", "assembly_api", "recovery"],
    ]
    texts = [m["text"] for m in slack_messages(demo)]
    assert sum("수집 실패" in t for t in texts) == 1
    assert sum("수집 복구" in t for t in texts) == 1
    statuses = [status for (status,) in rows(demo.db, "SELECT status FROM runs ORDER BY id")]
    assert statuses == ["ok"] * 3 + ["partial"] * 3 + ["ok"] * 7


@pytest.mark.e2e
def test_news_duplicated_across_outlets_is_stored_once_and_the_festival_not_at_all(
    demo_db: Path,
):
    articles = rows(demo_db, "SELECT title, source, other_sources FROM news_articles")
    assert len(articles) == 5
    proposal = [a for a in articles if "국회 발의" in a[0]]
    assert len(proposal) == 1
    _, source, others = proposal[0]
    assert sorted([source, *json.loads(others)]) == sorted(["경상일보", "울산매일", "경북일보"])
    assert not [a for a in articles if "축제" in a[0]]


@pytest.mark.e2e
def test_every_stored_time_lies_within_the_story(demo_db: Path):
    times = rows(
        demo_db,
        "SELECT observed_at FROM bill_changes UNION ALL SELECT first_seen_at FROM bills"
        " UNION ALL SELECT first_seen_at FROM news_articles"
        " UNION ALL SELECT started_at FROM runs UNION ALL SELECT finished_at FROM runs"
        " UNION ALL SELECT created_at FROM alerts UNION ALL SELECT sent_at FROM alerts",
    )
    start = datetime.combine(STORY_START, datetime.min.time(), STORY_END.tzinfo)
    assert all(start <= datetime.fromisoformat(t) <= STORY_END for (t,) in times)
    runs = [t[:16] for (t,) in rows(demo_db, "SELECT started_at FROM runs ORDER BY id")]
    assert runs == [step.at.isoformat()[:16] for step in STEPS]


def _part(message: Message, kind: str) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == f"text/{kind}")
    return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")


@pytest.mark.e2e
def test_the_digest_of_the_story_names_every_bill(demo: Demo):
    titles = [title for (title,) in rows(demo.db, "SELECT title FROM bills")]
    assert len(titles) == 3
    page = html.unescape((demo.out / "digest.html").read_text(encoding="utf-8"))
    message = email.message_from_bytes((demo.out / "digest.eml").read_bytes())
    for text in (page, html.unescape(_part(message, "html")), _part(message, "plain")):
        assert all(title in text for title in titles)
    assert "2026-06-01" in _part(message, "plain")


@pytest.mark.e2e
def test_the_demo_tells_what_happened_and_what_to_do_next(demo: Demo):
    output = demo.output
    positions = [output.index(f"{n}/{len(STEPS)} ") for n in range(1, len(STEPS) + 1)]
    assert positions == sorted(positions)
    for expected in (
        "(3 rows)",  # the query examples answer
        "What you just saw",
        "digest.html",
        "TRACKER_DB=",
        "tracker browse",
        "What to do next",
        "SLACK_BOT_TOKEN",
        "SMTP_PASSWORD",
        "tracker init",
        "tracker run",
    ):
        assert expected in output
    assert demo.seconds < 120


@pytest.mark.e2e
def test_the_replica_keeps_serving_for_the_users_own_commands(demo: Demo, tmp_path: Path):
    # A database of its own: the demo's must keep telling only the story.
    own = tmp_path / "own.db"
    check = tracker(demo, "check", cwd=tmp_path, TRACKER_DB=str(own))
    assert check.returncode == 0, check.stderr
    tracked = {bill_id for (bill_id,) in rows(own, "SELECT bill_id FROM bills")}
    assert tracked == {*MEMBER_BILLS, scenario.ALTERNATIVE}
    query = tracker(
        demo, "query", "--format", "json", "SELECT count(*) AS n FROM bills", cwd=tmp_path
    )
    assert query.returncode == 0, query.stderr
    assert json.loads(query.stdout) == [{"n": 3}]
