"""Alerts against a Slack as strict as Slack: nothing jams, floods or vanishes."""

from __future__ import annotations

import json
import random
import sqlite3
import time
from datetime import datetime, timedelta

import pytest

from tracker.demo.replica import news
from tracker.demo.replica.assembly import advance, bill_row
from tracker.demo.replica.scenario import HAEOREUM_ACT
from tracker.demo.replica.slack import blocks_error

pytestmark = pytest.mark.e2e

OPS = "#tracker-ops"


def query(db, sql, *params):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def error_lines(result) -> list[str]:
    """The lines of stderr that report an error (log lines included)."""
    return [line for line in result.stderr.splitlines() if "error" in line.lower()]


def statuses(db) -> dict[str, int]:
    return dict(query(db, "SELECT status, count(*) FROM alerts GROUP BY status"))


def assert_each_alert_arrived_once(env, slack) -> None:
    keys = {k for (k,) in query(env.db, "SELECT dedupe_key FROM alerts")}
    counts = slack.count_by_key()
    assert set(counts) == keys
    assert all(c == 1 for c in counts.values()), counts
    assert statuses(env.db) == {"sent": len(keys)}


def configure(env, old: str, new: str) -> None:
    text = env.config.read_text(encoding="utf-8")
    assert old in text
    env.config.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_timed_out_send_to_a_channel_name_is_checked_by_id_and_holds_up_nothing(
    env, replica, slack
):
    configure(env, "timeout_seconds = 5", "timeout_seconds = 1")
    slack.failures = ["timeout"]
    assert env.tracker("check").returncode == 0
    assert len(slack.messages) == 1  # posted, but answered too late
    advance(replica.assembly.row(HAEOREUM_ACT), "passed", "2026-11-20")
    time.sleep(1.2)

    result = env.tracker("check")

    assert result.returncode == 0, result.stderr
    # conversations.history was asked by id, found the message: neither lost nor doubled.
    assert_each_alert_arrived_once(env, slack)
    assert "0 pending" in result.stdout
    assert "conversations.list" in slack.calls


def test_an_alert_whose_fate_cannot_be_checked_waits_alone(env, replica, slack):
    configure(env, "timeout_seconds = 5", "timeout_seconds = 1")
    slack.failures = ["timeout"]
    assert env.tracker("check").returncode == 0
    [(summary_key,)] = query(env.db, "SELECT dedupe_key FROM alerts")
    advance(replica.assembly.row(HAEOREUM_ACT), "passed", "2026-11-20")
    slack.history_failures = ["missing_scope"]
    time.sleep(1.2)

    assert env.tracker("check").returncode == 0

    # The stage change went out; the summary waits for its history check, claim kept.
    [(key, status, claimed)] = query(
        env.db, "SELECT dedupe_key, status, claimed_at IS NOT NULL FROM alerts WHERE kind ="
        " 'stage_change'"
    )  # fmt: skip
    assert status == "sent"
    assert slack.count_by_key()[key] == 1
    [(status, claimed)] = query(
        env.db, "SELECT status, claimed_at IS NOT NULL FROM alerts WHERE dedupe_key = ?",
        summary_key,
    )  # fmt: skip
    assert (status, claimed) == ("pending", 1)
    assert env.tracker("check").returncode == 0
    assert_each_alert_arrived_once(env, slack)


def _long_title(rng: random.Random) -> str:
    syllables = "".join(chr(rng.randrange(0xAC00, 0xD7A4)) for _ in range(60))
    return f"해오름산업벨트 특별법 {syllables}"


def test_a_cycle_of_25_articles_is_one_alert_within_slack_limits(env, replica, slack):
    assert env.tracker("check").returncode == 0
    rng = random.Random(17)
    start = datetime.now(news.KST) + timedelta(minutes=1)
    for n in range(25):
        when = (start + timedelta(minutes=n)).strftime("%Y-%m-%d %H:%M")
        replica.news.add(
            news.article(
                f"9{n:03d}", _long_title(rng), "경상일보", "www.ksilbo.co.kr", when,
                channels=("google",),
            )
        )  # fmt: skip

    assert env.tracker("check").returncode == 0

    [message] = [m for m in slack.messages if m["text"].startswith("📰")]
    assert message["text"].startswith("📰 새 기사 25건")
    assert "외 5건" in message["text"]
    assert blocks_error(message["blocks"]) is None
    shown = "\n".join(b["text"]["text"] for b in message["blocks"])
    assert shown.count("• <https://") == 20
    # The rest are a click away: the Google News page of the keywords.
    more = f"… <{replica.url}/search?q=%ED%95%B4"
    assert more in shown and "|외 5건> (" in shown
    assert_each_alert_arrived_once(env, slack)


def test_a_wrong_token_keeps_every_alert_until_it_is_fixed(env, replica, slack):
    env.env["SLACK_BOT_TOKEN"] = "xoxb-not-the-token"

    wrong = env.tracker("check")

    assert wrong.returncode == 2, wrong.stdout + wrong.stderr
    [line] = error_lines(wrong)
    assert "invalid_auth" in line and "SLACK_BOT_TOKEN" in line
    assert slack.messages == []
    assert statuses(env.db) == {"pending": 1}
    listing = env.tracker("alerts")
    assert listing.returncode == 0
    assert "pending" in listing.stdout and "invalid_auth" in listing.stdout

    env.env["SLACK_BOT_TOKEN"] = slack.token
    advance(replica.assembly.row(HAEOREUM_ACT), "passed", "2026-11-20")
    slack.failures = ["invalid_blocks"]  # one message Slack refuses for what it is
    fixed = env.tracker("check")
    assert fixed.returncode == 0, fixed.stderr
    assert "1 failed" in fixed.stdout
    listing = env.tracker("alerts")
    assert "failed" in listing.stdout and "retry" in listing.stdout

    retried = env.tracker("alerts", "retry", "--all")
    assert retried.returncode == 0 and "re-queued 1" in retried.stdout
    assert env.tracker("check").returncode == 0
    assert_each_alert_arrived_once(env, slack)
    assert env.tracker("alerts").stdout.startswith("no alert waiting")


def test_retry_names_an_alert_or_all(env, slack):
    assert env.tracker("check").returncode == 0
    result = env.tracker("alerts", "retry")
    assert result.returncode == 2 and "--all" in result.stderr
    missing = env.tracker("alerts", "retry", "999")
    assert missing.returncode == 2 and "999" in missing.stderr


def test_a_channel_the_bot_has_not_joined_is_reported_once_where_it_can_post(env, replica, slack):
    configure(env, "[slack]\n", f'[slack]\nops_channel = "{OPS}"\n')
    slack.joined = {slack.channels["tracker-ops"]}

    first = env.tracker("check")
    advance(replica.assembly.row(HAEOREUM_ACT), "passed", "2026-11-20")
    second = env.tracker("check")

    for result in (first, second):
        assert result.returncode == 2, result.stdout + result.stderr
        [line] = error_lines(result)
        assert "not_in_channel" in line and "#haeoreum" in line
    [notice] = slack.texts_in(OPS)
    assert notice.startswith("⚠️ 알림 전송 문제: #haeoreum")
    assert slack.texts_in("#haeoreum") == []
    assert statuses(env.db) == {"pending": 2, "sent": 1}

    slack.joined = None
    assert env.tracker("check").returncode == 0
    assert_each_alert_arrived_once(env, slack)


def test_the_first_run_is_one_summary_and_later_finds_are_newly_followed(env, replica, slack):
    replica.news.add(*news.proposal_coverage(), news.alliance_meeting())
    late = bill_row(
        "PRC_L2A8T0E1F4O6U2N0D9B3I7L5L1S0X3", "2219999",
        "해오름산업벨트 지원에 관한 특별법 일부개정법률안", "김의원 등 10인", "2026-01-05",
    )  # fmt: skip
    advance(late, "judiciary_review", "2026-02-01")

    assert env.tracker("check").returncode == 0

    [summary] = slack.texts
    assert summary.startswith("📋 2건 추적 시작 (관련 기사 2건 저장)")
    assert "소관위 심사 2건" in summary
    kinds = query(env.db, "SELECT kind, count(*) FROM alerts GROUP BY kind")
    assert kinds == [("summary", 1)]

    replica.assembly.add(late)
    assert env.tracker("check").returncode == 0
    [found] = slack.texts[1:]
    assert found.startswith("🔎 신규 추적: 2219999 해오름산업벨트 지원에 관한 특별법")
    assert "현재 단계: 법사위 체계자구심사" in found


def test_a_mistyped_database_path_is_refused_not_created(env, slack):
    missing = env.path / "no-such-dir" / "tracker.db"
    env.env["TRACKER_DB"] = str(missing)

    for command in (("check",), ("digest", "--dry-run")):
        result = env.tracker(*command)
        assert result.returncode == 2, result.stdout + result.stderr
        [line] = error_lines(result)
        assert "no-such-dir" in line and "--create" in line
        assert not missing.parent.exists()
    assert slack.messages == []

    created = env.tracker("check", "--create")
    assert created.returncode == 0, created.stderr
    assert missing.is_file()


def test_a_digest_of_a_database_that_does_not_exist_is_refused(env):
    env.env["TRACKER_DB"] = str(env.path / "trackr.db")
    result = env.tracker("digest", "--dry-run")
    assert result.returncode == 2
    [line] = error_lines(result)
    assert "trackr.db" in line and "tracker check" in line
    assert not (env.path / "trackr.db").exists()


def test_source_failures_go_to_the_ops_channel_in_korean(env, replica, slack):
    configure(env, "[slack]\n", f'[slack]\nops_channel = "{OPS}"\n')
    with env.config.open("a", encoding="utf-8") as f:
        f.write("\n[schedule]\nfailure_threshold = 1\n")
    assert env.tracker("check").returncode == 0
    replica.assembly.fault = "http500"

    assert env.tracker("check").returncode == 3

    [failure] = slack.texts_in(OPS)
    assert failure.startswith("🚨 수집 실패: 국회 Open API (의안 목록)")
    assert "변동이 늦게 알려질 수 있음" in failure and "할 일:" in failure
    assert "출처 서버 오류" in failure
    assert "assembly_api" not in failure
    payload = json.loads(
        query(env.db, "SELECT payload FROM alerts WHERE kind = ?", "source_failure")[0][0]
    )
    since = datetime.fromisoformat(payload["since"]).strftime("%Y-%m-%d %H:%M")
    assert f"언제부터: {since}" in failure

    replica.assembly.fault = None
    assert env.tracker("check").returncode == 0
    assert slack.texts_in(OPS)[-1].startswith("✅ 수집 복구: 국회 Open API")
    assert all("수집" not in t for t in slack.texts_in("#haeoreum"))


def test_a_webhook_slack_no_longer_knows_keeps_the_alerts(env, slack):
    del env.env["SLACK_BOT_TOKEN"]
    env.env["SLACK_WEBHOOK_URL"] = slack.api_base.replace("/api/", "/revoked-hook")

    result = env.tracker("check")

    assert result.returncode == 2, result.stdout + result.stderr
    [line] = error_lines(result)
    assert "HTTP 404" in line and "SLACK_WEBHOOK_URL" in line
    assert statuses(env.db) == {"pending": 1}
    env.env["SLACK_WEBHOOK_URL"] = slack.api_base.replace("/api/", "/webhook")
    assert env.tracker("check").returncode == 0
    assert statuses(env.db) == {"sent": 1}
    assert [m["channel_id"] for m in slack.messages] == ["webhook"]
